"""Publishable pages (issue #15, and #16's "translations are text"): what a translator sees of a
real HTML page or Hugo article, and what a rendered page is, read back by real parsers
(lxml's HTML parser, markdown-it) and by headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html import unescape

import pytest
from lxml import html as lxml_html
from markdown_it import MarkdownIt

from toolkit.formats.document import parse_document, read_document
from toolkit.formats.markup import markup_problems

from conftest import DOCS

PAGE = DOCS / "page.html"
BUNDLES = DOCS / "site" / "content" / "news" / "2026" / "12"
HUGO_YAML = BUNDLES / "01" / "index.md"
HUGO_TOML = BUNDLES / "02" / "index.md"


def texts(doc) -> list[str]:
    return [b.text for b in doc.blocks]


def dom(text: str):
    return lxml_html.document_fromstring(text.encode("utf-8"))


def dom_summary(tree) -> list[tuple[str, dict, str, str]]:
    """Every element in document order: tag, attributes, text and tail (whitespace squeezed)."""
    squeeze = lambda s: " ".join((s or "").split())  # noqa: E731
    return [
        (el.tag, {k: squeeze(v) for k, v in el.attrib.items()}, squeeze(el.text), squeeze(el.tail))
        for el in tree.iter()
    ]


# --- what the translator sees ---------------------------------------------------------------


def test_html_msgids_show_characters_not_character_references() -> None:
    doc = read_document(PAGE)
    assert "Israel\u2019s air defence" in texts(doc)
    assert "By Maria Andreou\u00a0·\u00a02 December 2026" in texts(doc)
    for block in doc.blocks:
        for ref in ("&#8217;", "&nbsp;", "&middot;", "&mdash;", "&copy;", "&rsquo;"):
            assert ref not in block.text, block
    # ASCII references stay as written: their character would be markup
    assert "How Israel\u2019s air defence works &amp; what it costs." in texts(doc)


def test_html_head_metadata_is_translatable_and_technical_meta_is_not() -> None:
    doc = read_document(PAGE)
    meta = [b.text for b in doc.blocks if b.kind == "metadata"]
    assert meta == [
        "How Israel\u2019s air defence works &amp; what it costs.",  # description
        "Israel, air defence, Iron Dome",  # keywords
        "Israel\u2019s air defence",  # og:title
        "How the shield works, layer by layer.",  # og:description
        "Israel\u2019s air defence",  # twitter:title
    ]
    joined = "\n".join(texts(doc))
    for kept in ("width=device-width", "summary_large_image", "air-defence", "pageName", "font-weight"):
        assert kept not in joined


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Write to corrections@example.org today.", ["corrections@example.org"]),
        ("See https://example.org/a_b?x=1 for more.", ["https://example.org/a_b?x=1"]),
        ("Visit example.org/corrections or www.example.gr.", ["example.org/corrections", "www.example.gr"]),
        ("Follow @BrusselsMorning and #IronDome now.", ["@BrusselsMorning", "#IronDome"]),
        ("Hello {{ .Title }} and {{< figure src=x >}} here.", ["{{ .Title }}", "{{< figure src=x >}}"]),
    ],
)
@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_bare_urls_addresses_handles_and_template_tags_are_protected(fmt, text, tokens) -> None:
    source = f"<p>{text}</p>" if fmt == "html" else text + "\n"
    (block,) = parse_document(source, fmt).blocks
    assert [block.text[a:b] for a, b in block.protected if not block.text[a:b].startswith("<")] == tokens


def test_front_matter_values_are_blocks_and_every_other_key_stays() -> None:
    yaml_doc, toml_doc = read_document(HUGO_YAML), read_document(HUGO_TOML)
    assert [(b.line, b.kind, b.text) for b in yaml_doc.blocks[:2]] == [
        (2, "metadata", "Israel's air defence, layer by layer"),
        (3, "metadata", "How the shield works and what it costs"),
    ]
    assert [(b.line, b.text) for b in toml_doc.blocks[:2]] == [
        (2, "A second day of talks"), (3, "Ministers met again in Brussels"),
    ]
    joined = "\n".join(texts(yaml_doc) + texts(toml_doc))
    for kept in ("2026-12-01", "air-defence", "defence, israel", "nato", "false"):
        assert kept not in joined
    only = parse_document("---\ntitle: A\nsubtitle: B\n---\n\nText.\n", "md", front_matter_keys=["subtitle"])
    assert texts(only) == ["B", "Text."]


def test_markdown_link_and_image_titles_and_raw_html_blocks_are_text() -> None:
    doc = read_document(HUGO_YAML)
    para = next(b for b in doc.blocks if "three layers" in b.text)
    free = [para.text[a:b] for a, b in zip([0] + [e for _, e in para.protected],
                                              [s for s, _ in para.protected] + [len(para.text)], strict=True)]
    assert "The three layers explained" in free
    assert "Israel\u2019s air defence has " in free  # &rsquo; shown as its character
    image = next(b for b in doc.blocks if b.text.startswith("!["))
    assert "Iron Dome battery near Sderot" in unescape(image.text)
    assert "An HTML block inside Markdown." in texts(doc)


# --- rendering -------------------------------------------------------------------------------


def test_untranslated_html_render_is_dom_equivalent_to_the_source() -> None:
    doc = read_document(PAGE)
    copied = doc.render({b.index: b.text for b in doc.blocks})
    assert copied == doc.source  # identical text gives back the source bytes
    # ... and a msgstr typed with characters (as the translator sees it) is the same DOM
    edited = doc.render({b.index: b.text + " " for b in doc.blocks})
    assert dom_summary(dom(edited)) == dom_summary(dom(doc.source))


def test_rendered_html_declares_the_target_language_with_translated_metadata() -> None:
    doc = read_document(PAGE)
    greek = {b.index: "Ελληνικό κείμενο" for b in doc.blocks if b.kind in ("metadata", "title")}
    tree = dom(doc.render(greek, lang="el", alternates={"en": "https://x.org/en/", "el": "https://x.org/el/"}))
    root = tree.getroottree().getroot()
    assert root.get("lang") == "el" and root.get("{http://www.w3.org/XML/1998/namespace}lang", "el") == "el"
    assert root.get("dir") == "ltr"
    assert tree.xpath("//meta[@name='description']/@content") == ["Ελληνικό κείμενο"]
    assert tree.xpath("//meta[@property='og:title']/@content") == ["Ελληνικό κείμενο"]
    assert tree.xpath("//link[@rel='alternate']/@hreflang") == ["en", "el"]
    arabic = dom(doc.render({}, lang="ar")).getroottree().getroot()
    assert (arabic.get("lang"), arabic.get("dir")) == ("ar", "rtl")
    bare = parse_document("<html><body><p>Hello there.</p></body></html>", "html")
    assert bare.render({}, lang="el").startswith('<html lang="el">')


def test_front_matter_renders_valid_scalars_and_sets_the_language() -> None:
    import tomllib

    yaml = pytest.importorskip("yaml")

    doc = read_document(HUGO_YAML)
    out = doc.render({0: 'Η "αεράμυνα": στρώμα # 1', 1: "Πώς δουλεύει"}, lang="el")
    front = yaml.safe_load(out.split("---\n")[1])
    assert front["title"] == 'Η "αεράμυνα": στρώμα # 1' and front["description"] == "Πώς δουλεύει"
    assert front["lang"] == "el" and front["slug"] == "air-defence" and front["draft"] is False
    assert out.split("---\n")[1].splitlines()[2:4] == doc.source.split("---\n")[1].splitlines()[2:4]
    toml_doc = read_document(HUGO_TOML)
    out = toml_doc.render({0: 'Δεύτερη "μέρα"', 1: "Ξανά"}, lang="el")
    front = tomllib.loads(out.split("+++\n")[1])
    assert front == {"title": 'Δεύτερη "μέρα"', "summary": "Ξανά", "date": front["date"],
                     "language": "el", "tags": ["nato"]}


def _structure(text: str) -> list[tuple[str, str]]:
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    out = []
    for tok in tokens:
        out.append((tok.type, tok.tag))
        out += [(child.type, child.tag) for child in tok.children or []]
    return out


def test_translated_markdown_keeps_its_structure() -> None:
    for path in (HUGO_YAML, HUGO_TOML, DOCS / "article.md"):
        doc = read_document(path)
        pseudo = {}
        for b in doc.blocks:
            out, pos = [], 0
            for a, e in b.protected:
                out += [b.text[pos:a].swapcase(), b.text[a:e]]
                pos = e
            pseudo[b.index] = "".join(out + [b.text[pos:].swapcase()])
        rendered = doc.render(pseudo, lang="el")
        assert _structure(rendered) == _structure(doc.source), path


# --- translations are text (#16) -------------------------------------------------------------

HOSTILE = [
    '<script>document.body.setAttribute("data-pwned", "1")</script>Η αεράμυνα',
    '<img src="x" onerror="document.body.setAttribute(\'data-pwned\', \'1\')">Η αεράμυνα',
    'Η αεράμυνα" onmouseover="alert(1)',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_a_msgstr_cannot_add_markup_to_an_html_page(payload: str) -> None:
    doc = read_document(PAGE)
    out = doc.render({b.index: payload for b in doc.blocks}, lang="el")
    tree = dom(out)
    assert len(tree.xpath("//script")) == 1  # the page's own
    assert not tree.xpath("//img[@onerror]") and not tree.xpath("//*[@onmouseover]")
    assert tree.xpath("//h1")[0].text_content() == payload  # shown as the text it is
    assert tree.xpath("//meta[@name='description']/@content") == [payload]


def test_a_msgstr_cannot_add_raw_html_to_a_markdown_page() -> None:
    doc = read_document(HUGO_YAML)
    out = doc.render({b.index: HOSTILE[1] for b in doc.blocks if b.kind != "metadata"})
    html_out = MarkdownIt("commonmark").render(out.split("---\n", 2)[2])
    assert "<img src=\"x\" onerror" not in html_out and "&lt;img" in html_out


def test_the_source_markup_of_a_block_stays_markup_in_its_translation() -> None:
    (block,) = parse_document('<p>See <a href="/x">the list</a> &amp; more.</p>', "html").blocks
    doc = parse_document('<p>See <a href="/x">the list</a> &amp; more.</p>', "html")
    assert doc.render({0: 'Δείτε &amp; <a href="/x">τη λίστα</a> & <b>'}) == (
        '<p>Δείτε &amp; <a href="/x">τη λίστα</a> &amp; &lt;b&gt;</p>'
    )
    assert block.text == 'See <a href="/x">the list</a> &amp; more.'


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("chromium"), reason="needs chromium")
def test_chromium_reads_the_target_language_and_runs_no_injected_script(tmp_path) -> None:
    doc = read_document(PAGE)
    out = doc.render({b.index: HOSTILE[i % 2] for i, b in enumerate(doc.blocks)}, lang="el")
    page = tmp_path / "page.el.html"
    page.write_text(out, encoding="utf-8")
    (tmp_path / "probe.html").write_text(
        '<!DOCTYPE html><html><body><iframe id="f" src="page.el.html"></iframe><script>'
        'document.getElementById("f").onload = function () {'
        ' var d = this.contentDocument; document.body.setAttribute("data-lang", d.documentElement.lang);'
        ' document.body.setAttribute("data-pwned", d.body.getAttribute("data-pwned") || "no"); };'
        "</script></body></html>",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
         "--virtual-time-budget=3000", "--dump-dom", (tmp_path / "probe.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    body = dom(result.stdout).xpath("//body")[0]
    assert body.get("data-lang") == "el", result.stdout[-2000:]
    assert body.get("data-pwned") == "no"


# --- the markup check ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "msgstr, problem",
    [
        ('Δείτε <a href="/x">τη λίστα.', "missing '</a>'"),
        ('Δείτε <a href="/x>τη λίστα</a>.', "missing '<a href=\"/x\">'"),
        ('Δείτε <a href="/x">τη λίστα</a><script>x()</script>.', "not in the source: '<script>'"),
        ('Δείτε <a href="/x">τη λίστα</a> στο desk@example.org.', "missing 'corrections@example.org'"),
        ('Δείτε <a href="/x">τη λίστα</a> corrections@example.org &amp; <b', "broken tag"),
    ],
)
def test_markup_problems_name_what_a_msgstr_broke(msgstr: str, problem: str) -> None:
    msgid = 'See <a href="/x">the list</a> at corrections@example.org.'
    if "&amp;" in msgstr:
        msgid = msgid[:-1] + " &amp; more."
    assert any(problem in p for p in markup_problems(msgid, msgstr)), markup_problems(msgid, msgstr)
    assert markup_problems(msgid, msgid) == []
