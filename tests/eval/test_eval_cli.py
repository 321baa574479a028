"""`toolkit eval`, invoked for real: post-edit mode on catalogs `toolkit translate` wrote and a
translator then edited, reference mode with the fixture engines, and bad input.

The pseudo-language fixtures are exact (tests/pseudo.py), so a reference made from them scores
chrF++ 100; the post-edit figures are checked against sacrebleu on the same strings.
"""

from __future__ import annotations

import json
import shutil

import pytest
from sacrebleu.metrics import CHRF, TER

from toolkit.formats.po import read_po, write_po
from toolkit.l10n.comments import is_machine

from conftest import GLOSSARY, ROOT, invoke, run_cli
from pseudo import expected_translation

MARIAN = ROOT / "tests" / "fixtures" / "ct2" / "marian-en-xx"
LINES = [  # no glossary term in them: every engine's output is the pseudo-language exactly
    "The meeting lasted three hours.",
    "Officials said little.",
    "A final paragraph closes the story.",
]
PARAGRAPHS = [*LINES, "NATO ministers met in Brussels on Monday."]


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def one_line_error(done) -> str:
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    return done.stderr.removeprefix("error: ").rstrip("\n")


# -- post-edit mode --------------------------------------------------------------------------------

def review(po_path, edits):
    """A translator's pass: msgid -> new msgstr (None: accepted as it is), no longer fuzzy."""
    po = read_po(po_path)
    drafts = {e.msgid: e.msgstr for e in po if is_machine(e)}
    for entry in po:
        if entry.msgid in edits:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.msgstr = edits[entry.msgid] or entry.msgstr
    write_po(po, po_path)
    return drafts


@pytest.fixture
def reviewed(installed_models, tmp_path):
    """The same article translated into German by Argos and by the Marian fixture (two catalogs),
    then reviewed: Argos's first draft accepted and one word of its second edited; Marian's first
    three drafts accepted."""
    article = tmp_path / "story.txt"
    article.write_text("\n\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    locales = tmp_path / "locales"
    for domain, extra in (("story", ()), ("story-marian", ("--engine", f"de=ct2:{MARIAN}"))):
        done = run_cli("translate", str(article), "--to", "de", "--locales", str(locales), "--out",
                       str(tmp_path / "out"), "--domain", domain, "--glossary", str(GLOSSARY), *extra,
                       cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    catalogs = locales / "de" / "LC_MESSAGES"
    argos = review(catalogs / "story.po", {PARAGRAPHS[0]: None, PARAGRAPHS[1]: None})
    words = argos[PARAGRAPHS[1]].split()
    edited = " ".join([words[0], "Zzyzx", *words[2:]])
    review(catalogs / "story.po", {PARAGRAPHS[1]: edited})
    review(catalogs / "story-marian.po", dict.fromkeys(PARAGRAPHS[:3]))
    return locales, argos, edited


def test_post_edit_mode_reports_each_engine_of_a_language(reviewed, tmp_path):
    locales, argos, edited = reviewed
    done = run_cli("eval", str(locales), "--json", "--glossary", str(GLOSSARY), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["mode"] == "post-edit" and data["locales"] == str(locales)
    first, second = data["languages"]
    assert (first["lang"], first["engine"]) == ("de", "argos:en-de@0.1")
    assert second["engine"].startswith("ct2:marian:marian-en-xx:en-de@")
    drafts, finals = [argos[p] for p in PARAGRAPHS[:2]], [argos[PARAGRAPHS[0]], edited]
    assert (first["reviewed"], first["accepted"], first["accepted_share"]) == (2, 1, 0.5)
    assert first["ter"] == round(TER().corpus_score(drafts, [finals]).score, 4)
    assert first["ter"] == round(100 / sum(len(f.split()) for f in finals), 4)  # one word edited
    assert first["chrf"] == round(CHRF(word_order=2).corpus_score(drafts, [finals]).score, 4)
    assert (second["reviewed"], second["accepted_share"]) == (3, 1.0)
    assert (second["chrf"], second["ter"]) == (100.0, 0.0)
    # the glossary given: no term in the reviewed paragraphs
    assert first["term_occurrences"] == 0 and first["term_accuracy_draft"] is None

    table = run_cli("eval", str(locales), cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == "Post-edit evaluation: how much translators changed each engine's drafts"
    assert lines[1] == f"reviewed entries in {locales}: 5 paired with their machine drafts"
    head = next(line for line in lines if line.startswith("language"))
    assert head.split() == ["language", "engine", "reviewed", "accepted", "unchanged", "chrF++", "BLEU",
                            "HTER", "terms", "in", "drafts", "terms", "in", "finals", "QA", "findings",
                            "/", "100"]
    row = next(line for line in lines if line.startswith("de  ") and "argos" in line).split()
    assert row[:4] == ["de", "argos:en-de@0.1", "2", "50.0%"]
    assert row[6] == f"{first['ter']:.1f}"
    assert "note: COMET skipped: " in table.stdout


def test_post_edit_since_and_the_chart_page(reviewed, tmp_path):
    locales, *_ = reviewed
    page = tmp_path / "eval.html"
    done = run_cli("eval", str(locales), "--since", "2000-01-01", "--html", str(page), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"wrote {page}\n") and "since 2000-01-01" in done.stdout
    assert "note: no glossary here (" in done.stdout  # none given, none in the folder: a note, no warning
    assert done.stderr == ""
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") >= 4 and "<script" not in html and "argos:en-de@0.1" in html
    later = run_cli("eval", str(locales), "--since", "2999-01-01", "--json", "--no-glossary", cwd=tmp_path)
    assert later.returncode == 0 and json.loads(later.stdout)["languages"] == []
    assert json.loads(later.stdout)["notes"] == ["no reviewed entry has a recorded draft"]
    assert one_line_error(run_cli("eval", str(locales), "--since", "last week", cwd=tmp_path)) == (
        "--since: 'last week' is not a date (YYYY-MM-DD)")


def test_post_edit_of_catalogs_without_drafts_says_so(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales, ignore=shutil.ignore_patterns(".toolkit*"))
    done = invoke("eval", str(locales), "--glossary", str(GLOSSARY), cwd=tmp_path)  # reads only
    assert done.returncode == 0, done.stderr
    assert "note: no drafts store yet" in done.stdout and "language" not in done.stdout
    assert not (locales / ".toolkit").exists()
    assert one_line_error(invoke("eval", str(tmp_path / "nowhere"), cwd=tmp_path)) == (
        f"{tmp_path / 'nowhere'}: no such locales directory")


# -- reference mode --------------------------------------------------------------------------------

@pytest.fixture
def files(tmp_path):
    return (write_lines(tmp_path / "src.en.txt", LINES),
            write_lines(tmp_path / "ref.de.txt", [expected_translation(line) for line in LINES]))


def test_reference_mode_scores_each_engine_side_by_side(installed_models, files, tmp_path):
    source, reference = files
    args = ("eval", "--source", str(source), "--ref", str(reference), "--engine", "de=argos",
            "--engine", f"de=ct2:{MARIAN}", "--engine", "tr=argos",  # tr=: not for this language
            "--glossary", str(GLOSSARY))
    done = run_cli(*args, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["mode"], data["lang"], data["lines"]) == ("reference", "de", 3)
    assert [e["spec"] for e in data["engines"]] == ["argos", f"ct2:{MARIAN}"]
    for run in data["engines"]:
        assert (run["chrf"], run["ter"], run["bleu"]) == (100.0, 0.0, 100.0)
        assert run["sentences"] == 3 and run["model_calls"] == 1 and run["seconds_per_sentence"] > 0
        assert run["term_occurrences"] == 0 and run["term_accuracy"] is None

    page = tmp_path / "ref.html"
    table = run_cli(*args, "--html", str(page), cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[:2] == ["Reference evaluation: each engine against the reference translation",
                         f"{source} → {reference} (de, 3 lines)"]
    assert lines[3].split() == ["language", "engine", "chrF++", "BLEU", "TER", "terms", "s", "/", "sentence"]
    rows = [line.split() for line in lines[5:7]]
    assert [row[:5] for row in rows] == [["de", "argos:en-de@0.1", "100.0", "100.0", "0.0"],
                                         ["de", rows[1][1], "100.0", "100.0", "0.0"]]
    assert rows[1][1].startswith("ct2:marian:marian-en-xx:en-de@") and rows[0][-1] == "s"
    assert lines[-1] == f"wrote {page}" and page.read_text(encoding="utf-8").count("<svg") == 4


def test_reference_mode_takes_the_language_from_lang_for_flores_names(installed_models, files, tmp_path):
    source, reference = files
    flores_src = shutil.copyfile(source, tmp_path / "eng_Latn.devtest")
    flores_ref = shutil.copyfile(reference, tmp_path / "deu_Latn.devtest")
    args = ("eval", "--source", str(flores_src), "--ref", str(flores_ref), "--engine", "argos", "--json")
    assert one_line_error(run_cli(*args, cwd=tmp_path)) == (
        f"{flores_ref}: cannot tell the reference's language from its file name (as in ref.tr.txt): "
        "give it with --lang, e.g. --lang tr")
    done = run_cli(*args, "--lang", "de", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["engines"][0]["chrf"] == 100.0


def test_bad_input_is_one_line_and_nothing_is_written(installed_models, files, tmp_path):
    source, reference = files
    page = tmp_path / "page.html"

    def fails(*args: str) -> str:
        message = one_line_error(run_cli("eval", *args, "--html", str(page), cwd=tmp_path))
        assert not page.exists()
        return message

    def ref_mode(src, ref, *engines: str) -> str:
        engines = engines or ("argos",)
        return fails("--source", str(src), "--ref", str(ref), *(f"--engine={e}" for e in engines))

    short = write_lines(tmp_path / "short.de.txt", LINES[:2])
    assert ref_mode(source, short) == (f"{short}:3: 2 reference lines for 3 source lines ({source}): "
                                       "the files must correspond line by line")
    empty = write_lines(tmp_path / "empty.de.txt", [])
    assert ref_mode(source, empty) == f"{empty}: empty file: nothing to evaluate"
    assert ref_mode(source, reference, "tr=argos") == (
        "no engine for 'de': give one or more, e.g. --engine de=argos")
    finnish = shutil.copyfile(reference, tmp_path / "ref.fi.txt")
    assert "no model installed for en->fi" in ref_mode(source, finnish)
    assert ref_mode(source, reference, "argos", "de=argos") == "engine argos is given twice for 'de'"
    assert fails("--source", str(source)) == (
        "reference mode needs both --source (the text) and --ref (its translation)")
    assert fails("--engine", "de=argos") == (
        "--engine and --lang are for reference mode: give --source and --ref too")
    assert fails("--source", str(source), "--ref", str(reference), "--since", "2025-01-01").startswith(
        "--since is for post-edit mode")
    assert fails("locales", "--source", str(source), "--ref", str(reference)).startswith(
        "locales: a locales folder is for post-edit mode")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["src.en.txt", "ref.de.txt", "short.de.txt", "empty.de.txt", "ref.fi.txt"])
