"""The glossary review loop: export for translators, import their decisions back into the CSV.

The canonical glossary (`toolkit.terms.glossary`, ``glossaries/defense.csv``) stays the one source of
truth. Translators review it in the tool they already use -- a PO editor, a spreadsheet or a CAT
tool -- and `import_glossary` folds their decisions back in. Translate Toolkit (``csv2tbx``,
``tbx2po``, ``poterminology``), Weblate and DeepL/AWS glossaries convert terminology one way;
none of them returns review decisions into a canonical file, which is what this module is for.

Every export carries the concept id as its stable key (PO ``msgctxt``, CSV ``id``, TBX
``termEntry id``), so the English term may change without losing track. Importing an export
nobody edited changes nothing: `write_glossary` then rewrites the glossary byte for byte.

This module holds what is common to the formats (choosing one, applying a file's entries, the
dry-run diff); each format is one module (``exchange_po``, ``exchange_csv``, ``exchange_tbx``),
reading into `exchange_entry.Entry` records and writing through ``toolkit.formats``.

Formats and what a translator does in each
------------------------------------------
PO (one language): ``msgid`` is the English term, ``msgstr`` the rendering, ``#, fuzzy`` while
it is not approved. Extracted comments (``#.``) show the concept note, the do-not-translate
flag, English and target variants (``Accepted forms``), rejected renderings, the review state
and the article sentences where the term occurs; the translator comment (``#``) is the language
note and may be edited. The rendering's own forms (glossary ``xx_forms``) are the one extracted
comment read back: ``Inflections (forms of the approved rendering): a | b``, edited in a text
editor (emptied: no forms; the line removed: the forms stay). Remove *fuzzy* to approve, edit
``msgstr`` to replace the rendering, empty ``msgstr`` to reject it without a replacement. A
rejected rendering is exported with an empty ``msgstr`` (listed in the comments) so the
translator can type a new one. Approved entries are not fuzzy; setting *fuzzy* again withdraws
the approval.

CSV (one language, or ``all``): one row per concept and language, columns ``id, lang, term, dnt,
note, rendering, variants, status, reviewer, date, rejected, translator_note, context,
revision``, and ``forms`` after ``variants`` when the exported renderings have forms (an
optional column, as ``xx_forms`` is in the glossary; a sheet without it leaves the forms alone).
Lists use ``|`` as in the glossary. ``id, term, dnt, note, context, revision`` are for reading
(the last four may be deleted); the others are edited: set ``status`` to ``approved`` or
``rejected``, edit ``rendering``, add forms to ``variants``, ``forms`` or ``rejected``. UTF-8, optionally
with a BOM so Excel detects it; Excel's semicolon or tab separated saves are read too. A cell
that starts with ``= + - @`` is written with a leading ``'`` so spreadsheets never run it as a
formula; the apostrophe is removed again on import.

TBX (one language, or ``all`` in one file): TBX-Basic (ISO 30042, ``martif type="TBX-Basic"``,
TBX v2), as Translate Toolkit, Weblate and memoQ read it. One ``termEntry id=<concept id>`` per
concept; its ``descrip type="definition"`` is the concept note (Weblate's explanation of the
source term; a plain ``note`` is read as the definition too) and a do-not-translate concept has
a ``note from="developer"`` saying so; ``langSet xml:lang="en"`` has the term and then the
English variants; each target ``langSet`` has the language note as ``note from="translator"``
(Weblate's explanation of the translation) and ``tig`` elements. The *first* ``tig`` is the
rendering, its review state in ``termNote type="administrativeStatus"``:

============  ==========================  =============================================
glossary      administrativeStatus        why
============  ==========================  =============================================
approved      ``preferredTerm-admn-sts``  the term to use
proposed      ``admittedTerm-admn-sts``   in use, not yet confirmed by a reviewer; also
                                          ``termNote type="processStatus"``
                                          ``provisionallyProcessed``
rejected      ``deprecatedTerm-admn-sts`` do not use (CAT tools show it as forbidden)
============  ==========================  =============================================

Further ``tig`` elements are the rendering's inflected forms (``admittedTerm`` with ``termNote
type="termType"`` ``variant``; `exchange_tbx` says why), the accepted variants (``admittedTerm``,
without a processStatus: so a proposed rendering and an accepted variant differ, and without a
termType: so a variant and an inflection differ) and the rejected renderings
(``deprecatedTerm``; ``supersededTerm`` is read as rejected too). Reviewer and date go in the
rendering's ``transacGrp`` (``transac type="transactionType"`` ``modification``, ``date``,
``transacNote type="responsibility"``). With a ``part_of_speech`` column in the glossary, every
``tig`` has ``termNote type="partOfSpeech"``. TBX-Basic's administrativeStatus picklist has no
"proposed" value, hence processStatus (a TBX-Default category readers ignore when they do not
know it) rather than an invented status; do-not-translate is a note, not Weblate's non-standard
``descrip type="Translation needed"``. Files are parsed only with ``defusedxml`` with DTDs
forbidden: a TBX with a ``<!DOCTYPE>`` (XXE, billion laughs) is refused.

Import rules (all formats)
--------------------------
* Entries are matched by concept id (by English term when the id is empty); entries the file
  does not mention, and fields a format does not carry, are left alone.
* A field counts as edited only if it differs from the glossary (line ends, and in notes all
  whitespace, are normalised), so an unedited export imports as no change at all.
* Every exported rendering carries its *revision*, a short hash of its values (PO ``#.
  Revision:``, CSV ``revision``, TBX ``tig id="r<hash>"``). If the glossary has moved on since the
  export (another review landed), the entry's edits are skipped with a warning instead of undoing
  that review; the translator reviews a fresh export. Importing the same file twice is harmless.
* The forms of a rendering (``xx_forms``) and its variants are separate lists in every format:
  an import never moves one into the other. Forms that differ only in whitespace inside a form
  (a PO library wrapped the line) are not an edit; forms for a language with no rendering are an
  error. Editing forms or variants is not a decision (no reviewer or date is stamped).
* An edited rendering replaces the old one and the old one joins the rejected renderings; the
  new one leaves the rejected, variant and form lists if it was there.
* A *decision* -- a new rendering or a new status -- is stamped with the reviewer (the
  `reviewer` argument, else the file: PO ``Last-Translator``, the CSV ``reviewer`` cell or the
  TBX ``responsibility``, when edited) and the date (an edited CSV/TBX date, else `today`). A
  decision without any reviewer is an error: approvals must be attributable.
* Unknown terms are reported, not added, unless `add_new` (then added as ``proposed``, case
  sensitive when the term has a capital letter). A term that is already a form of another
  concept is never added.
* Any problem (bad quoting, a missing column, broken XML, duplicate entries, an unknown
  language or status) raises ToolkitError with file and line before anything changes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.errors import ToolkitError
from toolkit.terms import exchange_csv, exchange_po, exchange_tbx
from toolkit.terms.exchange_entry import Entry, revision, show_list
from toolkit.terms.exchange_po import resolve_fuzzy
from toolkit.terms.glossary import (
    LIST_SEPARATOR,
    PARTS_OF_SPEECH,
    STATUSES,
    Concept,
    Glossary,
    Rendering,
    format_glossary,
    valid_id,
)
from toolkit.terms.match import find_terms

if TYPE_CHECKING:
    from toolkit.formats.document import Document

__all__ = [
    "FORMATS",
    "ImportChange",
    "ImportResult",
    "diff_lines",
    "export_glossary",
    "import_glossary",
]


class _Format(NamedTuple):
    """How one exchange format is read back and written (one place to add a format)."""

    read: Callable[[Path, Glossary], tuple[list[Entry], str]]  # entries, the file's reviewer
    write: Callable[..., bytes]  # (glossary, langs, status, contexts, article, bom)
    one_language: bool = False


_FORMATS: dict[str, _Format] = {
    "po": _Format(exchange_po.read_entries, exchange_po.export, one_language=True),
    "csv": _Format(exchange_csv.read_entries, exchange_csv.export),
    "tbx": _Format(exchange_tbx.read_entries, exchange_tbx.export),
}
FORMATS: tuple[str, ...] = tuple(_FORMATS)


# --------------------------------------------------------------------------- results


@dataclass
class ImportChange:
    """One field of one rendering that an import changes (a line of the dry-run diff)."""

    concept_id: str
    lang: str
    field: str  # 'rendering' | 'forms' | 'variants' | 'status' | 'reviewer' | 'date' | 'rejected' | 'note'
    old: str
    new: str
    line: int


@dataclass
class ImportResult:
    """What an import would do; `glossary` is a new object, the input glossary is not touched."""

    glossary: Glossary
    changes: list[ImportChange] = field(default_factory=list)
    unknown: list[tuple[str, int]] = field(default_factory=list)  # (English term, line)
    added: list[str] = field(default_factory=list)  # ids of concepts added (add_new)
    warnings: list[str] = field(default_factory=list)  # edits to read-only fields, ignored
    path: Path | None = None


# --------------------------------------------------------------------------- export


def export_glossary(
    glossary: Glossary,
    fmt: str,
    lang: str,
    *,
    status: str | None = None,
    article: Document | None = None,
    bom: bool = False,
) -> bytes:
    """The file content (UTF-8 bytes) for translators to review `lang` ('all': every language,
    CSV and TBX only). `status` keeps only renderings in that state; `article` adds the sentences
    where each term occurs; `bom` starts a CSV with a byte order mark for Excel."""
    if fmt not in FORMATS:
        raise ToolkitError(f"unknown export format '{fmt}': use {', '.join(FORMATS)}")
    if status is not None and status not in STATUSES:
        raise ToolkitError(f"unknown status '{status}': use {', '.join(STATUSES)}")
    if lang == "all":
        if _FORMATS[fmt].one_language:
            raise ToolkitError(f"a {fmt.upper()} file holds one language: pass --lang el (or ru, de, tr)")
        langs = list(glossary.languages)
    elif lang in glossary.languages:
        langs = [lang]
    else:
        raise ToolkitError(
            f"'{lang}' is not a glossary language (have: {', '.join(glossary.languages)}, all)"
        )
    contexts = _article_contexts(glossary, article) if article is not None else {}
    return _FORMATS[fmt].write(glossary, langs, status, contexts, article, bom)


def _article_contexts(glossary: Glossary, article: Document) -> dict[str, list[tuple[str, int]]]:
    """Concept id -> the article sentences (whitespace collapsed) where it occurs, with lines."""
    from toolkit.segment import segment_block

    found: dict[str, list[tuple[str, int]]] = {}
    for block in article.blocks:
        matches = find_terms(glossary, block.text)
        if not matches:
            continue
        segments = segment_block(block.text, block.index)
        for match in matches:
            sentence = next(
                (s.text for s in segments if s.start <= match.start < s.end), block.text
            )
            sentence = " ".join(sentence.split())
            seen = found.setdefault(match.concept_id, [])
            if sentence not in (s for s, _ in seen):
                seen.append((sentence, block.line))
    return found


# --------------------------------------------------------------------------- import


def import_glossary(
    glossary: Glossary,
    path: str | Path,
    *,
    reviewer: str | None = None,
    today: date | None = None,
    add_new: bool = False,
) -> ImportResult:
    """Fold a reviewed export (.po, .csv or .tbx) into a copy of `glossary` (rules: module doc).

    Nothing is written: the caller shows `diff_lines(result)` for a dry run, or writes
    `result.glossary` with `write_glossary`.
    """
    path = Path(path)
    spec = _FORMATS.get(path.suffix.lower()[1:])
    if spec is None:
        known = ", ".join("." + fmt for fmt in FORMATS[:-1]) + " or ." + FORMATS[-1]
        raise ToolkitError(f"cannot tell the format: use a {known} file", path=path)
    entries, file_reviewer = spec.read(path, glossary)  # file_reviewer: PO's Last-Translator
    stamp = (today or date.today()).isoformat()
    result = ImportResult(copy.deepcopy(glossary), path=path)
    new_concepts: dict[str, Concept] = {}
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        concept = _find_concept(result.glossary, entry)
        key = (concept.id if concept else entry.concept_id or "term:" + entry.term, entry.lang)
        if key in seen:
            raise ToolkitError(
                f"duplicate entry for '{entry.concept_id or entry.term}' ({entry.lang}), first on line"
                f" {seen[key]}",
                path=path,
                line=entry.line,
            )
        seen[key] = entry.line
        _check_lists(entry, path)
        if concept is None:
            _unknown(result, entry, new_concepts, add_new, path)
            continue
        if entry.term and entry.term != concept.term:
            result.warnings.append(
                f"{path}:{entry.line}: {concept.id}: the English term is '{concept.term}', the file says"
                f" '{entry.term}'; English terms are edited in the glossary itself"
            )
        _apply(concept, entry, result, reviewer or "", file_reviewer, stamp, path)
    result.glossary.concepts.extend(new_concepts.values())
    format_glossary(result.glossary)  # raises if the result could not be written and read back
    return result


def _find_concept(glossary: Glossary, entry: Entry) -> Concept | None:
    if entry.concept_id:
        return glossary.get(entry.concept_id)
    return next((c for c in glossary.concepts if c.term == entry.term), None)


def _check_lists(entry: Entry, path: Path) -> None:
    for items in (entry.variants, entry.inflections, entry.rejected, entry.english_variants):
        for item in items or []:
            if LIST_SEPARATOR in item:
                raise ToolkitError(
                    f"'{item}': a single form cannot contain '{LIST_SEPARATOR}'", path=path, line=entry.line
                )


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _same_forms(a: list[str], b: list[str]) -> bool:
    """Equal lists of forms but for whitespace inside a form: PO editors wrap long comment lines."""
    return [item.split() for item in a] == [item.split() for item in b]


def _apply(
    concept: Concept,
    entry: Entry,
    result: ImportResult,
    reviewer: str,
    file_reviewer: str,
    stamp: str,
    path: Path,
) -> None:
    """Change one rendering of `concept` (in result.glossary) as `entry` says, recording changes."""
    old = concept.renderings.get(entry.lang)
    if entry.fuzzy is not None:
        resolve_fuzzy(entry, old)
    if old is None and not entry.text:
        _no_forms_without_rendering(concept.id, entry, path)
        return  # no rendering before, none now
    new = copy.deepcopy(old) if old is not None else Rendering(entry.lang, "")
    for name in ("variants", "rejected"):
        value = getattr(entry, name)
        if value is not None and value != getattr(new, name):
            setattr(new, name, list(value))
    if entry.inflections is not None and not _same_forms(entry.inflections, new.inflections):
        new.inflections = list(entry.inflections)
    if entry.note is not None and entry.note.split() != new.note.split():
        new.note = entry.note.strip()
    text_changed = bool(entry.text) and _norm(entry.text or "") != _norm(new.text)
    if text_changed:
        assert entry.text is not None
        if new.text and new.text not in new.rejected:
            new.rejected.append(new.text)
        new.text = entry.text.strip()
        new.rejected = [item for item in new.rejected if item != new.text]
        new.variants = [item for item in new.variants if item != new.text]
        new.inflections = [item for item in new.inflections if item != new.text]
    if entry.status is not None:
        new.status = entry.status
    if old is None:
        new.status = entry.status or "proposed"
    elif text_changed and new.status == "rejected" and old.status == "rejected":
        new.status = "proposed"  # the rejection was of the old rendering
    reviewer_edited = entry.reviewer is not None and entry.reviewer != (old.reviewer if old else "")
    date_edited = entry.date is not None and entry.date != (old.date if old else "")
    decision = text_changed or old is None or new.status != old.status
    if not decision:
        if reviewer_edited:
            new.reviewer = entry.reviewer or ""
        if date_edited:
            new.date = entry.date or ""
    if new == old:
        return
    if entry.revision is not None and entry.revision != revision(concept.id, entry.lang, old):
        result.warnings.append(
            f"{path}:{entry.line}: {concept.id} ({entry.lang}) changed in the glossary after this file"
            " was exported; its edits are skipped: export again and review that"
        )
        return
    if decision:
        who = reviewer or (entry.reviewer if reviewer_edited and entry.reviewer else "") or file_reviewer
        if not who:
            raise ToolkitError(
                f"{concept.id} ({entry.lang}): who made this decision? pass --reviewer (or fill the"
                " reviewer in the file: PO Last-Translator, CSV reviewer, TBX responsibility)",
                path=path,
                line=entry.line,
            )
        new.reviewer = who
        new.date = entry.date if date_edited and entry.date else stamp
    if concept.dnt and new.text != concept.term:
        result.warnings.append(
            f"{path}:{entry.line}: {concept.id} is do-not-translate: its {entry.lang} rendering"
            f" '{new.text}' should be '{concept.term}' (lint reports this as an error)"
        )
    before = old or Rendering(entry.lang, "", status="")
    for name in ("text", "status", "inflections", "variants", "rejected", "reviewer", "date", "note"):
        a, b = getattr(before, name), getattr(new, name)
        if a != b:
            shown = {"text": "rendering", "inflections": "forms"}.get(name, name)
            a_text = show_list(a) if isinstance(a, list) else a
            b_text = show_list(b) if isinstance(b, list) else b
            result.changes.append(ImportChange(concept.id, entry.lang, shown, a_text, b_text, entry.line))
    concept.renderings[entry.lang] = new


def _unknown(
    result: ImportResult, entry: Entry, new_concepts: dict[str, Concept], add_new: bool, path: Path
) -> None:
    term = entry.term.strip()
    if not add_new or not term:
        result.unknown.append((term or entry.concept_id, entry.line))
        return
    owner = find_terms(result.glossary, term)
    if owner and owner[0].start == 0 and owner[0].end == len(term):
        result.unknown.append((term, entry.line))
        result.warnings.append(
            f"{path}:{entry.line}: '{term}' is already a form of '{owner[0].concept_id}'; not added"
        )
        return
    key = entry.concept_id or "term:" + term
    concept = new_concepts.get(key)
    if concept is None:
        taken = {c.id for c in result.glossary.concepts} | {c.id for c in new_concepts.values()}
        concept_id = entry.concept_id if valid_id(entry.concept_id) else _slug(term)
        base, n = concept_id, 2
        while concept_id in taken:
            concept_id, n = f"{base}-{n}", n + 1
        concept = Concept(
            id=concept_id,
            term=term,
            variants=list(entry.english_variants or []),
            dnt=bool(entry.dnt),
            case_sensitive=any(ch.isupper() for ch in term),
            note=(entry.concept_note or "").strip(),
            part_of_speech=_part_of_speech(entry.part_of_speech),
        )
        new_concepts[key] = concept
        result.added.append(concept_id)
    if entry.fuzzy is not None:
        resolve_fuzzy(entry, None)
    _no_forms_without_rendering(concept.id, entry, path)
    if entry.text:
        concept.renderings[entry.lang] = Rendering(
            entry.lang,
            entry.text.strip(),
            variants=list(entry.variants or []),
            status="proposed",
            rejected=list(entry.rejected or []),
            note=(entry.note or "").strip(),
            inflections=list(entry.inflections or []),
        )


def _no_forms_without_rendering(concept_id: str, entry: Entry, path: Path) -> None:
    """Forms inflect the rendering: without one they would be lost, so say so."""
    if entry.inflections and not entry.text:
        raise ToolkitError(
            f"{concept_id} ({entry.lang}): forms without a rendering; fill in the rendering they inflect",
            path=path,
            line=entry.line,
        )


def _part_of_speech(value: str | None) -> str:
    """A part of speech read from a file as the glossary spells it; "" when unknown or not said."""
    known = {pos.lower(): pos for pos in PARTS_OF_SPEECH}
    return known.get((value or "").strip().lower(), "")


def _slug(term: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")
    return slug or "term"


# --------------------------------------------------------------------------- dry run


def diff_lines(result: ImportResult) -> list[str]:
    """What the import changes, one line per field, for a dry run or a commit message."""
    where = f"{result.path}:" if result.path else "line "
    out = [
        f"{where}{c.line}: {c.concept_id} [{c.lang}] {c.field}: {_shown(c.old)} -> {_shown(c.new)}"
        for c in result.changes
    ]
    for concept_id in result.added:
        concept = result.glossary.get(concept_id)
        term = concept.term if concept else concept_id
        out.append(f"+ {concept_id}: new concept '{term}' (proposed)")
    for term, line in result.unknown:
        out.append(f"{where}{line}: ? '{term}' is not in the glossary (not added; use --add-new)")
    out.extend(result.warnings)
    return out or ["no changes"]


def _shown(value: str) -> str:
    return repr(value) if value else "(empty)"
