"""Read an article into translatable blocks and render it back.

A `Document` is the article's text exactly as read plus a list of `Block`s: the stretches of it a
translator should see (paragraphs, headings, list items, table cells, HTML ``alt``/``title``
values). Everything outside the blocks -- markup, code, blank lines, indentation -- is never
touched, so `Document.render` can splice translations in and keep the rest byte for byte.

A block may cover several source lines. Its text is those lines joined with ``"\\n"``, each line
trimmed of surrounding whitespace (and, in Markdown, of its container prefix such as ``> `` or a
list indent); what lies between the lines stays in the source and is put back between the lines of
the translation. That gives clean PO msgids and still renders ``> `` prefixes, CRLF line ends and
indentation exactly. So::

    doc.render({}) == text
    doc.render({b.index: b.text for b in doc.blocks}) == text

hold for every input, whatever its line ends, and even if it has mixed ones.

Formats:

``txt``
    paragraphs separated by blank (or whitespace-only) lines; single line breaks stay in the block.
``md``
    CommonMark (plus GFM tables and strikethrough) parsed by markdown-it-py; blocks are headings,
    paragraphs, list items, blockquotes and table cells. Code blocks, HTML blocks, link reference
    definitions and a leading ``---`` front matter are kept verbatim. Inline markup stays in the
    block text and is recorded in `Block.protected`: emphasis markers, ``[``, ``](url "title")``,
    inline code, inline HTML, entities and backslash escapes. Image alt text stays translatable.
``html``
    the stdlib `html.parser`, with source offsets. A block is a run of inline content (text and
    inline elements such as ``a``, ``em``, ``br``) inside a block-level element (``p``, ``h1``,
    ``li``, ``td``, ``blockquote``, ``figcaption``, ``title`` ...). Nothing inside ``script``,
    ``style``, ``code``, ``pre``, ``kbd``, ``samp``, ``textarea``, ``svg``, ``math``, ``template``
    or an element with ``translate="no"`` (or class ``notranslate``) is translated; inline ones of
    those stay in the surrounding block as protected spans. Tags, comments and character references
    are protected too. ``alt`` and ``title`` values are their own ``attribute`` blocks, except on an
    inline element inside a block, where they stay in the block's text as its unprotected part.

`Block.text` is source -- Markdown or HTML markup as written, never unescaped -- and a translation
given to `Document.render` is inserted as the same kind of source. Only what would break the
structure around a block is adjusted: line breaks in a Markdown heading or table cell become spaces,
a bare ``|`` in a table cell is escaped, and so is an attribute value's own quote character (an
unquoted value gets quotes if it needs them).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from toolkit.errors import ToolkitError
from toolkit.fileio import read_bytes

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["FORMATS", "Block", "Document", "detect_format", "parse_document", "read_document"]

FORMATS = ("txt", "md", "html")

_EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}

Span = tuple[int, int]


@dataclass(frozen=True)
class Block:
    """One translatable stretch of the article, in source order."""

    index: int
    """0-based position among the document's blocks; the key for `Document.render`."""
    text: str
    """What the translator sees (the msgid): source markup included, lines joined by ``\\n``."""
    line: int
    """1-based line of the source file where the block starts, for ``#: file:LINE``."""
    kind: str
    """'heading', 'paragraph', 'list-item', 'blockquote', 'table-cell', 'title', 'caption',
    'term', 'definition' or 'attribute'."""
    protected: tuple[Span, ...] = ()
    """Sorted, disjoint ``(start, end)`` spans of `text` that translation must leave as they are."""


class _Slot(NamedTuple):
    """Where a block lives in the source, and what a translation must respect there."""

    pieces: tuple[Span, ...]  # one source span per line of the block text
    context: str = ""  # "line" (md heading), "cell" (md table), 'attr"', "attr'", "attr" (unquoted)


@dataclass
class Document:
    """An article as read: its exact text, its blocks and what is needed to write it back."""

    path: str
    format: str
    blocks: list[Block]
    newline: str
    """``'\\n'`` or ``'\\r\\n'``, whichever ends most lines; used for line breaks a translation adds."""
    source: str = ""
    """The full text as given. A UTF-8 byte order mark stays in it (as U+FEFF, outside every
    block), so `render` returns it too and writing the result as UTF-8 keeps the file's BOM."""
    encoding: str = "utf-8"
    """The encoding `read_document` decoded the file with."""
    _slots: list[_Slot] = field(default_factory=list, repr=False, compare=False)

    @property
    def bom(self) -> bool:
        """Whether the text starts with a byte order mark (kept by `render`)."""
        return self.source.startswith("\ufeff")

    def render(self, translations: Mapping[int, str]) -> str:
        """The source with each block whose index is in `translations` replaced by its translation.

        Blocks that are missing (or mapped to None) keep their source text; all text outside blocks
        is kept byte for byte. A translation's line breaks are written with the separators (prefix
        and line end) of the source block's own lines.
        """
        unknown = [i for i in translations if not 0 <= i < len(self.blocks)]
        if unknown:
            raise ValueError(f"no block with index {unknown[0]} in {self.path}")
        out: list[str] = []
        pos = 0
        for block in self.blocks:
            slot = self._slots[block.index]
            start, end = slot.pieces[0][0], slot.pieces[-1][1]
            out.append(self.source[pos:start])
            new = translations.get(block.index)
            out.append(self.source[start:end] if new is None else self._fill(slot, new))
            pos = end
        out.append(self.source[pos:])
        return "".join(out)

    def _fill(self, slot: _Slot, text: str) -> str:
        text = _fit(text.replace("\r\n", "\n"), slot.context)
        src, pieces = self.source, slot.pieces
        seps = [src[pieces[i - 1][1] : pieces[i][0]] for i in range(1, len(pieces))]
        if not seps:
            # A new line break in a one-line block: indent it under the block's first character
            # (in Markdown, inside the same blockquotes).
            line_start = src.rfind("\n", 0, pieces[0][0]) + 1
            blank = r"[^\s>]" if self.format == "md" else r"\S"
            seps = [self.newline + re.sub(blank, " ", src[line_start : pieces[0][0]])]
        lines = text.split("\n")
        out = [lines[0]]
        for i, line in enumerate(lines[1:]):
            out += (seps[min(i, len(seps) - 1)], line)
        return "".join(out)


def _fit(text: str, context: str) -> str:
    """Keep a translation from breaking the structure around its block."""
    if context in ("line", "cell"):
        text = " ".join(part.strip() for part in text.split("\n"))
    if context == "cell":
        text = re.sub(r"(?<!\\)\|", r"\\|", text)
    if context.startswith("attr"):
        text = _quote_attribute(text, context[4:])
    return text


def _quote_attribute(text: str, quote: str) -> str:
    """Keep a translated attribute value inside its attribute."""
    if quote == '"':
        return text.replace('"', "&quot;")
    if quote == "'":
        return text.replace("'", "&#39;")
    if not text or re.search(r"[\s>]", text) or text[0] in "\"'":
        return '"' + text.replace('"', "&quot;") + '"'
    return text


# --------------------------------------------------------------------------------------------
# Reading files


def detect_format(path: str | Path) -> str:
    """'txt', 'md' or 'html' from the file name's extension."""
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        what = f"extension '{suffix}'" if suffix else "no extension"
        raise ToolkitError(
            f"cannot tell the format from {what}: use .txt, .md or .html, or --format",
            path=path,
        ) from None


_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (.docx, .odt, .epub ...)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
)

# Byte order marks that name their encoding unambiguously (UTF-32 before UTF-16: same prefix).
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Legacy encodings a newsroom file is likely to be in: name, script of their letters, and the
# letters that would be a sign of a wrong decoding (cp1252's Icelandic-only letters are where
# cp1254 has Turkish ones). The most common first: equal decodings are suggested by this order.
_LEGACY = (
    ("cp1252", "Western European", "LATIN", "ðþýÐÞÝ"),
    ("cp1254", "Turkish", "LATIN", ""),
    ("cp1251", "Cyrillic", "CYRILLIC", ""),
    ("cp1253", "Greek", "GREEK", ""),
)


def read_document(
    path: str | Path, *, encoding: str | None = None, format: str | None = None
) -> Document:
    """Read and parse an article file.

    The bytes are decoded with `encoding` if given. Otherwise a UTF-16/32 byte order mark selects
    that encoding, and anything else must be UTF-8 (a UTF-8 BOM is kept, see `Document.source`).
    Text that is not UTF-8 is never guessed into a legacy encoding, since a wrong guess would be
    silent mojibake; the error names the likely one (see `_guess_legacy`) for ``--encoding``.
    """
    fmt = format or detect_format(path)
    data = read_bytes(path)
    text, used = _decode(data, encoding, path)
    if not text.lstrip("\ufeff").strip():
        state = "empty" if not data else "blank (whitespace only)"
        raise ToolkitError(f"nothing to translate: the file is {state}", path=path)
    doc = parse_document(text, fmt, str(path))
    doc.encoding = used
    if not doc.blocks:
        raise ToolkitError(
            f"nothing to translate: no translatable text found in this {fmt} file", path=path
        )
    return doc


def _decode(data: bytes, encoding: str | None, path: str | Path) -> tuple[str, str]:
    """The file's text and the encoding used, or a ToolkitError the user can act on."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ToolkitError(
                f"binary file ({what}), not a text article: convert it to .txt, .md or .html",
                path=path,
            )
    if encoding is None:
        encoding = next((enc for bom, enc in _WIDE_BOMS if data.startswith(bom)), None)
        wide = encoding is not None
    else:
        try:
            wide = codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
        except LookupError:
            raise ToolkitError(f"unknown encoding '{encoding}'", path=path) from None
    if not wide and b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ToolkitError(
            "binary file (contains NUL bytes), not a text article", path=path, line=line
        )
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            raise ToolkitError(
                f"cannot decode as {encoding} (byte 0x{data[e.start]:02x}): "
                "check the file's encoding and pass it with --encoding",
                path=path,
                line=line,
            ) from None
        except (LookupError, UnicodeError) as e:  # 'base64' (not a text codec), 'punycode' ...
            raise ToolkitError(f"cannot decode as {encoding}: {e}", path=path) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        guess = _guess_legacy(data)
        hint = (
            f"it looks like {guess[0]} ({guess[1]}): run again with --encoding {guess[0]}"
            if guess
            else "pass its encoding with --encoding (for example cp1253, cp1251 or latin-1)"
        )
        raise ToolkitError(
            f"not valid UTF-8 (byte 0x{data[e.start]:02x}); {hint}", path=path, line=line
        ) from None


def _guess_legacy(data: bytes) -> tuple[str, str] | None:
    """The legacy encoding whose decoding reads like real words, if exactly one does.

    Heuristic, only used to suggest ``--encoding``: decode with each of cp1252, cp1254, cp1251 and
    cp1253 and look at the words that contain non-ASCII letters. In the right decoding 90% of them
    are plausible (see `_plausible_word`) and no other decoding gets 75%; a wrong one mixes scripts
    or case, or turns Cyrillic and Greek into words made only of accented Latin letters. A file
    whose only non-ASCII characters are punctuation (Windows "smart quotes") is cp1252.
    """
    seen: set[str] = set()
    scores = []
    for enc, label, script, rare in _LEGACY:
        try:
            text = data[:65536].decode(enc)
        except UnicodeDecodeError:
            continue
        if text in seen:  # same text as a more common encoding: no evidence either way
            continue
        seen.add(text)
        words = [w for w in re.findall(r"[^\W\d_]+", text) if not w.isascii()]
        if words:
            score = sum(_plausible_word(w, script, rare) for w in words) / len(words)
        else:
            other = [c for c in text if not c.isascii()]
            score = float(all(unicodedata.category(c)[0] in "PSZ" for c in other))
        scores.append((score, enc, label))
    scores.sort(key=lambda s: -s[0])
    if scores and scores[0][0] >= 0.9 and (len(scores) == 1 or scores[1][0] < 0.75):
        return scores[0][1], scores[0][2]
    return None


def _plausible_word(word: str, script: str, rare: str) -> bool:
    """One script, no capital after a small letter; a Latin word longer than two letters has an
    unaccented one (mojibake of Cyrillic or Greek as Latin is accented letters only)."""
    if any(not c.isascii() and not unicodedata.name(c, "").startswith(script) for c in word):
        return False
    if any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
        return False
    has_ascii = any(c.isascii() for c in word)
    if script != "LATIN":
        return not has_ascii
    return not any(c in rare for c in word) and (len(word) <= 2 or has_ascii)


# --------------------------------------------------------------------------------------------
# Parsing


class _Draft(NamedTuple):
    """A block found by a format parser, in the parser's (BOM-less) coordinates."""

    pieces: tuple[Span, ...]
    kind: str
    protected: tuple[Span, ...] = ()
    context: str = ""  # see _Slot


def parse_document(text: str, format: str, path: str = "<string>") -> Document:
    """Split `text` into blocks.

    Odd input does not fail: what cannot be placed stays verbatim, outside the blocks. Only an
    unknown format, or HTML that the stdlib parser gives up on, raises a ToolkitError.
    """
    if format not in FORMATS:
        raise ToolkitError(f"unknown format '{format}': use txt, md or html", path=path)
    shift = 1 if text.startswith("\ufeff") else 0
    body = text[shift:]
    parse = {"txt": _parse_txt, "md": _parse_md, "html": _parse_html}[format]
    drafts = sorted(parse(body, path), key=lambda d: d.pieces[0][0])
    line_starts = _line_starts(body)
    blocks: list[Block] = []
    slots: list[_Slot] = []
    end = 0
    for d in drafts:
        if d.pieces[0][0] < end:  # overlapping blocks cannot be spliced; keep the first
            continue
        if not _visible(body[d.pieces[0][0] : d.pieces[-1][1]]):  # only zero-width characters
            continue
        end = d.pieces[-1][1]
        blocks.append(
            Block(
                index=len(blocks),
                text=_join(body, d.pieces),
                line=_line_of(line_starts, d.pieces[0][0]),
                kind=d.kind,
                protected=d.protected,
            )
        )
        pieces = tuple((a + shift, b + shift) for a, b in d.pieces)
        slots.append(_Slot(pieces, d.context))
    crlf = body.count("\r\n")
    newline = "\r\n" if crlf > body.count("\n") - crlf else "\n"
    return Document(path, format, blocks, newline, text, "utf-8", slots)


def _visible(text: str) -> bool:
    """Whether a reader sees anything: not only spaces, zero-width and control characters."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc") for c in text)


def _line_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_of(line_starts: list[int], offset: int) -> int:
    return bisect_right(line_starts, offset)


def _join(src: str, pieces: Sequence[Span]) -> str:
    return "\n".join(src[a:b] for a, b in pieces)


def _trim(src: str, start: int, end: int) -> Span:
    while start < end and src[start].isspace():
        start += 1
    while end > start and src[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(src: str, start: int, end: int) -> tuple[Span, ...]:
    """`src[start:end]` (trimmed) as one span per line, each trimmed of surrounding whitespace."""
    start, end = _trim(src, start, end)
    pieces = []
    while True:
        nl = src.find("\n", start, end)
        pieces.append(_trim(src, start, end if nl < 0 else nl))
        if nl < 0:
            return tuple(pieces)
        start = nl + 1


def _text_offset(pieces: Sequence[Span], offset: int, *, is_end: bool) -> int:
    """Map a source offset into the joined block text (offsets between lines snap to a line)."""
    base = 0
    prev_end = 0
    for a, b in pieces:
        if offset < a:
            return prev_end if is_end else base
        if offset <= b:
            return base + offset - a
        prev_end = base + b - a
        base = prev_end + 1
    return prev_end


def _text_spans(pieces: Sequence[Span], spans: Sequence[Span]) -> tuple[Span, ...]:
    mapped = []
    for a, b in spans:
        ta, tb = _text_offset(pieces, a, is_end=False), _text_offset(pieces, b, is_end=True)
        if ta < tb:
            mapped.append((ta, tb))
    return _merge(mapped)


def _merge(spans: Sequence[Span]) -> tuple[Span, ...]:
    """Sorted, with overlapping or touching spans joined (one placeholder per markup run)."""
    out: list[list[int]] = []
    for a, b in sorted(s for s in spans if s[0] < s[1]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return tuple((a, b) for a, b in out)


def _has_free_text(text: str, protected: Sequence[Span]) -> bool:
    """Whether anything but markup and whitespace is left for the translator."""
    pos = 0
    for a, b in protected:
        if text[pos:a].strip():
            return True
        pos = b
    return bool(text[pos:].strip())


# --- txt ------------------------------------------------------------------------------------


def _parse_txt(src: str, path: str) -> list[_Draft]:
    """Paragraphs: runs of lines that are not blank."""
    drafts = []
    start: int | None = None
    end = 0
    pos = 0
    for line in src.split("\n"):
        if line.strip():
            if start is None:
                start = pos
            end = pos + len(line)
        elif start is not None:
            drafts.append(_Draft(_pieces(src, start, end), "paragraph"))
            start = None
        pos += len(line) + 1
    if start is not None:
        drafts.append(_Draft(_pieces(src, start, end), "paragraph"))
    return drafts


# --- md -------------------------------------------------------------------------------------


class _Unplaced(Exception):
    """markdown-it's view of a block could not be found in the source (left verbatim)."""


def _parse_md(src: str, path: str) -> list[_Draft]:
    from markdown_it import MarkdownIt

    # markdown-it turns lone CR into line breaks and NUL into U+FFFD: do the same at the same
    # length, so its lines and text match ours. Front matter becomes blank lines.
    feed = re.sub(r"\r(?!\n)", " ", src).replace("\x00", "\ufffd")
    feed = _blank_front_matter(feed)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("text_join")
    tokens = md.parse(feed)
    lines = _line_starts(feed)
    containers: list[str] = []
    row_cursor: dict[int, int] = {}
    drafts = []
    for i, tok in enumerate(tokens):
        if tok.type in ("blockquote_open", "list_item_open"):
            containers.append(tok.type)
        elif tok.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif tok.type == "inline" and tok.map and tok.content.strip():
            parent = tokens[i - 1]
            context = "line"
            try:
                if parent.type in ("th_open", "td_open"):
                    kind, context = "table-cell", "cell"
                    pieces = (_md_cell(feed, lines, tok.map[0], tok.content.strip(), row_cursor),)
                elif parent.type == "heading_open" and parent.markup.startswith("#"):
                    kind = "heading"
                    pieces = (_md_atx(feed, lines, tok.map[0], tok.content.strip()),)
                else:
                    context = ""
                    kind = "heading" if parent.type == "heading_open" else _md_kind(containers)
                    pieces = _md_lines(feed, lines, tok.map[0], tok.content)
            except _Unplaced:
                continue
            protected: list[Span] = []
            view = _join(feed, pieces)
            try:
                _MdSpans(view, protected).walk(tok.children or [])
            except _Unplaced:
                pass  # keep the spans found so far; the text itself is right
            spans = _merge(protected)
            if _has_free_text(view, spans):
                drafts.append(_Draft(pieces, kind, spans, context))
    return drafts


def _md_kind(containers: list[str]) -> str:
    if not containers:
        return "paragraph"
    return "list-item" if containers[-1] == "list_item_open" else "blockquote"


def _blank_front_matter(feed: str) -> str:
    m = re.match(r"---[ \t]*\r?\n(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", feed)
    if not m:
        return feed
    return re.sub(r"[^\r\n]", " ", m.group()) + feed[m.end() :]


def _line_span(feed: str, lines: list[int], n: int) -> Span:
    """Line `n` (0-based) without its line end."""
    start = lines[n]
    end = lines[n + 1] - 1 if n + 1 < len(lines) else len(feed)
    return start, end


def _md_lines(feed: str, lines: list[int], first: int, content: str) -> tuple[Span, ...]:
    """Paragraph lines: markdown-it's content line i is the tail of source line first+i."""
    pieces = []
    for n, part in enumerate(content.split("\n"), first):
        part = part.strip()
        start, end = _trim(feed, *_line_span(feed, lines, n))
        if not feed.endswith(part, start, end):
            raise _Unplaced
        pieces.append((end - len(part), end))
    return tuple(pieces)


def _md_atx(feed: str, lines: list[int], n: int, content: str) -> Span:
    start, end = _line_span(feed, lines, n)
    marker = feed.find("#", start, end)  # container prefixes ('>', '-', '1.') have no '#'
    if marker < 0:
        raise _Unplaced
    while marker < end and feed[marker] == "#":
        marker += 1
    pos = feed.find(content, marker, end)
    if pos < 0:
        raise _Unplaced
    return pos, pos + len(content)


def _md_cell(feed: str, lines: list[int], n: int, content: str, cursor: dict[int, int]) -> Span:
    """Cells of one row are found left to right; the parser unescapes ``\\|`` in their content."""
    start, end = _line_span(feed, lines, n)
    span = _locate(feed, content, cursor.get(n, start), end)
    cursor[n] = span[1]
    return span


def _locate(text: str, needle: str, pos: int, end: int | None = None) -> Span:
    """Where `needle` next occurs, allowing for whitespace the block text trimmed off at line
    starts and ends, and for the ``\\|`` that table parsing unescaped."""
    end = len(text) if end is None else end
    found = text.find(needle, pos, end)
    if found >= 0:
        return found, found + len(needle)
    pattern = "".join(
        r"\s*" if part.isspace() else r"\\?\|" if part == "|" else re.escape(part)
        for part in re.findall(r"\s+|.", needle, re.S)
    )
    m = re.compile(pattern).search(text, pos, end)
    if not m or m.start() == m.end():
        raise _Unplaced
    return m.start(), m.end()


class _MdSpans:
    """Walks an inline token stream along the block text, collecting the markup's spans.

    Text tokens are the translatable parts; everything else is found in the source by its markup
    (``**``, backtick runs, ``\\*``, ``&amp;``, link brackets; destinations and titles through
    markdown-it's own link helpers) and protected.
    """

    def __init__(self, text: str, spans: list[Span]):
        self.text = text
        self.spans = spans
        self.pos = 0

    def _find(self, needle: str) -> Span:
        span = _locate(self.text, needle, self.pos)
        self.pos = span[1]
        return span

    def _protect(self, needle: str) -> None:
        self.spans.append(self._find(needle))

    def walk(self, tokens: Sequence[Token]) -> None:
        it: Iterator[Token] = iter(tokens)
        for tok in it:
            kind = tok.type
            if kind == "text":
                self._find(tok.content)
            elif kind in ("text_special", "html_inline"):
                self._protect(tok.markup if kind == "text_special" else tok.content)
            elif kind == "code_inline":
                self._code(tok.markup)
            elif kind == "link_open" and tok.markup == "autolink":  # <http://...>: all markup
                start = self._find("<")[0]
                self.spans.append((start, self._find(">")[1]))
                for inner in it:
                    if inner.type == "link_close":
                        break
            elif kind == "link_open":
                self._protect("[")
            elif kind == "link_close":
                self._link_end()
            elif kind.endswith(("_open", "_close")):  # emphasis, strong, strikethrough
                self._protect(tok.markup)
            elif kind == "image":
                self._protect("![")
                self.walk(tok.children or [])
                self._link_end()
            elif kind == "hardbreak":
                rest = self.text[self.pos :].lstrip(" \t")
                if rest.startswith("\\\n"):
                    self._protect("\\")

    def _code(self, ticks: str) -> None:
        """An inline code span ends at the next backtick run of the same length."""
        start, pos = self._find(ticks)
        text = self.text
        while True:
            pos = text.find("`", pos)
            if pos < 0:
                raise _Unplaced
            run_end = pos
            while run_end < len(text) and text[run_end] == "`":
                run_end += 1
            if run_end - pos == len(ticks):
                break
            pos = run_end
        self.pos = run_end
        self.spans.append((start, run_end))

    def _link_end(self) -> None:
        """`]` plus whatever follows it: ``(dest "title")``, ``[label]``, ``[]`` or nothing."""
        from markdown_it.helpers import parseLinkDestination, parseLinkTitle

        text = self.text
        start, pos = self._find("]")
        end = pos
        if text.startswith("(", pos):
            p = _skip_ws(text, pos + 1)
            if text.startswith(")", p):
                end = p + 1
            else:
                dest = parseLinkDestination(text, p, len(text))
                if dest.ok:
                    p = _skip_ws(text, dest.pos)
                    title = parseLinkTitle(text, p, len(text))
                    if title.ok and p > dest.pos:
                        p = _skip_ws(text, title.pos)
                    if text.startswith(")", p):
                        end = p + 1
        if end == pos and text.startswith("[", pos):
            close = text.find("]", pos + 1)
            end = close + 1 if close >= 0 else pos
        self.spans.append((start, end))
        self.pos = end


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos


# --- html -----------------------------------------------------------------------------------

_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements whose start or end separates blocks; every other element is inline (stays in a block).
_BLOCK = frozenset(
    """address article aside audio blockquote body canvas caption center colgroup dd details dialog
    dir div dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header
    hgroup hr html iframe legend li main menu nav noscript object ol optgroup option p pre section
    select summary table tbody td textarea tfoot th thead title tr ul video base link meta""".split()
)
# Never translated, and neither is anything inside them.
_OPAQUE = frozenset("script style code pre kbd samp textarea svg math template".split())
_KINDS = {
    **{f"h{n}": "heading" for n in range(1, 7)},
    "li": "list-item",
    "td": "table-cell",
    "th": "table-cell",
    "blockquote": "blockquote",
    "title": "title",
    "figcaption": "caption",
    "caption": "caption",
    "dt": "term",
    "dd": "definition",
}
_ATTRIBUTES = ("alt", "title")
# Start tags that implicitly close an open <p> (HTML's "close a p element"), and the scope edges.
_CLOSES_P = frozenset(
    """address article aside blockquote details dialog div dl fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul""".split()
)
_SCOPE = frozenset("html table td th caption button object template".split())

# The stdlib parser's own tag and attribute patterns (html/parser.py), to find value positions.
_TAG_RE = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTR_RE = re.compile(
    r"((?<=['\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*"
    r"('[^']*'|\"[^\"]*\"|(?!['\"])[^>\s]*))?(?:\s|/(?!>))*"
)
_CHARREF_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


class _Event(NamedTuple):
    kind: str  # 'start', 'startend', 'end', 'data', 'ref', 'other'
    start: int
    end: int
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()


class _Elem(NamedTuple):
    tag: str
    frozen: bool  # this element or an ancestor is never translated


class _Attr(NamedTuple):
    span: Span  # the value inside its quotes
    quote: str


class _Run:
    """Inline content collected between two block boundaries: a block if it has text."""

    def __init__(self, kind: str):
        self.kind = kind
        self.start = -1
        self.end = -1
        self.has_text = False
        self.protected: list[Span] = []
        self.attrs: list[_Attr] = []  # alt/title values inside the run

    def add(self, start: int, end: int, *, protect: bool) -> None:
        if self.start < 0:
            self.start = start
        self.end = end
        if protect:
            self.protected.append((start, end))

    def add_tag(self, src: str, start: int, end: int, attrs: list[_Attr]) -> None:
        """An inline tag is markup, except its alt/title values (their character refs stay markup)."""
        self.add(start, end, protect=False)
        self.protected += _minus((start, end), [a.span for a in attrs])
        self.protected += [m.span() for a in attrs for m in _CHARREF_RE.finditer(src, *a.span)]
        self.attrs += attrs

    def draft(self, src: str) -> list[_Draft]:
        if self.has_text:
            pieces = _pieces(src, self.start, self.end)
            return [_Draft(pieces, self.kind, _text_spans(pieces, self.protected))]
        # No text of its own (an image in a <figure>, say): its alt/title are blocks of their own.
        return [_attr_draft(src, a) for a in self.attrs]


def _html_events(src: str, path: str) -> list[_Event]:
    from html.parser import HTMLParser

    lines = _line_starts(src)  # HTMLParser counts lines by "\n" only, as we do
    events: list[_Event] = []

    class Collector(HTMLParser):
        def add(self, kind: str, tag: str = "", attrs: list | None = None) -> None:
            """Record where the construct being reported starts."""
            line, col = self.getpos()
            events.append(_Event(kind, lines[line - 1] + col, -1, tag, tuple(attrs or ())))

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.add("start", tag, attrs)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.add("startend", tag, attrs)

        def handle_endtag(self, tag: str) -> None:
            self.add("end", tag)

        def handle_data(self, data: str) -> None:
            self.add("data")

        def handle_entityref(self, name: str) -> None:
            self.add("ref")

        handle_charref = handle_entityref

        def handle_comment(self, data: str) -> None:
            self.add("other")

        handle_decl = handle_pi = unknown_decl = handle_comment

    parser = Collector(convert_charrefs=False)
    try:
        parser.feed(src)
        parser.close()
    except (AssertionError, ValueError) as e:  # very malformed markup in old Pythons
        raise ToolkitError(f"cannot parse HTML: {e}", path=path) from None
    # An event ends where the next one starts: the partition of the source is exact.
    ends = [e.start for e in events[1:]] + [len(src)] if events else []
    return [e._replace(end=end) for e, end in zip(events, ends, strict=True) if end > e.start]


def _parse_html(src: str, path: str) -> list[_Draft]:
    drafts: list[_Draft] = []
    stack: list[_Elem] = []
    run = _Run("paragraph")
    for ev in _html_events(src, path):
        frozen = bool(stack) and stack[-1].frozen
        if ev.kind in ("start", "startend"):
            _implied_end(stack, ev.tag)
            frozen = bool(stack) and stack[-1].frozen
            elem = _Elem(ev.tag, frozen or ev.tag in _OPAQUE or _no_translate(ev.attrs))
            attrs = [] if elem.frozen else _attr_values(src, ev)
            if ev.tag in _BLOCK:
                drafts += run.draft(src) + [_attr_draft(src, a) for a in attrs]
            else:
                run.add_tag(src, ev.start, ev.end, attrs)
            if ev.kind == "start" and ev.tag not in _VOID:
                stack.append(elem)
        elif ev.kind == "end":
            if ev.tag in _BLOCK:
                drafts += run.draft(src)
            else:
                run.add(ev.start, ev.end, protect=True)
            _close(stack, ev.tag, frozenset())
        elif ev.kind == "data":
            run.add(ev.start, ev.end, protect=frozen)
            run.has_text = run.has_text or not frozen and bool(src[ev.start : ev.end].strip())
        else:  # character references, comments, declarations
            run.add(ev.start, ev.end, protect=True)
        if ev.tag in _BLOCK:  # a new run starts, inside whatever is open now
            run = _Run(_html_kind(stack))
    drafts += run.draft(src)
    merged = (d._replace(protected=_merge(d.protected)) for d in drafts)
    return [d for d in merged if _has_free_text(_join(src, d.pieces), d.protected)]


def _no_translate(attrs: Sequence[tuple[str, str | None]]) -> bool:
    """``translate="no"``, or Google's ``class="notranslate"``."""
    values = dict(attrs)
    translate = (values.get("translate") or "").strip().lower()
    return translate == "no" or "notranslate" in (values.get("class") or "").split()


def _attr_values(src: str, ev: _Event) -> list[_Attr]:
    """Positions of the non-empty translatable attribute values in a start tag."""
    tag = _TAG_RE.match(src, ev.start, ev.end)
    if not tag:
        return []
    out = []
    pos = tag.end()
    while m := _ATTR_RE.match(src, pos, ev.end):
        pos = m.end()
        if m.group(1).lower() in _ATTRIBUTES and m.group(3):
            a, b = m.span(3)
            quote = src[a] if src[a] in "\"'" else ""
            if quote:
                a, b = a + 1, b - 1
            if src[a:b].strip():
                out.append(_Attr((a, b), quote))
    return out


def _attr_draft(src: str, attr: _Attr) -> _Draft:
    pieces = _pieces(src, *attr.span)
    refs = [m.span() for m in _CHARREF_RE.finditer(src, *attr.span)]
    return _Draft(pieces, "attribute", _text_spans(pieces, refs), "attr" + attr.quote)


def _minus(span: Span, holes: Sequence[Span]) -> list[Span]:
    out = []
    pos = span[0]
    for a, b in sorted(holes):
        out.append((pos, a))
        pos = b
    out.append((pos, span[1]))
    return [s for s in out if s[0] < s[1]]


def _html_kind(stack: list[_Elem]) -> str:
    blocks = [e.tag for e in stack if e.tag in _BLOCK]
    tag = blocks[-1] if blocks else "p"
    if tag in ("p", "div") and len(blocks) > 1 and blocks[-2] in _KINDS:
        tag = blocks[-2]  # <li><p>..</p></li> is a list item
    return _KINDS.get(tag, "paragraph")


def _implied_end(stack: list[_Elem], tag: str) -> None:
    """Close elements whose end tag HTML lets authors omit (``<p>a<p>b``, ``<li>a<li>b``)."""
    if tag in _CLOSES_P:
        _close(stack, "p", _SCOPE)
    if tag == "li":
        _close(stack, "li", _SCOPE | {"ul", "ol"})
    elif tag in ("dt", "dd"):
        _close(stack, "dt", _SCOPE | {"dl"})
        _close(stack, "dd", _SCOPE | {"dl"})
    elif tag == "tr":
        _close(stack, "tr", {"table"})
    elif tag in ("td", "th"):
        _close(stack, "td", {"tr", "table"})
        _close(stack, "th", {"tr", "table"})


def _close(stack: list[_Elem], tag: str, scope: frozenset[str] | set[str]) -> None:
    """Pop up to and including the innermost open `tag`, unless a scope edge comes first."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i].tag == tag:
            del stack[i:]
            return
        if stack[i].tag in scope:
            return
