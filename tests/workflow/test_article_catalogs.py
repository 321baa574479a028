"""One catalog per article (issue #15): domains from the path, collisions refused before anything
is written, folders walked, output names for static site generators, and `render` refusing a page
whose msgstr broke its markup."""

from __future__ import annotations

import shutil

import polib
import pytest

from toolkit.errors import ToolkitError
from toolkit.workflow.articles import (
    alternate_urls,
    article_domains,
    check_output_paths,
    discover_articles,
    output_path,
)

from conftest import DOCS, run_cli

SITE = DOCS / "site" / "content"


def _catalog(locales, domain, source):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Hello.", msgstr="", occurrences=[(str(source), "1")]))
    locales.mkdir(parents=True, exist_ok=True)
    po.save(str(locales / f"{domain}.pot"))


def test_two_index_md_get_their_own_domains(tmp_path) -> None:
    found = discover_articles([str(SITE / "news" / "**" / "*.md")])
    assert [p.relative_to(SITE).as_posix() for p in found] == [
        "news/2026/12/01/index.md", "news/2026/12/02/index.md",
    ]
    domains = article_domains(found, tmp_path / "locales", project=SITE / "news")
    assert domains == ["2026-12-01-index", "2026-12-02-index"]
    assert article_domains(found[:1], tmp_path / "locales") == ["index"]  # alone: its stem


def test_a_catalog_of_another_source_file_is_never_reused(tmp_path) -> None:
    locales = tmp_path / "locales"
    md, page = tmp_path / "article.md", tmp_path / "article.html"
    _catalog(locales, "article", md)
    assert article_domains([md], locales, project=tmp_path) == ["article"]  # its own catalog
    assert article_domains([page], locales, project=tmp_path) == ["article-html"]
    with pytest.raises(ToolkitError, match="belong to .*article.md: choose another --domain"):
        article_domains([page], locales, ["article"], project=tmp_path)
    with pytest.raises(ToolkitError, match="share the catalog domain 'x'"):
        article_domains([md, page], locales, ["x", "x"])


def test_output_layouts_for_static_site_generators(tmp_path) -> None:
    src = SITE / "news" / "2026" / "12" / "01" / "index.md"
    out = tmp_path / "out"
    kw = {"domain": "2026-12-01-index", "project": SITE}
    assert output_path(src, out, "el", **kw) == out / "2026-12-01-index.el.md"
    assert output_path(src, out, "el", layout="bundle", **kw) == out / "news/2026/12/01/index.el.md"
    assert output_path(src, out, "el", layout="folders", **kw) == out / "el/news/2026/12/01/index.md"
    with pytest.raises(ToolkitError, match="unknown output layout 'hugo'"):
        output_path(src, out, "el", layout="hugo")
    assert alternate_urls("https://x.org/{lang}/{stem}/", src, ["en", "el"]) == {
        "en": "https://x.org/en/index/", "el": "https://x.org/el/index/",
    }
    with pytest.raises(ToolkitError, match="bad --hreflang-url"):
        alternate_urls("https://x.org/{language}/", src, ["el"])


def test_every_output_path_is_checked_before_writing(tmp_path) -> None:
    a, b = tmp_path / "a" / "index.md", tmp_path / "b" / "index.md"
    with pytest.raises(ToolkitError, match="two articles would be written to"):
        check_output_paths([a, b], ["index", "index-2"], ["el"], tmp_path / "out", "bundle")
    (tmp_path / "out" / "x.el.md").mkdir(parents=True)
    with pytest.raises(ToolkitError, match="is a folder"):
        check_output_paths([a], ["x"], ["el"], tmp_path / "out")
    check_output_paths([a, b], ["a", "b"], ["el", "de"], tmp_path / "out")


def test_publishing_a_hugo_site_and_an_html_page(installed_models, tmp_path) -> None:
    """The issue's "done when": separate catalogs, lang="el" with a translated description, no
    character reference in a msgid, the e-mail address kept, a broken msgstr stops render."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    shutil.copy(DOCS / "page.html", site / "page.html")
    args = ("--to", "el", "--no-glossary", "--no-cache", "--locales", "locales")
    done = run_cli("translate", "news/**/*.md", "--layout", "bundle", "--out", "public", *args, cwd=site)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (site / "locales" / "el" / "LC_MESSAGES").glob("*.po")) == [
        "news-2026-12-01-index.po", "news-2026-12-02-index.po",
    ]
    assert (site / "public/news/2026/12/01/index.el.md").is_file()
    assert "lang: el" in (site / "public/news/2026/12/01/index.el.md").read_text(encoding="utf-8")
    again = run_cli("translate", "news/2026/12/01/index.md", "--out", "public", *args, cwd=site)
    assert again.returncode == 0, again.stderr  # alone it keeps its catalog; the other is untouched
    assert not (site / "locales/el/LC_MESSAGES/index.po").exists()
    other = polib.pofile(str(site / "locales/el/LC_MESSAGES/news-2026-12-02-index.po"))
    assert not other.obsolete_entries() and len(other.translated_entries() + other.fuzzy_entries()) > 0

    page = run_cli("translate", "page.html", "--out", "public", *args,
                   "--hreflang-url", "https://example.org/{lang}/{stem}/", cwd=site)
    assert page.returncode == 0, page.stderr
    catalog = polib.pofile(str(site / "locales/el/LC_MESSAGES/page.po"))
    assert not [e.msgid for e in catalog if "&#" in e.msgid or "&nbsp;" in e.msgid or "&middot;" in e.msgid]
    mail = next(e for e in catalog if "corrections@example.org" in e.msgid)
    assert "corrections@example.org" in mail.msgstr
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring((site / "public/page.el.html").read_bytes())
    assert tree.getroottree().getroot().get("lang") == "el"
    description = next(e for e in catalog if e.msgid.startswith("How Israel"))
    assert tree.xpath("//meta[@name='description']/@content") == [polib.unescape(description.msgstr)
                                                                   .replace("&amp;", "&")]
    assert tree.xpath("//link[@hreflang='el']/@href") == ["https://example.org/el/page/"]

    link = next(e for e in catalog if "</a>" in e.msgid and "Rafael" in e.msgid)
    link.msgstr = link.msgstr.replace("</a>", "", 1)
    link.flags = []
    catalog.save()
    line = polib.pofile(str(site / "locales/el/LC_MESSAGES/page.po")).find(link.msgid).linenum
    refused = run_cli("render", "locales/el/LC_MESSAGES/page.po", "--out", "page.el.html", cwd=site)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"error: locales/el/LC_MESSAGES/page.po:{line}: markup error in the msgstr: missing '</a>'; "
        "fix it or pass --force"
    ]
    assert not (site / "page.el.html").exists()
    forced = run_cli("render", "locales/el/LC_MESSAGES/page.po", "--out", "page.el.html", "--force", cwd=site)
    assert forced.returncode == 0, forced.stderr
    qa = run_cli("qa", "locales/el/LC_MESSAGES/page.po", "--json", cwd=site)
    assert qa.returncode == 1 and '"markup"' in qa.stdout


def test_identical_title_and_heading_are_one_entry_unless_context_is_asked(installed_models, tmp_path):
    """page.html has "Israel's air defence" as <title> (line 5), og:title (9), twitter:title (13)
    and <h1> (20): one entry, four references, translated once and shown in all four places;
    --context-duplicates splits it."""
    shutil.copy(DOCS / "page.html", tmp_path / "page.html")
    args = ("--to", "el", "--no-glossary", "--no-cache", "--no-tm", "--locales", "locales", "--out", "public")
    done = run_cli("translate", "page.html", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    po_file = tmp_path / "locales/el/LC_MESSAGES/page.po"
    catalog = polib.pofile(str(po_file))
    [title] = [e for e in catalog if e.msgid == "Israel\u2019s air defence"]
    lines = ["5", "9", "13", "20"]
    assert (title.msgctxt, title.occurrences) == (None, [("page.html", line) for line in lines])
    assert title.msgstr and title.fuzzy
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring((tmp_path / "public/page.el.html").read_bytes())
    shown = polib.unescape(title.msgstr)
    assert [tree.findtext(".//title"), tree.xpath("string(//h1)"),
            *tree.xpath("//meta[@property='og:title' or @name='twitter:title']/@content")] == [shown] * 4

    title.msgstr, title.flags = "Η αεράμυνα του Ισραήλ", []  # a translator reviews it once
    catalog.save()
    split = run_cli("translate", "page.html", *args, "--context-duplicates", cwd=tmp_path)
    assert split.returncode == 0, split.stderr
    catalog = polib.pofile(str(po_file))
    live = catalog.translated_entries() + catalog.fuzzy_entries()
    copies = sorted((e.msgctxt, e.occurrences, e.msgstr) for e in live if e.msgid == title.msgid)
    # every copy starts from the one reviewed translation, to be changed where one needs to differ
    assert copies == [(f"copy-{n}", [("page.html", line)], "Η αεράμυνα του Ισραήλ")
                      for n, line in enumerate(lines, 1)]
    assert not catalog.obsolete_entries()
