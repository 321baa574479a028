"""The update plan: which blocks of a changed article keep, review or need a fresh translation.

Updating a catalog is a plan/apply pair (`toolkit.l10n.catalog.build_catalog` applies), so the
workflow only sends to the model what needs it. `plan_update` matches the new document against
the old catalog: exact ``(msgctxt, msgid)`` first, then the same text under another context (a
duplicate that moved), then fuzzy matching (`similarity` >= 0.6, best pair first, each old entry
used once). Obsolete ``#~`` entries take part too, so a paragraph that comes back gets its old
translation back. A machine draft made for another text (`is_stale_draft`: ``msgmerge`` carried it
over to a changed paragraph) is translated afresh even when its msgid matches, and so is one made
by another engine or with other glossary entries for its terms than this run's (`DraftPolicy`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

import polib

from toolkit.formats.document import Block, Document
from toolkit.formats.po import TEMPLATE_DATE
from toolkit.l10n.comments import (
    glossary_fingerprint,
    handled_terms,
    is_human,
    is_machine,
    is_stale_draft,
    machine_engine,
    recorded_glossary,
)
from toolkit.terms.glossary import Glossary

FUZZY_THRESHOLD = 0.6
_CHAR_RATIO_MAX_LEN = 300  # below this combined length texts are compared by characters
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")


class Action(str, Enum):
    """What the plan does with one block."""

    KEEP = "keep"  # the same text: reuse the old entry as it is
    REVIEW_CHANGED = "review-changed"  # changed text with a human translation: keep it, fuzzy
    TRANSLATE = "translate"  # new text, or only an MT draft to replace: translate

    def __str__(self) -> str:
        return self.value


KEEP, REVIEW_CHANGED, TRANSLATE = Action.KEEP, Action.REVIEW_CHANGED, Action.TRANSLATE


class Refresh(str, Enum):
    """Why an unreviewed machine draft of unchanged text is translated again."""

    ENGINE = "engine"  # this run's engine for the language is another one (or another model)
    GLOSSARY = "glossary"  # the glossary says something else about its terms now
    FORCED = "forced"  # --refresh-drafts

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class DraftPolicy:
    """What a machine draft must have been made with to stay: this run's engine and glossary.

    Only drafts nobody touched are ever refreshed (`toolkit.l10n.comments.is_machine`); a
    reviewed or edited translation is human work whatever made it."""

    lang: str
    engine_id: str | None = None  # the engine this run uses for `lang` (None: not compared)
    glossary: Glossary | None = None  # this run's glossary (None: not compared)
    refresh_all: bool = False  # --refresh-drafts: every draft, whatever made it

    def outdated(self, entry: polib.POEntry, text: str) -> Refresh | None:
        """Why the draft `entry` of `text` must be translated again, or None."""
        if not is_machine(entry):
            return None
        if self.refresh_all:
            return Refresh.FORCED
        if self.engine_id is not None and machine_engine(entry) not in (None, self.engine_id):
            return Refresh.ENGINE
        if self.glossary is not None:
            now, then = glossary_fingerprint(self.glossary, text, self.lang), recorded_glossary(entry)
            # a draft without the line predates it: it is outdated only if it handled no terms
            # (made without a glossary) while the text has some now
            changed = then is not None and now != then
            if changed or then is None and now is not None and not handled_terms(entry):
                return Refresh.GLOSSARY
        return None


@dataclass
class BlockPlan:
    """What to do with one block: reuse the old entry, keep it for review, or translate."""

    block: Block
    msgctxt: str | None
    action: Action
    old: polib.POEntry | None = None  # the old entry matched to this block, if any
    copies: tuple[Block, ...] = ()  # later blocks with the same text: one entry, several ``#:``
    refresh: Refresh | None = None  # why an unchanged machine draft is translated again

    @property
    def all_blocks(self) -> tuple[Block, ...]:
        """Every block this entry translates, in document order."""
        return (self.block, *self.copies)


@dataclass
class CatalogPlan:
    """The outcome of matching a document against an old catalog, before any model call."""

    blocks: list[BlockPlan]
    obsolete: list[polib.POEntry] = field(default_factory=list)
    header: dict[str, str] | None = None  # the old catalog's header fields (None: new catalog)
    header_comment: str | None = None  # the old catalog's top comment

    def needs_mt(self) -> list[Block]:
        """Blocks the model must translate: new or changed ones (a suggestion for reviewed ones)."""
        return [p.block for p in self.blocks if p.action in (Action.TRANSLATE, Action.REVIEW_CHANGED)]

    def refreshed(self) -> dict[str, int]:
        """How many unchanged machine drafts are translated again, by `Refresh` reason."""
        out: dict[str, int] = {}
        for p in self.blocks:
            if p.refresh is not None:
                out[str(p.refresh)] = out.get(str(p.refresh), 0) + 1
        return out

    def counts(self) -> dict[str, int]:
        """How many blocks take each action, plus how many old entries end up obsolete."""
        counts = {action.value: 0 for action in Action}
        for p in self.blocks:
            counts[p.action] += 1
        counts["obsolete"] = len(self.obsolete)
        counts["refreshed"] = sum(self.refreshed().values())
        # reviewed translations --overwrite-reviewed sends to the model again (kept in a comment)
        counts["replaced"] = sum(p.action == Action.TRANSLATE and p.old is not None and bool(p.old.msgstr)
                                 and is_human(p.old) for p in self.blocks)
        return counts


def entry_groups(doc: Document, *, context_duplicates: bool = False) -> list[tuple[str | None, list[Block]]]:
    """The catalog's entries for a document: ``(msgctxt, blocks)`` in document order.

    Identical text is one entry with a ``#:`` reference per block, as xgettext and html2po do
    (a translator translates "Dear reader," once, and a page title repeated as its heading once).
    With `context_duplicates` every copy is an entry of its own under ``copy-<n>`` (see
    `block_contexts`), for an article whose copies need different translations.
    """
    blocks = [b for b in doc.blocks if b.text]  # an empty msgid would be the header
    if context_duplicates:
        contexts = block_contexts(doc)
        return [(contexts[b.index], [b]) for b in blocks]
    groups: dict[str, list[Block]] = {}
    for block in blocks:
        groups.setdefault(block.text, []).append(block)
    return [(None, group) for group in groups.values()]


def block_contexts(doc: Document) -> dict[int, str | None]:
    """``copy-<n>`` (the n-th block with this text, from 1) for every block whose text occurs more
    than once, None for the rest: inserting another paragraph renames no context."""
    counts: dict[str, int] = {}
    for block in doc.blocks:
        counts[block.text] = counts.get(block.text, 0) + 1
    seen: dict[str, int] = {}
    contexts: dict[int, str | None] = {}
    for b in doc.blocks:
        seen[b.text] = seen.get(b.text, 0) + 1
        contexts[b.index] = f"copy-{seen[b.text]}" if counts[b.text] > 1 else None
    return contexts


def similarity(a: str, b: str) -> float:
    """difflib's ratio: by characters for short texts (a fixed typo in a heading still matches),
    by words and punctuation for paragraphs (faster, and closer to what changed for a reader)."""
    if len(a) + len(b) > _CHAR_RATIO_MAX_LEN:
        a_seq: Sequence[str] = _TOKEN_RE.findall(a)
        b_seq: Sequence[str] = _TOKEN_RE.findall(b)
    else:
        a_seq, b_seq = a, b
    matcher = difflib.SequenceMatcher(None, a_seq, b_seq, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_THRESHOLD or matcher.quick_ratio() < FUZZY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def plan_update(
    doc: Document,
    old: polib.POFile | None = None,
    *,
    overwrite_reviewed: bool = False,
    context_duplicates: bool = False,
    drafts: DraftPolicy | None = None,
) -> CatalogPlan:
    """Match the document's entries (`entry_groups`) to an old catalog's and decide what to
    translate; a repeated text is planned (and translated) once, on its first block.

    A human translation is never replaced, unless `overwrite_reviewed` (``toolkit translate
    --overwrite-reviewed``): then its block is translated afresh like a new one. An old catalog
    made in the other duplicate mode matches by text: its extra copies become obsolete ``#~``.
    A machine draft of unchanged text stays unless `drafts` says it is outdated.
    """
    groups = entry_groups(doc, context_duplicates=context_duplicates)
    contexts = {group[0].index: msgctxt for msgctxt, group in groups}
    copies = {group[0].index: tuple(group[1:]) for _msgctxt, group in groups}
    blocks = [group[0] for _msgctxt, group in groups]
    pool = _candidates(old)
    matched: dict[int, tuple[int, bool]] = {}  # block index -> (pool index, same text)
    # The same text, first under the same context, then under any (a duplicate that moved).
    _match_exact(blocks, pool, matched, lambda b: (contexts[b.index], b.text), lambda e: (e.msgctxt, e.msgid))
    _match_exact(blocks, pool, matched, lambda b: b.text, lambda e: e.msgid)
    _match_shared(blocks, pool, matched)
    _match_fuzzy(blocks, pool, matched)

    plans = []
    for block in blocks:
        i, exact = matched.get(block.index, (None, False))
        entry = pool[i] if i is not None else None
        refresh = None
        if entry is None or not entry.msgstr or (overwrite_reviewed and is_human(entry)):
            action = Action.TRANSLATE
        elif exact and not is_stale_draft(entry):
            refresh = drafts.outdated(entry, block.text) if drafts is not None else None
            action = Action.KEEP if refresh is None else Action.TRANSLATE
        else:
            action = Action.REVIEW_CHANGED if is_human(entry) else Action.TRANSLATE
        plans.append(BlockPlan(block, contexts[block.index], action, entry, copies[block.index], refresh))
    if old is None:
        return CatalogPlan(plans)
    used = {id(pool[i]) for i, _exact in matched.values()}
    return CatalogPlan(
        plans,
        obsolete=[e for e in old if id(e) not in used],
        header=dict(old.metadata),
        # a template's comment describes the template, not this language's catalog
        header_comment=None if old.metadata.get("PO-Revision-Date") == TEMPLATE_DATE else old.header,
    )


def _match_exact(blocks, pool, matched, block_key, entry_key) -> None:
    """Pair each unmatched block with the first unused old entry that has the same key."""
    free: dict[object, list[int]] = {}
    taken = {i for i, _exact in matched.values()}
    for i, entry in enumerate(pool):
        if i not in taken:
            free.setdefault(entry_key(entry), []).append(i)
    for block in blocks:
        if block.index not in matched and free.get(block_key(block)):
            matched[block.index] = (free[block_key(block)].pop(0), True)


def _match_shared(blocks, pool, matched) -> None:
    """Copies split into contexts (``--context-duplicates`` after a merged catalog) all start
    from the one entry they shared: an old entry without context serves every copy of its text."""
    shared: dict[str, int] = {}
    for i, entry in enumerate(pool):
        if entry.msgctxt is None and not entry.obsolete:
            shared.setdefault(entry.msgid, i)
    for block in blocks:
        if block.index not in matched and block.text in shared:
            matched[block.index] = (shared[block.text], True)


def _match_fuzzy(blocks, pool, matched) -> None:
    """Best pair first, each old entry used once; ties go to live entries, then document order."""
    taken = {i for i, _exact in matched.values()}
    pairs = []
    for bpos, block in enumerate(blocks):
        if block.index in matched:
            continue
        for i, entry in enumerate(pool):
            if i not in taken:
                ratio = similarity(block.text, entry.msgid)
                if ratio >= FUZZY_THRESHOLD:
                    pairs.append((-ratio, entry.obsolete, bpos, i, block.index))
    for *_order, i, index in sorted(pairs):
        if i not in taken and index not in matched:
            taken.add(i)
            matched[index] = (i, False)


def _candidates(old: polib.POFile | None) -> list[polib.POEntry]:
    """Old entries a block may reuse: human translations first, live before obsolete, then file
    order. The order only matters when an old file has the same text twice (a live MT draft and an
    obsolete reviewed entry, say): the reviewed translation must win."""
    if old is None:
        return []
    entries = [e for e in old if e.msgid and not e.msgid_plural]
    rank = {id(e): n for n, e in enumerate(entries)}
    return sorted(entries, key=lambda e: (not is_human(e), not e.msgstr, e.obsolete, rank[id(e)]))
