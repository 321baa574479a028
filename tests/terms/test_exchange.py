"""The glossary review loop: export for translators, import their decisions, extract candidates."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import polib
import pytest
from defusedxml.ElementTree import fromstring as safe_fromstring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.formats.document import read_document
from toolkit.terms.exchange import diff_lines, export_glossary, import_glossary
from toolkit.terms.exchange_csv import CSV_COLUMNS, FORMS_COLUMN
from toolkit.terms.extract import extract_terms
from toolkit.terms.glossary import (
    Concept,
    Glossary,
    Rendering,
    format_glossary,
    load_glossary,
    write_glossary,
)
from toolkit.terms.lint import lint
from toolkit.terms.match import find_terms
from toolkit.terms.stats import blocking_terms, glossary_stats

from conftest import ARTICLE, GLOSSARY, ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "review"
LANGS = ("el", "ru", "de", "tr")
TODAY = date(2024, 11, 5)

# A translator's new rendering of Article 5; for ru and tr it is one of the listed variants.
NEW_ARTICLE_5 = {
    "el": "Άρθρο 5 της Συνθήκης",
    "ru": "статья 5 Вашингтонского договора",
    "de": "Artikel 5 des Nordatlantikvertrags",
    "tr": "Madde 5",
}
TOUCHED = {"nato", "article-5", "hezbollah"}  # approve, replace, reject


@pytest.fixture
def glossary(glossary_file: Path):
    return load_glossary(glossary_file)


@pytest.fixture(scope="module")
def article():
    return read_document(ARTICLE)


def _export(glossary, fmt: str, lang: str, tmp_path: Path, **kwargs) -> Path:
    path = tmp_path / f"review.{lang}.{fmt}"
    path.write_bytes(export_glossary(glossary, fmt, lang, **kwargs))
    return path


# --------------------------------------------------------------------------- lossless round trip

ROUND_TRIPS = [(fmt, lang) for fmt in ("po", "csv", "tbx") for lang in LANGS] + [
    ("csv", "all"),
    ("tbx", "all"),
]


@pytest.mark.parametrize(("fmt", "lang"), ROUND_TRIPS)
def test_unedited_export_imports_as_no_change_byte_for_byte(glossary, glossary_file, article, tmp_path,
                                                            fmt, lang):
    original = glossary_file.read_bytes()
    exported = _export(glossary, fmt, lang, tmp_path, article=article, bom=True)
    result = import_glossary(glossary, exported, today=TODAY)
    assert result.changes == [] and result.unknown == [] and result.added == []
    assert diff_lines(result) == ["no changes"]
    write_glossary(result.glossary, glossary_file)
    assert glossary_file.read_bytes() == original


def test_round_trip_keeps_awkward_values(tmp_path):
    """Quoted commas, line breaks (CRLF too), quotes, '<&>' and formula-like cells survive."""
    path = tmp_path / "g.csv"
    header = "id,term,variants,dnt,case_sensitive,note,el,el_variants,el_status,el_reviewer,el_date," \
             "el_rejected,el_note"
    path.write_bytes((
        header + "\r\n"
        'odd,"A, B",-minus|=sum,no,yes,"line one\r\nline ""two"" <&>",'
        '"=1+2","@x|+y",approved,"Doe, Jane",2024-01-02,"-z","multi\r\nline\r\n\r\nnote"\r\n'
    ).encode())
    glossary = load_glossary(path)
    original = path.read_bytes()
    for fmt in ("po", "csv", "tbx"):
        exported = _export(glossary, fmt, "el", tmp_path)
        result = import_glossary(glossary, exported, today=TODAY)
        assert result.changes == [], (fmt, diff_lines(result))
        write_glossary(result.glossary, path)
        assert path.read_bytes() == original, fmt
    text = export_glossary(glossary, "csv", "el").decode()
    assert ",'=1+2,'@x|+y,approved," in text and ",'-z," in text  # no formula reaches a spreadsheet


_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="|")
_TEXT = st.text(_CHARS | st.sampled_from("\n\r\t,\"';=<&>-@"), max_size=20).map(str.strip)
_ITEM = _TEXT.filter(bool)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    term=_ITEM, note=_TEXT, text=_ITEM, variants=st.lists(_ITEM, max_size=3),
    rejected=st.lists(_ITEM, max_size=2), lang_note=_TEXT, reviewer=_TEXT,
    status=st.sampled_from(["proposed", "approved", "rejected"]), dnt=st.booleans(),
)
def test_any_values_survive_every_format(tmp_path, term, note, text, variants, rejected, lang_note,
                                         reviewer, status, dnt):
    concept = Concept("c-1", term, ["alt"], dnt, True, note, {
        "el": Rendering("el", text, variants, status, reviewer, "2024-02-29" if reviewer else "",
                        rejected, lang_note)})
    path = tmp_path / "g.csv"
    path.write_text(format_glossary(Glossary([concept], languages=["el"])), encoding="utf-8")
    glossary = load_glossary(path)
    original = path.read_bytes()
    for fmt in ("po", "csv", "tbx"):
        exported = _export(glossary, fmt, "el", tmp_path)
        result = import_glossary(glossary, exported, today=TODAY)
        assert result.changes == [], (fmt, diff_lines(result))
        assert format_glossary(result.glossary).encode() == original, fmt


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_ITEM, variants=st.lists(_ITEM, max_size=2), forms=st.lists(_ITEM, min_size=1, max_size=4),
       status=st.sampled_from(["proposed", "approved", "rejected"]))
def test_any_forms_survive_every_format(tmp_path, text, variants, forms, status):
    """Forms with line breaks, quotes, '<&>' and formula-like starts come back as they were, and
    stay apart from the variants."""
    concept = Concept("c-1", "term", [], False, True, "", {
        "el": Rendering("el", text, variants, status, inflections=forms)})
    path = tmp_path / "g.csv"
    path.write_text(format_glossary(Glossary([concept], languages=["el"])), encoding="utf-8")
    glossary = load_glossary(path)
    for fmt in ("po", "csv", "tbx"):
        result = import_glossary(glossary, _export(glossary, fmt, "el", tmp_path), today=TODAY)
        assert result.changes == [], (fmt, diff_lines(result))
        back = result.glossary.get("c-1").renderings["el"]
        assert (back.inflections, back.variants) == (glossary.get("c-1").renderings["el"].inflections,
                                                     glossary.get("c-1").renderings["el"].variants), fmt


# --------------------------------------------------------------------------- translator edits


def _edit_po(path: Path, lang: str) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgctxt == "nato":
            entry.flags.remove("fuzzy")
        elif entry.msgctxt == "article-5":
            entry.msgstr = NEW_ARTICLE_5[lang]
        elif entry.msgctxt == "hezbollah":
            entry.msgstr = ""
            entry.flags = []
    po.save(str(path))


def _edit_csv(path: Path, lang: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    for row in rows[1:]:
        if row[col["id"]] == "nato":
            row[col["status"]] = "approved"
        elif row[col["id"]] == "article-5":
            row[col["rendering"]] = NEW_ARTICLE_5[lang]
        elif row[col["id"]] == "hezbollah":
            row[col["status"]] = "rejected"
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)  # what a spreadsheet writes back: \r\n, minimal quoting
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def _edit_tbx(path: Path, lang: str) -> None:
    root = safe_fromstring(path.read_bytes())
    for entry in root.iter("termEntry"):
        for langset in entry.iter("langSet"):
            if langset.get("{http://www.w3.org/XML/1998/namespace}lang") != lang:
                continue
            first = langset.find("tig")
            status = first.find("termNote[@type='administrativeStatus']")
            if entry.get("id") == "nato":
                status.text = "preferredTerm-admn-sts"
            elif entry.get("id") == "article-5":
                first.find("term").text = NEW_ARTICLE_5[lang]
            elif entry.get("id") == "hezbollah":
                status.text = "deprecatedTerm-admn-sts"
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


EDITORS = {"po": _edit_po, "csv": _edit_csv, "tbx": _edit_tbx}


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", ["po", "csv", "tbx"])
def test_translator_decisions_come_back_into_the_glossary(glossary, glossary_file, tmp_path, fmt, lang):
    before = load_glossary(glossary_file)
    exported = _export(glossary, fmt, lang, tmp_path)
    EDITORS[fmt](exported, lang)
    result = import_glossary(glossary, exported, reviewer="maria", today=TODAY)
    after = result.glossary

    nato = after.get("nato").renderings[lang]
    assert (nato.status, nato.reviewer, nato.date) == ("approved", "maria", "2024-11-05")
    assert nato.text == before.get("nato").renderings[lang].text

    old = before.get("article-5").renderings[lang]
    art5 = after.get("article-5").renderings[lang]
    assert art5.text == NEW_ARTICLE_5[lang]
    assert old.text in art5.rejected and set(old.rejected) <= set(art5.rejected)
    assert NEW_ARTICLE_5[lang] not in art5.variants  # a promoted variant is not listed twice
    assert (art5.status, art5.reviewer, art5.date) == ("proposed", "maria", "2024-11-05")

    hez = after.get("hezbollah").renderings[lang]
    assert (hez.status, hez.reviewer) == ("rejected", "maria")
    assert hez.text == before.get("hezbollah").renderings[lang].text

    for concept in before.concepts:
        for other, rendering in concept.renderings.items():
            if concept.id not in TOUCHED or other != lang:
                assert after.get(concept.id).renderings[other] == rendering, (concept.id, other)
    assert glossary.get("nato").renderings[lang].status == "proposed"  # the input is not modified

    original_lines = glossary_file.read_bytes().splitlines(keepends=True)
    write_glossary(after, glossary_file)
    new_lines = glossary_file.read_bytes().splitlines(keepends=True)
    assert len(new_lines) == len(original_lines)
    changed = [i for i, (a, b) in enumerate(zip(original_lines, new_lines, strict=True)) if a != b]
    assert {new_lines[i].split(b",", 1)[0].decode() for i in changed} == TOUCHED
    assert not [str(i) for i in lint(load_glossary(glossary_file)) if i.severity == "error"]

    fields = {(c.concept_id, c.field) for c in result.changes}
    assert ("nato", "status") in fields and ("article-5", "rendering") in fields
    assert ("article-5", "rejected") in fields and ("hezbollah", "status") in fields
    assert {c.lang for c in result.changes} == {lang}
    diff = "\n".join(diff_lines(result))
    assert f"nato [{lang}] status: 'proposed' -> 'approved'" in diff

    again = import_glossary(after, exported, reviewer="maria", today=TODAY)
    assert again.changes == []  # importing the same review twice changes nothing more


def test_reviewer_comes_from_the_file_when_not_given(glossary, tmp_path):
    po_path = _export(glossary, "po", "el", tmp_path)
    po = polib.pofile(str(po_path))
    po.metadata["Last-Translator"] = "Eleni Papadaki <eleni@example.org>"
    next(e for e in po if e.msgctxt == "nato").flags.remove("fuzzy")
    po.save(str(po_path))
    nato = import_glossary(glossary, po_path, today=TODAY).glossary.get("nato").renderings["el"]
    assert (nato.status, nato.reviewer, nato.date) == ("approved", "Eleni Papadaki", "2024-11-05")

    csv_path = _export(glossary, "csv", "ru", tmp_path)
    text = csv_path.read_text(encoding="utf-8")
    text = text.replace("proposed,,,NATO,", "approved,ivan,2024-10-30,NATO,", 1)
    csv_path.write_text(text, encoding="utf-8")
    nato = import_glossary(glossary, csv_path, today=TODAY).glossary.get("nato").renderings["ru"]
    assert (nato.status, nato.reviewer, nato.date) == ("approved", "ivan", "2024-10-30")

    tbx_path = _export(glossary, "tbx", "de", tmp_path)
    root = safe_fromstring(tbx_path.read_bytes())
    tig = root.find("text/body/termEntry[@id='nato']/langSet[@{http://www.w3.org/XML/1998/namespace}lang='de']/tig")
    tig.find("termNote").text = "preferredTerm-admn-sts"
    group = ET.SubElement(tig, "transacGrp")
    ET.SubElement(group, "transac", type="transactionType").text = "modification"
    ET.SubElement(group, "transacNote", type="responsibility").text = "jonas"
    tbx_path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    result = import_glossary(glossary, tbx_path, today=TODAY)
    nato = result.glossary.get("nato").renderings["de"]
    assert (nato.status, nato.reviewer, nato.date) == ("approved", "jonas", "2024-11-05")
    assert import_glossary(glossary, tbx_path, reviewer="lead", today=TODAY).glossary.get(
        "nato").renderings["de"].reviewer == "lead"  # the argument wins over the file


@pytest.mark.parametrize("fmt", ["po", "csv", "tbx"])
def test_a_stale_file_does_not_undo_a_later_review(glossary, tmp_path, fmt):
    """Two translators review the same export; the second import must not revert the first."""
    first = _export(glossary, fmt, "el", tmp_path)
    second = tmp_path / f"second.{fmt}"
    shutil.copyfile(first, second)
    EDITORS[fmt](first, "el")
    reviewed = import_glossary(glossary, first, reviewer="maria", today=TODAY).glossary
    text = second.read_bytes().replace("Χαμάς".encode(), "Χαμας".encode())  # hamas: a fresh edit
    second.write_bytes(text)
    result = import_glossary(reviewed, second, reviewer="nikos", today=TODAY)
    assert [(c.concept_id, c.field) for c in result.changes][:1] == [("hamas", "rendering")]
    assert all(c.concept_id == "hamas" for c in result.changes)
    skipped = [w for w in result.warnings if "changed in the glossary after this file" in w]
    assert {w.split(": ")[1].split(" ")[0] for w in skipped} == TOUCHED
    assert result.glossary.get("article-5").renderings["el"] == reviewed.get("article-5").renderings["el"]


def test_a_decision_without_any_reviewer_is_refused(glossary, glossary_file, tmp_path):
    path = _export(glossary, "po", "tr", tmp_path)
    _edit_po(path, "tr")
    with pytest.raises(ToolkitError, match="pass --reviewer") as err:
        import_glossary(glossary, path, today=TODAY)
    assert err.value.line is not None


def test_po_fuzzy_again_withdraws_an_approval_and_a_rejected_rendering_can_be_replaced(
    glossary, tmp_path
):
    path = _export(glossary, "po", "el", tmp_path)
    _edit_po(path, "el")
    reviewed = import_glossary(glossary, path, reviewer="maria", today=TODAY).glossary
    again = _export(reviewed, "po", "el", tmp_path)
    po = polib.pofile(str(again))
    nato = next(e for e in po if e.msgctxt == "nato")
    hez = next(e for e in po if e.msgctxt == "hezbollah")
    assert "fuzzy" not in nato.flags and hez.msgstr == ""  # approved: final; rejected: to redo
    assert "Rejected: Χεζμπολάχ" in hez.comment
    nato.flags.append("fuzzy")
    hez.msgstr = "Χιζμπολάχ"
    po.save(str(again))
    result = import_glossary(reviewed, again, reviewer="nikos", today=date(2024, 12, 1))
    assert result.glossary.get("nato").renderings["el"].status == "proposed"
    hez_r = result.glossary.get("hezbollah").renderings["el"]
    assert (hez_r.text, hez_r.status, hez_r.rejected) == ("Χιζμπολάχ", "approved", ["Χεζμπολάχ"])


def test_translator_note_and_lists_are_editable(glossary, tmp_path):
    path = _export(glossary, "csv", "de", tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("Nato|Organisation des Nordatlantikvertrags,,proposed,,,,",
                        "Nato|Organisation des Nordatlantikvertrags|Nordatlantikpakt,,proposed,,,Natto,", 1)
    path.write_text(text, encoding="utf-8")
    result = import_glossary(glossary, path, today=TODAY)
    nato = result.glossary.get("nato").renderings["de"]
    assert nato.variants[-1] == "Nordatlantikpakt" and nato.rejected == ["Natto"]
    assert (nato.status, nato.reviewer, nato.date) == ("proposed", "", "")  # no decision, no stamp

    po_path = _export(glossary, "po", "ru", tmp_path)
    po = polib.pofile(str(po_path))
    next(e for e in po if e.msgctxt == "hamas").tcomment = "Всегда прописными: ХАМАС."
    po.save(str(po_path))
    result = import_glossary(glossary, po_path, today=TODAY)
    assert result.glossary.get("hamas").renderings["ru"].note == "Всегда прописными: ХАМАС."
    assert [(c.concept_id, c.field) for c in result.changes] == [("hamas", "note")]


def test_status_filter_exports_only_pending_terms_and_leaves_the_rest_alone(glossary, tmp_path):
    path = _export(glossary, "po", "el", tmp_path)
    _edit_po(path, "el")
    reviewed = import_glossary(glossary, path, reviewer="maria", today=TODAY).glossary
    pending = polib.pofile(export_glossary(reviewed, "po", "el", status="proposed").decode())
    ids = {e.msgctxt for e in pending}
    assert "nato" not in ids and "hezbollah" not in ids and "article-5" in ids
    assert len(ids) == len(glossary.concepts) - 2
    tbx = export_glossary(reviewed, "tbx", "all", status="approved").decode()
    assert tbx.count("<termEntry ") == 1 and 'xml:lang="el"' in tbx and 'xml:lang="ru"' not in tbx


# --------------------------------------------------------------------------- forms (xx_forms)

_FORMS_COLUMNS = ["id", "term", "variants", "dnt", "case_sensitive", "note"] + [
    lang + suffix for lang in ("el", "ru")
    for suffix in ("", "_variants", "_forms", "_status", "_reviewer", "_date", "_rejected", "_note")]
_FORMS_ROWS = [
    ["article-5", "Article 5", "Article V", "no", "no", "Collective-defence clause.",
     # el: the last form is long, so that polib wraps its PO comment line on save
     "Άρθρο 5", "Άρθρο V", "Άρθρου 5|Άρθρα 5|του Άρθρου 5 της Βορειοατλαντικής Συνθήκης", "approved", "eleni",
     "2024-11-01", "Αρθρο 5", "Capital Ά.",
     "Статья 5", "статья V", "статьи 5|статье 5", "proposed", "", "", "", ""],
    ["nato", "NATO", "", "no", "yes", "", "ΝΑΤΟ", "Βορειοατλαντική Συμμαχία", "", "proposed", "", "", "", "",
     "НАТО", "", "", "proposed", "", "", "NATO", ""],
    ["hamas", "Hamas", "", "no", "yes", "", "", "", "", "", "", "", "", "",  # no el rendering
     "ХАМАС", "", "ХАМАСа|ХАМАСу", "proposed", "", "", "", ""],
]
EDITED_FORMS = ["Άρθρου 5", "Άρθρων 5", "του Άρθρου 5 της Βορειοατλαντικής Συνθήκης"]  # Άρθρα -> Άρθρων


@pytest.fixture
def forms_file(tmp_path: Path) -> Path:
    """A glossary whose renderings have forms (xx_forms) as well as variants."""
    path = tmp_path / "forms.csv"
    path.write_text("\n".join(",".join(row) for row in [_FORMS_COLUMNS, *_FORMS_ROWS]) + "\n",
                    encoding="utf-8")
    return path


def _edit_forms_po(path: Path) -> None:
    po = polib.pofile(str(path))  # polib's default 78 columns wrap the long comment line
    entry = next(e for e in po if e.msgctxt == "article-5")
    entry.comment = entry.comment.replace("| Άρθρα 5 |", "| Άρθρων 5 |")
    po.save(str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "#. Άρθρου 5 της Βορειοατλαντικής Συνθήκης" in lines  # wrapped: read whole on import


def _edit_forms_csv(path: Path) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    col = rows[0].index("forms")
    row = next(r for r in rows if r[0] == "article-5" and r[1] == "el")
    row[col] = row[col].replace("|Άρθρα 5|", "|Άρθρων 5|")
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")


def _edit_forms_tbx(path: Path) -> None:
    root = safe_fromstring(path.read_bytes())
    langset = root.find("text/body/termEntry[@id='article-5']/langSet[@{http://www.w3.org/XML/1998/namespace}"
                        "lang='el']")
    next(t for t in langset.iter("term") if t.text == "Άρθρα 5").text = "Άρθρων 5"
    path.write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


FORM_EDITORS = {"po": _edit_forms_po, "csv": _edit_forms_csv, "tbx": _edit_forms_tbx}


@pytest.mark.parametrize("fmt", ["po", "csv", "tbx"])
def test_forms_round_trip_apart_from_the_variants(forms_file, tmp_path, fmt):
    glossary = load_glossary(forms_file)
    original = forms_file.read_bytes()
    for lang in ("el", "ru") if fmt == "po" else ("all",):
        exported = _export(glossary, fmt, lang, tmp_path)
        result = import_glossary(glossary, exported, today=TODAY)
        assert result.changes == [] and result.warnings == [], (fmt, diff_lines(result))
        for concept in glossary.concepts:
            for other, rendering in concept.renderings.items():
                back = result.glossary.get(concept.id).renderings[other]
                assert (back.inflections, back.variants) == (rendering.inflections, rendering.variants)
                assert back == rendering
        write_glossary(result.glossary, forms_file)
        assert forms_file.read_bytes() == original, (fmt, lang)
    text = export_glossary(glossary, fmt, "el").decode()
    if fmt == "po":  # the forms are their own comment, named apart from the variants
        assert ("#. Inflections (forms of the approved rendering): Άρθρου 5 | Άρθρα 5 | του Άρθρου 5 της"
                " Βορειοατλαντικής Συνθήκης\n#. Accepted forms: Άρθρο V\n") in text
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0][rows[0].index("variants") + 1] == "forms"
        cell = dict(zip(rows[0], rows[1], strict=True))
        assert (cell["variants"], cell["forms"]) == ("Άρθρο V", "Άρθρου 5|Άρθρα 5|του Άρθρου 5 της"
                                                     " Βορειοατλαντικής Συνθήκης")
    else:
        root = safe_fromstring(text.encode())
        langset = root.find("text/body/termEntry[@id='article-5']/langSet[@{http://www.w3.org/XML/1998/"
                            "namespace}lang='el']")
        kinds = [(tig.findtext("term"), tig.findtext("termNote[@type='termType']"))
                 for tig in langset.iter("tig")]
        assert kinds == [("Άρθρο 5", None), ("Άρθρου 5", "variant"), ("Άρθρα 5", "variant"),
                         ("του Άρθρου 5 της Βορειοατλαντικής Συνθήκης", "variant"), ("Άρθρο V", None),
                         ("Αρθρο 5", None)]


@pytest.mark.parametrize("fmt", ["po", "csv", "tbx"])
def test_an_edited_form_is_imported_into_the_forms_and_nothing_else(forms_file, tmp_path, fmt):
    glossary = load_glossary(forms_file)
    exported = _export(glossary, fmt, "el", tmp_path)
    FORM_EDITORS[fmt](exported)
    result = import_glossary(glossary, exported, today=TODAY)  # not a decision: no reviewer needed
    assert [(c.concept_id, c.lang, c.field) for c in result.changes] == [("article-5", "el", "forms")]
    assert result.warnings == []
    old = glossary.get("article-5").renderings["el"]
    new = result.glossary.get("article-5").renderings["el"]
    assert new.inflections == EDITED_FORMS and new.variants == ["Άρθρο V"]
    assert new == replace(old, inflections=EDITED_FORMS)  # same reviewer, date, status, lists, note
    for concept in glossary.concepts:
        for other, rendering in concept.renderings.items():
            if (concept.id, other) != ("article-5", "el"):
                assert result.glossary.get(concept.id).renderings[other] == rendering
    diff = "\n".join(diff_lines(result))
    assert "article-5 [el] forms: 'Άρθρου 5 | Άρθρα 5 | " in diff and "-> 'Άρθρου 5 | Άρθρων 5 | " in diff

    before = forms_file.read_text(encoding="utf-8").splitlines()
    write_glossary(result.glossary, forms_file)
    after = forms_file.read_text(encoding="utf-8").splitlines()
    assert [a for a, b in zip(before, after, strict=True) if a != b] == [before[1]]  # the article-5 row
    assert load_glossary(forms_file).get("article-5").renderings["el"].inflections == EDITED_FORMS
    assert import_glossary(result.glossary, exported, today=TODAY).changes == []  # twice: no more


@pytest.mark.parametrize("fmt", ["po", "csv", "tbx"])
def test_a_stale_file_does_not_undo_a_later_edit_of_the_forms(forms_file, tmp_path, fmt):
    glossary = load_glossary(forms_file)
    exported = _export(glossary, fmt, "el", tmp_path)
    glossary.get("article-5").renderings["el"].inflections = ["Άρθρου 5"]  # another review landed
    result = import_glossary(glossary, exported, today=TODAY)
    assert result.changes == [] and result.glossary.get("article-5").renderings["el"].inflections == [
        "Άρθρου 5"]
    assert any("article-5 (el) changed in the glossary after this file" in w for w in result.warnings)


def test_forms_can_be_emptied_and_files_without_forms_leave_them_alone(forms_file, tmp_path):
    glossary = load_glossary(forms_file)
    po_path = _export(glossary, "po", "ru", tmp_path)
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgctxt == "article-5")
    entry.comment = entry.comment.replace(": статьи 5 | статье 5", ":")
    po.save(str(po_path))
    result = import_glossary(glossary, po_path, today=TODAY)
    assert result.glossary.get("article-5").renderings["ru"].inflections == []
    assert [(c.concept_id, c.field, c.new) for c in result.changes] == [("article-5", "forms", "")]

    entry.comment = "\n".join(line for line in entry.comment.split("\n")
                              if not line.startswith("Inflections"))
    po.save(str(po_path))  # no Inflections line at all: the forms stay
    assert import_glossary(glossary, po_path, today=TODAY).changes == []

    rows = list(csv.reader(io.StringIO(export_glossary(glossary, "csv", "all").decode(), newline="")))
    col = rows[0].index("forms")
    out = io.StringIO(newline="")
    csv.writer(out).writerows([row[:col] + row[col + 1:] for row in rows])  # a sheet from before forms
    csv_path = tmp_path / "old.csv"
    csv_path.write_text(out.getvalue(), encoding="utf-8", newline="")
    assert import_glossary(glossary, csv_path, today=TODAY).changes == []


def test_a_sheet_can_add_the_forms_column_and_a_new_term_keeps_its_forms(glossary, tmp_path):
    for concept in glossary.concepts:  # a glossary with no ru forms yet: its sheet has no forms column
        concept.renderings["ru"].inflections = []
    assert "forms" not in export_glossary(glossary, "csv", "ru").decode().splitlines()[0].split(",")
    rows = list(csv.reader(io.StringIO(export_glossary(glossary, "csv", "ru").decode(), newline="")))
    at = rows[0].index("variants") + 1
    rows = [row[:at] + [""] + row[at:] for row in rows]
    rows[0][at] = "forms"
    nato = next(row for row in rows if row[0] == "nato")
    nato[at] = "НАТО"  # an indeclinable name: its one form
    new = dict.fromkeys(rows[0], "")
    new.update(lang="ru", term="Iron Beam", rendering="Железный луч", status="proposed",
               forms="Железного луча|Железным лучом")
    rows.append([new[col] for col in rows[0]])
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    path = tmp_path / "added.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    result = import_glossary(glossary, path, today=TODAY, add_new=True)
    assert [(c.concept_id, c.field) for c in result.changes] == [("nato", "forms")]
    assert result.glossary.get("nato").renderings["ru"].inflections == ["НАТО"]
    added = result.glossary.get("iron-beam").renderings["ru"]
    assert added.inflections == ["Железного луча", "Железным лучом"]


def test_malformed_forms_fail_with_file_and_line(forms_file, tmp_path):
    glossary = load_glossary(forms_file)

    def refused(path: Path, message: str) -> int:
        with pytest.raises(ToolkitError, match=message) as err:
            import_glossary(glossary, path, reviewer="maria", today=TODAY)
        assert err.value.path == str(path) and err.value.line is not None
        assert "\n" not in str(err.value)
        return err.value.line

    po_path = _export(glossary, "po", "el", tmp_path)
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgctxt == "article-5")
    entry.comment += "\nInflections (forms of the approved rendering): Άρθρου 5"
    po.save(str(po_path))
    assert refused(po_path, "two 'Inflections \\(forms of the approved rendering\\):' comments") == next(
        e for e in polib.pofile(str(po_path)) if e.msgctxt == "article-5").linenum

    rows = list(csv.reader(io.StringIO(export_glossary(glossary, "csv", "el").decode(), newline="")))
    hamas = next(i for i, row in enumerate(rows) if row[0] == "hamas")
    rows[hamas][rows[0].index("forms")] = "Χαμάς"  # forms, but no rendering they could inflect
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text(out.getvalue(), encoding="utf-8", newline="")
    assert refused(csv_path, "hamas \\(el\\): forms without a rendering") == hamas + 1

    tbx = export_glossary(glossary, "tbx", "el").decode()
    marker = '<termNote type="termType">variant</termNote>'
    first = tbx.replace("<term>Άρθρο 5</term>", "<term>Άρθρο 5</term>" + marker)
    deprecated = tbx.replace('admittedTerm-admn-sts</termNote>\n            <termNote type="termType">',
                             'deprecatedTerm-admn-sts</termNote>\n            <termNote type="termType">', 1)
    assert first != tbx and deprecated != tbx
    cases = [("first", first, "is its rendering, not an inflection"),
             ("deprecated", deprecated, "an inflection \\(termType variant\\) is an accepted form")]
    for name, text, message in cases:
        path = tmp_path / f"{name}.tbx"
        path.write_text(text, encoding="utf-8")
        line = refused(path, message)
        assert text.splitlines()[line - 1].strip().startswith("<tig"), name


# --------------------------------------------------------------------------- interoperability


def test_tbx_export_is_read_by_translate_toolkit(glossary, article):
    tbx = pytest.importorskip("translate.storage.tbx")
    data = export_glossary(glossary, "tbx", "all", article=article)
    store = tbx.tbxfile.parsestring(data, sourcelanguage="en", targetlanguage="ru")
    units = {u.getid(): u for u in store.units}
    assert set(units) == {c.id for c in glossary.concepts}
    nato = units["nato"]
    assert nato.source == "NATO" and nato.target == "НАТО"
    assert [t.text for t in nato.get_source_terms()] == glossary.get("nato").forms
    terms = nato.get_target_terms("ru")
    assert terms[0].administrative_status == "admittedTerm-admn-sts"
    assert terms[-1].text == "NATO" and terms[-1].deprecated  # rejected Latin spelling
    assert units["article-5"].get_target_terms("el")[0].text == "Άρθρο 5"
    assert "Collective-defence clause" in units["article-5"].getnotes("definition")


def test_tbx_structure_is_tbx_basic(glossary):
    root = safe_fromstring(export_glossary(glossary, "tbx", "tr"))
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    assert root.find("martifHeader/encodingDesc/p").text == "TBXBasicXCSV02.xcs"
    entries = root.findall("text/body/termEntry")
    assert [e.get("id") for e in entries] == [c.id for c in glossary.concepts]
    allowed = {"preferredTerm-admn-sts", "admittedTerm-admn-sts", "deprecatedTerm-admn-sts"}
    for entry in entries:
        langs = [ls.get("{http://www.w3.org/XML/1998/namespace}lang") for ls in entry.findall("langSet")]
        assert langs == ["en", "tr"]
        for tig in entry.iter("tig"):
            assert len(tig.findall("term")) == 1
            assert tig.find("termNote[@type='administrativeStatus']").text in allowed


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt not installed")
@pytest.mark.parametrize("lang", LANGS)
def test_po_export_passes_msgfmt_check(glossary, article, tmp_path, lang):
    path = _export(glossary, "po", lang, tmp_path, article=article)
    run = subprocess.run(["msgfmt", "-c", "-o", str(tmp_path / "x.mo"), str(path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr
    po = polib.pofile(str(path))
    nato = next(e for e in po if e.msgctxt == "nato")
    assert nato.msgid == "NATO" and "fuzzy" in nato.flags
    assert "Context: NATO includes several members" in nato.comment
    assert nato.occurrences[0] == (str(ARTICLE), "6")  # #: path:line of the first paragraph
    thaad = next(e for e in po if e.msgctxt == "thaad")
    assert "Do not translate" in thaad.comment


def test_csv_export_has_documented_header_and_bom(glossary):
    data = export_glossary(glossary, "csv", "el", bom=True)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    at = CSV_COLUMNS.index("variants") + 1  # the shipped glossary has forms: the column follows variants
    assert tuple(rows[0]) == (*CSV_COLUMNS[:at], FORMS_COLUMN, *CSV_COLUMNS[at:])
    assert len(rows) == 1 + len(glossary.concepts)
    assert {row[1] for row in rows[1:]} == {"el"}
    assert not export_glossary(glossary, "csv", "el").startswith("\ufeff".encode())


def test_semicolon_separated_excel_save_is_read(glossary, tmp_path):
    rows = list(csv.reader(io.StringIO(export_glossary(glossary, "csv", "de").decode(), newline="")))
    rows[1][rows[0].index("status")] = "approved"
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";").writerows(rows)
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + out.getvalue()).encode())
    result = import_glossary(glossary, path, reviewer="jonas", today=TODAY)
    assert [(c.concept_id, c.field) for c in result.changes][:1] == [("nato", "status")]


# --------------------------------------------------------------------------- hostile and broken files


@pytest.mark.parametrize("name", ["xxe.tbx", "billion_laughs.tbx"])
def test_tbx_with_dtd_entities_is_refused(glossary, glossary_file, name):
    before = glossary_file.read_bytes()
    with pytest.raises(ToolkitError, match="DTD") as err:
        import_glossary(glossary, FIXTURES / name, reviewer="x")
    assert err.value.line == 2
    assert glossary_file.read_bytes() == before


def test_undeclared_entity_is_broken_xml(glossary, tmp_path):
    path = tmp_path / "entity.tbx"
    path.write_text('<martif type="TBX-Basic">\n<text><body>&ext;</body></text></martif>\n')
    with pytest.raises(ToolkitError, match="broken XML") as err:
        import_glossary(glossary, path)
    assert err.value.line == 2


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        ("bad_quoting.csv", 3, "malformed CSV"),
        ("missing_column.csv", 1, "missing column 'status'"),
        ("short_row.csv", 3, "expected 13 fields, found 12"),
        ("duplicate.csv", 4, "duplicate entry for 'nato' \\(el\\), first on line 2"),
        ("broken.po", 8, "string is not closed"),
        ("duplicate.po", 10, "duplicate entry for 'nato'"),
        ("broken.tbx", 10, "broken XML: mismatched tag"),
        ("duplicate.tbx", 15, "duplicate entry for 'nato'"),
    ],
)
def test_malformed_files_fail_with_file_and_line_and_change_nothing(
    glossary, glossary_file, tmp_path, name, line, message
):
    path = FIXTURES / name
    if not path.exists():  # stored as NAME.in so no catalog tool (msgfmt, a site build) picks it up
        path = tmp_path / name
        path.write_bytes((FIXTURES / f"{name}.in").read_bytes())
    before = glossary_file.read_bytes()
    text_before = format_glossary(glossary)
    with pytest.raises(ToolkitError, match=message) as err:
        import_glossary(glossary, path, reviewer="maria", today=TODAY)
    assert (err.value.path, err.value.line) == (str(path), line)
    assert glossary_file.read_bytes() == before
    assert format_glossary(glossary) == text_before


def test_invalid_values_are_refused(glossary, tmp_path):
    base = export_glossary(glossary, "csv", "el").decode()
    cases = {
        "status": (base.replace(",proposed,", ",aproved,", 1), "status 'aproved'"),
        "date": (base.replace(",proposed,,,", ",approved,maria,05/11/2024,", 1), "not a date"),
        "lang": (base.replace("nato,el,", "nato,fr,", 1), "'fr' is not a glossary language"),
        "column": (base.replace("context", "comments", 1), "unknown column 'comments'"),
    }
    for key, (text, message) in cases.items():
        path = tmp_path / f"{key}.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ToolkitError, match=message) as err:
            import_glossary(glossary, path, reviewer="maria")
        assert err.value.line is not None, key
    tbx = export_glossary(glossary, "tbx", "el").decode().replace(
        "admittedTerm-admn-sts", "bestTerm-admn-sts", 1)
    path = tmp_path / "status.tbx"
    path.write_text(tbx, encoding="utf-8")
    with pytest.raises(ToolkitError, match="administrativeStatus 'bestTerm-admn-sts'") as err:
        import_glossary(glossary, path)
    assert err.value.line is not None
    with pytest.raises(ToolkitError, match="one language"):
        export_glossary(glossary, "po", "all")
    with pytest.raises(ToolkitError, match="not a glossary language"):
        export_glossary(glossary, "tbx", "fr")


# --------------------------------------------------------------------------- unknown terms


def _with_new_row(glossary, tmp_path: Path) -> Path:
    text = export_glossary(glossary, "csv", "el").decode()
    text += ",el,Iron Beam,no,Israeli laser air-defence system.,Iron Beam,,,proposed,,,,,,\r\n"
    path = tmp_path / "new.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_term_is_reported_not_added(glossary, glossary_file, tmp_path):
    path = _with_new_row(glossary, tmp_path)
    result = import_glossary(glossary, path, today=TODAY)
    line = len(glossary.concepts) + 2
    assert result.unknown == [("Iron Beam", line)] and result.added == [] and result.changes == []
    assert any("Iron Beam" in d and "--add-new" in d for d in diff_lines(result))
    assert result.glossary.get("iron-beam") is None


def test_add_new_adds_unknown_term_as_proposed(glossary, glossary_file, tmp_path):
    path = _with_new_row(glossary, tmp_path)
    result = import_glossary(glossary, path, today=TODAY, add_new=True)
    assert result.added == ["iron-beam"] and result.unknown == []
    concept = result.glossary.get("iron-beam")
    assert (concept.term, concept.case_sensitive, concept.note) == (
        "Iron Beam", True, "Israeli laser air-defence system.")
    assert concept.renderings["el"].text == "Iron Beam"
    assert concept.renderings["el"].status == "proposed"
    original = glossary_file.read_bytes()
    write_glossary(result.glossary, glossary_file)
    written = glossary_file.read_bytes()
    assert written.startswith(original)  # existing rows untouched, one row appended
    assert load_glossary(glossary_file).get("iron-beam") is not None


def test_add_new_never_duplicates_a_known_form(glossary, tmp_path):
    text = export_glossary(glossary, "csv", "el").decode()
    text += ",el,MNNA,no,,ΣΣΕΝ,,,proposed,,,,,,\r\n"
    path = tmp_path / "known.csv"
    path.write_text(text, encoding="utf-8")
    result = import_glossary(glossary, path, add_new=True)
    assert result.added == [] and result.unknown[0][0] == "MNNA"
    assert any("major-non-nato-ally" in w for w in result.warnings)


def test_unknown_ids_in_po_and_tbx_are_reported(glossary, tmp_path):
    po = polib.pofile(export_glossary(glossary, "po", "de").decode())
    po.append(polib.POEntry(msgctxt="iron-beam", msgid="Iron Beam", msgstr="Iron Beam"))
    path = tmp_path / "new.po"
    po.save(str(path))
    result = import_glossary(glossary, path, reviewer="jonas", today=TODAY, add_new=True)
    assert result.added == ["iron-beam"]
    assert result.glossary.get("iron-beam").renderings["de"].status == "proposed"

    tbx = export_glossary(glossary, "tbx", "all").decode().replace('<termEntry id="thaad">',
                                                                   '<termEntry id="thaad-2">')
    path = tmp_path / "new.tbx"
    path.write_text(tbx, encoding="utf-8")
    result = import_glossary(glossary, path)
    assert {term for term, _ in result.unknown} == {"THAAD"} and len(result.unknown) == 4


# --------------------------------------------------------------------------- extraction and stats


def test_extract_terms_proposes_names_and_acronyms_the_glossary_lacks(glossary):
    text = ARTICLE.read_text(encoding="utf-8")
    candidates = extract_terms(text, glossary)
    by_phrase = {c.phrase: c for c in candidates}
    for name in ("Angelos Kaskanis", "Saudi Arabia", "United States", "Swedish Radio", "Middle Eastern",
                 "Norwegian Ministry of Foreign Affairs"):
        assert by_phrase[name].kind == "name", name
    for acronym in ("U.S.", "BM", "EU", "MPSOTC"):
        assert by_phrase[acronym].kind == "acronym", acronym
    assert by_phrase["U.S."].count == 4
    assert by_phrase["military capabilities"].kind == "phrase"
    assert by_phrase["Angelos Kaskanis"].count == 2
    assert "Brussels Morning Political Advisor" in by_phrase["Political Advisor"].first_context
    for known in ("NATO", "THAAD", "IDF", "RTX", "Joe Biden", "Mark Rutte", "Middle East", "Brussels Morning",
                  "Upgrading Israel", "Share This Article", "About Us"):
        assert known not in by_phrase, known
    for candidate in candidates:
        assert find_terms(glossary, candidate.phrase) == [], candidate.phrase
        words = candidate.phrase.lower().split()
        assert words[0] not in {"the", "a", "of", "and", "in", "for"}, candidate.phrase
        assert words[-1] not in {"the", "a", "of", "and", "in", "for"}, candidate.phrase
    counts = [c.count for c in candidates]
    assert counts == sorted(counts, reverse=True)
    assert all(c.count >= 2 for c in extract_terms(text, glossary, min_count=2))


def test_shipped_glossary_stats_and_blocking_terms():
    glossary = load_glossary(GLOSSARY)
    n = len(glossary.concepts)
    stats = glossary_stats(glossary)
    assert stats == {lang: {"proposed": n, "approved": 0, "rejected": 0, "missing": 0} for lang in LANGS}
    blocking = blocking_terms(glossary)
    assert blocking == {lang: [c.id for c in glossary.concepts] for lang in LANGS}


def test_stats_follow_review(glossary, tmp_path):
    path = _export(glossary, "csv", "ru", tmp_path)
    _edit_csv(path, "ru")
    reviewed = import_glossary(glossary, path, reviewer="ivan", today=TODAY).glossary
    assert glossary_stats(reviewed)["ru"] == {
        "proposed": len(glossary.concepts) - 2, "approved": 1, "rejected": 1, "missing": 0}
    assert "nato" not in blocking_terms(reviewed)["ru"]
    assert "nato" in blocking_terms(reviewed)["el"]
