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
    "TOKEN_RE",
    "Draft",
    "Span",
    "decodable",
    "decode_refs",
    "escape_outside",
    "has_free_text",
    "join_pieces",
    "line_pieces",
    "line_starts",
    "markup_tokens",
    "merge_spans",
    "non_prose_spans",
    "outside",
    "protect_tokens",
    "token_spans",
    "trim",
]

Span = tuple[int, int]


class Draft(NamedTuple):
    """A block found by a format parser, in the parser's (BOM-less) coordinates."""

    pieces: tuple[Span, ...]
    kind: str
    protected: tuple[Span, ...] = ()
    context: str = ""  # see toolkit.formats.document._Slot
    refs: tuple[Span, ...] = ()  # character references (in the joined text) shown as characters


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


# --------------------------------------------------------------------------------------------
# Character references, protected tokens and escaping translated text

_CHARREF_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")

# What translation must leave as it is even in prose: URLs, e-mail addresses, bare domains,
# @handles, #hashtags and template tags ({{ .Title }}, Hugo shortcodes {{< x >}} and {{% x %}}).
_TLDS = "com|org|net|edu|gov|mil|int|info|io|eu|gr|cy|uk|de|fr|it|es|tr|ru|ua|us|ca|au|be|nl|ch|at|il"
TOKEN_RE = re.compile(
    r"\{\{.*?\}\}"
    r"|\{%.*?%\}"
    r"|(?:https?|ftp)://[^\s<>\"'()\[\]]*[^\s<>\"'()\[\].,;:!?]"
    r"|\bmailto:[^\s<>\"']+"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
    r"|\bwww\.[\w-]+(?:\.[\w-]+)+(?:/[^\s<>\"'()]*[^\s<>\"'().,;:!?])?"
    # NATO.int too, but not U.S. (a top-level domain is written in lower case)
    rf"|\b[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:{_TLDS})\b(?:/[^\s<>\"'()]*[^\s<>\"'().,;:!?])?"
    r"|(?<![\w@/&#])@[A-Za-z0-9_]{2,}"
    r"|(?<![\w&#/])#[^\W\d_]\w*",
    re.S,
)


def decodable(ref: str) -> bool:
    """Whether a character reference becomes a character for the translator: one that stands for
    a non-ASCII character (``&rsquo;``, ``&nbsp;``, ``&#233;``). ``&amp;``, ``&lt;``, ``&quot;``
    and other ASCII ones stay as written: their character would be markup."""
    import html

    value = html.unescape(ref)
    return value != ref and not any(c.isascii() for c in value)


def decode_refs(
    text: str, protected: Sequence[Span], refs: Sequence[Span]
) -> tuple[str, tuple[Span, ...]]:
    """`text` with the character references at `refs` replaced by their characters, and the
    `protected` spans moved to match (no ref lies inside a protected span)."""
    import html

    if not refs:
        return text, tuple(protected)
    out: list[str] = []
    shifts: list[tuple[int, int]] = []  # (source offset, how much shorter the text is after it)
    pos = shrink = 0
    for a, b in sorted(refs):
        char = html.unescape(text[a:b])
        out += [text[pos:a], char]
        shrink += (b - a) - len(char)
        shifts.append((b, shrink))
        pos = b
    out.append(text[pos:])

    def moved(offset: int) -> int:
        less = 0
        for end, total in shifts:
            if end <= offset:
                less = total
        return offset - less

    return "".join(out), tuple((moved(a), moved(b)) for a, b in protected)


def token_spans(text: str) -> list[Span]:
    """The spans of URLs, e-mail addresses, domains, handles, hashtags and template tags."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def non_prose_spans(text: str) -> list[Span]:
    """What in a msgid or msgstr is not prose a reader sees: tags (a link destination, an image
    URL), character references (``&#8217;`` is no number 8217) and the protected tokens (URLs,
    e-mail addresses, domains: ``nato.int`` holds no term). Checks and term matching skip them."""
    spans = [m.span() for m in _MARKUP_PIECE_RE.finditer(text)]
    return list(merge_spans([*spans, *token_spans(text)]))


def outside(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether (start, end) overlaps none of `spans`."""
    return not any(start < b and a < end for a, b in spans)


def protect_tokens(text: str, protected: Sequence[Span]) -> tuple[Span, ...]:
    """`protected` plus the protected tokens (`TOKEN_RE`) found in the rest of `text`."""
    return merge_spans([*protected, *token_spans(text)])


_MARKUP_PIECE_RE = re.compile(r"<[^<>]*>|&[#\w]+;")


def markup_tokens(text: str, protected: Sequence[Span]) -> frozenset[str]:
    """What a translation may contain as markup: each protected span, and each tag or character
    reference inside one (a translator may reorder the tags of a merged run)."""
    tokens: set[str] = set()
    for a, b in protected:
        tokens.add(text[a:b])
        tokens.update(m.group() for m in _MARKUP_PIECE_RE.finditer(text, a, b))
    return frozenset(t for t in tokens if t)


def escape_outside(text: str, tokens: frozenset[str], table: dict[int, str]) -> str:
    """`text` with the characters of `table` escaped everywhere except in the `tokens` (the
    markup restored from the source): text from an engine or a translator stays text."""
    if not tokens:
        return text.translate(table)
    pattern = re.compile("|".join(map(re.escape, sorted(tokens, key=len, reverse=True))))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out += [text[pos : m.start()].translate(table), m.group()]
        pos = m.end()
    out.append(text[pos:].translate(table))
    return "".join(out)
