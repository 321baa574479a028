"""Reading articles into blocks and rendering them back (toolkit.formats.document)."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.formats.document import Block, Document, detect_format, parse_document, read_document

from conftest import DOCS, ROOT

ARTICLE_TXT = ROOT / "examples" / "article.txt"
ARTICLE_MD = DOCS / "article.md"
ARTICLE_HTML = DOCS / "article.html"
FIXTURES = [ARTICLE_TXT, ARTICLE_MD, ARTICLE_HTML]


def free_upper(block: Block) -> str:
    """What MT + restore would give if MT uppercased: protected spans untouched."""
    out, pos = [], 0
    for start, end in block.protected:
        out += [block.text[pos:start].upper(), block.text[start:end]]
        pos = end
    out.append(block.text[pos:].upper())
    return "".join(out)


def as_text(block: Block) -> str:
    """What a reader sees of `free_upper(block)` in HTML: markup decoded, free text as written."""
    out, pos = [], 0
    for start, end in block.protected:
        out += [block.text[pos:start].upper(), unescape(block.text[start:end])]
        pos = end
    out.append(block.text[pos:].upper())
    return "".join(out)


def summary(doc: Document) -> list[tuple[int, str, str, list[str]]]:
    return [(b.line, b.kind, b.text, [b.text[s:e] for s, e in b.protected]) for b in doc.blocks]


# --- formats and the example article -----------------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("a.txt", "txt"),
        ("a.text", "txt"),
        ("a.md", "md"),
        ("A.MARKDOWN", "md"),
        ("a.html", "html"),
        ("dir.v2/a.htm", "html"),
    ],
)
def test_detect_format(name: str, fmt: str) -> None:
    assert detect_format(name) == fmt


@pytest.mark.parametrize("name", ["a.pdf", "README", "a.docx"])
def test_detect_format_unknown(name: str) -> None:
    with pytest.raises(ToolkitError, match=r"rename it to end in \.txt, \.md or \.html") as err:
        detect_format(name)
    assert err.value.path == name


def test_example_article_txt() -> None:
    doc = read_document(ARTICLE_TXT)
    assert (doc.format, doc.newline, doc.encoding, doc.bom) == ("txt", "\n", "utf-8", False)
    assert len(doc.blocks) == 22
    assert {b.kind for b in doc.blocks} == {"paragraph"}
    assert [(b.line, b.text) for b in doc.blocks[:3]] == [
        (1, "Upgrading Israel’s “Major Non-NATO Ally”"),
        (3, "Angelos Kaskanis\nCredit: Getty Images"),
        (6, doc.source.splitlines()[5]),
    ]
    # The closing lines: one paragraph of four lines, then the last line without a newline.
    assert doc.blocks[20].line == 42 and doc.blocks[20].text.count("\n") == 3
    assert (doc.blocks[21].line, doc.blocks[21].text) == (47, "Subscribe for Latest Updates")


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_lines_point_at_the_block(path: Path) -> None:
    doc = read_document(path)
    lines = doc.source.split("\n")
    for block in doc.blocks:
        line = lines[block.line - 1]
        assert block.text.split("\n")[0] in (line + unescape(line)), block
        assert [b.index for b in doc.blocks] == list(range(len(doc.blocks)))


# --- Markdown ------------------------------------------------------------------------------

MD_BLOCKS = [
    (2, "metadata", "NATO and Israel", []),
    (6, "heading", "Upgrading Israel's *Major Non-NATO Ally* status", ["*", "*"]),
    (
        8,
        "paragraph",
        'Greece (Brussels Morning) -- **NATO** says [the alliance](https://example.org/nato "NATO'
        ' site")\nhas reached `new_limits` in the *Middle East*.',
        ["**", "**", "[", '](https://example.org/nato "', '")', "`new_limits`", "*", "*"],
    ),
    (11, "heading", "The tip of the spear", []),
    (13, "list-item", "Deploy U.S. troops to **Israel**", ["**", "**"]),
    (14, "list-item", "An anti-missile system called `THAAD`\nwith a radar from Raytheon", ["`THAAD`"]),
    (16, "list-item", "First numbered item", []),
    (
        18,
        "blockquote",
        "Opinions expressed are solely those of the author.\n"
        "We remain committed to *balanced* journalism.",
        ["*", "*"],
    ),
    (28, "paragraph", "An HTML block is kept verbatim.", []),
    (31, "table-cell", "Country", []),
    (31, "table-cell", "Status", []),
    (33, "table-cell", "Israel", []),
    (33, "table-cell", "Partner &amp; ally", ["&amp;"]),
    (
        35,
        "paragraph",
        r"![Map of the *Middle East*](map.png) Escaped \*stars\* and a <span>span</span>.",
        ["![", "*", "*](map.png)", r"\*", r"\*", "<span>", "</span>"],
    ),
    (37, "paragraph", "Read more at <https://example.org/more>.", ["<https://example.org/more>"]),
]


def test_markdown_blocks() -> None:
    doc = read_document(ARTICLE_MD)
    assert doc.format == "md"
    assert summary(doc) == [(line, kind, text, prot) for line, kind, text, prot in MD_BLOCKS]


def test_markdown_verbatim_parts_are_not_blocks() -> None:
    doc = read_document(ARTICLE_MD)
    joined = "\n".join(b.text for b in doc.blocks)
    for kept in ("title: NATO", "tags:", "do not translate this code", "indented code"):
        assert kept not in joined
    assert "An HTML block is kept verbatim." in joined  # a raw HTML block is read as HTML


@pytest.mark.parametrize(
    "source, expected",
    [
        # setext heading over two lines, a "---" that is a heading underline, not front matter
        ("Setext *head*\ning\n=====\n\nPara\n---\n", [(1, "heading", "Setext *head*\ning"),
                                                    (5, "heading", "Para")]),
        # nested list with a lazy continuation line and a second paragraph in the item
        ("- a\n  - nested\n    continued\n\n  second\n", [(1, "list-item", "a"),
                                                      (2, "list-item", "nested\ncontinued"),
                                                      (5, "list-item", "second")]),
        ("> - quoted *list*\n>   cont\n> > nested quote\n", [(1, "list-item", "quoted *list*\ncont"),
                                                          (3, "blockquote", "nested quote")]),
        ("# Head &amp; *x* #####\n", [(1, "heading", "Head &amp; *x*")]),
        ("   # indented\n\n    code block\n", [(1, "heading", "indented")]),
        ("> | a | b |\n> |---|---|\n> | c \\| d | e |\n", [(1, "table-cell", "a"),
                                                         (1, "table-cell", "b"),
                                                         (3, "table-cell", "c \\| d"),
                                                         (3, "table-cell", "e")]),
        ("![](empty-alt.png) <br>\n\n<b>inline html</b>\n", [(3, "paragraph", "<b>inline html</b>")]),
    ],
)
def test_markdown_structures(source: str, expected: list[tuple[int, str, str]]) -> None:
    doc = parse_document(source, "md")
    assert [(b.line, b.kind, b.text) for b in doc.blocks] == expected
    assert doc.render({b.index: b.text for b in doc.blocks}) == source


@pytest.mark.parametrize(
    "source, protected",
    [
        ("[link](<a b>\n'title') after\n", ["[", "](<a b>\n'", "')"]),
        ("[ref][R] and [R] and [R][]\n\n[r]: /u\n", ["[", "][R]", "[", "]", "[", "][]"]),
        ("``code ` tick`` and `` ` `` x\n", ["``code ` tick``", "`` ` ``"]),
        ("[![img](i.png)](http://l) x\n", ["[![", "](i.png)](http://l)"]),
        ("a <span\n  class=x>b</span> c\n", ["<span\nclass=x>", "</span>"]),
        ("hard\\\nbreak  \nend\n", ["\\"]),
        ("~~strike~~ _em_ __strong__.\n", ["~~", "~~", "_", "_", "__", "__"]),
    ],
)
def test_markdown_inline_markup_is_protected(source: str, protected: list[str]) -> None:
    (block,) = parse_document(source, "md").blocks
    assert [block.text[s:e] for s, e in block.protected] == protected


def test_markdown_render_keeps_container_prefixes() -> None:
    source = "> one\n> two\n\n- item\n\n# Head\n\n| a | b |\n|---|---|\n| c | d |\n"
    doc = parse_document(source, "md")
    quote, item, head, *cells = doc.blocks
    out = doc.render(
        {quote.index: "A\nB\nC", item.index: "X\nY", head.index: "H1\nH2", cells[2].index: "p|q"}
    )
    assert out == (
        "> A\n> B\n> C\n\n- X\n  Y\n\n# H1 H2\n\n| a | b |\n|---|---|\n| p\\|q | d |\n"
    )


# --- HTML ----------------------------------------------------------------------------------

HTML_BLOCKS = [
    (5, "title", "NATO &amp; Israel", ["&amp;"]),
    (10, "attribute", "Main headline", []),
    (
        10,
        "heading",
        "Upgrading Israel\u2019s <em>Major Non-NATO Ally</em>",
        ["<em>", "</em>"],
    ),
    (
        11,
        "paragraph",
        'Greece (Brussels Morning), <strong>NATO</strong> says\n<a href="https://example.org/nato"'
        ' title="NATO site">the <b>alliance</b></a> has grown.<br>\nSecond line of the paragraph.',
        ["<strong>", "</strong>", '<a href="https://example.org/nato" title="', '">', "<b>",
         "</b></a>", "<br>"],
    ),
    (15, "attribute", "Map of the Middle East", []),
    (16, "caption", "Tip of the spear", []),
    (
        19,
        "list-item",
        "Deploy troops &amp; a <code>THAAD</code> system",
        ["&amp;", "<code>THAAD</code>"],
    ),
    (
        20,
        "list-item",
        'Brand name <span translate="no">Brussels Morning</span> stays',
        ['<span translate="no">Brussels Morning</span>'],
    ),
    (24, "blockquote", "Opinions are those of the author.", []),
    (26, "table-cell", "Country", []),
    (26, "table-cell", "Israel", []),
]


def test_html_blocks() -> None:
    doc = read_document(ARTICLE_HTML)
    assert doc.format == "html"
    assert summary(doc) == [(line, kind, text, prot) for line, kind, text, prot in HTML_BLOCKS]


def test_html_never_translates_code_scripts_or_translate_no() -> None:
    joined = "\n".join(b.text for b in read_document(ARTICLE_HTML).blocks)
    for kept in ("var headline", "color: red", "Do not translate", "preformatted", "a comment"):
        assert kept not in joined


@pytest.mark.parametrize(
    "source, expected",
    [
        # omitted end tags close paragraphs and list items
        ("<P>One<P>Two<ul><li>a<li>b</ul>", [("paragraph", "One"), ("paragraph", "Two"),
                                             ("list-item", "a"), ("list-item", "b")]),
        ("<dl><dt>Term<dd>Def</dl>", [("term", "Term"), ("definition", "Def")]),
        ("<li><p>In a list</p></li>", [("list-item", "In a list")]),
        ('<p class="x notranslate">no</p><p><span translate="no">only</span></p>', []),
        ("<p>&nbsp;</p><p> <br> </p><p><img src=x.png></p>", []),
        ("<textarea>no</textarea><select><option>Opt</option></select>", [("paragraph", "Opt")]),
        ("loose text, no tags", [("paragraph", "loose text, no tags")]),
        ("<div>Intro <script>x()</script> text</div>", [("paragraph",
                                                        "Intro <script>x()</script> text")]),
        ("<p title='T'>x <abbr title=\"North &amp; Atlantic\">NATO</abbr></p>",
         [("attribute", "T"), ("paragraph", 'x <abbr title="North &amp; Atlantic">NATO</abbr>')]),
    ],
)
def test_html_structures(source: str, expected: list[tuple[str, str]]) -> None:
    doc = parse_document(source, "html")
    assert [(b.kind, b.text) for b in doc.blocks] == expected
    assert doc.render({b.index: b.text for b in doc.blocks}) == source


def test_html_attribute_inside_a_block_is_its_unprotected_part() -> None:
    (block,) = parse_document('<p>x <abbr title="A &amp; B">Y</abbr></p>', "html").blocks
    spans = block.protected
    assert [block.text[s:e] for s, e in spans] == ['<abbr title="', "&amp;", '">', "</abbr>"]
    assert [block.text[spans[i][1] : spans[i + 1][0]] for i in range(3)] == ["A ", " B", "Y"]


@pytest.mark.parametrize(
    "source, translation, expected",
    [
        ('<img alt="map">', 'the "map"', '<img alt="the &quot;map&quot;">'),
        ("<img alt='map'>", "l'atlas", "<img alt='l&#39;atlas'>"),
        ("<img alt=map>", "two words", '<img alt="two words">'),
        ("<img alt=map>", "Karte", "<img alt=Karte>"),
    ],
)
def test_html_attribute_translation_stays_in_its_attribute(
    source: str, translation: str, expected: str
) -> None:
    doc = parse_document(source, "html")
    assert doc.render({0: translation}) == expected


# --- round trips and rendering -------------------------------------------------------------


def variants(text: str) -> dict[str, str]:
    return {
        "lf": text,
        "crlf": text.replace("\n", "\r\n"),
        "bom": "\ufeff" + text,
        "bom-crlf": "\ufeff" + text.replace("\n", "\r\n"),
    }


@pytest.mark.parametrize("variant", ["lf", "crlf", "bom", "bom-crlf"])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_round_trip_is_byte_identical(path: Path, variant: str, tmp_path: Path) -> None:
    text = variants(path.read_text(encoding="utf-8"))[variant]
    copy = tmp_path / path.name
    copy.write_bytes(text.encode("utf-8"))
    doc = read_document(copy)
    assert doc.source == text
    assert doc.newline == ("\r\n" if "crlf" in variant else "\n")
    assert doc.bom == variant.startswith("bom")
    assert doc.render({}).encode("utf-8") == copy.read_bytes()
    assert doc.render({b.index: b.text for b in doc.blocks}).encode("utf-8") == copy.read_bytes()
    # Same blocks whatever the line ends and BOM: texts use "\n", lines are the same.
    plain = read_document(path)
    assert summary(doc) == summary(plain)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_render_changes_only_translatable_text(path: Path) -> None:
    doc = read_document(path)
    upper = {b.index: free_upper(b) for b in doc.blocks}
    out = doc.render(upper)
    assert out != doc.source
    # only the case of some text changed (and character references became characters) ...
    assert unescape(out.lower()) == unescape(doc.source.lower())
    again = parse_document(out, doc.format)
    assert [b.text for b in again.blocks] == list(upper.values())  # ... inside the blocks ...
    back = again.render({b.index: b.text for b in doc.blocks})
    assert unescape(back) == unescape(doc.source)  # ... and only there


def test_render_keeps_code_script_and_style() -> None:
    doc = read_document(ARTICLE_HTML)
    out = doc.render({b.index: free_upper(b) for b in doc.blocks})
    for kept in (
        '<script>var headline = "do not translate"; if (a < b) {}</script>',
        "<style>p { color: red; } /* keep me */</style>",
        "<code>THAAD</code>",
        "<pre>preformatted text stays</pre>",
        '<div translate="no"><p>Do not translate this paragraph.</p></div>',
        '<span translate="no">Brussels Morning</span>',
        '<a href="https://example.org/nato" title="NATO SITE">',
    ):
        assert kept in out
    md = read_document(ARTICLE_MD)
    out = md.render({b.index: free_upper(b) for b in md.blocks})
    for kept in ('print("do not translate this code")', "indented code stays too",
                 "tags: [defence]", "`new_limits`"):
        assert kept in out


def test_render_partial_and_multiline_translations() -> None:
    source = "First para\nline two\r\n\r\n  Second\n"
    doc = parse_document(source, "txt")
    assert doc.newline == "\n"
    assert [b.text for b in doc.blocks] == ["First para\nline two", "Second"]
    assert doc.render({1: "Zweiter\nAbsatz"}) == "First para\nline two\r\n\r\n  Zweiter\n  Absatz\n"
    assert doc.render({0: "Eins"}) == "Eins\r\n\r\n  Second\n"
    assert doc.render({0: "a\nb\nc"}) == "a\nb\nc\r\n\r\n  Second\n"
    with pytest.raises(ValueError, match="index 5"):
        doc.render({5: "x"})


@pytest.mark.parametrize(
    "source, texts",
    [
        ("one\n \t \ntwo\n", ["one", "two"]),  # whitespace-only lines separate paragraphs
        ("\n\n  lead and trail  \n\n\n", ["lead and trail"]),
        ("a\r\nb\r\n\r\nc", ["a\nb", "c"]),
        ("no newline at all", ["no newline at all"]),
    ],
)
def test_txt_paragraphs(source: str, texts: list[str]) -> None:
    doc = parse_document(source, "txt")
    assert [b.text for b in doc.blocks] == texts
    assert doc.render({}) == source
    assert doc.render({b.index: b.text for b in doc.blocks}) == source


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_txt_round_trip_any_text(text: str) -> None:
    doc = parse_document(text, "txt")
    assert doc.render({}) == text
    assert doc.render({b.index: b.text for b in doc.blocks}) == text


MD_PIECES = list("ab #*_`[]()!<>-|\\&:. \n\t") + [
    "\r\n", "> ", "- ", "1. ", "```", "    ", "**", "](u)", "&amp;", "<i>", "|---|", "\ufeff",
]
HTML_PIECES = list("ab <>/=\"'&;#!-\n") + [
    "\r\n", "<p>", "</p>", "<li>", "<em>", "</em>", "<img alt=", " title=", "<script>",
    "</script>", "<code>", "&amp;", "<!--", "-->", ' translate="no"', "<br>", "<div>", "</div>",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(MD_PIECES), max_size=40).map("".join),
    st.lists(st.sampled_from(HTML_PIECES), max_size=40).map("".join),
)
@pytest.mark.slow
def test_markup_round_trip_any_text(md: str, html: str) -> None:
    for text, fmt in ((md, "md"), (html, "html")):
        doc = parse_document(text, fmt)
        assert doc.render({}) == text
        assert doc.render({b.index: b.text for b in doc.blocks}) == text
        upper = {b.index: free_upper(b) for b in doc.blocks}
        # translations are text: a bare '<' or '&' comes back escaped, the same characters
        again = [unescape(b.text) for b in parse_document(doc.render(upper), fmt).blocks]
        expected = [unescape(t) for t in upper.values()] if fmt == "md" else map(as_text, doc.blocks)
        assert again == list(expected)


# --- reading files: encodings and errors ---------------------------------------------------

RUSSIAN = "НАТО заявляет, что альянс вырос.\n\nМинистры обороны встретились в Брюсселе.\n"


def test_cp1251_needs_encoding(tmp_path: Path) -> None:
    path = tmp_path / "ru.txt"
    path.write_bytes(RUSSIAN.encode("cp1251"))
    with pytest.raises(ToolkitError, match="--encoding cp1251") as err:
        read_document(path)
    assert err.value.path == str(path) and err.value.line == 1
    assert str(err.value).startswith(f"{path}:1: not valid UTF-8")
    doc = read_document(path, encoding="cp1251")
    assert doc.encoding == "cp1251"
    assert [b.text for b in doc.blocks] == [
        "НАТО заявляет, что альянс вырос.",
        "Министры обороны встретились в Брюсселе.",
    ]


@pytest.mark.parametrize(
    "text, encoding, guess",
    [
        ("Το ΝΑΤΟ δηλώνει ότι η συμμαχία μεγάλωσε στις Βρυξέλλες.", "cp1253", "cp1253"),
        ("Die NATO erklärt: Grüße aus Brüssel.", "cp1252", "cp1252"),
        ("NATO ittifakın büyüdüğünü açıkladı.", "cp1254", "cp1254"),
        ("NATO said \u201cthe alliance\u201d grew.", "cp1252", "cp1252"),
        ("Привет", "cp1251", None),  # too short to tell from Greek: no guess
    ],
)
def test_legacy_encoding_is_suggested_not_guessed(
    text: str, encoding: str, guess: str | None, tmp_path: Path
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(("Title\n\n" + text).encode(encoding))
    with pytest.raises(ToolkitError, match="not valid UTF-8") as err:
        read_document(path)
    assert err.value.line == 3
    if guess:
        assert f"--encoding {guess}" in str(err.value)
    else:
        assert "pass its encoding with --encoding" in str(err.value)
    assert read_document(path, encoding=encoding).blocks[1].text == text


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "nothing to translate: the file is empty"),
        (b" \n\t\r\n  ", "nothing to translate: the file is blank"),
        (b"\xef\xbb\xbf\n", "nothing to translate"),
        (b"text\nmore\x00binary", "binary file \\(contains NUL bytes\\)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file \\(a PNG image\\)"),
        (b"%PDF-1.7\n%\xe2\xe3", "binary file \\(a PDF document\\)"),
        (b"PK\x03\x04\x14\x00", "binary file \\(a ZIP archive"),
    ],
)
def test_unreadable_files(data: bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    with pytest.raises(ToolkitError, match=message) as err:
        read_document(path)
    assert err.value.path == str(path)


@pytest.mark.parametrize(
    "name, body, message",
    [
        ("code.md", "```\nonly code\n```\n", "no translatable text found in this md file"),
        ("x.html", "<script>x()</script><pre>y</pre>", "no translatable text"),
    ],
)
def test_nothing_translatable(name: str, body: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ToolkitError, match=message):
        read_document(path)


def test_other_read_errors(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="no such file"):
        read_document(tmp_path / "missing.txt")
    with pytest.raises(ToolkitError, match="unknown encoding 'klingon'"):
        (tmp_path / "a.txt").write_text("hi")
        read_document(tmp_path / "a.txt", encoding="klingon")
    with pytest.raises(ToolkitError, match="cannot decode as ascii") as err:
        (tmp_path / "b.txt").write_bytes("ok\n\nnot ascii: é".encode())
        read_document(tmp_path / "b.txt", encoding="ascii")
    assert err.value.line == 3
    with pytest.raises(ToolkitError, match="unknown format 'rtf'"):
        parse_document("x", "rtf")


def test_utf16_with_bom_and_format_override(tmp_path: Path) -> None:
    path = tmp_path / "notes.dat"
    path.write_bytes("# Title\n\nBody".encode("utf-16"))
    doc = read_document(path, format="md")
    assert doc.encoding == "utf-16"
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "Title"), ("paragraph", "Body")]
