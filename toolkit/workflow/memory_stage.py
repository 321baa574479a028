"""The translation-memory stage of a run: between the update plan and the model.

`toolkit.workflow.localize` calls `apply_memory` once the plans are made (inside the locales
folder's lock): it brings the memory up to date with the catalogs (incremental refresh), turns
exact paragraph matches into reused entries (`toolkit.l10n.memory_use`) and keeps the memory
open for the translate stage's sentence lookups. The glossary check of a reused translation is
QA's `check_entry` (glossary and do-not-translate findings only), so it reads like any finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.l10n.comments import qa_item
from toolkit.l10n.memory import INDEX_PATH, Memory, has_memory, open_memory
from toolkit.l10n.memory_use import MemoryOptions, MemoryUse, sentences_item, use_memory
from toolkit.l10n.plan import CatalogPlan
from toolkit.l10n.translate import BlockResult
from toolkit.terms.glossary import Glossary

GLOSSARY_CHECKS = ("glossary", "dnt")
Key = tuple[int, str]  # (document number, language)


@dataclass
class RunMemory:
    """The open memory of a run and what it gave each catalog."""

    memory: Memory
    options: MemoryOptions
    glossary: Glossary | None = None
    reuse: bool = True  # False: the run re-translates reviewed work (suggestions only)
    created: bool = False  # this run made the index: a failed run takes it away again
    uses: dict[Key, MemoryUse] = field(default_factory=dict)
    closed: bool = False

    def apply(self, plans: dict[Key, CatalogPlan], lang: str, ndocs: int) -> None:
        """Apply the memory to one language's plans (again, after a plan was redone)."""
        check = _glossary_check(self.glossary, lang) if self.glossary is not None else None
        for d in range(ndocs):
            self.uses[d, lang] = use_memory(
                self.memory, plans[d, lang], lang, self.options, check=check, reuse=self.reuse,
                glossary=self.glossary,
            )

    def close(self) -> None:
        if not self.closed:
            self.memory.close()
            self.closed = True

    def abandon(self) -> None:
        """A failed run: close, and remove the index if this run created it (the locales folder
        stays as it was; an index that was there is only brought up to date, as any run does)."""
        self.close()
        if self.created:
            path = self.memory.index.path
            for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)


def apply_memory(
    locales_dir,
    plans: dict[Key, CatalogPlan],
    langs: Sequence[str],
    ndocs: int,
    options: MemoryOptions,
    *,
    glossary: Glossary | None = None,
    overwrite_reviewed: bool = False,
) -> RunMemory | None:
    """Refresh the memory and apply it to every plan (in place): see the module docstring.
    None when the folder has neither a memory nor catalogs (nothing to find, nothing written)."""
    if not has_memory(locales_dir):
        return None
    created = not (Path(locales_dir) / INDEX_PATH).exists()
    run = RunMemory(open_memory(locales_dir), options, glossary, reuse=not overwrite_reviewed,
                    created=created)
    for lang in langs:
        run.apply(plans, lang, ndocs)
    return run


def memory_items(use: MemoryUse | None, result: BlockResult | None, index: int) -> list[str]:
    """The memory's items for a freshly translated block: its sentences from memory, then the
    similar reviewed translations."""
    items = []
    if result is not None and result.memory:
        items.append(sentences_item(len(result.memory), len(result.sentences), list(result.memory.values())))
    if use is not None:
        items += use.items.get(index, [])
    return items


def _glossary_check(glossary: Glossary, lang: str):
    from toolkit.qa.checks import check_entry

    def check(source: str, translation: str) -> list[str]:
        findings = check_entry(source, translation, lang, glossary=glossary)
        return [qa_item(f.severity, f.check_id, f.message) for f in findings if f.check_id in GLOSSARY_CHECKS]

    return check
