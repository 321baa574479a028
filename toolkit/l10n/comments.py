"""The toolkit's conventions for comments in catalog entries, written and read here only.

Extracted comments (``#.``) are lists of items the toolkit owns, one per line::

    #. MT: argos:en-de@1.0                       <- who wrote msgstr (machine drafts only)
    #. MT-Checksum: 3f1c9a0b7d2e                 <- of that msgstr, to notice a translator's edits
    #. Term: NATO -> NATO (found)                <- how each glossary term was handled
    #. FLAGGED: term 'NATO' -> 'ΝΑΤΟ' missing: ...
    #. QA: warning [numbers] ...                 <- QA findings on fresh machine output
    #. Note (NATO): The Alliance itself. ...     <- glossary guidance for this block's concepts

The translator comment (``#``) is the translator's, except for one ``# Suggestion (MT): ...`` the
toolkit adds to a changed paragraph whose old translation is kept. ``#:`` references are read back
with `source_references`.

An entry counts as a machine draft when it is fuzzy, its extracted comments have an ``MT:`` line
and its msgstr still matches the ``MT-Checksum:``; every other non-empty msgstr is human work
(a translator may improve a draft and leave it fuzzy until done).
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

import polib

from toolkit.formats.po import LINE_SPLIT_RE, WRAPWIDTH
from toolkit.terms.enforce import How
from toolkit.terms.match import find_terms

if TYPE_CHECKING:
    from toolkit.formats.document import Block
    from toolkit.l10n.translate import BlockResult
    from toolkit.terms.glossary import Glossary

MT_PREFIX = "MT: "
CHECKSUM_PREFIX = "MT-Checksum: "  # of the msgstr as the model wrote it: an edited draft is human work
SUGGESTION_PREFIX = "Suggestion (MT): "
TERM_PREFIX = "Term: "
FLAGGED_PREFIX = "FLAGGED: "
QA_PREFIX = "QA: "
NOTE_PREFIX = "Note ("
MT_ITEMS = (MT_PREFIX, CHECKSUM_PREFIX, TERM_PREFIX, FLAGGED_PREFIX, QA_PREFIX)  # items about the MT output
_CONTINUATION = "  "  # how a comment item that needs more than one line continues


# --------------------------------------------------------------------------------------------
# Machine drafts and human work


def is_machine(entry: polib.POEntry) -> bool:
    """An untouched machine draft: fuzzy, with the ``#. MT:`` line the toolkit writes, and a msgstr
    nobody edited since (a translator may improve a draft and leave it fuzzy until done)."""
    lines = entry.comment.split("\n")
    if not entry.fuzzy or not any(line.startswith(MT_PREFIX) for line in lines):
        return False
    sums = [line[len(CHECKSUM_PREFIX) :].strip() for line in lines if line.startswith(CHECKSUM_PREFIX)]
    return not sums or sums[0] == checksum(entry.msgstr)


def checksum(text: str) -> str:
    """The ``MT-Checksum:`` value of a msgstr."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def is_human(entry: polib.POEntry) -> bool:
    """A translation made or approved by a person: the toolkit must never overwrite it."""
    return bool(entry.msgstr) and not is_machine(entry)


def machine_engine(entry: polib.POEntry) -> str | None:
    """The ``#. MT:`` value of an entry (``argos:en-de@0.1``): the engine that wrote its draft."""
    for item in comment_items(entry.comment):
        if item.startswith(MT_PREFIX):
            return item[len(MT_PREFIX) :].strip()
    return None


def is_truncated_draft(entry: polib.POEntry) -> bool:
    """A machine draft the model cut off at its output length limit (``FLAGGED: truncated``)."""
    return is_machine(entry) and f"{FLAGGED_PREFIX}truncated" in " ".join(entry.comment.split())


# --------------------------------------------------------------------------------------------
# Items the toolkit writes


def machine_items(model_id: str | None, msgstr: str, result: BlockResult) -> list[str]:
    """The items of a fresh machine draft: who wrote it, its checksum, terms and flags."""
    return [
        MT_PREFIX + (model_id or "unknown model"),
        CHECKSUM_PREFIX + checksum(msgstr),
        *term_items(result),
    ]


def term_items(result: BlockResult) -> list[str]:
    """How the MT handled each glossary term, then everything flagged for a human."""
    items, flags = [], []
    for sentence in result.sentences:
        for term in sentence.terms:
            if term.how == How.FLAGGED:
                reason = term.reason or f"term '{term.term}' -> '{term.rendering}' missing"
                if reason not in sentence.flags:
                    flags.append(reason)
            else:
                items.append(f"{TERM_PREFIX}{term.term} -> {term.rendering} ({term.how})")
        flags += sentence.flags
    return _dedupe(items + [f"{FLAGGED_PREFIX}{f}" for f in flags])


def qa_item(severity: str, check_id: str, message: str) -> str:
    """One QA finding on fresh machine output, as an extracted-comment item."""
    return f"{QA_PREFIX}{severity} [{check_id}] {message}"


def note_items(glossary: Glossary | None, block: Block, lang: str) -> list[str]:
    """Translator guidance from the glossary for the concepts that occur in this block."""
    if glossary is None:
        return []
    # From the source text alone, so a reused entry gets the same notes as a fresh one.
    ids = [m.concept_id for m in find_terms(glossary, block.text)]
    concepts = {getattr(c, "id", None): c for c in getattr(glossary, "concepts", [])}
    items = []
    for concept_id in _dedupe(ids):
        concept = concepts.get(concept_id)
        if concept is None:
            continue
        name = getattr(concept, "term", concept_id)
        if getattr(concept, "note", ""):
            items.append(f"{NOTE_PREFIX}{name}): {concept.note}")
        rendering = (getattr(concept, "renderings", None) or {}).get(lang)
        if getattr(rendering, "note", ""):
            items.append(f"{NOTE_PREFIX}{name}, {lang}): {rendering.note}")
    return items


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# Comments are lists of items; an item longer than a line continues on lines indented by two
# spaces. Wrapping them here (rather than letting polib do it) keeps items apart after a round
# trip, so the toolkit can replace its own items and leave a translator's lines alone.


def format_items(items: Iterable[str], width: int = WRAPWIDTH - 3) -> str:
    """Comment items as the text of an entry's comment, each wrapped on its own lines."""
    lines = []
    for item in items:
        lines += textwrap.wrap(
            " ".join(item.split()),
            width,
            subsequent_indent=_CONTINUATION,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def comment_items(comment: str) -> list[str]:
    """An entry's comment back as items (continuation lines joined to their item)."""
    items: list[str] = []
    for line in comment.split("\n") if comment else []:
        if items and line.startswith(_CONTINUATION):
            items[-1] += " " + line.strip()
        else:
            items.append(line)
    return items


def suggestion(mt: str) -> str:
    """The fresh MT as a translator comment; line breaks are shown as ``\\n``, as in msgstr."""
    if not mt:
        return ""
    return format_items([SUGGESTION_PREFIX + LINE_SPLIT_RE.sub("\\\\n", mt)])


def without_suggestion(tcomment: str) -> str:
    """A translator comment minus an earlier suggestion (the line and its indented continuation)."""
    out: list[str] = []
    skipping = False
    for line in tcomment.split("\n") if tcomment else []:
        if line.startswith(SUGGESTION_PREFIX):
            skipping = True
        elif not (skipping and line.startswith(_CONTINUATION)):
            skipping = False
            out.append(line)
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# References


def source_references(entry: polib.POEntry) -> list[tuple[str, str]]:
    """The entry's `#:` references as (file, line), file names with spaces whole again.

    polib splits "#: my story.txt:3" at the space into ("my", "") and ("story.txt", "3"); a
    name without a line number is joined to the next part until one with a line number.
    """
    refs, parts = [], []
    for ref, line in entry.occurrences:
        parts.append(ref)
        if line:
            refs.append((" ".join(parts), line))
            parts = []
    refs += [(part, "") for part in parts]
    return refs
