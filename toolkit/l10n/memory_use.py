"""The memory in an update plan: reviewed translations reused before any model call.

`toolkit.l10n.memory` finds translations; this module decides what a catalog does with them, so
the workflow only has to call `use_memory` between `plan_update` and the model:

* a block to translate whose English a person already translated (the same paragraph,
  whitespace-normalised) takes that translation and goes to no model. It is ``fuzzy`` with the
  translator comment ``TM: 100% <domain>:<line>`` unless `MemoryOptions.accept_exact` (then it
  lands reviewed). A glossary finding on it (`check` says which) keeps it fuzzy and adds the
  finding as a ``QA:`` item: the glossary wins over the memory;
* the other blocks to translate get `sentence_lookup` for their sentences (the translate stage
  sends only the sentences the memory does not know) and up to three fuzzy matches as
  ``TM 87% (domain:line): <old English> => <reviewed translation>`` items, repaired matches
  (numbers or glossary terms substituted) first. They are translator comments (``#``), per
  language like the translation they describe, so ``msgmerge`` keeps them; Poedit and Weblate
  show them beside the entry.

An exact match becomes a ``KEEP`` of a one-off old entry, so `build_catalog` writes it like any
reused translation; its ``msgctxt`` is a marker no real entry has, so the catalog counts as
changed (``PO-Revision-Date``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polib

from toolkit.l10n.comments import TM_MATCH_PREFIX, TM_PREFIX, compose_tcomment, split_tcomment
from toolkit.l10n.memory import FUZZY_THRESHOLD, Match, Memory
from toolkit.l10n.plan import Action, CatalogPlan
from toolkit.terms.glossary import Glossary

_FROM_MEMORY = "\x00toolkit-memory"  # the msgctxt of the one-off old entry of an exact match
SUGGESTIONS = 3

# (English, translation) -> glossary findings as comment items ('QA: error [glossary] ...')
GlossaryCheck = Callable[[str, str], list[str]]


@dataclass(frozen=True)
class MemoryOptions:
    """How a run uses the memory (``toolkit translate --tm-accept-exact --tm-threshold``)."""

    accept_exact: bool = False  # exact paragraph matches land reviewed, not fuzzy
    threshold: float = FUZZY_THRESHOLD  # fuzzy matches shown from this similarity (0-100)
    suggestions: int = SUGGESTIONS


@dataclass
class MemoryUse:
    """What the memory gave one catalog: exact paragraphs and the items of fuzzy matches."""

    exact: dict[int, Match] = field(default_factory=dict)  # block index -> the reused match
    items: dict[int, list[str]] = field(default_factory=dict)  # block index -> TM suggestion items


def use_memory(
    memory: Memory,
    plan: CatalogPlan,
    lang: str,
    options: MemoryOptions,
    *,
    check: GlossaryCheck | None = None,
    reuse: bool = True,
    glossary: Glossary | None = None,
) -> MemoryUse:
    """Turn the plan's blocks that the memory translates into reused entries (in place), and
    collect fuzzy suggestions for the blocks still to translate. `reuse=False` (the run
    re-translates reviewed work) only collects suggestions; with the run's `glossary` a match
    that differs by its terms is offered repaired."""
    use = MemoryUse()
    for p in plan.blocks:
        if p.action != Action.TRANSLATE:
            continue
        exact = memory.lookup_paragraph(p.block.text, lang) if reuse else []
        if exact:
            match = exact[0]
            findings = check(p.block.text, match.target) if check else []
            old = polib.POEntry(
                msgctxt=_FROM_MEMORY,
                msgid=p.block.text,
                msgstr=match.target,
                flags=["fuzzy"] if findings or not options.accept_exact else [],
                # the translator's own lines of an old entry (not what the toolkit said about its
                # MT), then where the translation came from and what the glossary found in it
                tcomment=compose_tcomment(split_tcomment(p.old.tcomment)[0] if p.old is not None else [],
                                          [exact_item(match), *findings]),
            )
            p.action, p.old = Action.KEEP, old
            use.exact[p.block.index] = match
            continue
        matches = memory.fuzzy(p.block.text, lang, options.suggestions, options.threshold, glossary=glossary)
        matches.sort(key=lambda m: (m.repair is None, -m.score))
        if matches:
            use.items[p.block.index] = [suggestion_item(m) for m in matches]
    return use


def sentence_lookup(memory: Memory, lang: str) -> Callable[[str], Match | None]:
    """The translate stage's question for each sentence: a reviewed translation of it, or None."""

    def lookup(sentence: str) -> Match | None:
        found = memory.lookup_sentence(sentence, lang)
        return found[0] if found else None

    return lookup


def exact_item(match: Match) -> str:
    """``TM: 100% article:12``."""
    return f"{TM_PREFIX}100% {match.where}"


def sentences_item(count: int, total: int, wheres: list[str]) -> str:
    """``TM: 2 of 3 sentences from memory (article:12, article:14)``."""
    return f"{TM_PREFIX}{count} of {total} sentences from memory ({', '.join(dict.fromkeys(wheres))})"


def suggestion_item(match: Match) -> str:
    """``TM 87% (article:12): <old English> => <reviewed translation>``; a repaired match
    shows its repaired translation and what was substituted."""
    head = f"{TM_MATCH_PREFIX}{match.score:.0f}% ({match.where})"
    if match.repair is not None:
        head += f", repaired ({match.repair.describe()})"
        return f"{head}: {_one_line(match.source)} => {_one_line(match.repair.text)}"
    return f"{head}: {_one_line(match.source)} => {_one_line(match.target)}"



def _one_line(text: str) -> str:
    return " ".join(text.split())
