"""The toolkit's conventions for comments in catalog entries, written and read here only.

Comments are lists of items, one per line; an item longer than a line continues on lines indented
by two spaces. Where each item lives follows what ``msgmerge`` keeps: it takes the extracted
comments (``#.``) from the template and keeps the translator comments (``#``) and flags of the
.po. So ``#.`` holds what is the same in every language (the .pot has it too)::

    #. Note (NATO): The Alliance itself. ...     <- glossary guidance for this block's concepts

and what the toolkit says about one language's msgstr is in the translator comment, after the
translator's own lines (never touched), in the order of `ITEM_ORDER`::

    # Checked against the print edition.         <- the translator's
    # MT: argos:en-de@1.0                        <- who wrote msgstr (machine drafts only)
    # MT-Checksum: 3f1c9a0b7d2e                  <- of that msgstr, to notice a translator's edits
    # MT-Source: 0b1d2e3f4a5c                    <- of the msgid it translated (a stale draft)
    # MT-Glossary: 7a0c5e21d4b9                  <- of the glossary entries of its terms (refresh)
    # Term: NATO -> NATO (found)                 <- how each glossary term was handled
    # FLAGGED: term 'NATO' -> 'ΝΑΤΟ' missing: ...
    # QA: warning [numbers] ...                  <- QA findings on fresh machine output
    # TM: 100% article:12                        <- the translation memory gave msgstr
    # TM 87% (article:12): <English> => <...>    <- a similar reviewed translation
    # Note (NATO, de): Feminine: die NATO, ...   <- glossary guidance for this language
    # Suggestion (MT): ...                       <- fresh MT for a changed, reviewed paragraph

Catalogs written before had the machine items in ``#.``: they are read from there too and move
to ``#`` on the next run. ``#:`` references are read back with `source_references`.

An entry counts as a machine draft when it is fuzzy, it has an ``MT:`` item and its msgstr still
matches the ``MT-Checksum:``; every other non-empty msgstr is human work (a translator may improve
a draft and leave it fuzzy until done).
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Iterable
from typing import TYPE_CHECKING

import polib

from toolkit.formats.po import LINE_SPLIT_RE, WRAPWIDTH
from toolkit.terms.enforce import How
from toolkit.terms.match import concept_index, find_terms

if TYPE_CHECKING:
    from toolkit.formats.document import Block
    from toolkit.l10n.translate import BlockResult
    from toolkit.terms.glossary import Glossary

MT_PREFIX = "MT: "
CHECKSUM_PREFIX = "MT-Checksum: "  # of the msgstr as the model wrote it: an edited draft is human work
SOURCE_PREFIX = "MT-Source: "  # checksum of the msgid it translated: msgmerge may move a draft to new text
# of the glossary entries for the draft's terms in its language: a changed rendering refreshes it
GLOSSARY_PREFIX = "MT-Glossary: "
SUGGESTION_PREFIX = "Suggestion (MT): "
TERM_PREFIX = "Term: "
FLAGGED_PREFIX = "FLAGGED: "
QA_PREFIX = "QA: "
NOTE_PREFIX = "Note ("
TM_PREFIX = "TM: "  # the translation memory gave this msgstr (or some of its sentences): from where
TM_MATCH_PREFIX = "TM "  # a similar reviewed translation, shown to the translator (`toolkit.l10n.memory_use`)
# the reviewed msgstr that --overwrite-reviewed replaced with fresh MT: kept in view until reviewed
PREVIOUS_PREFIX = "Previous translation (reviewed, replaced by MT): "
# items about the MT output (and the memory's suggestions for it), dropped once a person reviewed it
MT_ITEMS = (
    MT_PREFIX, CHECKSUM_PREFIX, SOURCE_PREFIX, GLOSSARY_PREFIX, TERM_PREFIX, FLAGGED_PREFIX, QA_PREFIX,
    TM_MATCH_PREFIX,
)
_CONTINUATION = "  "  # how a comment item that needs more than one line continues
# The items about one language's msgstr: they live in the translator comment, which msgmerge keeps.
_OWN_MT = (MT_PREFIX, CHECKSUM_PREFIX, SOURCE_PREFIX, GLOSSARY_PREFIX, TERM_PREFIX, FLAGGED_PREFIX, QA_PREFIX)
IN_TCOMMENT = (*_OWN_MT, TM_PREFIX, TM_MATCH_PREFIX, NOTE_PREFIX, SUGGESTION_PREFIX, PREVIOUS_PREFIX)
# Every item the toolkit writes, in the one order every code path writes them (`order_items`).
ITEM_ORDER = (*_OWN_MT, TM_PREFIX, TM_MATCH_PREFIX, NOTE_PREFIX, SUGGESTION_PREFIX, PREVIOUS_PREFIX)


# --------------------------------------------------------------------------------------------
# Machine drafts and human work


def is_machine(entry: polib.POEntry) -> bool:
    """An untouched machine draft: fuzzy, with the ``#. MT:`` line the toolkit writes, and a msgstr
    nobody edited since (a translator may improve a draft and leave it fuzzy until done)."""
    items = entry_items(entry)
    if not entry.fuzzy or not any(item.startswith(MT_PREFIX) for item in items):
        return False
    sums = [item[len(CHECKSUM_PREFIX) :].strip() for item in items if item.startswith(CHECKSUM_PREFIX)]
    return not sums or sums[0] == checksum(entry.msgstr)


def is_stale_draft(entry: polib.POEntry) -> bool:
    """A machine draft of another text than its msgid (``msgmerge`` moved it to a changed
    paragraph, or shows the old text as ``#|``): to be translated afresh."""
    if not is_machine(entry):
        return False
    if entry.previous_msgid is not None and entry.previous_msgid != entry.msgid:
        return True
    sources = [i[len(SOURCE_PREFIX) :].strip() for i in entry_items(entry) if i.startswith(SOURCE_PREFIX)]
    return bool(sources) and sources[0] != checksum(entry.msgid)


def entry_items(entry: polib.POEntry) -> list[str]:
    """The toolkit's items of an entry: from the translator comment, then ``#.``."""
    return split_tcomment(entry.tcomment)[1] + comment_items(entry.comment)


def checksum(text: str) -> str:
    """The ``MT-Checksum:`` value of a msgstr."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def is_human(entry: polib.POEntry) -> bool:
    """A translation made or approved by a person: the toolkit must never overwrite it."""
    return bool(entry.msgstr) and not is_machine(entry)


def machine_engine(entry: polib.POEntry) -> str | None:
    """The ``#. MT:`` value of an entry (``argos:en-de@0.1``): the engine that wrote its draft."""
    for item in entry_items(entry):
        if item.startswith(MT_PREFIX):
            return item[len(MT_PREFIX) :].strip()
    return None


def is_truncated_draft(entry: polib.POEntry) -> bool:
    """A machine draft the model cut off at its output length limit (``FLAGGED: truncated``)."""
    return is_machine(entry) and any(i.startswith(f"{FLAGGED_PREFIX}truncated") for i in entry_items(entry))


# --------------------------------------------------------------------------------------------
# Items the toolkit writes


def machine_items(
    model_id: str | None, msgstr: str, result: BlockResult, glossary: Glossary | None = None, lang: str = ""
) -> list[str]:
    """The items of a fresh machine draft: who wrote it, its checksum, what glossary entries it
    was made with, how it handled each term, and its flags."""
    fingerprint = glossary_fingerprint(glossary, result.source, lang)
    return [
        MT_PREFIX + (model_id or "unknown model"),
        CHECKSUM_PREFIX + checksum(msgstr),
        SOURCE_PREFIX + checksum(result.source),
        *([GLOSSARY_PREFIX + fingerprint] if fingerprint else []),
        *term_items(result),
    ]


def glossary_fingerprint(glossary: Glossary | None, text: str, lang: str) -> str | None:
    """A checksum of what the glossary says, in `lang`, about the concepts of `text` (None: no
    glossary, or no term in the text): the draft is outdated when it changes."""
    if glossary is None:
        return None
    found = sorted({m.concept_id for m in find_terms(glossary, text)})
    concepts = concept_index(glossary)
    parts = []
    for concept_id in found:
        concept = concepts.get(concept_id)
        if concept is None:
            continue
        rendering = concept.renderings.get(lang)
        parts.append([
            concept_id, concept.dnt, concept.case_sensitive, concept.forms,
            None if rendering is None else
            # enforcement only asks whether the rendering is rejected: approving one redoes nothing
            [rendering.text, rendering.inflections, rendering.variants, rendering.rejected,
             rendering.status == "rejected"],
        ])
    return checksum(json.dumps(parts, ensure_ascii=False)) if parts else None


def recorded_glossary(entry: polib.POEntry) -> str | None:
    """The ``MT-Glossary:`` value of a draft (None: made without a glossary, or before drafts
    recorded it, or none of the glossary's terms in its text)."""
    for item in entry_items(entry):
        if item.startswith(GLOSSARY_PREFIX):
            return item[len(GLOSSARY_PREFIX) :].strip()
    return None


def handled_terms(entry: polib.POEntry) -> bool:
    """Whether a draft says how it handled glossary terms (``Term:``/``FLAGGED: term``)."""
    return any(i.startswith((TERM_PREFIX, f"{FLAGGED_PREFIX}term ")) for i in entry_items(entry))


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
                how = f"{term.how}, {term.note}" if term.note else str(term.how)
                items.append(f"{TERM_PREFIX}{term.term} -> {term.form or term.rendering} ({how})")
        flags += sentence.flags
    return _dedupe(items + [f"{FLAGGED_PREFIX}{f}" for f in flags])


def qa_item(severity: str, check_id: str, message: str) -> str:
    """One QA finding on fresh machine output, as an extracted-comment item."""
    return f"{QA_PREFIX}{severity} [{check_id}] {message}"


def note_items(glossary: Glossary | None, block: Block, lang: str | None = None) -> list[str]:
    """Translator guidance from the glossary for the concepts that occur in this block: the
    language-independent notes (``#.``, in the .pot too), or with `lang` that language's."""
    if glossary is None:
        return []
    # From the source text alone, so a reused entry gets the same notes as a fresh one.
    ids = [m.concept_id for m in find_terms(glossary, block.text)]
    concepts = concept_index(glossary)
    items = []
    for concept_id in _dedupe(ids):
        concept = concepts.get(concept_id)
        if concept is None:
            continue
        name = getattr(concept, "term", concept_id)
        if lang is None:
            if getattr(concept, "note", ""):
                items.append(f"{NOTE_PREFIX}{name}): {concept.note}")
            continue
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


def order_items(items: Iterable[str]) -> list[str]:
    """The toolkit's items in the one order every code path writes them (`ITEM_ORDER`), each
    once; items of one kind keep their order."""
    unique = _dedupe(" ".join(i.split()) for i in items)
    return sorted(unique, key=lambda i: next((n for n, p in enumerate(ITEM_ORDER) if i.startswith(p)), 0))


def comment_items(comment: str) -> list[str]:
    """An extracted comment back as items. ``#.`` holds toolkit items only, so a line that does
    not start one continues the item before it, however another tool rewrapped it."""
    items: list[str] = []
    for line in comment.split("\n") if comment else []:
        if items and (line.startswith(_CONTINUATION) or not line.startswith(ITEM_ORDER)):
            items[-1] += " " + line.strip()
        elif line.strip():
            items.append(line)
    return items


def split_tcomment(tcomment: str) -> tuple[list[str], list[str]]:
    """A translator comment as (the translator's own lines, the toolkit's items). Only lines that
    start an `IN_TCOMMENT` item, or continue one (indented), are the toolkit's."""
    own: list[str] = []
    items: list[str] = []
    in_item = False
    for line in tcomment.split("\n") if tcomment else []:
        if line.startswith(IN_TCOMMENT):
            items.append(line)
            in_item = True
        elif in_item and line.startswith(_CONTINUATION):
            items[-1] += " " + line.strip()
        else:
            in_item = False
            own.append(line)
    return own, items


def compose_tcomment(own: Iterable[str], items: Iterable[str]) -> str:
    """The translator comment: the translator's lines, then the toolkit's items in their order."""
    return "\n".join(filter(None, ["\n".join(own), format_items(order_items(items))]))


def previous_items(msgstr: str) -> list[str]:
    """A replaced reviewed translation as a translator-comment item (line breaks as ``\\n``)."""
    return [PREVIOUS_PREFIX + LINE_SPLIT_RE.sub("\\\\n", msgstr)] if msgstr else []


def item_text(value: str) -> str:
    """A translation kept in an item (`suggestion_items`, `previous_items`) with its line breaks
    back, as in a msgstr."""
    return value.replace("\\n", "\n")


def suggestion_items(mt: str) -> list[str]:
    """The fresh MT as a translator-comment item; line breaks are shown as ``\\n``, as in msgstr."""
    return [SUGGESTION_PREFIX + LINE_SPLIT_RE.sub("\\\\n", mt)] if mt else []


# --------------------------------------------------------------------------------------------
# References


def source_references(entry: polib.POEntry) -> list[tuple[str, str]]:
    """The entry's `#:` references as (file, line), file names with spaces whole again.

    polib splits "#: my story.txt:3" at the space into ("my", "") and ("story.txt", "3"); a
    name without a line number is joined to the next part until one with a line number. The
    isolation marks (U+2068 ... U+2069) gettext 0.22 puts around such a name are removed.
    """
    refs, parts = [], []
    for ref, line in entry.occurrences:
        parts.append(ref)
        if line:
            refs.append((" ".join(parts), line))
            parts = []
    refs += [(part, "") for part in parts]
    # gettext 0.22 writes a name with spaces inside U+2068 ... U+2069 (`toolkit.formats.po`)
    return [(file.removeprefix("\u2068").removesuffix("\u2069"), line) for file, line in refs]
