"""The static review page: collecting catalogs, escaping, highlighting, and a real browser load."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from toolkit.errors import ToolkitError
from toolkit.l10n.catalog import po_path
from toolkit.l10n.comments import CHECKSUM_PREFIX, MT_PREFIX
from toolkit.l10n.comments import checksum as _checksum
from toolkit.qa.review_page import (
    FUZZY,
    MISSING,
    REVIEWED,
    UNTRANSLATED,
    CellFinding,
    ReviewBlock,
    ReviewCell,
    catalogs_for_domain,
    collect,
    render_html,
    write_report,
)
from toolkit.terms.glossary import columns_for, parse_glossary

from conftest import ROOT

SCREENSHOT = ROOT / "tools" / "screenshot_report.sh"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
LANGS = ("el", "ru", "de", "tr")
PAYLOAD = "<script>document.title='pwned'</script>"

HEADING = "Upgrading Israel’s “Major Non-NATO Ally”"
P1 = "NATO includes several members who maintain relations with Arab and Muslim-majority nations."
P2 = "NATO has traditionally focused on the North Atlantic region."
P3 = f"Editors wrote {PAYLOAD} in the draft & left it there."

# (msgid, translation, state) per language; state: reviewed | mt (untouched fuzzy MT draft) | fuzzy | ""
TRANSLATIONS = {
    "el": [
        (HEADING, "Αναβάθμιση του «Σημαντικού Συμμάχου εκτός ΝΑΤΟ» του Ισραήλ", "reviewed"),
        (P1, "Το ΝΑΤΟ περιλαμβάνει αρκετά μέλη που διατηρούν σχέσεις με αραβικά και μουσουλμανικά κράτη.",
         "mt"),
        (P2, "", ""),
        (P3, f"Οι συντάκτες έγραψαν {PAYLOAD} στο προσχέδιο & το άφησαν εκεί.", "reviewed"),
    ],
    "ru": [
        (HEADING, "Повышение статуса Израиля как «основного союзника вне НАТО»", "mt"),
        (P1, "В НАТО входят несколько членов, поддерживающих отношения с арабскими странами.", "reviewed"),
        (P2, "НАТО традиционно сосредоточено на Североатлантическом регионе.", "fuzzy"),
        (P3, f"Редакторы написали {PAYLOAD} в черновике и оставили это там.", "mt"),
    ],
    "de": [
        (HEADING, "Aufwertung Israels zum „wichtigen Verbündeten außerhalb der NATO“", "reviewed"),
        (P1, "Die NATO umfasst mehrere Mitglieder, die Beziehungen zu arabischen Staaten pflegen.",
         "reviewed"),
        (P2, "Die NATO konzentrierte sich traditionell auf den Nordatlantikraum.", "reviewed"),
        (P3, f"Die Redaktion schrieb {PAYLOAD} in den Entwurf und ließ es dort.", "mt"),
    ],
    "tr": [
        (HEADING, "İsrail'in “NATO Dışı Büyük Müttefik” statüsünün yükseltilmesi", "mt"),
        (P1, "NATO, Arap ülkeleriyle ilişkilerini sürdüren birçok üyeyi kapsıyor.", "mt"),
        (P2, "", ""),
        (P3, f"Editörler taslağa {PAYLOAD} yazdı ve orada bıraktı.", "mt"),
    ],
}

RENDERINGS = {
    "nato": {"el": "ΝΑΤΟ", "ru": "НАТО", "de": "NATO", "tr": "NATO"},
    "mnna": {
        "el": "Σημαντικός Σύμμαχος εκτός ΝΑΤΟ|Σημαντικού Συμμάχου εκτός ΝΑΤΟ",
        "ru": "основной союзник вне НАТО|основного союзника вне НАТО",
        "de": "wichtiger Verbündeter außerhalb der NATO|wichtigen Verbündeten außerhalb der NATO",
        "tr": "NATO Dışı Büyük Müttefik",
    },
}


def make_glossary():
    """Two concepts; the NATO note carries a script payload that must stay text."""
    header = columns_for(LANGS)
    rows = []
    for cid, term, case, note in (
        ("nato", "NATO", "yes", f"The Alliance itself. {PAYLOAD}"),
        ("mnna", "Major Non-NATO Ally", "no", "US designation; not membership."),
    ):
        cell = {"id": cid, "term": term, "variants": "", "dnt": "no", "case_sensitive": case, "note": note}
        for lang in LANGS:
            text, _, variants = RENDERINGS[cid][lang].partition("|")
            cell.update({lang: text, f"{lang}_variants": variants, f"{lang}_status": "proposed"})
        if cid == "nato":
            cell["el_rejected"] = "NATO"  # Latin letters in Greek text
            cell["el_note"] = "Greek capitals, indeclinable."
        rows.append(",".join(f'"{cell.get(col, "")}"' for col in header))
    return parse_glossary(",".join(header) + "\n" + "\n".join(rows) + "\n")


def make_catalogs(locales: Path, langs=LANGS, domain: str = "article") -> list[Path]:
    paths = []
    for lang in langs:
        po = polib.POFile(wrapwidth=78)
        po.metadata = {
            "Project-Id-Version": "article",
            "Language": lang,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
        }
        for line, (msgid, msgstr, state) in enumerate(TRANSLATIONS[lang], start=1):
            entry = polib.POEntry(msgid=msgid, msgstr=msgstr)
            entry.occurrences = [("examples/article.txt", str(line))]
            if state in ("mt", "fuzzy"):
                entry.flags.append("fuzzy")
            if state == "mt":
                entry.comment = f"{MT_PREFIX}argos:en-{lang}@1.0\n{CHECKSUM_PREFIX}{_checksum(msgstr)}"
            po.append(entry)
        path = po_path(locales, lang, domain)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        paths.append(path)
    return paths


FINDINGS = {
    ("el", None, P1): [("placeholder", "warning", "Ampersand count differs")],
    ("ru", None, HEADING): [{"check_id": "term-missing", "severity": "error", "message": f"NATO {PAYLOAD}"}],
    ("de", None, ""): [CellFinding("header", "warning", "Plural-Forms missing")],
}


@pytest.fixture
def catalogs(tmp_path) -> list[Path]:
    return make_catalogs(tmp_path / "locales")


# --------------------------------------------------------------------------- collecting


def test_collect_orders_blocks_and_statuses(catalogs):
    blocks = collect(catalogs)
    assert [b.msgid for b in blocks] == [HEADING, P1, P2, P3]
    assert [list(b.translations) for b in blocks] == [list(LANGS)] * 4
    assert blocks[0].reference == "examples/article.txt:1"
    el = [b.translations["el"] for b in blocks]
    assert [c.status for c in el] == [REVIEWED, FUZZY, UNTRANSLATED, REVIEWED]
    assert el[1].machine and not el[0].machine
    ru = blocks[2].translations["ru"]
    assert ru.status == FUZZY and not ru.machine  # fuzzy, but no MT comment: a translator's draft


def test_collect_marks_entries_a_catalog_lacks(tmp_path, catalogs):
    po = polib.pofile(str(catalogs[1]))
    po.remove(po.find(P2))
    po.save()
    blocks = collect(catalogs)
    assert blocks[2].translations["ru"].status == MISSING
    # an entry only a later catalog has is still shown, after the first catalog's
    po = polib.pofile(str(catalogs[3]))
    po.append(polib.POEntry(msgid="Only Turkish has this.", msgstr="Sadece Türkçe."))
    po.save()
    blocks = collect(catalogs)
    assert blocks[-1].msgid == "Only Turkish has this."
    assert blocks[-1].translations["el"].status == MISSING
    assert blocks[-1].translations["tr"].status == REVIEWED


def test_catalogs_for_domain(tmp_path):
    locales = tmp_path / "locales"
    make_catalogs(locales, langs=("tr", "de", "el", "ru"))
    make_catalogs(locales, langs=("el",), domain="other")
    found = catalogs_for_domain(locales, "article")
    assert [p.parent.parent.name for p in found] == ["de", "el", "ru", "tr"]
    with pytest.raises(ToolkitError, match="no catalogs"):
        catalogs_for_domain(locales, "missing")
    with pytest.raises(ToolkitError, match="invalid gettext domain"):
        catalogs_for_domain(locales, "../x")
    with pytest.raises(ToolkitError, match="no such locales directory"):
        catalogs_for_domain(tmp_path / "nope", "article")


def test_collect_errors(catalogs):
    with pytest.raises(ToolkitError, match="no catalogs"):
        collect([])
    with pytest.raises(ToolkitError, match="two catalogs for language 'el'"):
        collect([catalogs[0], catalogs[0]])


# --------------------------------------------------------------------------- escaping


def test_everything_is_escaped(catalogs):
    page = render_html(collect(catalogs), glossary=make_glossary(), findings=FINDINGS, title=f"T {PAYLOAD}")
    escaped = html.escape(PAYLOAD, quote=True)
    assert PAYLOAD not in page
    assert page.count("<script") == 1  # the page's own script only
    assert f"<title>T {escaped}</title>" in page
    # the msgid, every translation, the glossary note (tooltip) and a finding's message
    assert f"Editors wrote {escaped} in the draft &amp; left it there." in page
    assert f"Οι συντάκτες έγραψαν {escaped}" in page
    assert f'title="NATO: The Alliance itself. {escaped}"' in page
    assert f"NATO {escaped}" in page


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        self.attrs.extend((tag, name, value) for name, value in attrs)


def test_no_network_resources_and_strict_csp(catalogs):
    page = render_html(collect(catalogs), glossary=make_glossary(), title="Review")
    tags = _Tags()
    tags.feed(page)
    names = {name for _, name, _ in tags.attrs}
    # links only to the page's own blocks; nothing loaded; no inline handlers or style attributes
    assert [v for _, n, v in tags.attrs if n in ("href", "src", "srcset", "action", "data")] == [
        f"#b{i}" for i in range(1, 5)
    ]
    assert not {n for n in names if n.startswith("on")} and "style" not in names
    assert "url(" not in page and "@import" not in page and not re.search(r"\b(?:https?|wss?|ftp):", page)
    csp = [v for t, n, v in tags.attrs if t == "meta" and n == "content" and v and "default-src" in v][0]
    assert csp.startswith("default-src 'none';") and "unsafe" not in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", csp)
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/=]+';", csp)
    # deterministic: the same catalogs give the same bytes (hashes, no nonce, no timestamp)
    assert page == render_html(collect(catalogs), glossary=make_glossary(), title="Review")


# --------------------------------------------------------------------------- highlighting


def test_source_and_translation_terms_are_highlighted(catalogs):
    page = render_html(collect(catalogs), glossary=make_glossary(), title="Review")
    # the longest term wins in the source: the whole designation, not NATO inside it
    assert re.search(r'<mark class="term" title="Major Non-NATO Ally: US designation; not membership.">'
                     r"Major Non-NATO Ally</mark>", page)
    assert '<mark class="term" title="NATO: The Alliance itself.' in page
    assert ">NATO</mark> includes several members" in page
    # Greek inflected designation, and the acronym in Greek letters
    assert '">Σημαντικού Συμμάχου εκτός ΝΑΤΟ</mark>» του Ισραήλ' in page
    assert '<mark class="term found" title="NATO → ΝΑΤΟ (proposed)\nThe Alliance itself.' in page
    assert '">ΝΑΤΟ</mark> περιλαμβάνει' in page
    assert '">НАТО</mark> традиционно' in page
    assert 'Die <mark class="term found"' in page and '">NATO</mark> umfasst' in page
    assert '">NATO</mark>, Arap' in page


def test_highlight_pieces_are_escaped_separately():
    from toolkit.qa.review_page import _highlight

    text = "a<b & NATO's <i>"
    start = text.index("NATO")
    out = _highlight(text, [(start, start + 4, "term", 'x"<y>')])
    assert out == 'a&lt;b &amp; <mark class="term" title="x&quot;&lt;y&gt;">NATO</mark>&#x27;s &lt;i&gt;'
    # overlapping and out-of-range spans are ignored, never half-applied
    assert _highlight("abc", [(0, 2, "t", ""), (1, 3, "t", ""), (2, 9, "t", "")]) == (
        '<mark class="t" title="">ab</mark>c'
    )


def test_rejected_and_missing_renderings(tmp_path):
    blocks = [
        ReviewBlock(P2, None, "", {"el": ReviewCell("Το NATO εστίαζε στον Βόρειο Ατλαντικό.", FUZZY)}),
        ReviewBlock(P1, None, "", {"el": ReviewCell("Η Συμμαχία περιλαμβάνει αρκετά μέλη.", REVIEWED)}),
    ]
    page = render_html(blocks, glossary=make_glossary(), title="Review")
    assert '<mark class="term forbidden" title="Rejected rendering of NATO; use ΝΑΤΟ' in page
    assert '<div class="term-missing">Glossary: <span class="expected"' in page
    assert '">ΝΑΤΟ</span> not found</div>' in page


# --------------------------------------------------------------------------- summary and badges


def _summary_row(page: str, lang: str) -> list[str]:
    row = re.search(rf'<tr class="col-\d+"><th scope="row"><span class="code">{lang}</span>.*?</tr>', page)
    return re.findall(r'<td class="num[^"]*">(\d+)', row.group(0))


def test_summary_counts_and_badges(catalogs):
    page = render_html(collect(catalogs), findings=FINDINGS, title="Review")
    # entries, reviewed, fuzzy, untranslated, errors, warnings
    assert _summary_row(page, "el") == ["4", "2", "1", "1", "0", "1"]
    assert _summary_row(page, "ru") == ["4", "1", "3", "0", "1", "0"]
    assert _summary_row(page, "de") == ["4", "3", "1", "0", "0", "1"]  # the header finding counts
    assert _summary_row(page, "tr") == ["4", "0", "3", "1", "0", "0"]
    assert "Greek" in page and "Russian" in page and "German" in page and "Turkish" in page
    assert page.count('<span class="badge st-reviewed">reviewed</span>') == 6
    assert page.count('<span class="badge st-fuzzy">fuzzy</span>') == 8
    assert page.count('<span class="badge st-untranslated">untranslated</span>') == 2
    assert page.count(">MT draft</span>") == 7
    assert page.count('<div class="text empty">not translated</div>') == 2
    # findings sit in their cell, errors red and warnings amber; catalog-wide ones under the summary
    assert '<li class="sev-error"><span class="check">term-missing</span> NATO &lt;script&gt;' in page
    assert '<li class="sev-warning"><span class="check">placeholder</span> Ampersand count differs' in page
    orphans = page[page.index('<div class="orphans">') : page.index("</section>")]
    assert "Plural-Forms missing" in orphans
    # a row with a fuzzy cell or a finding needs attention; the filter can hide the others
    assert page.count('class="attention"') == 4


def test_findings_of_any_shape_and_bad_ones(catalogs):
    class Finding:  # the shape of the QA module's findings
        check_id, severity, message = "length", "WARNING", "Translation is 3x longer"

    blocks = collect(catalogs)
    blocks[0].translations["de"].findings.append(CellFinding("own", "info", "from the cell"))
    page = render_html(blocks, findings={("de", None, HEADING): [Finding()]}, title="Review")
    assert '<li class="sev-warning"><span class="check">length</span>' in page
    assert '<li class="sev-info"><span class="check">own</span> from the cell' in page
    with pytest.raises(ToolkitError, match="not a finding"):
        render_html(blocks, findings={("de", None, HEADING): ["oops"]}, title="Review")


def test_write_report(tmp_path, catalogs):
    out = write_report(catalogs, tmp_path / "out" / "review.html", glossary=make_glossary())
    page = out.read_text(encoding="utf-8")
    assert out == tmp_path / "out" / "review.html"
    assert "<title>Translation review: article</title>" in page
    assert list(tmp_path.joinpath("out").iterdir()) == [out]  # no temp file left behind


# --------------------------------------------------------------------------- real browser

# Skipped only on a developer machine without Chromium; in CI (.ci/run installs it) a missing
# browser is a failure, not a skip.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (CI installs it: apt-get install chromium)",
)


def chromium_args(profile: Path) -> list[str]:
    return [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--mute-audio",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
    ]


def dump_dom(page: Path, profile: Path, fragment: str = "") -> tuple[str, str]:
    """The DOM after the page's script ran, and Chromium's log (console messages land there)."""
    proc = subprocess.run(
        [*chromium_args(profile), "--dump-dom", page.resolve().as_uri() + fragment],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, proc.stderr


def console_problems(log: str) -> list[str]:
    """Chromium logs every console message as ``INFO:CONSOLE(line)] "..."``; the page logs nothing
    itself, so any such line is a problem (uncaught exceptions, CSP violations, ...)."""
    problems = []
    for line in log.splitlines():
        if "CONSOLE" in line or "Uncaught" in line or "Refused" in line or "Content Security Policy" in line:
            problems.append(line)
    return problems


@pytest.fixture
def report_page(tmp_path, catalogs) -> Path:
    return write_report(
        catalogs, tmp_path / "review.html", glossary=make_glossary(), findings=FINDINGS,
        title="Article review",
    )


@pytest.mark.slow
@needs_chromium
def test_page_in_headless_chromium(tmp_path, report_page):
    dom, log = dump_dom(report_page, tmp_path / "profile")
    root = re.search(r"<html[^>]*>", dom).group(0)
    # the script ran to its end, and nothing reported an error or a CSP violation
    assert 'data-ready="1"' in root, dom[:2000]
    assert "data-page-errors" not in root, root
    assert console_problems(log) == [], log[-3000:]
    # the payload in msgid, msgstr, glossary note and finding stayed text and never ran
    assert re.findall(r"<title>.*?</title>", dom) == ["<title>Article review</title>"]
    assert dom.count("<script") == 1
    assert html.escape(PAYLOAD, quote=False) in dom
    # all four languages are columns, and the filter built one button per language
    for lang, name in (("el", "Greek"), ("ru", "Russian"), ("de", "German"), ("tr", "Turkish")):
        assert re.search(rf'<th scope="col" class="col-\d" data-col="\d" data-lang="{lang}">', dom)
        assert name in dom
    buttons = re.findall(r'<button type="button" class="lang-toggle"[^>]*>(\w+)</button>', dom)
    assert buttons == list(LANGS)
    assert dom.count('aria-pressed="true"') == 4
    assert 'id="attention-only"' in dom


@pytest.mark.slow
@needs_chromium
def test_language_filter_from_link(tmp_path, report_page):
    dom, log = dump_dom(report_page, tmp_path / "profile", "#langs=el,tr")
    root = re.search(r"<html[^>]*>", dom).group(0)
    assert 'data-ready="1"' in root and "data-page-errors" not in root
    assert re.search(r'class="[^"]*\bhide-col-2\b[^"]*\bhide-col-3\b', root), root
    assert "hide-col-1" not in root and "hide-col-4" not in root
    assert console_problems(log) == [], log[-3000:]


@pytest.mark.slow
@needs_chromium
def test_console_check_catches_errors(tmp_path):
    """The checks above would see a broken page: a thrown error and a CSP refusal are both caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
        "content=\"default-src 'none'\"><title>x</title></head><body><script>x()</script></body></html>",
        encoding="utf-8",
    )
    _, log = dump_dom(bad, tmp_path / "profile")
    assert any("Content Security Policy" in line for line in console_problems(log)), log[-3000:]
    loose = tmp_path / "loose.html"
    loose.write_text("<!DOCTYPE html><title>x</title><script>undefinedFunction()</script>", encoding="utf-8")
    _, log = dump_dom(loose, tmp_path / "profile2")
    assert any("undefinedFunction" in line for line in console_problems(log)), log[-3000:]


@pytest.mark.slow
@needs_chromium
def test_screenshot_command(tmp_path, report_page):
    out = tmp_path / "shot.png"
    proc = subprocess.run(
        ["sh", str(SCREENSHOT), str(report_page), str(out)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 1000)


def test_a_source_file_name_with_a_space_is_shown_whole(tmp_path):
    """polib splits `#: my story.txt:3` at the space; the page shows the name as written."""
    import polib

    from toolkit.qa.review_page import collect

    po = polib.POFile()
    po.metadata = {"Language": "de", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="NATO met.", msgstr="", occurrences=[("news/my story.txt", "3")]))
    po.append(polib.POEntry(msgid="Two refs.", msgstr="",
                            occurrences=[("a b.txt", "1"), ("c.txt", "2")]))
    path = tmp_path / "de.po"
    po.save(str(path))
    blocks = collect([path])
    assert [b.reference for b in blocks] == ["news/my story.txt:3", "a b.txt:1, c.txt:2"]


# --------------------------------------------------------------------------- why an entry is fuzzy

OLD_P2 = "NATO has long focused on the Atlantic region."  # the English P2's German was reviewed for
DE_OLD = "Die NATO konzentrierte sich lange auf den Atlantik."
DE_MT = "Die NATO konzentrierte sich traditionell auf den Nordatlantik.\nZweiter Absatz der Maschine."
DE_OWN = ["Checked against the print edition.", "", "Ask the desk before changing the figures."]
EL_MT = "Το ΝΑΤΟ περιλαμβάνει αρκετά μέλη."
EL_REVIEWED = "Το ΝΑΤΟ περιλαμβάνει πολλά μέλη που διατηρούν σχέσεις με αραβικά κράτη."
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"


def write_catalog(locales: Path, lang: str, entries: list[polib.POEntry]) -> Path:
    """A catalog written as the toolkit writes them (`write_po`), so comments wrap as in real ones."""
    from toolkit.formats.po import write_po

    po = polib.POFile(wrapwidth=78)
    po.metadata = {
        "Project-Id-Version": "article", "Language": lang, "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
    }
    for entry in entries:
        po.append(entry)
    path = po_path(locales, lang, "article")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_po(po, path)
    return path


def make_history_catalogs(locales: Path) -> list[Path]:
    """German: P2's English changed since review (msgmerge kept the old text as ``#|``), with the
    toolkit's fresh MT as a suggestion and the translator's own notes. Greek: --overwrite-reviewed
    replaced a reviewed P1 with a machine draft. Both keep translations of removed paragraphs."""
    from toolkit.l10n.comments import compose_tcomment, previous_items, suggestion_items

    de = [
        polib.POEntry(msgid=HEADING, msgstr=TRANSLATIONS["de"][0][1]),
        polib.POEntry(
            msgid=P2, msgstr=DE_OLD, previous_msgid=OLD_P2, flags=["fuzzy"],
            # the suggestion is long enough to be continued over several comment lines
            tcomment=compose_tcomment(DE_OWN, suggestion_items(DE_MT)),
        ),
        # fuzzy for another reason (``#|`` the same text): no diff to show
        polib.POEntry(msgid=P1, msgstr="Die NATO umfasst Mitglieder.", previous_msgid=P1, flags=["fuzzy"]),
        polib.POEntry(msgid="The old closing paragraph.", msgstr="Der alte Schlussabsatz.", obsolete=True),
        polib.POEntry(msgid="A removed quote.", msgstr="Ein entferntes Zitat?", obsolete=True,
                      flags=["fuzzy"]),
    ]
    el_items = [
        f"{MT_PREFIX}argos:en-el@1.0", f"{CHECKSUM_PREFIX}{_checksum(EL_MT)}", *previous_items(EL_REVIEWED)
    ]
    el = [
        polib.POEntry(msgid=HEADING, msgstr=TRANSLATIONS["el"][0][1]),
        polib.POEntry(msgid=P1, msgstr=EL_MT, flags=["fuzzy"], tcomment=compose_tcomment([], el_items)),
        polib.POEntry(msgid="The old closing paragraph.", msgstr="", obsolete=True),
    ]
    return [write_catalog(locales, "de", de), write_catalog(locales, "el", el)]


def parse(page: str):
    from lxml import html as lxml_html

    return lxml_html.document_fromstring(page.encode("utf-8"))


def cell_of(tree, msgid: str, col: int):
    """The ``<td>`` of language column `col` in the row whose source is `msgid`."""
    (row,) = [tr for tr in tree.xpath('//table[@class="review"]/tbody/tr')
              if tr.xpath('string(td[@class="col-src"]/div[contains(@class, "text")])') == msgid]
    (td,) = row.xpath(f'td[contains(concat(" ", @class, " "), " col-{col} ")]')
    return td


def notes_of(td) -> dict[str, object]:
    """The cell's notes by label."""
    return {n.xpath('string(div[@class="label"])'): n for n in td.xpath('div[@class="notes"]/div')}


def test_collect_reads_why_an_entry_is_fuzzy(tmp_path):
    blocks = collect(make_history_catalogs(tmp_path / "locales"))
    assert [b.msgid for b in blocks] == [HEADING, P2, P1]  # obsolete entries are not blocks
    de = {b.msgid: b.translations["de"] for b in blocks}
    el = {b.msgid: b.translations["el"] for b in blocks}
    assert de[P2].status == FUZZY and de[P2].previous_msgid == OLD_P2
    assert de[P2].suggestion == DE_MT  # joined from its continuation lines, line break restored
    assert de[P2].comments == DE_OWN and de[P2].replaced == ""
    assert de[P1].status == FUZZY and de[P1].previous_msgid is None  # ``#|`` the same English
    assert de[HEADING].previous_msgid is None and de[HEADING].comments == [] and not de[HEADING].suggestion
    assert el[P1].machine and el[P1].replaced == EL_REVIEWED and el[P1].comments == []  # MT items aren't
    from toolkit.qa.review_page import ObsoleteEntry, collect_obsolete

    paths = make_history_catalogs(tmp_path / "again")
    assert collect_obsolete(paths) == [
        ObsoleteEntry("de", "The old closing paragraph.", None, "Der alte Schlussabsatz.", REVIEWED),
        ObsoleteEntry("de", "A removed quote.", None, "Ein entferntes Zitat?", FUZZY),
        ObsoleteEntry("el", "The old closing paragraph.", None, "", UNTRANSLATED),
    ]
    assert [o.reviewed for o in collect_obsolete(paths)] == [True, False, False]


def test_page_shows_the_changed_english_suggestion_and_comments(tmp_path):
    page = render_html(collect(make_history_catalogs(tmp_path / "locales")), title="Review")
    tree = parse(page)
    cell = cell_of(tree, P2, 1)  # de: the first catalog given
    notes = notes_of(cell)
    assert list(notes) == ["English changed since review", "MT suggestion", "Translator comment"]
    diff = notes["English changed since review"]
    # the old English with its deleted words, the new with its inserted ones: exactly the changed words
    assert [d.text_content() for d in diff.iter("del")] == ["long"]
    assert [i.text_content() for i in diff.iter("ins")] == ["traditionally", "North"]
    assert diff.xpath('string(.//div[contains(@class, "was")])') == OLD_P2
    assert diff.xpath('string(.//div[contains(@class, "now")])') == P2
    assert notes["MT suggestion"].xpath('string(div[@lang="de"])') == DE_MT  # with its line break
    assert notes["Translator comment"].xpath('string(div[@class="text"])') == "\n".join(DE_OWN)
    assert cell.xpath('string(div[@lang="de"])') == DE_OLD  # the translation itself is unchanged
    # nothing of the kind where the catalog says nothing: the reviewed heading, the same-English fuzzy
    assert notes_of(cell_of(tree, HEADING, 1)) == {} and notes_of(cell_of(tree, P1, 1)) == {}
    # the Greek machine draft shows the reviewed translation it replaced, in Greek
    el = notes_of(cell_of(tree, P1, 2))
    assert list(el) == ["Replaced reviewed translation"]
    assert el["Replaced reviewed translation"].xpath('string(div[@lang="el"])') == EL_REVIEWED
    assert page.count("<del>") == 1 and page.count("<ins>") == 2  # no diff anywhere else


def test_obsolete_entries_are_listed_after_the_table(tmp_path, catalogs):
    out = write_report(make_history_catalogs(tmp_path / "history"), tmp_path / "review.html", title="Review")
    page = out.read_text(encoding="utf-8")
    tree = parse(page)
    (section,) = tree.xpath('//section[@class="obsolete"]')
    (main,) = tree.xpath("//main")
    assert main.getnext() is section  # after the main table
    assert section.xpath("string(h2)") == "Obsolete entries (no longer in the article)"
    groups = section.xpath("div")
    # one list per language, hidden with the language's column
    assert [g.get("class") for g in groups] == ["col-1", "col-2"]
    rows = {
        g.xpath('string(h3/span[@class="code"])'): [
            [" ".join(td.text_content().split()) for td in tr.xpath("td")] for tr in g.xpath(".//tbody/tr")
        ]
        for g in groups
    }
    assert rows == {
        "de": [["The old closing paragraph.", "Der alte Schlussabsatz.", "reviewed"],
               ["A removed quote.", "Ein entferntes Zitat?", "fuzzy"]],
        "el": [["The old closing paragraph.", "not translated", "untranslated"]],
    }
    # not in the main table, not in the counts
    assert "closing paragraph" not in main.text_content() and "removed quote" not in main.text_content()
    assert _summary_row(page, "de") == ["3", "1", "2", "0", "0", "0"]
    assert _summary_row(page, "el") == ["2", "1", "1", "0", "0", "0"]  # and P2 missing
    # no obsolete entries: no section
    plain = write_report(catalogs, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert 'class="obsolete"' not in plain and "Obsolete entries" not in plain


def test_hostile_history_stays_text(tmp_path):
    """Markup in a ``#|`` msgid, a msgid, a translator comment, a suggestion and an obsolete entry
    is shown as text: no element of it gets into the page, and the diff wraps only escaped text."""
    from toolkit.l10n.comments import compose_tcomment, suggestion_items

    old, new = f"Editors wrote <b>bold</b> {XSS_IMG} here.", f"Editors wrote {XSS_SCRIPT} {XSS_IMG} here."
    comment, suggestion = f"See {XSS_IMG} and {XSS_SCRIPT}", f"Die Redaktion schrieb {XSS_SCRIPT} {XSS_IMG}."
    entries = [
        polib.POEntry(msgid=new, msgstr=f"Die Redaktion schrieb {XSS_IMG}.", previous_msgid=old,
                      flags=["fuzzy"], tcomment=compose_tcomment([comment], suggestion_items(suggestion))),
        polib.POEntry(msgid=f"Gone {XSS_SCRIPT}", msgstr=f"Weg {XSS_IMG}", obsolete=True),
    ]
    paths = [write_catalog(tmp_path / "locales", "de", entries)]
    out = write_report(paths, tmp_path / "review.html", title="Review")
    page = out.read_text(encoding="utf-8")
    tree = parse(page)
    assert len(tree.xpath("//script")) == 1 and tree.xpath("//img") == [] and tree.xpath("//b") == []
    assert not [el for el in tree.iter() if any(name.startswith("on") for name in el.attrib)]
    notes = notes_of(cell_of(tree, new, 1))
    diff = notes["English changed since review"]
    assert diff.xpath('string(.//div[contains(@class, "was")])') == old
    assert diff.xpath('string(.//div[contains(@class, "now")])') == new
    # word by word: the angle brackets are the same on both sides, the words between them changed
    assert [d.text_content() for d in diff.iter("del")] == ["b", "bold", "b"]
    assert [i.text_content() for i in diff.iter("ins")] == ["script", "alert(1)", "script"]
    assert all(len(el) == 0 for el in [*diff.iter("del"), *diff.iter("ins")])  # text only inside
    assert "&lt;<ins>script</ins>&gt;<ins>alert(1)</ins>&lt;/<ins>script</ins>&gt;" in page
    assert notes["MT suggestion"].xpath('string(div[@lang="de"])') == suggestion
    assert notes["Translator comment"].text_content().endswith(comment)
    obsolete = tree.xpath('//section[@class="obsolete"]//tbody/tr/td')
    assert [td.text_content() for td in obsolete[:2]] == [f"Gone {XSS_SCRIPT}", f"Weg {XSS_IMG}"]
    # still deterministic: the same catalogs give the same bytes
    assert write_report(paths, tmp_path / "again.html", title="Review").read_bytes() == out.read_bytes()
