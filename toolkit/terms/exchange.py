"""The glossary review loop: export for translators, import their decisions back into the CSV.

The canonical glossary (`toolkit.terms.glossary`, ``glossaries/defense.csv``) stays the one source of
truth. Translators review it in the tool they already use -- a PO editor, a spreadsheet or a CAT
tool -- and `import_glossary` folds their decisions back in. Translate Toolkit (``csv2tbx``,
``tbx2po``, ``poterminology``), Weblate and DeepL/AWS glossaries convert terminology one way;
none of them returns review decisions into a canonical file, which is what this module is for.

Every export carries the concept id as its stable key (PO ``msgctxt``, CSV ``id``, TBX
``termEntry id``), so the English term may change without losing track. Importing an export
nobody edited changes nothing: `write_glossary` then rewrites the glossary byte for byte.

Formats and what a translator does in each
------------------------------------------
PO (one language): ``msgid`` is the English term, ``msgstr`` the rendering, ``#, fuzzy`` while
it is not approved. Extracted comments (``#.``) show the concept note, the do-not-translate
flag, English and target variants, rejected renderings, the review state and the article
sentences where the term occurs; the translator comment (``#``) is the language note and may be
edited. Remove *fuzzy* to approve, edit ``msgstr`` to replace the rendering, empty ``msgstr`` to
reject it without a replacement. A rejected rendering is exported with an empty ``msgstr``
(listed in the comments) so the translator can type a new one. Approved entries are not fuzzy;
setting *fuzzy* again withdraws the approval.

CSV (one language, or ``all``): one row per concept and language, columns ``id, lang, term, dnt,
note, rendering, variants, status, reviewer, date, rejected, translator_note, context,
revision``. Lists use ``|`` as in the glossary. ``id, term, dnt, note, context, revision`` are for
reading (the last four may be deleted); the others are edited: set ``status`` to ``approved`` or
``rejected``, edit ``rendering``, add forms to ``variants`` or ``rejected``. UTF-8, optionally
with a BOM so Excel detects it; Excel's semicolon or tab separated saves are read too. A cell
that starts with ``= + - @`` is written with a leading ``'`` so spreadsheets never run it as a
formula; the apostrophe is removed again on import.

TBX (one language, or ``all`` in one file): TBX-Basic (ISO 30042, ``martif type="TBX-Basic"``,
TBX v2), read by Translate Toolkit, Weblate and CAT tools. One ``termEntry id=<concept id>``
per concept; a concept-level ``note`` carries the concept note (and a do-not-translate note);
``langSet xml:lang="en"`` has the term and then the English variants; each target ``langSet``
has the language note and ``tig`` elements. The *first* ``tig`` is the rendering, its review
state in ``termNote type="administrativeStatus"``:

============  ==========================  =============================================
glossary      administrativeStatus        why
============  ==========================  =============================================
approved      ``preferredTerm-admn-sts``  the term to use
proposed      ``admittedTerm-admn-sts``   in use, not yet confirmed by a reviewer
rejected      ``deprecatedTerm-admn-sts`` do not use (CAT tools show it as forbidden)
============  ==========================  =============================================

Further ``tig`` elements are the accepted variants (``admittedTerm``) and the rejected
renderings (``deprecatedTerm``; ``supersededTerm`` is read as rejected too). Reviewer and date go
in the rendering's ``transacGrp`` (``transac type="transactionType"`` ``modification``,
``date``, ``transacNote type="responsibility"``). TBX-Basic has no ``processStatus`` data
category (that is TBX-Default), so the proposed/approved distinction uses administrativeStatus
alone and the file stays valid TBX-Basic; for the same reason do-not-translate is a note, not
Weblate's non-standard ``descrip type="Translation needed"``. Files are parsed only with
``defusedxml`` with DTDs forbidden: a TBX with a ``<!DOCTYPE>`` (XXE, billion laughs) is refused.

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
* An edited rendering replaces the old one and the old one joins the rejected renderings; the
  new one leaves the rejected and variant lists if it was there.
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
import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import polib
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from toolkit.errors import ToolkitError
from toolkit.fileio import decode_utf8, read_bytes
from toolkit.terms.glossary import (
    LIST_SEPARATOR,
    STATUSES,
    Concept,
    Glossary,
    Rendering,
    csv_rows,
    find_terms,
    format_glossary,
    split_list,
    valid_date,
)

if TYPE_CHECKING:
    from toolkit.formats.document import Document

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "Candidate",
    "ImportChange",
    "ImportResult",
    "blocking_terms",
    "diff_lines",
    "export_glossary",
    "extract_terms",
    "glossary_stats",
    "import_glossary",
]

FORMATS: tuple[str, ...] = ("po", "csv", "tbx")
CSV_COLUMNS: tuple[str, ...] = (
    "id", "lang", "term", "dnt", "note", "rendering", "variants", "status", "reviewer", "date",
    "rejected", "translator_note", "context", "revision",
)
_CSV_READ_ONLY = frozenset({"dnt", "note", "context", "revision"})  # may be deleted from the sheet
_REVISION_PREFIX = "Revision: "
_MAX_CONTEXTS = 3  # article sentences shown per term
_SOURCE_LANG = "en"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TBX_STATUS = {
    "approved": "preferredTerm-admn-sts",
    "proposed": "admittedTerm-admn-sts",
    "rejected": "deprecatedTerm-admn-sts",
}
_TBX_READ_STATUS = {
    "preferredterm-admn-sts": "approved",
    "admittedterm-admn-sts": "proposed",
    "deprecatedterm-admn-sts": "rejected",
    "supersededterm-admn-sts": "rejected",
}
_DNT_NOTE = "Do not translate: every language keeps the English term."
_PO_PLACEHOLDERS = ("FULL NAME <EMAIL@ADDRESS>", "FULL NAME")
_FORMULA_START = ("=", "+", "-", "@")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")
_XML_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --------------------------------------------------------------------------- results


@dataclass
class ImportChange:
    """One field of one rendering that an import changes (a line of the dry-run diff)."""

    concept_id: str
    lang: str
    field: str  # 'rendering' | 'variants' | 'status' | 'reviewer' | 'date' | 'rejected' | 'note'
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


@dataclass
class Candidate:
    """A phrase of an article that might deserve a glossary entry."""

    phrase: str
    count: int
    first_context: str
    kind: str  # 'acronym' | 'name' | 'phrase'


@dataclass
class _Entry:
    """What one file entry says about one concept in one language (None: not said)."""

    line: int
    concept_id: str
    term: str
    lang: str
    text: str | None = None
    status: str | None = None
    variants: list[str] | None = None
    rejected: list[str] | None = None
    note: str | None = None
    reviewer: str | None = None
    date: str | None = None
    fuzzy: bool | None = None  # PO only: the status is derived from the flag and msgstr
    revision: str | None = None  # `_revision` of the rendering when it was exported
    # concept fields, used only to add an unknown term (add_new)
    dnt: bool | None = None
    concept_note: str | None = None
    english_variants: list[str] | None = None


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
        if fmt == "po":
            raise ToolkitError("a PO file holds one language: pass --lang el (or ru, de, tr)")
        langs = list(glossary.languages)
    elif lang in glossary.languages:
        langs = [lang]
    else:
        raise ToolkitError(
            f"'{lang}' is not a glossary language (have: {', '.join(glossary.languages)}, all)"
        )
    contexts = _article_contexts(glossary, article) if article is not None else {}
    if fmt == "po":
        return _export_po(glossary, langs[0], status, contexts, article)
    if fmt == "csv":
        return _export_csv(glossary, langs, status, contexts, bom)
    return _export_tbx(glossary, langs, status, contexts)


def _selected(concept: Concept, lang: str, status: str | None) -> bool:
    rendering = concept.renderings.get(lang)
    return status is None or (rendering is not None and rendering.status == status)


def _article_contexts(glossary: Glossary, article: Document) -> dict[str, list[tuple[str, int]]]:
    """Concept id -> the article sentences (whitespace collapsed) where it occurs, with lines."""
    from toolkit.l10n.segment import segment_block

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


def _join(items: Iterable[str]) -> str:
    return " | ".join(items)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _export_po(
    glossary: Glossary,
    lang: str,
    status: str | None,
    contexts: dict[str, list[tuple[str, int]]],
    article: Document | None,
) -> bytes:
    from toolkit.l10n.catalog import plural_forms

    # No wrapping: polib would wrap the translator comment (the note) into new lines.
    po = polib.POFile(wrapwidth=0, encoding="utf-8")
    name = glossary.path.stem if glossary.path else "glossary"
    po.header = (
        f"Review of the {name} glossary for '{lang}'. One entry per concept (msgctxt: its id).\n"
        "Approve: remove the fuzzy flag. Replace: edit the translation (the old one is kept as\n"
        "rejected). Reject without a replacement: empty the translation. The translator comment\n"
        "is the language note and may be edited. Then: toolkit glossary import FILE."
    )
    dates = [
        c.renderings[lang].date for c in glossary.concepts
        if lang in c.renderings and c.renderings[lang].date and _selected(c, lang, status)
    ]
    po.metadata = {
        "Project-Id-Version": f"{name} glossary",
        "PO-Revision-Date": f"{max(dates)} 00:00+0000" if dates else "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "",
        "Language-Team": _language_name(lang),
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(lang)[1],
    }
    for concept in glossary.concepts:
        if not _selected(concept, lang, status):
            continue
        rendering = concept.renderings.get(lang)
        comments = [concept.note] if concept.note else []
        if concept.dnt:
            comments.append(f"Do not translate: keep \u201c{concept.term}\u201d in every language.")
        if concept.variants:
            comments.append(f"English variants: {_join(concept.variants)}")
        msgstr = ""
        if rendering is not None:
            if rendering.variants:
                comments.append(f"Accepted forms: {_join(rendering.variants)}")
            rejected = list(rendering.rejected)
            if rendering.status == "rejected" and rendering.text:
                rejected.insert(0, rendering.text)
            else:
                msgstr = rendering.text
            if rejected:
                comments.append(f"Rejected: {_join(rejected)}")
            comments.append("Status: " + _review_state(rendering))
        comments += [f"Context: {sentence}" for sentence, _ in contexts.get(concept.id, [])[:_MAX_CONTEXTS]]
        comments.append(_REVISION_PREFIX + _revision(concept.id, lang, rendering))
        entry = polib.POEntry(
            msgctxt=concept.id,
            msgid=concept.term,
            msgstr=msgstr,
            comment=_lf("\n".join(comments)),
            tcomment=_lf(rendering.note) if rendering is not None else "",
            flags=["fuzzy"] if msgstr and rendering and rendering.status != "approved" else [],
        )
        if article is not None and not re.search(r"\s", article.path):
            lines = sorted({line for _, line in contexts.get(concept.id, [])})
            entry.occurrences = [(article.path, str(line)) for line in lines]
        po.append(entry)
    return str(po).encode("utf-8")


def _review_state(rendering: Rendering) -> str:
    state = rendering.status
    if rendering.reviewer:
        state += f" by {rendering.reviewer}"
    if rendering.date:
        state += f" on {rendering.date}"
    return state


def _language_name(lang: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang).english_name or lang
    except (UnknownLocaleError, ValueError):
        return lang


def _export_csv(
    glossary: Glossary,
    langs: list[str],
    status: str | None,
    contexts: dict[str, list[tuple[str, int]]],
    bom: bool,
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for concept in glossary.concepts:
        for lang in langs:
            if not _selected(concept, lang, status):
                continue
            r = concept.renderings.get(lang) or Rendering(lang, "", status="")
            row = [
                concept.id, lang, concept.term, "yes" if concept.dnt else "no", concept.note,
                r.text, LIST_SEPARATOR.join(r.variants), r.status, r.reviewer, r.date,
                LIST_SEPARATOR.join(r.rejected), r.note,
                "\n".join(s for s, _ in contexts.get(concept.id, [])[:_MAX_CONTEXTS]),
                _revision(concept.id, lang, concept.renderings.get(lang)),
            ]
            writer.writerow([_guard_formula(value) for value in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _guard_formula(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection); a leading
    apostrophe makes it text. A value that itself starts with one gets one more, so that
    `_unguard_formula` can always remove exactly one."""
    return "'" + value if value.startswith((*_FORMULA_START, "'")) else value


def _unguard_formula(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith((*_FORMULA_START, "'")) else value


class _XmlWriter:
    """Indented, deterministic XML; values are escaped so that parsing gives them back exactly."""

    def __init__(self) -> None:
        self.lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        self.depth = 0

    def open(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append("  " * self.depth + f"<{tag}{_xml_attrs(attrs)}>")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.lines.append("  " * self.depth + f"</{tag}>")

    def leaf(self, tag: str, text: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append("  " * self.depth + f"<{tag}{_xml_attrs(attrs)}>{_xml_text(text)}</{tag}>")

    def data(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def _xml_check(value: str) -> str:
    if _XML_BAD_CHARS.search(value):
        raise ToolkitError(f"cannot export {value!r} to TBX: XML does not allow its control characters")
    return value


def _xml_text(value: str) -> str:
    value = _xml_check(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def _xml_attrs(attrs: dict[str, str] | None) -> str:
    out = ""
    for name, value in (attrs or {}).items():
        escaped = _xml_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
        out += f' {name}="{escaped}"'
    return out


def _export_tbx(
    glossary: Glossary,
    langs: list[str],
    status: str | None,
    contexts: dict[str, list[tuple[str, int]]],
) -> bytes:
    name = glossary.path.stem if glossary.path else "glossary"
    xml = _XmlWriter()
    xml.open("martif", {"type": "TBX-Basic", "xml:lang": _SOURCE_LANG})
    xml.open("martifHeader")
    xml.open("fileDesc")
    xml.open("titleStmt")
    xml.leaf("title", f"{name} glossary ({', '.join(langs)})")
    xml.close("titleStmt")
    xml.open("sourceDesc")
    xml.leaf("p", f"Exported by toolkit from {glossary.path or 'the canonical glossary'}; the termEntry"
                  " id is the concept id.")
    xml.leaf("p", "Review: the first term of a language is its rendering. Set its administrativeStatus"
                  " to preferredTerm-admn-sts to approve, deprecatedTerm-admn-sts to reject, or edit"
                  " the term to replace it (the old one is kept as rejected). Further terms are"
                  " accepted variants (admittedTerm) and rejected renderings (deprecatedTerm).")
    xml.close("sourceDesc")
    xml.close("fileDesc")
    xml.open("encodingDesc")
    xml.leaf("p", "TBXBasicXCSV02.xcs", {"type": "XCSURI"})
    xml.close("encodingDesc")
    xml.close("martifHeader")
    xml.open("text")
    xml.open("body")
    for concept in glossary.concepts:
        chosen = [lang for lang in langs if _selected(concept, lang, status)]
        if not chosen:
            continue
        xml.open("termEntry", {"id": concept.id})
        if concept.note:
            xml.leaf("note", concept.note)
        if concept.dnt:
            xml.leaf("note", _DNT_NOTE)
        xml.open("langSet", {"xml:lang": _SOURCE_LANG})
        for i, form in enumerate([concept.term, *concept.variants]):
            xml.open("tig")
            xml.leaf("term", form)
            status_value = "preferredTerm-admn-sts" if i == 0 else "admittedTerm-admn-sts"
            xml.leaf("termNote", status_value, {"type": "administrativeStatus"})
            if i == 0:
                for sentence, _ in contexts.get(concept.id, [])[:_MAX_CONTEXTS]:
                    xml.leaf("descrip", sentence, {"type": "context"})
            xml.close("tig")
        xml.close("langSet")
        for lang in chosen:
            rendering = concept.renderings.get(lang)
            if rendering is not None:
                _tbx_langset(xml, concept.id, rendering)
        xml.close("termEntry")
    xml.close("body")
    xml.close("text")
    xml.close("martif")
    return xml.data()


def _tbx_langset(xml: _XmlWriter, concept_id: str, r: Rendering) -> None:
    xml.open("langSet", {"xml:lang": r.lang})
    if r.note:
        xml.leaf("note", r.note)
    xml.open("tig", {"id": "r" + _revision(concept_id, r.lang, r)})  # an XML ID, so unique
    xml.leaf("term", r.text)
    xml.leaf("termNote", _TBX_STATUS[r.status], {"type": "administrativeStatus"})
    if r.reviewer or r.date:
        xml.open("transacGrp")
        xml.leaf("transac", "modification", {"type": "transactionType"})
        if r.date:
            xml.leaf("date", r.date)
        if r.reviewer:
            xml.leaf("transacNote", r.reviewer, {"type": "responsibility"})
        xml.close("transacGrp")
    xml.close("tig")
    for items, value in ((r.variants, "admittedTerm-admn-sts"), (r.rejected, "deprecatedTerm-admn-sts")):
        for item in items:
            xml.open("tig")
            xml.leaf("term", item)
            xml.leaf("termNote", value, {"type": "administrativeStatus"})
            xml.close("tig")
    xml.close("langSet")


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
    suffix = path.suffix.lower()
    file_reviewer = ""  # PO only: the Last-Translator header
    if suffix == ".po":
        entries, file_reviewer = _read_po_entries(path, glossary)
    elif suffix == ".csv":
        entries = _read_csv_entries(path, glossary)
    elif suffix == ".tbx":
        entries = _read_tbx_entries(path, glossary)
    else:
        raise ToolkitError("cannot tell the format: use a .po, .csv or .tbx file", path=path)
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


def _find_concept(glossary: Glossary, entry: _Entry) -> Concept | None:
    if entry.concept_id:
        return glossary.get(entry.concept_id)
    return next((c for c in glossary.concepts if c.term == entry.term), None)


def _check_lists(entry: _Entry, path: Path) -> None:
    for items in (entry.variants, entry.rejected, entry.english_variants):
        for item in items or []:
            if LIST_SEPARATOR in item:
                raise ToolkitError(
                    f"'{item}': a single form cannot contain '{LIST_SEPARATOR}'", path=path, line=entry.line
                )


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _apply(
    concept: Concept,
    entry: _Entry,
    result: ImportResult,
    reviewer: str,
    file_reviewer: str,
    stamp: str,
    path: Path,
) -> None:
    """Change one rendering of `concept` (in result.glossary) as `entry` says, recording changes."""
    old = concept.renderings.get(entry.lang)
    if entry.fuzzy is not None:
        _resolve_po(entry, old)
    if old is None and not entry.text:
        return  # no rendering before, none now
    new = copy.deepcopy(old) if old is not None else Rendering(entry.lang, "")
    for name in ("variants", "rejected"):
        value = getattr(entry, name)
        if value is not None and value != getattr(new, name):
            setattr(new, name, list(value))
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
    if entry.revision is not None and entry.revision != _revision(concept.id, entry.lang, old):
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
    for name in ("text", "status", "variants", "rejected", "reviewer", "date", "note"):
        a, b = getattr(before, name), getattr(new, name)
        if a != b:
            shown = {"text": "rendering"}.get(name, name)
            a_text = _join(a) if isinstance(a, list) else a
            b_text = _join(b) if isinstance(b, list) else b
            result.changes.append(ImportChange(concept.id, entry.lang, shown, a_text, b_text, entry.line))
    concept.renderings[entry.lang] = new


def _revision(concept_id: str, lang: str, rendering: Rendering | None) -> str:
    """A short hash of a rendering as exported: an import can tell that the glossary has moved on
    since (another review landed) and refuse to overwrite it with the file's stale values."""
    values = [concept_id, lang]
    if rendering is not None:
        values += [rendering.text, *rendering.variants, "|", rendering.status, rendering.reviewer,
                   rendering.date, *rendering.rejected, "|", rendering.note]
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:12]


def _resolve_po(entry: _Entry, old: Rendering | None) -> None:
    """PO carries no status: fuzzy means 'not approved', an emptied msgstr means 'rejected'."""
    if entry.text:
        entry.status = "proposed" if entry.fuzzy else "approved"
        return
    entry.text = None
    if old is not None and old.text and old.status != "rejected":
        entry.status = "rejected"


def _unknown(
    result: ImportResult, entry: _Entry, new_concepts: dict[str, Concept], add_new: bool, path: Path
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
        concept_id = entry.concept_id if _ID_RE.fullmatch(entry.concept_id) else _slug(term)
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
        )
        new_concepts[key] = concept
        result.added.append(concept_id)
    if entry.fuzzy is not None:
        _resolve_po(entry, None)
    if entry.text:
        concept.renderings[entry.lang] = Rendering(
            entry.lang,
            entry.text.strip(),
            variants=list(entry.variants or []),
            status="proposed",
            rejected=list(entry.rejected or []),
            note=(entry.note or "").strip(),
        )


def _slug(term: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")
    return slug or "term"


def _language(code: str, glossary: Glossary, path: Path, line: int | None) -> str:
    """'el', 'el_GR', 'el-GR' -> 'el', if the glossary has that language."""
    lang = re.split(r"[-_@.]", code.strip(), maxsplit=1)[0].lower()
    if lang not in glossary.languages:
        problem = f"'{code}' is not a glossary language" if code.strip() else "no language given"
        raise ToolkitError(
            f"{problem} (have: {', '.join(glossary.languages)})",
            path=path,
            line=line,
        )
    return lang


# ----- PO


def _read_po_entries(path: Path, glossary: Glossary) -> tuple[list[_Entry], str]:
    """The entries, and the reviewer named by the Last-Translator header."""
    from toolkit.l10n.catalog import read_po

    po = read_po(path)
    lang = _language(po.metadata.get("Language", ""), glossary, path, 1)
    entries: list[_Entry] = []
    for e in po:
        if e.obsolete:
            continue
        if e.msgid_plural:
            raise ToolkitError("a glossary entry cannot have plural forms", path=path, line=e.linenum)
        entries.append(
            _Entry(
                line=e.linenum,
                concept_id=e.msgctxt or "",
                term=e.msgid,
                lang=lang,
                text=e.msgstr.strip(),
                note=e.tcomment,
                fuzzy=e.fuzzy,
                revision=next(
                    (c[len(_REVISION_PREFIX) :].strip() for c in e.comment.split("\n")
                     if c.startswith(_REVISION_PREFIX)),
                    None,
                ),
            )
        )
    return entries, _person(po.metadata.get("Last-Translator", ""))


def _person(value: str) -> str:
    """'Maria Papadopoulou <maria@example.org>' -> 'Maria Papadopoulou' ('' for the placeholder)."""
    value = value.strip()
    if not value or value in _PO_PLACEHOLDERS:
        return ""
    return re.sub(r"\s*<[^>]*>\s*$", "", value).strip() or value


# ----- CSV


def _read_csv_entries(path: Path, glossary: Glossary) -> list[_Entry]:
    text = decode_utf8(read_bytes(path), path, advice="save as 'CSV UTF-8'")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_RE.findall(text)
    if not lines or not text.strip():
        raise ToolkitError("empty CSV: expected a header row (" + ",".join(CSV_COLUMNS) + ")",
                           path=path, line=1)
    first = next(line for line in lines if line.strip())
    delimiter = max((",", ";", "\t"), key=first.count)  # Excel saves with ';' in many locales
    header: list[str] | None = None
    entries: list[_Entry] = []
    for start, _end, row in csv_rows(lines, path, delimiter):
        line = start + 1
        if not "".join(row).strip():
            continue
        if header is None:
            header = _csv_header(row, path, line)
            continue
        if len(row) != len(header):
            raise ToolkitError(
                f"expected {len(header)} fields, found {len(row)} (a value containing the separator"
                " needs double quotes)",
                path=path,
                line=line,
            )
        cell = {col: _unguard_formula(value.strip()) for col, value in zip(header, row, strict=True)}
        entries.append(_csv_entry(cell, glossary, path, line))
    if header is None:
        raise ToolkitError("no header row", path=path, line=1)
    return entries


def _csv_header(row: list[str], path: Path, line: int) -> list[str]:
    header = [col.strip().lstrip("\ufeff").lower() for col in row]
    seen: set[str] = set()
    for col in header:
        if col not in CSV_COLUMNS:
            raise ToolkitError(f"unknown column '{col}' (expected {', '.join(CSV_COLUMNS)})",
                               path=path, line=line)
        if col in seen:
            raise ToolkitError(f"column '{col}' appears twice", path=path, line=line)
        seen.add(col)
    for col in CSV_COLUMNS:
        if col not in seen and col not in _CSV_READ_ONLY:
            raise ToolkitError(f"missing column '{col}'", path=path, line=line)
    return header


def _csv_entry(cell: dict[str, str], glossary: Glossary, path: Path, line: int) -> _Entry:
    lang = _language(cell["lang"], glossary, path, line)
    status = cell["status"].lower()
    concept = glossary.get(cell["id"]) if cell["id"] else None
    if status and status not in STATUSES:
        raise ToolkitError(f"status '{cell['status']}': expected proposed, approved or rejected",
                           path=path, line=line)
    if not status and concept is not None and lang in concept.renderings:
        raise ToolkitError("status is empty: expected proposed, approved or rejected", path=path, line=line)
    if cell["date"] and not valid_date(cell["date"]):
        raise ToolkitError(f"date '{cell['date']}' is not a date, expected YYYY-MM-DD", path=path, line=line)
    dnt = cell.get("dnt", "").lower()
    if dnt not in ("", "yes", "no"):
        raise ToolkitError(f"dnt: expected yes or no, found '{cell['dnt']}'", path=path, line=line)
    rendering = concept.renderings.get(lang) if concept is not None else None
    reviewed = rendering is not None or bool(cell["rendering"])
    return _Entry(
        line=line,
        concept_id=cell["id"],
        term=cell["term"],
        lang=lang,
        text=cell["rendering"] or None,
        status=status or None,
        variants=split_list(cell["variants"]) if reviewed else None,
        rejected=split_list(cell["rejected"]) if reviewed else None,
        note=cell["translator_note"] if reviewed else None,
        reviewer=cell["reviewer"] if reviewed else None,
        date=cell["date"] if reviewed else None,
        dnt=dnt == "yes",
        concept_note=cell.get("note"),
        revision=cell.get("revision") or None,
    )


# ----- TBX


class _LineTarget:
    """An ElementTree builder that remembers the source line of every element."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        elem = self.builder.start(tag, attrs)
        assert self.parser is not None
        self.lines[id(elem)] = self.parser.parser.CurrentLineNumber
        return elem

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _parse_xml(data: bytes, path: Path) -> tuple[ET.Element, dict[int, int]]:
    """Parse with DTDs, entity declarations and external references forbidden."""
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    target.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise ToolkitError(
            f"refusing a TBX file with a DTD or entity declarations ({type(exc).__name__}): they can"
            " read local files or expand to gigabytes; remove the <!DOCTYPE ...> part",
            path=path,
            line=parser.parser.CurrentLineNumber,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise ToolkitError(f"broken XML: {exc.msg if hasattr(exc, 'msg') else exc}", path=path,
                           line=line) from None
    return root, target.lines


def _read_tbx_entries(path: Path, glossary: Glossary) -> list[_Entry]:
    root, lines = _parse_xml(read_bytes(path), path)

    def line_of(elem: ET.Element) -> int:
        return lines.get(id(elem), 0)

    def fail(message: str, elem: ET.Element) -> ToolkitError:
        return ToolkitError(message, path=path, line=line_of(elem))

    if root.tag != "martif":
        hint = " (TBX v3 is not supported: export TBX-Basic v2)" if root.tag.endswith("}tbx") else ""
        raise fail(f"not a TBX file: the root element is <{root.tag}>, expected <martif>{hint}", root)
    if not root.get("type", "").startswith("TBX"):
        raise fail('expected <martif type="TBX-Basic">', root)
    body = root.find("text/body")
    if body is None:
        raise fail("no <text><body> in this TBX file", root)
    entries: list[_Entry] = []
    for term_entry in body:
        if term_entry.tag != "termEntry":
            raise fail(f"unexpected <{term_entry.tag}> in <body>, expected <termEntry>", term_entry)
        entries.extend(_tbx_term_entry(term_entry, glossary, path, line_of, fail))
    return entries


def _text(elem: ET.Element) -> str:
    return "".join(elem.itertext()).strip()


def _tbx_term_entry(
    term_entry: ET.Element,
    glossary: Glossary,
    path: Path,
    line_of: Callable[[ET.Element], int],
    fail: Callable[[str, ET.Element], ToolkitError],
) -> list[_Entry]:
    """One entry per target langSet; the English langSet gives the term (for unknown concepts)."""
    concept_id = term_entry.get("id", "").strip()
    notes = [_text(n) for n in term_entry.findall("note")]
    dnt = _DNT_NOTE in notes
    concept_note = "\n".join(n for n in notes if n != _DNT_NOTE)
    term, english_variants = "", []
    langsets: dict[str, ET.Element] = {}
    for langset in term_entry.findall("langSet"):
        code = langset.get(_XML_LANG, "")
        if not code:
            raise fail("<langSet> without xml:lang", langset)
        if code.lower().split("-")[0].split("_")[0] == _SOURCE_LANG:
            forms = [form for form, _, _ in _tbx_tigs(langset, fail)]
            term, english_variants = (forms[0] if forms else ""), forms[1:]
            continue
        lang = _language(code, glossary, path, line_of(langset))
        if lang in langsets:
            raise fail(f"two <langSet xml:lang=\"{lang}\"> in one termEntry (first on line"
                       f" {line_of(langsets[lang])})", langset)
        langsets[lang] = langset
    entries = []
    for lang, langset in langsets.items():
        tigs = _tbx_tigs(langset, fail)
        note = "\n".join(_text(n) for n in langset.findall("note"))
        if not tigs:
            entries.append(_Entry(line_of(langset), concept_id, term, lang, note=note))
            continue
        text, status, tig = tigs[0]
        variants, rejected = [], []
        for form, form_status, other in tigs[1:]:
            if form_status == "approved":
                raise fail("only the first term of a language (its rendering) can be preferredTerm;"
                           " make this one the first, or mark it admittedTerm", other)
            (rejected if form_status == "rejected" else variants).append(form)
        reviewer, when = None, None
        for group in tig.findall("transacGrp"):
            for child in group:
                if child.tag == "date":
                    value = _text(child)
                    if not valid_date(value[:10]):
                        raise fail(f"date '{value}' is not a date, expected YYYY-MM-DD", child)
                    when = value[:10]
                elif child.tag == "transacNote" and child.get("type") == "responsibility":
                    reviewer = _text(child)
        entries.append(
            _Entry(
                line=line_of(tig),
                concept_id=concept_id,
                term=term,
                lang=lang,
                text=text,
                status=status,
                variants=variants,
                rejected=rejected,
                note=note,
                reviewer=reviewer,
                date=when,
                dnt=dnt,
                concept_note=concept_note,
                english_variants=english_variants,
                revision=tig.get("id", "")[1:] if re.fullmatch(r"r[0-9a-f]{12}", tig.get("id", "")) else None,
            )
        )
    return entries


def _tbx_tigs(
    langset: ET.Element, fail: Callable[[str, ET.Element], ToolkitError]
) -> list[tuple[str, str | None, ET.Element]]:
    """(term, glossary status or None, tig) for every <tig> of a langSet, in order."""
    out = []
    for child in langset:
        if child.tag == "ntig":
            raise fail("<ntig> is TBX-Default; TBX-Basic uses <tig><term>", child)
        if child.tag != "tig":
            continue
        terms = child.findall("term")
        if len(terms) != 1:
            raise fail(f"a <tig> needs exactly one <term>, found {len(terms)}", child)
        status = None
        for note in child.findall("termNote"):
            if note.get("type") == "administrativeStatus":
                value = _text(note)
                status = _TBX_READ_STATUS.get(value.lower())
                if status is None:
                    raise fail(
                        f"administrativeStatus '{value}': expected preferredTerm-admn-sts,"
                        " admittedTerm-admn-sts or deprecatedTerm-admn-sts",
                        note,
                    )
        out.append((_text(terms[0]), status, child))
    return out


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


# --------------------------------------------------------------------------- statistics


def glossary_stats(glossary: Glossary) -> dict[str, dict[str, int]]:
    """Per language, how many concepts are proposed, approved, rejected or missing a rendering."""
    stats = {}
    for lang in glossary.languages:
        counts = dict.fromkeys((*STATUSES, "missing"), 0)
        for concept in glossary.concepts:
            rendering = concept.renderings.get(lang)
            counts["missing" if rendering is None or not rendering.text else rendering.status] += 1
        stats[lang] = counts
    return stats


def blocking_terms(glossary: Glossary) -> dict[str, list[str]]:
    """Per language, the concept ids standing between the glossary and 'all approved'."""
    return {
        lang: [
            c.id for c in glossary.concepts
            if (r := c.renderings.get(lang)) is None or not r.text or r.status != "approved"
        ]
        for lang in glossary.languages
    }


# --------------------------------------------------------------------------- term extraction

_STOP_WORDS = frozenset(
    """a about above according across after again against ago ahead all almost along already also
    although always am among an and another any are around as at away back be became because become
    been before being below between beyond both but by can cannot could did do does doing done down
    due during each early earlier either else even ever every few for former from further had has
    have having he her here hers herself him himself his how however i if in including inside into
    is it its itself just last late later latter least less like likely many may me meanwhile might
    more most much must my myself near nearly neither never new next no nor not now of off often on
    once one only onto or other others our ours ourselves out over own per perhaps quite rather
    recently said same say says see seen several shall she should since so some such than that the
    their theirs them themselves then there these they this those though through throughout thus to
    today told too toward towards under unless until up upon us very via was we well were what
    whatever when where whether which while who whom whose why will with within without would yet
    you your yours yourself yourselves""".split()
)
_NAME_CONNECTORS = frozenset("of for the de da del der van von al bin la le du".split())
_PHRASE_GLUE = frozenset("of and for in on to".split())
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_ACRONYM_RE = re.compile(
    r"(?<![\w.\-])(?:(?:[A-Z]\.){2,4}|[A-Z0-9]*[A-Z][A-Z0-9]*(?:-\d{1,4})?)(?![\w\-])"
)
_POSSESSIVE_RE = re.compile(r"['\u2019]s$")
_MASK = "\x00"


@dataclass
class _Found:
    phrase: str
    kind: str
    count: int
    position: tuple[int, int]
    context: str


def extract_terms(doc_text: str, glossary: Glossary, *, min_count: int = 1) -> list[Candidate]:
    """Glossary candidates in an article, most frequent first (then by first occurrence).

    Like Translate Toolkit's ``poterminology`` but for one article: acronyms (2-6 capitals,
    digits allowed: ``THAAD``, ``MQ-9``, ``U.S.``), capitalised multiword names (``Saudi
    Arabia``, ``Ministry of Foreign Affairs``) and lower-case phrases of 2-4 words that recur
    (``military capabilities``), never starting or ending with a stop word. Text the glossary
    already matches is masked first, so nothing it knows is proposed again. A capitalised word
    that only ever starts a sentence (``Upgrading``) is not taken for part of a name.
    """
    from toolkit.formats.document import parse_document
    from toolkit.l10n.segment import segment_block

    doc = parse_document(doc_text, "txt")
    sentences: list[tuple[tuple[int, int], str, str]] = []  # (position, masked, original)
    for block in doc.blocks:
        masked = list(block.text)
        for match in find_terms(glossary, block.text):
            masked[match.start : match.end] = _MASK * (match.end - match.start)
        masked_text = "".join(masked)
        for seg in segment_block(block.text, block.index, max_len=10_000):
            sentences.append(((block.index, seg.start), masked_text[seg.start : seg.end], seg.text))
    proper = _proper_words(sentences)
    found: dict[tuple[str, str], _Found] = {}

    def add(phrase: str, kind: str, position: tuple[int, int], context: str) -> None:
        item = found.get((kind, phrase))
        if item is None:
            found[(kind, phrase)] = _Found(phrase, kind, 1, position, " ".join(context.split()))
        else:
            item.count += 1

    for position, masked, original in sentences:
        shouting = not any(ch.islower() for ch in masked)  # an all-caps headline has no acronyms
        if not shouting:
            for m in _ACRONYM_RE.finditer(masked):
                capitals = sum(ch.isupper() for ch in m.group())
                if 2 <= capitals <= 6 and len(m.group()) <= 10:
                    add(m.group(), "acronym", (position[0], position[1] + m.start()), original)
        for phrase, start in _names(masked, proper):
            add(phrase, "name", (position[0], position[1] + start), original)
        for phrase, start in _phrases(masked, proper):
            add(phrase, "phrase", (position[0], position[1] + start), original)
    candidates = []
    phrases = [f for f in found.values() if f.kind == "phrase"]
    for item in found.values():
        needed = max(min_count, 2) if item.kind == "phrase" else min_count
        if item.count < needed:
            continue
        if item.kind == "phrase" and any(
            other.count == item.count and len(other.phrase) > len(item.phrase)
            and f" {item.phrase} " in f" {other.phrase} "
            for other in phrases if other.count >= needed
        ):
            continue  # only ever part of a longer recurring phrase
        if find_terms(glossary, item.phrase) or item.phrase.casefold() in _STOP_WORDS:
            continue
        candidates.append(item)
    candidates.sort(key=lambda f: (-f.count, f.position))
    return [Candidate(f.phrase, f.count, f.context, f.kind) for f in candidates]


class _Word(NamedTuple):
    text: str
    start: int
    end: int  # before a possessive 's
    possessive: bool
    initial: bool  # first word of its sentence or line


def _words(text: str) -> list[_Word]:
    out = []
    for m in _WORD_RE.finditer(text):
        word, possessive = m.group(), False
        if _POSSESSIVE_RE.search(word) and len(word) > 2:
            word, possessive = word[:-2], True
        line_start = text.rfind("\n", 0, m.start()) + 1
        initial = not text[line_start : m.start()].strip()
        out.append(_Word(word, m.start(), m.start() + len(word), possessive, initial))
    return out


def _proper_words(sentences: list[tuple[tuple[int, int], str, str]]) -> set[str]:
    """Capitalised words seen at least once away from the start of a sentence or line."""
    return {
        w.text for _, masked, _ in sentences for w in _words(masked) if not w.initial and w.text[0].isupper()
    }


def _joined(text: str, end: int, start: int) -> bool:
    """Only spaces (at most one line break) between two words: they can belong to one name."""
    gap = text[end:start]
    return bool(gap) and not gap.strip() and gap.count("\n") <= 1


def _names(text: str, proper: set[str]) -> list[tuple[str, int]]:
    """Runs of capitalised words (with of/for/the... inside), at least two capitalised."""
    out: list[tuple[str, int]] = []
    run: list[_Word] = []

    def edge(word: _Word) -> bool:
        return word.text.lower() in _STOP_WORDS or word.text in _NAME_CONNECTORS

    def flush() -> None:
        while run and edge(run[0]):
            run.pop(0)
        while run and edge(run[-1]):
            run.pop()
        if sum(w.text[0].isupper() for w in run) >= 2:
            out.append((text[run[0].start : run[-1].end], run[0].start))
        run.clear()

    for word in _words(text):
        if run and (run[-1].possessive or not _joined(text, run[-1].end, word.start)):
            flush()  # a possessive ends a name: "Daily Sabah's publication"
        capital = len(word.text) > 1 and word.text[0].isupper() and not word.text.isupper()
        if (
            capital
            and not (word.initial and word.text not in proper)
            and word.text.lower() not in _STOP_WORDS
        ):
            run.append(word)
        elif word.text in _NAME_CONNECTORS and run:
            run.append(word)
        else:
            flush()
    flush()
    return out


def _phrases(text: str, proper: set[str]) -> list[tuple[str, int]]:
    """Every 2-4 word n-gram of lower-case words with no stop word at either edge."""
    words = _words(text)
    out = []
    for i in range(len(words)):
        picked: list[_Word] = []
        for word in words[i : i + 4]:
            if picked and (picked[-1].possessive or not _joined(text, picked[-1].end, word.start)):
                break
            common = word.text.islower() or (
                word.initial and word.text[0].isupper() and word.text not in proper
            )
            if not common or len(word.text) < 2:
                break
            lowered = word.text.lower()
            stop = lowered in _STOP_WORDS
            if stop and (not picked or lowered not in _PHRASE_GLUE):
                break
            picked.append(word)
            if len(picked) >= 2 and not stop:
                out.append((" ".join(w.text.lower() for w in picked), picked[0].start))
    return out
