"""TMX 1.4b translation memories as plain records, read safely and written exactly.

Translators' memories come from CAT tools (Trados, memoQ, OmegaT, Weblate) as TMX. This module
knows the XML: the header's ``srclang``, ``tu`` / ``tuv xml:lang`` / ``seg``, notes and
properties, and which inline elements are codes rather than text. It knows nothing of the
toolkit's memory (``toolkit.l10n.memory`` indexes these records).

Reading is all or nothing: a file that is empty, not valid in its encoding, hostile (a DTD's
internal subset, entity declarations or external references, refused by ``defusedxml``; a
``<!DOCTYPE tmx SYSTEM "tmx14.dtd">`` that merely names the DTD, as OmegaT and Translate Toolkit
write it, is accepted and never fetched), not TMX, whose source language is not English,
or with a ``tuv`` that has no ``xml:lang`` is one ToolkitError naming file and line, and no
record is returned. A ``tu`` gives one record per target ``tuv``; a ``tu`` whose source or target
segment is empty gives none (an untranslated unit is not a translation). Inline codes
(``bpt ept ph it ut``) are dropped, their ``sub`` text with them; ``hi`` text is kept.

Writing gives one ``tu`` per record (one target language each, which is what Translate
Toolkit's reader expects), language tags in the XML form (``pt-BR``), deterministic output.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import toolkit
from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_bytes, decode_utf8, read_bytes
from toolkit.formats.xmlfile import XML_LANG, XmlWriter, parse_xml

_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})  # native codes, not text
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SEGTYPES = ("block", "paragraph", "sentence", "phrase")


@dataclass(frozen=True)
class TmxUnit:
    """One translation: the source segment and one target segment, with what the file says."""

    source: str
    target: str
    source_lang: str  # as written in the file ("en", "en-US")
    target_lang: str  # as written in the file ("el", "el-GR")
    note: str = ""  # the tu's and the target tuv's <note> texts, one per line
    properties: tuple[tuple[str, str], ...] = ()  # <prop type="...">text</prop>, in order
    line: int = 0  # of the <tu> (0: not read from a file)


def is_english(tag: str) -> bool:
    """'en', 'EN-us', 'en_GB': a language tag whose primary subtag is English."""
    return re.split(r"[-_]", tag.strip(), maxsplit=1)[0].casefold() == "en"


# --------------------------------------------------------------------------- reading


def read_tmx(path: str | Path) -> list[TmxUnit]:
    """Every translation in a TMX file, in file order; any problem is one ToolkitError."""
    path = Path(path)
    data = read_bytes(path, "TMX file")
    text = _decode(data, path)
    if not text.strip():
        raise ToolkitError("empty file: expected a TMX 1.4b document", path=path, line=1)
    root, lines = parse_xml(text, path, "TMX", doctype_reference=True)

    def fail(message: str, elem: ET.Element) -> ToolkitError:
        return ToolkitError(message, path=path, line=lines.get(id(elem), 0) or None)

    if root.tag != "tmx":
        raise fail(f"not a TMX file: the root element is <{root.tag}>, expected <tmx>", root)
    header = root.find("header")
    if header is None:
        raise fail("no <header> in this TMX file", root)
    srclang = header.get("srclang")
    if not srclang:
        raise fail("the <header> has no srclang attribute", header)
    if srclang != "*all*" and not is_english(srclang):
        raise fail(_not_english(srclang), header)
    body = root.find("body")
    if body is None:
        raise fail("no <body> in this TMX file", root)
    units: list[TmxUnit] = []
    for tu in body.iter("tu"):
        units += _read_tu(tu, tu.get("srclang") or srclang, fail, lines.get(id(tu), 0))
    return units


def _decode(data: bytes, path: Path) -> str:
    """The document as text, from its BOM, its XML declaration, or UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        declared = _DECLARED.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    if codecs_name(encoding) == "utf-8":
        return decode_utf8(data, path, "save the TMX file as UTF-8").removeprefix("\ufeff")
    try:
        return data.decode(encoding)
    except LookupError:
        raise ToolkitError(f"unknown encoding {encoding!r} in the XML declaration", path=path,
                           line=1) from None
    except UnicodeDecodeError as exc:
        raise ToolkitError(
            f"not valid {encoding} (byte 0x{data[exc.start]:02x}); check the XML declaration's encoding",
            path=path,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def codecs_name(encoding: str) -> str:
    """Python's name for an encoding ('UTF8' -> 'utf-8'), or the name itself if unknown."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _not_english(lang: str) -> str:
    return (
        f"the source language is {lang!r}: the memory holds translations from English; "
        "export the memory with English (en) as its source language"
    )


def _read_tu(tu: ET.Element, srclang: str, fail, line: int) -> list[TmxUnit]:
    if srclang != "*all*" and not is_english(srclang):
        raise fail(_not_english(srclang), tu)
    tuvs = []
    for tuv in tu.findall("tuv"):
        lang = tuv.get(XML_LANG) or tuv.get("lang")  # TMX 1.1 wrote a plain lang
        if not lang:
            raise fail("a <tuv> without xml:lang: say which language the segment is in", tuv)
        seg = tuv.find("seg")
        if seg is None:
            raise fail("a <tuv> without <seg>", tuv)
        tuvs.append((lang, tuv, _seg_text(seg)))
    source = next((t for t in tuvs if t[0].casefold() == srclang.casefold()), None)
    source = source or next((t for t in tuvs if is_english(t[0])), None)
    if source is None:
        want = "English" if srclang == "*all*" else repr(srclang)
        raise fail(f"no <tuv> in the source language {want} in this <tu>", tu)
    if not source[2].strip():
        return []
    notes = [_text(n) for n in tu.findall("note")]
    props = [(p.get("type", ""), _text(p)) for p in tu.findall("prop")]
    units = []
    for lang, tuv, text in tuvs:
        if tuv is source[1] or not text.strip():
            continue
        units.append(
            TmxUnit(
                source=source[2],
                target=text,
                source_lang=source[0],
                target_lang=lang,
                note="\n".join(notes + [_text(n) for n in tuv.findall("note")]),
                properties=tuple(props + [(p.get("type", ""), _text(p)) for p in tuv.findall("prop")]),
                line=line,
            )
        )
    return units


def _seg_text(elem: ET.Element) -> str:
    """The text of a <seg> (or <hi>): its own text and its children's tails, codes left out."""
    parts = [elem.text or ""]
    for child in elem:
        if child.tag not in _CODES:
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _text(elem: ET.Element) -> str:
    return "".join(elem.itertext())


# --------------------------------------------------------------------------- writing


def xml_lang(tag: str) -> str:
    """A toolkit language code as an XML language tag: 'pt_BR' -> 'pt-BR'."""
    return tag.replace("_", "-")


def format_tmx(units: Iterable[TmxUnit], *, source_lang: str = "en", segtype: str = "paragraph") -> bytes:
    """A TMX 1.4b document (UTF-8 bytes), one <tu> per unit. A control character XML cannot hold
    is a ToolkitError."""
    if segtype not in _SEGTYPES:
        raise ToolkitError(f"unknown TMX segtype {segtype!r}: use one of {', '.join(_SEGTYPES)}")
    xml = XmlWriter("TMX")
    xml.open("tmx", {"version": "1.4"})
    xml.empty(
        "header",
        {
            "creationtool": "toolkit",
            "creationtoolversion": toolkit.__version__,
            "datatype": "plaintext",
            "segtype": segtype,
            "adminlang": "en",
            "srclang": xml_lang(source_lang),
            "o-tmf": "toolkit",
        },
    )
    xml.open("body")
    for unit in units:
        xml.open("tu")
        for note in unit.note.split("\n") if unit.note else []:
            xml.leaf("note", note)
        for kind, value in unit.properties:
            xml.leaf("prop", value, {"type": kind})
        for lang, text in ((unit.source_lang, unit.source), (unit.target_lang, unit.target)):
            xml.open("tuv", {"xml:lang": xml_lang(lang)})
            xml.leaf("seg", text)
            xml.close("tuv")
        xml.close("tu")
    xml.close("body")
    xml.close("tmx")
    return xml.data()


def write_tmx(
    path: str | Path, units: Iterable[TmxUnit], *, source_lang: str = "en", segtype: str = "paragraph"
) -> None:
    """Write `format_tmx` atomically: a reader sees the old file or the new one."""
    atomic_write_bytes(path, format_tmx(units, source_lang=source_lang, segtype=segtype))
