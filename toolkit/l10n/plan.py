"""The update plan: which blocks of a changed article keep, review or need a fresh translation.

Updating a catalog is a plan/apply pair (`toolkit.l10n.catalog.build_catalog` applies), so the
workflow only sends to the model what needs it. `plan_update` matches the new document against
the old catalog: exact ``(msgctxt, msgid)`` first, then the same text under another context (a
duplicate that moved), then fuzzy matching (`similarity` >= 0.6, best pair first, each old entry
used once). Obsolete ``#~`` entries take part too, so a paragraph that comes back gets its old
translation back. A machine draft made for another text (`is_stale_draft`: ``msgmerge`` carried it
over to a changed paragraph) is translated afresh even when its msgid matches.
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
from toolkit.l10n.comments import is_human, is_stale_draft

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


@dataclass
class BlockPlan:
    """What to do with one block: reuse the old entry, keep it for review, or translate."""

    block: Block
    msgctxt: str | None
    action: Action
    old: polib.POEntry | None = None  # the old entry matched to this block, if any


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

    def counts(self) -> dict[str, int]:
        """How many blocks take each action, plus how many old entries end up obsolete."""
        counts = {action.value: 0 for action in Action}
        for p in self.blocks:
            counts[p.action] += 1
        counts["obsolete"] = len(self.obsolete)
        # reviewed translations --overwrite-reviewed sends to the model again (kept in a comment)
        counts["replaced"] = sum(p.action == Action.TRANSLATE and p.old is not None and bool(p.old.msgstr)
                                 and is_human(p.old) for p in self.blocks)
        return counts


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
    doc: Document, old: polib.POFile | None = None, *, overwrite_reviewed: bool = False
) -> CatalogPlan:
    """Match the document's blocks to an old catalog's entries and decide what to translate.

    A human translation is never replaced, unless `overwrite_reviewed` (``toolkit translate
    --overwrite-reviewed``): then its block is translated afresh like a new one.
    """
    contexts = block_contexts(doc)
    blocks = [b for b in doc.blocks if b.text]  # an empty msgid would be the header
    pool = _candidates(old)
    matched: dict[int, tuple[int, bool]] = {}  # block index -> (pool index, same text)
    # The same text, first under the same context, then under any (a duplicate that moved).
    _match_exact(blocks, pool, matched, lambda b: (contexts[b.index], b.text), lambda e: (e.msgctxt, e.msgid))
    _match_exact(blocks, pool, matched, lambda b: b.text, lambda e: e.msgid)
    _match_fuzzy(blocks, pool, matched)

    plans = []
    for block in blocks:
        i, exact = matched.get(block.index, (None, False))
        entry = pool[i] if i is not None else None
        if entry is None or not entry.msgstr or (overwrite_reviewed and is_human(entry)):
            action = Action.TRANSLATE
        elif exact and not is_stale_draft(entry):
            action = Action.KEEP
        else:
            action = Action.REVIEW_CHANGED if is_human(entry) else Action.TRANSLATE
        plans.append(BlockPlan(block, contexts[block.index], action, entry))
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
