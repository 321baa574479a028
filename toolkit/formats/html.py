"""HTML articles, read with the stdlib `html.parser` and source offsets.

A block is a run of inline content (text and inline elements such as ``a``, ``em``, ``br``) inside
a block-level element (``p``, ``h1``, ``li``, ``td``, ``blockquote``, ``figcaption``, ``title``
...). Nothing inside ``script``, ``style``, ``code``, ``pre``, ``kbd``, ``samp``, ``textarea``,
``svg``, ``math``, ``template`` or an element with ``translate="no"`` (or class ``notranslate``) is
translated; inline ones of those stay in the surrounding block as protected spans. Tags, comments
and character references are protected too. ``alt`` and ``title`` values are their own
``attribute`` blocks, except on an inline element inside a block, where they stay in the block's
text as its unprotected part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from toolkit.errors import ToolkitError
from toolkit.formats.spans import (
    Draft,
    Span,
    has_free_text,
    join_pieces,
    line_pieces,
    line_starts,
    merge_spans,
)

__all__ = ["fit", "parse"]


def fit(text: str, context: str) -> str:
    """Keep a translated attribute value (context ``attr`` plus its quote) inside its attribute."""
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

    def draft(self, src: str) -> list[Draft]:
        if self.has_text:
            pieces = line_pieces(src, self.start, self.end)
            return [Draft(pieces, self.kind, _text_spans(pieces, self.protected))]
        # No text of its own (an image in a <figure>, say): its alt/title are blocks of their own.
        return [_attr_draft(src, a) for a in self.attrs]


def _html_events(src: str, path: str) -> list[_Event]:
    from html.parser import HTMLParser

    lines = line_starts(src)  # HTMLParser counts lines by "\n" only, as we do
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


def parse(src: str, path: str) -> list[Draft]:
    drafts: list[Draft] = []
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
    merged = (d._replace(protected=merge_spans(d.protected)) for d in drafts)
    return [d for d in merged if has_free_text(join_pieces(src, d.pieces), d.protected)]


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


def _attr_draft(src: str, attr: _Attr) -> Draft:
    pieces = line_pieces(src, *attr.span)
    refs = [m.span() for m in _CHARREF_RE.finditer(src, *attr.span)]
    return Draft(pieces, "attribute", _text_spans(pieces, refs), "attr" + attr.quote)


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
    return merge_spans(mapped)
