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

Each format (``txt``, ``md``, ``html``) has its own reader module, `toolkit.formats.txt`,
`toolkit.formats.markdown` and `toolkit.formats.html`, whose docstring says what a block is there;
`_SUFFIXES` below is the one place that registers them.

`Block.text` is source -- Markdown or HTML markup as written -- except that character references
standing for non-ASCII characters (``&rsquo;``, ``&nbsp;``) are shown as those characters, so
translators see text, not entities. Bare URLs, e-mail addresses, domains, @handles, #hashtags and
``{{...}}`` template tags are protected like inline markup (`toolkit.formats.spans.TOKEN_RE`).

A translation given to `Document.render` is TEXT with the source block's markup in it: only the
markup restored from the source (its protected spans, `markup_tokens`) stays markup; any other
``<`` or ``&`` a translator or an engine wrote is escaped, so a ``<script>`` in a msgstr cannot
become markup. A translation equal to the block's text gives back the source bytes. What would
break the structure around a block is adjusted too: line breaks in a Markdown heading or table cell
become spaces, a bare ``|`` in a table cell is escaped, and so is an attribute value's own quote
character (an unquoted value gets quotes if it needs them). ``render(..., lang=...)`` also sets the
page's language (HTML ``lang``/``xml:lang``/``dir``, a front matter ``lang``/``language`` key).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from toolkit.errors import ToolkitError
from toolkit.fileio import read_bytes
from toolkit.formats import html, markdown, txt
from toolkit.formats.spans import (
    Draft,
    Span,
    decode_refs,
    has_free_text,
    join_pieces,
    line_starts,
    markup_tokens,
    protect_tokens,
)

Edit = tuple[int, int, str]  # (start, end, replacement) in the BOM-less source

__all__ = ["FORMATS", "Block", "Document", "detect_format", "parse_document", "read_document"]


class _Format(NamedTuple):
    """One input format: the reader that finds its blocks, and how a translation fits in them."""

    name: str
    """What ``--format`` and `Document.format` call it."""
    parse: Callable[[str, str], list[Draft]]
    """``parse(text, path)``: the blocks of a (BOM-less) text; `path` only names it in errors."""
    fit: Callable[[str, str, frozenset[str]], str] | None = None
    """``fit(translation, context, tokens)``: the translation adjusted to its slot (see
    `_Slot.context`), everything but the source markup `tokens` escaped as text."""
    prefix_blank: str = r"\S"
    """What of a line's prefix a new line break in a one-line block turns into spaces."""
    root_lang: Callable[[str, str], list[Edit]] | None = None
    """``root_lang(text, lang)``: the edits that declare the page's language."""
    alternates: Callable[[str, Mapping[str, str]], list[Edit]] | None = None
    """``alternates(text, {lang: url})``: the edits that link the page's language versions."""


_TXT = _Format("txt", txt.parse)
_MD = _Format("md", markdown.parse, markdown.fit, markdown.PREFIX_BLANK, markdown.root_lang)
_HTML = _Format(
    "html", html.parse, html.fit, root_lang=html.root_lang, alternates=html.alternate_links
)

# File suffix -> format: the one place to add a format (or a suffix). The first suffix of each
# format is the one messages suggest.
_SUFFIXES = {
    ".txt": _TXT,
    ".text": _TXT,
    ".md": _MD,
    ".markdown": _MD,
    ".html": _HTML,
    ".htm": _HTML,
}
_BY_NAME = {fmt.name: fmt for fmt in _SUFFIXES.values()}

FORMATS = tuple(_BY_NAME)


def _one_of(names: Sequence[str]) -> str:
    """``'a, b or c'``, for messages."""
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else "".join(names)


def _suggested_suffixes() -> str:
    """The first suffix of each format, as in ``use .txt, .md or .html``."""
    first: dict[str, str] = {}
    for suffix, fmt in _SUFFIXES.items():
        first.setdefault(fmt.name, suffix)
    return _one_of(list(first.values()))


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
    'term', 'definition', 'attribute' or 'metadata' (front matter, ``<meta>`` content)."""
    protected: tuple[Span, ...] = ()
    """Sorted, disjoint ``(start, end)`` spans of `text` that translation must leave as they are."""


class _Slot(NamedTuple):
    """Where a block lives in the source, and what a translation must respect there."""

    pieces: tuple[Span, ...]  # one source span per line of the block text
    context: str = ""  # "line" (md heading), "cell" (md table), 'attr"', "attr'", "attr" (unquoted)
    text: str = ""  # the block's text (a translation equal to it gives back the source)
    tokens: frozenset[str] = frozenset()  # the markup a translation may carry (`markup_tokens`)


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

    def render(
        self,
        translations: Mapping[int, str],
        *,
        lang: str | None = None,
        alternates: Mapping[str, str] | None = None,
    ) -> str:
        """The source with each block whose index is in `translations` replaced by its translation.

        Blocks that are missing (or mapped to None) keep their source text; all text outside blocks
        is kept byte for byte, except that with `lang` the page declares that language (the root
        element's ``lang``, a front matter ``lang`` key), and with `alternates` (language ->
        URL) an HTML page links its language versions (``<link rel="alternate" hreflang>``). A
        translation's line breaks are written with the separators (prefix and line end) of the
        source block's own lines.
        """
        unknown = [i for i in translations if not 0 <= i < len(self.blocks)]
        if unknown:
            raise ValueError(f"no block with index {unknown[0]} in {self.path}")
        edits: list[Edit] = []
        for block in self.blocks:
            slot = self._slots[block.index]
            new = translations.get(block.index)
            if new is not None and new != slot.text:
                edits.append((slot.pieces[0][0], slot.pieces[-1][1], self._fill(slot, new)))
        fmt = _BY_NAME[self.format]
        shift = 1 if self.bom else 0
        if lang and fmt.root_lang is not None:
            edits += [(a + shift, b + shift, v) for a, b, v in fmt.root_lang(self.source[shift:], lang)]
        if alternates and fmt.alternates is not None:
            found = fmt.alternates(self.source[shift:], alternates)
            edits += [(a + shift, b + shift, v) for a, b, v in found]
        out: list[str] = []
        pos = 0
        for start, end, value in sorted(edits, key=lambda e: (e[0], e[1])):
            if start < pos:  # never inside a block (a root tag is not a block)
                continue
            out += [self.source[pos:start], value]
            pos = end
        out.append(self.source[pos:])
        return "".join(out)

    def _fill(self, slot: _Slot, text: str) -> str:
        fmt = _BY_NAME[self.format]
        text = text.replace("\r\n", "\n")
        if fmt.fit is not None:
            text = fmt.fit(text, slot.context, slot.tokens)
        src, pieces = self.source, slot.pieces
        seps = [src[pieces[i - 1][1] : pieces[i][0]] for i in range(1, len(pieces))]
        if not seps:
            # A new line break in a one-line block: indent it under the block's first character
            # (in Markdown, inside the same blockquotes).
            line_start = src.rfind("\n", 0, pieces[0][0]) + 1
            seps = [self.newline + re.sub(fmt.prefix_blank, " ", src[line_start : pieces[0][0]])]
        lines = text.split("\n")
        out = [lines[0]]
        for i, line in enumerate(lines[1:]):
            out += (seps[min(i, len(seps) - 1)], line)
        return "".join(out)


# --------------------------------------------------------------------------------------------
# Reading files


def detect_format(path: str | Path) -> str:
    """'txt', 'md' or 'html' from the file name's extension."""
    suffix = Path(path).suffix.lower()
    try:
        return _SUFFIXES[suffix].name
    except KeyError:
        what = f"extension '{suffix}'" if suffix else "no extension"
        raise ToolkitError(
            f"cannot tell the format from {what}: rename it to end in {_suggested_suffixes()}",
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
    path: str | Path,
    *,
    encoding: str | None = None,
    format: str | None = None,
    front_matter_keys: Sequence[str] | None = None,
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
    doc = parse_document(text, fmt, str(path), front_matter_keys=front_matter_keys)
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
                f"binary file ({what}), not a text article: convert it to {_suggested_suffixes()}",
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


def parse_document(
    text: str,
    format: str,
    path: str = "<string>",
    *,
    front_matter_keys: Sequence[str] | None = None,
) -> Document:
    """Split `text` into blocks.

    Odd input does not fail: what cannot be placed stays verbatim, outside the blocks. Only an
    unknown format, or HTML that the stdlib parser gives up on, raises a ToolkitError. In
    Markdown, `front_matter_keys` [default: title, description, summary] are translated.
    """
    if format not in _BY_NAME:
        raise ToolkitError(f"unknown format '{format}': use {_one_of(FORMATS)}", path=path)
    shift = 1 if text.startswith("\ufeff") else 0
    body = text[shift:]
    if format == "md" and front_matter_keys is not None:
        found = markdown.parse(body, path, front_matter_keys)
    else:
        found = _BY_NAME[format].parse(body, path)
    drafts = sorted(found, key=lambda d: d.pieces[0][0])
    starts = line_starts(body)
    blocks: list[Block] = []
    slots: list[_Slot] = []
    end = 0
    for d in drafts:
        if d.pieces[0][0] < end:  # overlapping blocks cannot be spliced; keep the first
            continue
        if not _visible(body[d.pieces[0][0] : d.pieces[-1][1]]):  # only zero-width characters
            continue
        block_text, protected = decode_refs(join_pieces(body, d.pieces), d.protected, d.refs)
        protected = protect_tokens(block_text, protected)
        if not has_free_text(block_text, protected):  # only a URL, an address ...
            continue
        end = d.pieces[-1][1]
        blocks.append(
            Block(
                index=len(blocks),
                text=block_text,
                line=_line_of(starts, d.pieces[0][0]),
                kind=d.kind,
                protected=protected,
            )
        )
        pieces = tuple((a + shift, b + shift) for a, b in d.pieces)
        tokens = markup_tokens(block_text, protected)
        slots.append(_Slot(pieces, d.context, block_text, tokens))
    crlf = body.count("\r\n")
    newline = "\r\n" if crlf > body.count("\n") - crlf else "\n"
    return Document(path, format, blocks, newline, text, "utf-8", slots)


def _visible(text: str) -> bool:
    """Whether a reader sees anything: not only spaces, zero-width and control characters."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cf", "Cc") for c in text)


def _line_of(line_starts: list[int], offset: int) -> int:
    return bisect_right(line_starts, offset)
