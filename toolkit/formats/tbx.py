"""TBX-Basic (ISO 30042, TBX v2 ``martif``) files as plain records, read safely and written exactly.

Terminology is exchanged with CAT tools, Translate Toolkit and Weblate in TBX. This module knows
the XML: which elements hold the term, its administrativeStatus, part of speech, definitions
(``descrip type="definition"``), notes (``note from="..."``, as Weblate and Translate Toolkit
write them), contexts and transactions, how to escape values so that parsing gives them back
exactly, and how to refuse hostile XML. It knows nothing of the glossary
(``toolkit.terms.exchange_tbx`` maps concepts to these records and back).

Files are parsed only with ``defusedxml`` with DTDs forbidden (`toolkit.formats.xmlfile`): a TBX
with a ``<!DOCTYPE>`` (XXE, billion laughs) is refused. Every record carries the line of its
element, so a problem found later can still name it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.fileio import read_bytes
from toolkit.formats.xmlfile import XML_LANG, XmlWriter, parse_xml

XCS = "TBXBasicXCSV02.xcs"


class AdminStatus(str, Enum):
    """The administrativeStatus values of TBX-Basic (``termNote type="administrativeStatus"``)."""

    PREFERRED = "preferredTerm-admn-sts"
    ADMITTED = "admittedTerm-admn-sts"
    DEPRECATED = "deprecatedTerm-admn-sts"
    SUPERSEDED = "supersededTerm-admn-sts"

    def __str__(self) -> str:
        return self.value


_READ_STATUS = {status.value.lower(): status for status in AdminStatus}
PROVISIONAL = "provisionallyProcessed"
"""processStatus (``termNote type="processStatus"``) of a term still under review: TBX-Basic's
administrativeStatus has no "proposed", so a proposed rendering is an admittedTerm with this."""


@dataclass
class Note:
    """One ``note``; `origin` is its ``from`` attribute (Weblate: "translator"), None if absent."""

    text: str
    origin: str | None = None


@dataclass
class Transaction:
    """One ``transacGrp`` of a term: what was done, when, by whom (None: not said)."""

    kind: str | None = None  # transac type="transactionType": 'modification', 'origination'
    date: str | None = None  # as written
    responsible: str | None = None  # transacNote type="responsibility"
    date_line: int = 0


@dataclass
class Term:
    """One ``tig``: a term and what the file says about it."""

    text: str
    status: AdminStatus | None = None
    id: str = ""  # the tig's id attribute (an XML ID: unique in the file)
    part_of_speech: str | None = None  # termNote type="partOfSpeech": noun, properNoun, verb, ...
    process_status: str | None = None  # termNote type="processStatus": PROVISIONAL, finalized, ...
    term_type: str | None = None  # termNote type="termType": variant, fullForm, abbreviation, ...
    contexts: list[str] = field(default_factory=list)  # descrip type="context"
    transactions: list[Transaction] = field(default_factory=list)
    line: int = 0


@dataclass
class LangSet:
    """The terms of one language in one entry; the first term is the preferred one by convention."""

    lang: str  # xml:lang as written
    terms: list[Term] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)  # descrip type="definition"
    line: int = 0


@dataclass
class TermEntry:
    """One ``termEntry``: a concept, its notes and its terms per language."""

    id: str
    notes: list[Note] = field(default_factory=list)
    langsets: list[LangSet] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)  # descrip type="definition"
    line: int = 0


# --------------------------------------------------------------------------- writing


def write_tbx(
    entries: Iterable[TermEntry], *, title: str, description: Sequence[str], source_lang: str
) -> bytes:
    """A TBX-Basic file (UTF-8 bytes): `title` and `description` (paragraphs) go in its header.

    A value XML cannot hold (control characters) is a ToolkitError.
    """
    xml = XmlWriter("TBX")
    xml.open("martif", {"type": "TBX-Basic", "xml:lang": source_lang})
    xml.open("martifHeader")
    xml.open("fileDesc")
    xml.open("titleStmt")
    xml.leaf("title", title)
    xml.close("titleStmt")
    xml.open("sourceDesc")
    for paragraph in description:
        xml.leaf("p", paragraph)
    xml.close("sourceDesc")
    xml.close("fileDesc")
    xml.open("encodingDesc")
    xml.leaf("p", XCS, {"type": "XCSURI"})
    xml.close("encodingDesc")
    xml.close("martifHeader")
    xml.open("text")
    xml.open("body")
    for entry in entries:
        xml.open("termEntry", {"id": entry.id})
        _write_descriptions(xml, entry.definitions, entry.notes)
        for langset in entry.langsets:
            xml.open("langSet", {"xml:lang": langset.lang})
            _write_descriptions(xml, langset.definitions, langset.notes)
            for term in langset.terms:
                _write_term(xml, term)
            xml.close("langSet")
        xml.close("termEntry")
    xml.close("body")
    xml.close("text")
    xml.close("martif")
    return xml.data()


def _write_descriptions(xml: XmlWriter, definitions: Sequence[str], notes: Sequence[Note]) -> None:
    for definition in definitions:
        xml.leaf("descrip", definition, {"type": "definition"})
    for note in notes:
        xml.leaf("note", note.text, {"from": note.origin} if note.origin else None)


def _write_term(xml: XmlWriter, term: Term) -> None:
    xml.open("tig", {"id": term.id} if term.id else None)
    xml.leaf("term", term.text)
    if term.status is not None:
        xml.leaf("termNote", AdminStatus(term.status).value, {"type": "administrativeStatus"})
    if term.part_of_speech is not None:
        xml.leaf("termNote", term.part_of_speech, {"type": "partOfSpeech"})
    if term.process_status is not None:
        xml.leaf("termNote", term.process_status, {"type": "processStatus"})
    if term.term_type is not None:
        xml.leaf("termNote", term.term_type, {"type": "termType"})
    for context in term.contexts:
        xml.leaf("descrip", context, {"type": "context"})
    for transaction in term.transactions:
        xml.open("transacGrp")
        if transaction.kind is not None:
            xml.leaf("transac", transaction.kind, {"type": "transactionType"})
        if transaction.date is not None:
            xml.leaf("date", transaction.date)
        if transaction.responsible is not None:
            xml.leaf("transacNote", transaction.responsible, {"type": "responsibility"})
        xml.close("transacGrp")
    xml.close("tig")


# --------------------------------------------------------------------------- reading


def read_tbx(path: Path) -> list[TermEntry]:
    """The termEntries of a TBX-Basic file; broken or hostile XML, or a file that is not TBX-Basic
    (TBX v3, TBX-Default ``ntig``, an unknown administrativeStatus), is a ToolkitError with file
    and line."""
    root, lines = parse_xml(read_bytes(path), path, "TBX")

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
    entries: list[TermEntry] = []
    for term_entry in body:
        if term_entry.tag != "termEntry":
            raise fail(f"unexpected <{term_entry.tag}> in <body>, expected <termEntry>", term_entry)
        entries.append(_term_entry(term_entry, line_of, fail))
    return entries


def _text(elem: ET.Element) -> str:
    return "".join(elem.itertext()).strip()


def _notes(elem: ET.Element) -> list[Note]:
    return [Note(_text(n), n.get("from")) for n in elem.findall("note")]


def _definitions(elem: ET.Element) -> list[str]:
    """The definitions of an entry or langSet, also inside a ``descripGrp``."""
    found = [d for d in elem if d.tag == "descrip" and d.get("type") == "definition"]
    for group in elem.findall("descripGrp"):
        found += [d for d in group.findall("descrip") if d.get("type") == "definition"]
    return [_text(d) for d in found]


def _term_entry(
    term_entry: ET.Element,
    line_of: Callable[[ET.Element], int],
    fail: Callable[[str, ET.Element], ToolkitError],
) -> TermEntry:
    entry = TermEntry(
        id=term_entry.get("id", "").strip(),
        notes=_notes(term_entry),
        definitions=_definitions(term_entry),
        line=line_of(term_entry),
    )
    for langset in term_entry.findall("langSet"):
        code = langset.get(XML_LANG, "")
        if not code:
            raise fail("<langSet> without xml:lang", langset)
        entry.langsets.append(
            LangSet(
                lang=code,
                terms=_terms(langset, line_of, fail),
                notes=_notes(langset),
                definitions=_definitions(langset),
                line=line_of(langset),
            )
        )
    return entry


def _terms(
    langset: ET.Element,
    line_of: Callable[[ET.Element], int],
    fail: Callable[[str, ET.Element], ToolkitError],
) -> list[Term]:
    """Every <tig> of a langSet, in order."""
    out = []
    for child in langset:
        if child.tag == "ntig":
            raise fail("<ntig> is TBX-Default; TBX-Basic uses <tig><term>", child)
        if child.tag != "tig":
            continue
        terms = child.findall("term")
        if len(terms) != 1:
            raise fail(f"a <tig> needs exactly one <term>, found {len(terms)}", child)
        status, part_of_speech, process_status, term_type = None, None, None, None
        for note in child.findall("termNote"):
            if note.get("type") == "partOfSpeech":
                part_of_speech = _text(note)
            elif note.get("type") == "processStatus":
                process_status = _text(note)
            elif note.get("type") == "termType":
                term_type = _text(note)
            elif note.get("type") == "administrativeStatus":
                value = _text(note)
                status = _READ_STATUS.get(value.lower())
                if status is None:
                    raise fail(
                        f"administrativeStatus '{value}': expected preferredTerm-admn-sts,"
                        " admittedTerm-admn-sts or deprecatedTerm-admn-sts",
                        note,
                    )
        transactions = []
        for group in child.findall("transacGrp"):
            transaction = Transaction()
            for item in group:
                if item.tag == "transac" and item.get("type") == "transactionType":
                    transaction.kind = _text(item)
                elif item.tag == "date":
                    transaction.date, transaction.date_line = _text(item), line_of(item)
                elif item.tag == "transacNote" and item.get("type") == "responsibility":
                    transaction.responsible = _text(item)
            transactions.append(transaction)
        out.append(
            Term(
                text=_text(terms[0]),
                status=status,
                id=child.get("id", ""),
                part_of_speech=part_of_speech,
                process_status=process_status,
                term_type=term_type,
                contexts=[_text(d) for d in child.findall("descrip") if d.get("type") == "context"],
                transactions=transactions,
                line=line_of(child),
            )
        )
    return out
