"""Markdown articles: CommonMark (plus GFM tables and strikethrough) parsed by markdown-it-py.

Blocks are headings, paragraphs, list items, blockquotes and table cells; a raw HTML block is
read as HTML (`toolkit.formats.html`). Code blocks and link reference definitions are kept
verbatim. In a leading YAML (``---``) or TOML
(``+++``) front matter the values of `FRONT_MATTER_KEYS` (``title``, ``description``,
``summary``) are ``metadata`` blocks; every other key stays byte for byte, and `root_lang` sets a
``lang``/``language`` key to the target language. Inline markup stays in the block text and is
recorded in `Block.protected`: emphasis markers, ``[``, ``](url "title")``, inline code, inline
HTML, ASCII entities and backslash escapes; other entities (``&rsquo;``) are shown as their
characters (`Draft.refs`). Image alt text stays translatable. A translation is text: a ``<``
outside the source's markup is escaped (`fit`), so raw HTML cannot come in through a msgstr.

markdown-it gives each block's text but not where it is, so every block is found again in the
source (what cannot be placed stays verbatim, outside the blocks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from toolkit.formats import html
from toolkit.formats.spans import (
    Draft,
    Span,
    decodable,
    escape_outside,
    has_free_text,
    join_pieces,
    line_starts,
    merge_spans,
    trim,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["FRONT_MATTER_KEYS", "PREFIX_BLANK", "fit", "parse", "root_lang"]

FRONT_MATTER_KEYS = ("title", "description", "summary")
"""Front matter keys whose values are translated (the rest are kept byte for byte)."""

_LANG_KEYS = ("lang", "language")
_FRONT_MATTER_RE = re.compile(
    r"(---|\+\+\+)[ \t]*\r?\n(?:.*\n)*?(?:\1|(?<=-)\.\.\.)[ \t]*(?:\r?\n|$)"
)
# key: value (YAML) or key = value (TOML) on a top-level line; the value quoted or plain.
_FM_LINE_RE = re.compile(
    r"^(?P<key>[A-Za-z_][\w-]*)[ \t]*(?P<sep>[:=])[ \t]*"
    r"(?:\"(?P<dq>(?:[^\"\\\n]|\\.)*)\"|'(?P<sq>[^'\n]*)'|(?P<plain>[^\s\"'\[\]{}&*!|>%@#`][^\n]*?))"
    r"[ \t]*(?:[ \t]#[^\n]*)?\r?$",
    re.M,
)
_TEXT_ESCAPES = str.maketrans({"<": "&lt;"})

# A line break that a translation adds to a one-line block is indented under the block's first
# character, inside the same blockquotes: these characters of the line's prefix become spaces.
PREFIX_BLANK = r"[^\s>]"


def fit(text: str, context: str, tokens: frozenset[str] = frozenset()) -> str:
    """Keep a translation from breaking the structure around its block: a heading (context
    ``line``) or table cell (``cell``) stays on one line, and a bare ``|`` in a cell is escaped;
    a front matter value (``yaml``/``toml`` plus its quote) stays one valid scalar. In the body,
    a ``<`` that is not the source's markup (`tokens`) is escaped."""
    if context.startswith("html:"):  # a block of a raw HTML block
        return html.fit(text, context[5:], tokens)
    if context.startswith(("yaml", "toml")):
        return _fit_scalar(" ".join(part.strip() for part in text.split("\n")), context)
    text = escape_outside(text, tokens, _TEXT_ESCAPES)
    if context in ("line", "cell"):
        text = " ".join(part.strip() for part in text.split("\n"))
    if context == "cell":
        text = re.sub(r"(?<!\\)\|", r"\\|", text)
    return text


def _fit_scalar(text: str, context: str) -> str:
    quote = context[4:]
    if quote == '"':
        return text.replace("\\", "\\\\").replace('"', '\\"')
    if quote == "'":
        return text.replace("'", "''") if context.startswith("yaml") else text.replace("'", "\u2019")
    if not text or re.search(r": | #|^[\s\"'\[\]{}&*!|>%@#`,?:-]|\s$", text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _front_matter(src: str) -> re.Match[str] | None:
    return _FRONT_MATTER_RE.match(src)


def _front_matter_values(src: str, keys: tuple[str, ...]) -> list[tuple[str, Span, str]]:
    """``(key, value span, context)`` of the top-level scalar values of `keys` in the front matter."""
    fm = _front_matter(src)
    if not fm:
        return []
    toml = fm.group(1) == "+++"
    out = []
    for m in _FM_LINE_RE.finditer(src, fm.end(1), fm.end()):
        if m.group("key").lower() not in keys or (m.group("sep") == "=") != toml:
            continue
        for group, quote in (("dq", '"'), ("sq", "'"), ("plain", "")):
            if m.group(group) is not None:
                if toml and not quote:
                    break  # a TOML number, date or array: not text
                out.append((m.group("key").lower(), m.span(group), ("toml" if toml else "yaml") + quote))
                break
    return out


def _front_matter_drafts(src: str, keys: tuple[str, ...]) -> list[Draft]:
    return [
        Draft(((a, b),), "metadata", (), context)
        for _, (a, b), context in _front_matter_values(src, keys)
        if src[a:b].strip()
    ]


def root_lang(src: str, lang: str) -> list[tuple[int, int, str]]:
    """Edits ``(start, end, replacement)`` that set a front matter ``lang``/``language`` key."""
    return [(a, b, lang) for _, (a, b), _ in _front_matter_values(src, _LANG_KEYS)]


class _Unplaced(Exception):
    """markdown-it's view of a block could not be found in the source (left verbatim)."""


def parse(src: str, path: str, front_matter_keys: Sequence[str] = FRONT_MATTER_KEYS) -> list[Draft]:
    from markdown_it import MarkdownIt

    # markdown-it turns lone CR into line breaks and NUL into U+FFFD: do the same at the same
    # length, so its lines and text match ours. Front matter becomes blank lines.
    feed = re.sub(r"\r(?!\n)", " ", src).replace("\x00", "\ufffd")
    feed = _blank_front_matter(feed)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("text_join")
    tokens = md.parse(feed)
    lines = line_starts(feed)
    containers: list[str] = []
    row_cursor: dict[int, int] = {}
    drafts = _front_matter_drafts(src, tuple(k.lower() for k in front_matter_keys))
    for i, tok in enumerate(tokens):
        if tok.type in ("blockquote_open", "list_item_open"):
            containers.append(tok.type)
        elif tok.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif tok.type == "html_block" and tok.map:
            drafts += _html_block_drafts(src, feed, lines, tok.map, path)
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
            refs: list[Span] = []
            view = join_pieces(feed, pieces)
            try:
                _MdSpans(view, protected, refs).walk(tok.children or [])
            except _Unplaced:
                pass  # keep the spans found so far; the text itself is right
            spans = merge_spans(protected)
            if has_free_text(view, spans):
                drafts.append(Draft(pieces, kind, spans, context, tuple(refs)))
    return drafts


def _html_block_drafts(src: str, feed: str, lines: list[int], where: list[int], path: str) -> list[Draft]:
    """A raw HTML block is HTML: its blocks, read by `toolkit.formats.html`, in source offsets."""
    start = lines[where[0]]
    end = lines[where[1]] if where[1] < len(lines) else len(feed)
    try:
        found = html.parse(src[start:end], path)
    except Exception:  # HTML the stdlib parser gives up on stays verbatim, as before
        return []

    def moved(spans: tuple[Span, ...]) -> tuple[Span, ...]:
        return tuple((a + start, b + start) for a, b in spans)

    return [d._replace(pieces=moved(d.pieces), context="html:" + d.context) for d in found]


def _md_kind(containers: list[str]) -> str:
    if not containers:
        return "paragraph"
    return "list-item" if containers[-1] == "list_item_open" else "blockquote"


def _blank_front_matter(feed: str) -> str:
    m = _front_matter(feed)
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
        start, end = trim(feed, *_line_span(feed, lines, n))
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

    def __init__(self, text: str, spans: list[Span], refs: list[Span] | None = None):
        self.text = text
        self.spans = spans
        self.refs = [] if refs is None else refs
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
            elif kind == "text_special" and tok.info == "entity" and decodable(tok.markup):
                self.refs.append(self._find(tok.markup))
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
        title_span: Span | None = None  # a link or image title is text for the translator
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
                        if text[p + 1 : title.pos - 1].strip():
                            title_span = (p + 1, title.pos - 1)
                        p = _skip_ws(text, title.pos)
                    if text.startswith(")", p):
                        end = p + 1
                    else:
                        title_span = None
        if end == pos and text.startswith("[", pos):
            close = text.find("]", pos + 1)
            end = close + 1 if close >= 0 else pos
        if title_span:
            self.spans += [(start, title_span[0]), (title_span[1], end)]
        else:
            self.spans.append((start, end))
        self.pos = end


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n":
        pos += 1
    return pos
