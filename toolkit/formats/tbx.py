"""TBX-Basic (ISO 30042, TBX v2 ``martif``) files as plain records, read safely and written exactly.

Terminology is exchanged with CAT tools, Translate Toolkit and Weblate in TBX. This module knows
the XML: which elements hold the term, its administrativeStatus, notes, contexts and
transactions, how to escape values so that parsing gives them back exactly, and how to refuse
hostile XML. It knows nothing of the glossary (``toolkit.terms.exchange_tbx`` maps concepts to
these records and back).

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
    contexts: list[str] = field(default_factory=list)  # descrip type="context"
    transactions: list[Transaction] = field(default_factory=list)
    line: int = 0


@dataclass
class LangSet:
    """The terms of one language in one entry; the first term is the preferred one by convention."""

    lang: str  # xml:lang as written
    terms: list[Term] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class TermEntry:
    """One ``termEntry``: a concept, its notes and its terms per language."""

    id: str
    notes: list[str] = field(default_factory=list)
    langsets: list[LangSet] = field(default_factory=list)
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
        for note in entry.notes:
            xml.leaf("note", note)
        for langset in entry.langsets:
            xml.open("langSet", {"xml:lang": langset.lang})
            for note in langset.notes:
                xml.leaf("note", note)
            for term in langset.terms:
                _write_term(xml, term)
            xml.close("langSet")
        xml.close("termEntry")
    xml.close("body")
    xml.close("text")
    xml.close("martif")
    return xml.data()


def _write_term(xml: XmlWriter, term: Term) -> None:
    xml.open("tig", {"id": term.id} if term.id else None)
    xml.leaf("term", term.text)
    if term.status is not None:
        xml.leaf("termNote", AdminStatus(term.status).value, {"type": "administrativeStatus"})
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


def _term_entry(
    term_entry: ET.Element,
    line_of: Callable[[ET.Element], int],
    fail: Callable[[str, ET.Element], ToolkitError],
) -> TermEntry:
    entry = TermEntry(
        id=term_entry.get("id", "").strip(),
        notes=[_text(n) for n in term_entry.findall("note")],
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
                notes=[_text(n) for n in langset.findall("note")],
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
        status = None
        for note in child.findall("termNote"):
            if note.get("type") == "administrativeStatus":
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
                contexts=[_text(d) for d in child.findall("descrip") if d.get("type") == "context"],
                transactions=transactions,
                line=line_of(child),
            )
        )
    return out
