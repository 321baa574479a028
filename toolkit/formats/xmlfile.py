"""Hostile-XML-safe parsing with the line of every element, and exact, deterministic XML writing.

The exchange formats (TBX for terminology, TMX for translation memories) come from CAT tools and
from strangers' exports: they are parsed only with ``defusedxml``, DTDs, entity declarations and
external references forbidden (XXE, billion laughs), and every problem found later must still
name its line. Writing escapes values so that parsing gives them back exactly (a ``\\r`` too)
and refuses the control characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from toolkit.errors import ToolkitError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class XmlWriter:
    """Indented, deterministic XML; values are escaped so that parsing gives them back exactly."""

    def __init__(self, kind: str = "XML") -> None:
        self.kind = kind  # named in the error about a value XML cannot hold
        self.lines = ['<?xml version="1.0" encoding="UTF-8"?>']
        self.depth = 0

    def open(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append("  " * self.depth + f"<{tag}{xml_attrs(attrs, self.kind)}>")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.lines.append("  " * self.depth + f"</{tag}>")

    def leaf(self, tag: str, text: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append(
            "  " * self.depth + f"<{tag}{xml_attrs(attrs, self.kind)}>{xml_text(text, self.kind)}</{tag}>"
        )

    def empty(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self.lines.append("  " * self.depth + f"<{tag}{xml_attrs(attrs, self.kind)}/>")

    def data(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def xml_check(value: str, kind: str = "XML") -> str:
    """`value`, or a ToolkitError if it has a character XML 1.0 cannot hold."""
    if _XML_BAD_CHARS.search(value):
        raise ToolkitError(f"cannot export {value!r} to {kind}: XML does not allow its control characters")
    return value


def xml_text(value: str, kind: str = "XML") -> str:
    """Element content, escaped; a ``\\r`` as ``&#13;`` (a parser would turn it into ``\\n``)."""
    value = xml_check(value, kind).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")


def xml_attrs(attrs: dict[str, str] | None, kind: str = "XML") -> str:
    """`` name="value"`` pairs; line breaks and tabs as character references (attribute
    normalisation would turn them into spaces)."""
    out = ""
    for name, value in (attrs or {}).items():
        escaped = xml_text(value, kind).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
        out += f' {name}="{escaped}"'
    return out


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


def parse_xml(
    data: bytes | str, path: str | Path, kind: str = "XML", *, doctype_reference: bool = False
) -> tuple[ET.Element, dict[int, int]]:
    """The root element and ``{id(element): line}``; DTDs, entity declarations and external
    references are refused, broken XML is a ToolkitError with the line. `kind` names the format
    in the messages ("TBX", "TMX").

    With `doctype_reference`, a ``<!DOCTYPE tmx SYSTEM "tmx14.dtd">`` that only names an external
    DTD is let through (OmegaT and Translate Toolkit write one); it is never fetched, and an
    internal subset (where entity declarations live) is refused as before.
    """
    target = _LineTarget()
    parser = DefusedXMLParser(
        target=target, forbid_dtd=not doctype_reference, forbid_entities=True, forbid_external=True
    )
    target.parser = parser
    if doctype_reference:

        def doctype(name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
            if has_internal_subset:
                raise DTDForbidden(name, sysid, pubid)

        parser.parser.StartDoctypeDeclHandler = doctype
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise ToolkitError(
            f"refusing a {kind} file with a DTD or entity declarations ({type(exc).__name__}): they can"
            " read local files or expand to gigabytes; remove the <!DOCTYPE ...> part",
            path=path,
            line=parser.parser.CurrentLineNumber,
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise ToolkitError(f"broken XML: {exc.msg if hasattr(exc, 'msg') else exc}", path=path,
                           line=line) from None
    return root, target.lines
