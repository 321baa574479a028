"""Source spans: the coordinates the format readers and `Document` share.

A reader finds each block as one ``(start, end)`` span of the source per line (`Draft.pieces`) and
the markup inside it as spans too; these helpers cut, trim, join and merge such spans, so every
reader counts lines and trims whitespace the same way `Document.render` puts them back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

__all__ = [
    "Draft",
    "Span",
    "has_free_text",
    "join_pieces",
    "line_pieces",
    "line_starts",
    "merge_spans",
    "trim",
]

Span = tuple[int, int]


class Draft(NamedTuple):
    """A block found by a format parser, in the parser's (BOM-less) coordinates."""

    pieces: tuple[Span, ...]
    kind: str
    protected: tuple[Span, ...] = ()
    context: str = ""  # see toolkit.formats.document._Slot


def line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def join_pieces(src: str, pieces: Sequence[Span]) -> str:
    return "\n".join(src[a:b] for a, b in pieces)


def trim(src: str, start: int, end: int) -> Span:
    while start < end and src[start].isspace():
        start += 1
    while end > start and src[end - 1].isspace():
        end -= 1
    return start, end


def line_pieces(src: str, start: int, end: int) -> tuple[Span, ...]:
    """`src[start:end]` (trimmed) as one span per line, each trimmed of surrounding whitespace."""
    start, end = trim(src, start, end)
    pieces = []
    while True:
        nl = src.find("\n", start, end)
        pieces.append(trim(src, start, end if nl < 0 else nl))
        if nl < 0:
            return tuple(pieces)
        start = nl + 1


def merge_spans(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Sorted, with overlapping or touching spans joined (one placeholder per markup run)."""
    out: list[list[int]] = []
    for a, b in sorted(s for s in spans if s[0] < s[1]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


def has_free_text(text: str, protected: Sequence[Span]) -> bool:
    """Whether anything but markup and whitespace is left for the translator."""
    pos = 0
    for a, b in protected:
        if text[pos:a].strip():
            return True
        pos = b
    return bool(text[pos:].strip())
