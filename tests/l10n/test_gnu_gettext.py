"""Catalogs that survive the real GNU gettext tools (issue #20): `msgcat` leaves every byte alone,
`msgmerge --previous` keeps machine drafts recognisable, an unchanged re-run is byte-identical,
and what another tool does to comments, contexts and references does not churn the catalog.

No model here: machine output is plain `BlockResult` data, as `translate_blocks` returns it.
"""

from __future__ import annotations

import random
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import polib
import pytest
from gettext_tools import assert_msgcat_clean, msgfmt_check, msgmerge

from toolkit.formats.document import Document, read_document
from toolkit.formats.po import read_po, write_po
from toolkit.l10n.catalog import annotate, build_catalog, build_template, po_path, pot_path
from toolkit.l10n.comments import is_machine, machine_engine, qa_item, source_references
from toolkit.l10n.plan import KEEP, TRANSLATE, plan_update
from toolkit.l10n.translate import BlockResult
from toolkit.terms.enforce import SentenceOutcome, TermOutcome
from toolkit.terms.glossary import Glossary, load_glossary

from conftest import GLOSSARY, ROOT

MODEL = "argos:en-de@1.0"
DAY1 = datetime(2024, 11, 4, 9, 30, tzinfo=timezone.utc)
DAY2 = datetime(2024, 11, 5, 16, 0, tzinfo=timezone.utc)

TITLE = "NATO and Israel"
LONG = (
    "Greece (Brussels Morning), With the war between Israel and Gaza, has reached the dimensions of a "
    "regional crisis that threatens security and stability at the global level, many analysts seek to "
    "shed light on the special alliance between NATO and Israel."
)
LINES = "Angelos Kaskanis\nCredit: Getty Images, and a caption line long enough to need wrapping at 79 cols"
DEAR = "Dear reader,"
OTHER = "The alliance has focused on the North Atlantic region for decades."
CHANGED = "The alliance has focused on the North Atlantic region for seven decades."


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


def article(folder: Path, paragraphs: list[str], name: str = "article.txt") -> Document:
    path = folder / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return read_document(path)


def german(text: str) -> str:
    return f"[de] {text}"


def results_for(blocks, qa: bool = False) -> dict[int, BlockResult]:
    """MT results; a block mentioning NATO gets a term outcome (a `Term:` item)."""
    out = {}
    for b in blocks:
        terms = [TermOutcome("nato", "NATO", "NATO", "found")] if "NATO" in b.text else []
        text = german(b.text)
        out[b.index] = BlockResult(b.index, b.text, text, [SentenceOutcome(b.text, text, terms=terms)])
    return out


def run(
    doc: Document, locales: Path, glossary: Glossary | None, *, now: datetime = DAY1, contexts: bool = False
) -> tuple[Path, ...]:
    """What `toolkit translate` does for one language: template, plan, MT, catalog, QA items."""
    pot_file, po_file = pot_path(locales, "article"), po_path(locales, "de", "article")
    old_pot = read_po(pot_file) if pot_file.exists() else None
    template = build_template(doc, "article", glossary=glossary, old=old_pot, now=now,
                              context_duplicates=contexts)
    write_po(template, pot_file)
    plan = plan_update(doc, read_po(po_file) if po_file.exists() else None, context_duplicates=contexts)
    results = results_for(plan.needs_mt())
    po = build_catalog(
        doc, "de", plan, results, model_id=MODEL, domain="article", glossary=glossary, template=template,
        now=now,
    )
    annotate(po, plan, {i: [qa_item("warning", "numbers", f"check block {i}")] for i in results})
    write_po(po, po_file)
    for path in (pot_file, po_file):
        msgfmt_check(path)
        assert_msgcat_clean(path)
    return pot_file, po_file


# --- wrapping ------------------------------------------------------------------------------------

_PIECES = [
    "word", "NATO", "U.S.", "in/co-organized", "(Brussels", "Morning),", "—", "–", "“Major", "Ally”",
    "Israel’s", "1,000", "5%", "$10", "e-mail", "-5", 'x"y"', "tab\there", "a\\b", "end.", "What?",
    "Άρθρο", "συνθήκη.", "Русский", "язык,", "Türkçe", "20th", "...", "…", "[a]", "{b}", "'q'",
    "«guill»", "http://x.org/a-b", "12:30", "3-4", "x\u00a0y", "(", ")", "-", "/",
]


def test_strings_are_wrapped_as_msgcat_wraps_them(tmp_path):
    rng = random.Random(20)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for i in range(300):
        gaps = [" ", " ", " ", "", "  ", "\n"]
        text = "".join(rng.choice(_PIECES) + rng.choice(gaps) for _ in range(rng.randint(1, 40)))
        po.append(polib.POEntry(msgctxt=f"c{i}", msgid=text.strip(" ") or "x", msgstr=""))
    path = tmp_path / "wrap.po"
    write_po(po, path)
    assert_msgcat_clean(path)


def test_multi_line_strings_are_wrapped_too(tmp_path, glossary):
    locales = tmp_path / "locales"
    _pot, po_file = run(article(tmp_path, [TITLE, LINES, "x " * 600]), locales, glossary)
    lines = po_file.read_text(encoding="utf-8").splitlines()
    assert max(len(line) for line in lines if line.startswith('"')) <= 79
    assert '"Angelos Kaskanis\\n"' in lines


def test_committed_example_catalogs_are_what_msgcat_writes():
    files = [ROOT / "locales" / "article.pot", *sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po"))]
    assert len(files) == 5
    for path in files:
        warnings = msgfmt_check(path)
        assert path.suffix == ".pot" or warnings == "", warnings
        assert_msgcat_clean(path)


# --- msgmerge ------------------------------------------------------------------------------------


def test_catalogs_survive_msgmerge_previous(tmp_path, glossary):
    locales = tmp_path / "locales"
    _pot, po_file = run(article(tmp_path, [TITLE, LONG, OTHER]), locales, glossary)
    before = po_file.read_bytes()
    # the article changes; the new .pot is merged into the .po as Weblate's add-on does
    doc2 = article(tmp_path, [TITLE, LONG, CHANGED])
    write_po(build_template(doc2, "article", glossary=glossary, now=DAY2), tmp_path / "new.pot")
    merged = tmp_path / "merged.po"
    msgmerge(po_file, tmp_path / "new.pot", merged)
    po = read_po(merged)
    title, long = po.find(TITLE), po.find(LONG)
    assert title is not None and long is not None
    for e in (title, long):  # still machine drafts, with their engine and terms
        assert is_machine(e) and machine_engine(e) == MODEL
        assert "Term: NATO -> NATO (found)" in e.tcomment
    assert "Note (NATO): The Alliance itself." in long.comment  # from the .pot
    assert "Note (NATO, de): Feminine" in long.tcomment  # per language: kept in the .po
    # msgmerge carries the old draft over to the changed paragraph: still a draft, but stale
    changed = po.find(CHANGED)
    assert changed is not None and changed.msgstr == german(OTHER) and is_machine(changed)
    # msgmerge of the unchanged article changes nothing
    msgmerge(po_file, locales / "article.pot", tmp_path / "same.po")
    assert (tmp_path / "same.po").read_bytes() == before
    # the toolkit takes the merged catalog over: the stale draft (`#|`) is translated afresh
    po_file.write_bytes(merged.read_bytes())
    plan = plan_update(doc2, read_po(po_file))
    assert [p.action for p in plan.blocks] == [KEEP, KEEP, TRANSLATE]
    # a draft some tool moved to a changed text (`#|`, as msgmerge does for reviewed work) is stale
    po = read_po(po_file)
    title = po.find(TITLE)
    assert title is not None
    title.previous_msgid = "NATO and Israel, once"
    assert [p.action for p in plan_update(doc2, po).blocks] == [TRANSLATE, KEEP, TRANSLATE]


# --- re-runs -------------------------------------------------------------------------------------


def test_unchanged_rerun_is_byte_identical_from_the_second_run(tmp_path, glossary):
    doc = article(tmp_path, [TITLE, LONG, LINES, OTHER])
    locales = tmp_path / "locales"
    first = [p.read_bytes() for p in run(doc, locales, glossary)]
    second = [p.read_bytes() for p in run(doc, locales, glossary, now=DAY2)]
    assert second == first  # not only from the third run on
    po = read_po(po_path(locales, "de", "article"))
    e = po.find(LONG)
    assert e is not None
    heads = [line for line in e.tcomment.splitlines() if not line.startswith("  ")]
    kinds = [line.split(":")[0].split(" (")[0] for line in heads]
    # one order on every path
    assert kinds == ["MT", "MT-Checksum", "MT-Source", "MT-Glossary", "Term", "QA", "Note"]


def test_comment_rewrapped_narrower_leaves_no_fragments(tmp_path, glossary):
    doc = article(tmp_path, [TITLE, LONG])
    locales = tmp_path / "locales"
    _pot, po_file = run(doc, locales, glossary)
    before = po_file.read_bytes()
    po = polib.pofile(str(po_file), wrapwidth=78)
    for e in po:  # another tool rewraps every comment at 30 columns, without our indentation
        e.comment = "\n".join(textwrap.wrap(" ".join(e.comment.split()), 30)) if e.comment else ""
        e.tcomment = "\n".join(
            line
            for item in e.tcomment.split("\n")
            for line in textwrap.wrap(item, 30, subsequent_indent="  ")
        )
    po.save(str(po_file))
    run(doc, locales, glossary, now=DAY2)
    assert po_file.read_bytes() == before
    for e in read_po(po_file):  # each note once, whole
        assert e.comment.count("Note (NATO): ") == 1 and "\n#. the" not in e.comment


def test_duplicate_contexts_stay_when_a_paragraph_is_inserted(tmp_path):
    doc = article(tmp_path, [TITLE, DEAR, OTHER, DEAR])
    locales = tmp_path / "locales"
    run(doc, locales, None, contexts=True)
    before = [(e.msgctxt, e.msgid) for e in read_po(pot_path(locales, "article"))]
    run(article(tmp_path, [TITLE, LONG, DEAR, OTHER, DEAR]), locales, None, contexts=True)
    after = [(e.msgctxt, e.msgid) for e in read_po(pot_path(locales, "article"))]
    assert [x for x in after if x[1] == DEAR] == [x for x in before if x[1] == DEAR] == [
        ("copy-1", DEAR),
        ("copy-2", DEAR),
    ]


def test_references_are_relative_and_survive_spaces(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news desk").mkdir()
    doc = article(tmp_path / "news desk", [TITLE, LONG], name="my story.txt")
    assert Path(doc.path).is_absolute()
    pot_file, po_file = run(doc, tmp_path / "locales", None)
    text = po_file.read_text(encoding="utf-8")
    assert "#: \u2068news desk/my story.txt\u2069:1\n" in text  # as gettext 0.22 writes it
    assert str(tmp_path) not in text and str(tmp_path) not in pot_file.read_text(encoding="utf-8")
    lines = {TITLE: "1", LONG: "3"}
    for e in read_po(po_file):
        assert source_references(e) == [("news desk/my story.txt", lines[e.msgid])]


# --- header --------------------------------------------------------------------------------------


def test_header_follows_the_template_and_keeps_what_the_user_set(tmp_path):
    locales = tmp_path / "locales"
    doc = article(tmp_path, [TITLE, OTHER])
    _pot, po_file = run(doc, locales, None, now=DAY1)
    po = read_po(po_file)
    po.metadata["Project-Id-Version"] = "Brussels Morning 2024"  # what Poedit sets
    po.metadata["Last-Translator"] = "Anna Schmidt <anna@example.org>"
    po.metadata["Language-Team"] = "German <de@example.org>"
    write_po(po, po_file)
    run(article(tmp_path, [TITLE, CHANGED]), locales, None, now=DAY2)  # a new template
    meta = read_po(po_file).metadata
    assert meta["POT-Creation-Date"] == read_po(pot_path(locales, "article")).metadata["POT-Creation-Date"]
    assert meta["POT-Creation-Date"] == "2024-11-05 16:00+0000"
    assert meta["Project-Id-Version"] == "Brussels Morning 2024"
    assert meta["Last-Translator"] == "Anna Schmidt <anna@example.org>"
    assert meta["Language-Team"] == "German <de@example.org>"


def test_mt_suggestion_goes_away_once_the_entry_is_reviewed(tmp_path):
    locales = tmp_path / "locales"
    _pot, po_file = run(article(tmp_path, [TITLE, OTHER]), locales, None)
    po = read_po(po_file)
    e = po.find(OTHER)
    assert e is not None
    e.msgstr, e.flags, e.tcomment = "Seit Jahrzehnten: der Nordatlantik.", [], "Checked in print."
    write_po(po, po_file)
    run(article(tmp_path, [TITLE, CHANGED]), locales, None)
    changed = read_po(po_file).find(CHANGED)
    assert changed is not None and changed.fuzzy and "Suggestion (MT): [de] " in changed.tcomment
    po = read_po(po_file)
    e = po.find(CHANGED)
    assert e is not None
    e.flags = []  # the translator reviews it and keeps their words
    write_po(po, po_file)
    run(article(tmp_path, [TITLE, CHANGED]), locales, None)
    reviewed = read_po(po_file).find(CHANGED)
    assert reviewed is not None and reviewed.tcomment == "Checked in print."
