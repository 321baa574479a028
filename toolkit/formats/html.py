"""HTML articles, read with the stdlib `html.parser` and source offsets.

A block is a run of inline content (text and inline elements such as ``a``, ``em``, ``br``) inside
a block-level element (``p``, ``h1``, ``li``, ``td``, ``blockquote``, ``figcaption``, ``title``
...). Nothing inside ``script``, ``style``, ``code``, ``pre``, ``kbd``, ``samp``, ``textarea``,
``svg``, ``math``, ``template`` or an element with ``translate="no"`` (or class ``notranslate``) is
translated; inline ones of those stay in the surrounding block as protected spans. Tags, comments
and character references that stand for ASCII characters (``&amp;``, ``&lt;``) are protected too;
every other character reference (``&rsquo;``, ``&nbsp;``) is shown to the translator as its
character (`Draft.refs`), as Translate Toolkit's html2po does. ``alt`` and ``title`` values are
their own ``attribute`` blocks, except on an inline element inside a block, where they stay in the
block's text as its unprotected part. The ``content`` of ``<meta>`` description and keywords, Open
Graph and Twitter card texts are ``metadata`` blocks.

A translation is text: only the markup of its source block (`markup_tokens`) stays markup in it;
any other ``<``, ``>`` or ``&`` is escaped (`fit`), so a ``<script>`` in a msgstr shows as text.
`root_lang` sets ``lang``, ``xml:lang`` and ``dir`` of the root element to the target language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from toolkit.errors import ToolkitError
from toolkit.formats.spans import (
    Draft,
    Span,
    decodable,
    escape_outside,
    has_free_text,
    join_pieces,
    line_pieces,
    line_starts,
    merge_spans,
)

__all__ = ["RTL_LANGUAGES", "alternate_links", "fit", "parse", "root_lang"]

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
RTL_LANGUAGES = frozenset("ar arc ckb dv fa he ps sd ug ur yi".split())
"""Languages written right to left: their pages get ``dir="rtl"``."""


def fit(text: str, context: str, tokens: frozenset[str] = frozenset()) -> str:
    """A translation as HTML: its text escaped except the source block's markup (`tokens`), and
    an attribute value (context ``attr`` plus its quote) kept inside its attribute."""
    text = escape_outside(text, tokens, _TEXT_ESCAPES)
    if context.startswith("attr"):
        text = _quote_attribute(text, context[4:])
    return text


def alternate_links(src: str, urls: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """An edit that adds ``<link rel="alternate" hreflang="LANG" href="URL">`` for each language
    version at the end of ``<head>`` (nothing when the page has no ``</head>``)."""
    import html as html_lib

    end = re.search(r"</head\s*>", src, re.I)
    if not end or not urls:
        return []
    line_start = src.rfind("\n", 0, end.start()) + 1
    indent = src[line_start : end.start()] if not src[line_start : end.start()].strip() else ""
    newline = "\r\n" if "\r\n" in src else "\n"
    links = "".join(
        f'{indent}  <link rel="alternate" hreflang="{html_lib.escape(lang)}" '
        f'href="{html_lib.escape(url)}">{newline}'
        for lang, url in urls.items()
    )
    at = line_start if indent or line_start == end.start() else end.start()
    return [(at, at, links)]


def root_lang(src: str, lang: str) -> list[tuple[int, int, str]]:
    """Edits ``(start, end, replacement)`` that set the root ``<html>`` element's ``lang`` (and
    ``xml:lang``, ``dir`` where present; ``dir="rtl"`` added for a right-to-left language)."""
    direction = "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"
    for ev in _html_events(src, "<string>"):
        if ev.kind not in ("start", "startend"):
            continue
        if ev.tag != "html":
            return []  # no explicit root element: nothing to set
        tag = _TAG_RE.match(src, ev.start, ev.end)
        if not tag:
            return []
        edits: list[tuple[int, int, str]] = []
        seen: set[str] = set()
        pos = tag.end()
        while m := _ATTR_RE.match(src, pos, ev.end):
            pos = m.end()
            name = m.group(1).lower()
            value = {"lang": lang, "xml:lang": lang, "dir": direction}.get(name)
            if value is None or name in seen:
                continue
            seen.add(name)
            if m.group(3):
                a, b = m.span(3)
                if src[a] in "\"'":
                    a, b = a + 1, b - 1
                edits.append((a, b, value))
            else:
                edits.append((m.end(1), m.end(1), f'="{value}"'))
        added = "" if "lang" in seen else f' lang="{lang}"'
        if "dir" not in seen and direction == "rtl":
            added += ' dir="rtl"'
        if added:
            name_end = ev.start + 1 + len("html")
            edits.append((name_end, name_end, added))
        return sorted(edits)
    return []


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
# <meta name=...> / <meta property=...> whose content is text for readers (and search engines).
_META = frozenset(
    """description keywords og:title og:description og:image:alt og:site_name twitter:title
    twitter:description twitter:image:alt""".split()
)
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
        self.refs: list[Span] = []  # character references shown as characters
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
        for a in attrs:
            for m in _CHARREF_RE.finditer(src, *a.span):
                (self.refs if decodable(m.group()) else self.protected).append(m.span())
        self.attrs += attrs

    def draft(self, src: str) -> list[Draft]:
        if self.has_text:
            pieces = line_pieces(src, self.start, self.end)
            refs = _text_spans(pieces, self.refs, merge=False)
            return [Draft(pieces, self.kind, _text_spans(pieces, self.protected), refs=refs)]
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
            if ev.tag == "meta" and not elem.frozen and _is_text_meta(ev.attrs):
                attrs = _attr_values(src, ev, ("content",))
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
            data = _MARKUP_CHARS.sub("", src[ev.start : ev.end])
            run.has_text = run.has_text or not frozen and bool(data.strip())
        elif ev.kind == "ref" and not frozen and decodable(src[ev.start : ev.end]):
            run.add(ev.start, ev.end, protect=False)
            run.refs.append((ev.start, ev.end))
        else:  # character references, comments, declarations
            run.add(ev.start, ev.end, protect=True)
        if ev.tag in _BLOCK:  # a new run starts, inside whatever is open now
            run = _Run(_html_kind(stack))
    drafts += run.draft(src)
    merged = (d._replace(protected=merge_spans(d.protected)) for d in drafts)
    return [d for d in merged if has_free_text(join_pieces(src, d.pieces), d.protected)]


# A bare '&', '<' or '>' is what a kept reference (&amp; &lt; &gt;) stands for: alone it makes a
# run no more text than the reference does, so a page and its re-rendering parse the same way.
_MARKUP_CHARS = re.compile(r"[&<>]")


def _no_translate(attrs: Sequence[tuple[str, str | None]]) -> bool:
    """``translate="no"``, or Google's ``class="notranslate"``."""
    values = dict(attrs)
    translate = (values.get("translate") or "").strip().lower()
    return translate == "no" or "notranslate" in (values.get("class") or "").split()


def _is_text_meta(attrs: Sequence[tuple[str, str | None]]) -> bool:
    values = {k.lower(): (v or "").strip().lower() for k, v in attrs}
    return values.get("name", values.get("property", "")) in _META


def _attr_values(src: str, ev: _Event, names: Sequence[str] = _ATTRIBUTES) -> list[_Attr]:
    """Positions of the non-empty translatable attribute values in a start tag."""
    tag = _TAG_RE.match(src, ev.start, ev.end)
    if not tag:
        return []
    out = []
    pos = tag.end()
    while m := _ATTR_RE.match(src, pos, ev.end):
        pos = m.end()
        if m.group(1).lower() in names and m.group(3):
            a, b = m.span(3)
            quote = src[a] if src[a] in "\"'" else ""
            if quote:
                a, b = a + 1, b - 1
            if src[a:b].strip():
                out.append(_Attr((a, b), quote))
    return out


def _attr_draft(src: str, attr: _Attr) -> Draft:
    pieces = line_pieces(src, *attr.span)
    found = [m.span() for m in _CHARREF_RE.finditer(src, *attr.span)]
    keep = [s for s in found if not decodable(src[s[0] : s[1]])]
    shown = [s for s in found if decodable(src[s[0] : s[1]])]
    kind = "metadata" if _is_meta_content(src, attr) else "attribute"
    return Draft(
        pieces, kind, _text_spans(pieces, keep), "attr" + attr.quote,
        refs=_text_spans(pieces, shown, merge=False),
    )


def _is_meta_content(src: str, attr: _Attr) -> bool:
    """Whether an attribute value is the ``content`` of a ``<meta>`` tag."""
    tag_start = src.rfind("<", 0, attr.span[0])
    return src[tag_start : tag_start + 5].lower() == "<meta"


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


def _text_spans(
    pieces: Sequence[Span], spans: Sequence[Span], *, merge: bool = True
) -> tuple[Span, ...]:
    mapped = []
    for a, b in spans:
        ta, tb = _text_offset(pieces, a, is_end=False), _text_offset(pieces, b, is_end=True)
        if ta < tb:
            mapped.append((ta, tb))
    return merge_spans(mapped) if merge else tuple(sorted(mapped))
