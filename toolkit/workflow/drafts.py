"""What a run hands the drafts store: the machine drafts it wrote, recorded after the catalogs.

`toolkit eval` scores translators' post-edits against the drafts they started from, and the
catalogs cannot say what a draft was once a translator has edited it, so every run keeps its
drafts in `toolkit.mt.drafts`. A run records exactly the drafts it wrote fresh (blocks the plan
translated whose entry is an untouched machine draft), never an entry it reused or a person's
work, so running an unchanged article again records nothing.

The store is checked before anything is written: a damaged file is one line saying what to do.
Recording comes after every catalog is written, all of the run's drafts in one transaction; a
failure then (the store locked past its timeout, a full disk) is a warning and not a failed run,
because the catalogs are written and this run's drafts are only missing from the evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import polib

from toolkit.errors import ToolkitError, warn
from toolkit.l10n.comments import is_machine, machine_engine
from toolkit.l10n.plan import Action, CatalogPlan
from toolkit.mt.drafts import Draft, drafts_path, open_drafts, record_drafts

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary


def check_drafts_store(locales_dir: str | Path) -> None:
    """A ToolkitError now, before anything is written, if the folder's drafts store is unusable.

    A folder without a store is fine: the store is created when the first drafts are recorded.
    """
    if drafts_path(locales_dir).exists():
        open_drafts(locales_dir).close()


def fresh_drafts(po: polib.POFile, plan: CatalogPlan, *, domain: str, lang: str) -> list[Draft]:
    """The machine drafts this run wrote into `po`: entries of blocks the plan translated."""
    translated = {(p.msgctxt, p.block.text) for p in plan.blocks if p.action == Action.TRANSLATE}
    drafts = []
    for entry in po:
        if entry.obsolete or (entry.msgctxt, entry.msgid) not in translated or not is_machine(entry):
            continue
        engine = machine_engine(entry) or "unknown model"
        drafts.append(Draft(domain, lang, entry.msgctxt, entry.msgid, entry.msgstr, engine))
    return drafts


def record_run_drafts(
    locales_dir: str | Path,
    drafts: Sequence[Draft],
    *,
    glossary: Glossary | None = None,
    warn: Callable[[str], None] = warn,
) -> int:
    """Record a run's drafts in one transaction, each with the fingerprint of the glossary
    entries for its terms (`glossary_fingerprint`; "" for a draft without terms); how many.
    Per draft, not the whole glossary's hash: a 20,000-concept termbase costs nothing here.

    A store that cannot take them is a `warn`ing (and 0): the run's catalogs are already written.
    """
    if not drafts:
        return 0
    from toolkit.l10n.comments import glossary_fingerprint

    def fingerprint(d: Draft) -> str | None:
        return None if glossary is None else glossary_fingerprint(glossary, d.msgid, d.lang) or ""

    try:
        return record_drafts(locales_dir, [replace(d, glossary=fingerprint(d)) for d in drafts])
    except ToolkitError as exc:
        warn(f"{exc}: the {len(drafts)} machine drafts of this run are not kept for `toolkit eval`")
        return 0
