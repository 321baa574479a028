"""`toolkit eval`'s library: the drafts store, the metrics, post-edit and reference modes, the page.

Everything runs on the real fixture engines (tests/pseudo.py knows their exact output) and real
catalogs written by the workflow and then edited here as a translator would; every expected score
is either computed by hand or by sacrebleu itself on the same strings.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER

from toolkit.config import EngineSpec, parse_spec
from toolkit.errors import ToolkitError
from toolkit.eval.charts import CSS, render_eval_page, write_eval_page
from toolkit.eval.figures import format_table
from toolkit.eval.metrics import METRICS, comet_available, load_comet, score_corpus
from toolkit.eval.postedit import evaluate_postedit
from toolkit.eval.reference import engine_specs, evaluate_reference, language_of, read_lines
from toolkit.formats.document import parse_document
from toolkit.formats.po import read_po, write_po
from toolkit.l10n.comments import MT_PREFIX, is_machine
from toolkit.mt.drafts import Draft, drafts_path, open_drafts, parse_since, record_drafts
from toolkit.mt.registry import load_engine
from toolkit.qa.checks import check_entry
from toolkit.terms.glossary import load_glossary
from toolkit.terms.match import find_terms
from toolkit.workflow.localize import localize_document

from conftest import GLOSSARY, ROOT, run_cli
from libretranslate_server import expected_output
from pseudo import expected_plain, expected_translation

MARIAN = ROOT / "tests" / "fixtures" / "ct2" / "marian-en-xx"
NLLB = ROOT / "tests" / "fixtures" / "ct2" / "nllb-tiny"
LINES = [
    "The meeting lasted three hours.",
    "Officials said little.",
    "NATO ministers met in Brussels on Monday.",
    "A final paragraph closes the story.",
]


def chrf(hyps, refs):
    return CHRF(word_order=2).corpus_score(hyps, [refs]).score


def ter(hyps, refs):
    return TER().corpus_score(hyps, [refs]).score


def bleu(hyps, refs):
    return BLEU().corpus_score(hyps, [refs]).score


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def when(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=timezone.utc)


# -- metrics ---------------------------------------------------------------------------------------

def test_scores_are_sacrebleus_and_a_one_word_substitution_costs_one_edit():
    hyp, ref = "the cat sat on the mat", "the dog sat on the mat"
    scores = score_corpus([hyp], [ref], "de")
    assert set(scores.values) == set(METRICS) == {"chrf", "bleu", "ter"}
    assert scores.values["ter"] == pytest.approx(100 / 6)  # one substitution in six words
    assert scores.values["chrf"] == chrf([hyp], [ref])
    assert scores.values["bleu"] == bleu([hyp], [ref])
    same = score_corpus([ref], [ref], "de").values
    assert (same["chrf"], same["ter"]) == (100.0, 0.0)
    assert same["bleu"] == pytest.approx(100)
    assert scores.signatures["chrf"].startswith("nrefs:1|") and "version:" in scores.signatures["ter"]
    assert score_corpus([], [], "de").values == {"chrf": None, "bleu": None, "ter": None}


def test_sacrebleu_is_imported_only_when_a_score_is_computed():
    code = ("import sys, toolkit.eval.charts, toolkit.eval.postedit, toolkit.eval.reference; "
            "print('sacrebleu' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_comet_is_skipped_with_one_line_unless_installed_and_given_a_model(tmp_path):
    scorer, note = load_comet(None)
    assert scorer is None and "\n" not in note and note.startswith("COMET skipped: ")
    if not comet_available():
        assert load_comet(tmp_path / "model") == (None, "COMET skipped: unbabel-comet is not installed")
    else:  # installed: a folder that is not a COMET model is an error, not a note
        with pytest.raises(ToolkitError, match="no such COMET model folder"):
            load_comet(tmp_path / "model")


# -- the drafts store ------------------------------------------------------------------------------

def drafts(n, lang="de", engine="argos:en-de@0.1", created=None):
    return [Draft("article", lang, None if i % 2 else f"block-{i}", f"Source {i}.", f"Draft {i}.", engine,
                  created) for i in range(n)]


def test_drafts_store_keeps_every_draft_and_gives_the_latest_per_entry(tmp_path):
    locales = tmp_path / "locales"
    assert record_drafts(locales, drafts(3, created=when("2025-01-10"))) == 3
    newer = Draft("article", "de", "block-0", "Source 0.", "Draft 0, again.", "ct2:marian:x:en-de@1")
    with open_drafts(locales) as store:
        assert store.path == drafts_path(locales) == locales / ".toolkit" / "drafts.sqlite3"
        store.record([newer], now=when("2025-02-01"))
        assert len(store) == 4  # appended, never replaced
        latest = store.drafts_for("article", "de")
        assert set(latest) == {("block-0", "Source 0."), (None, "Source 1."), ("block-2", "Source 2.")}
        assert latest["block-0", "Source 0."].text == "Draft 0, again."
        assert latest["block-0", "Source 0."].created == when("2025-02-01")
        # since: only entries whose latest draft was written on or after the date
        assert list(store.drafts_for("article", "de", since=parse_since("2025-01-15"))) == [
            ("block-0", "Source 0.")]
        assert [d.text for d in store.iter_drafts(since=parse_since("2025-01-10"))] == [
            "Draft 0.", "Draft 1.", "Draft 2.", "Draft 0, again."]
        assert store.drafts_for("article", "el") == {}
    with pytest.raises(ToolkitError, match="is not a date"):
        parse_since("last week")


def test_one_record_is_one_transaction_and_two_writers_share_the_store(tmp_path):
    locales = tmp_path / "locales"
    broken = Draft("article", "de", None, "Source.", None, "argos:en-de@0.1")  # type: ignore[arg-type]
    with open_drafts(locales) as one, open_drafts(locales) as two:
        with pytest.raises(ToolkitError, match="drafts.sqlite3: cannot use the drafts store"):
            one.record([*drafts(2), broken])  # the third row fails: the first two are rolled back
        assert len(one) == 0
        one.record(drafts(2))
        two.record(drafts(3, lang="el"))
        assert len(one) == len(two) == 5


def test_drafts_survive_toolkit_cache_clear(tmp_path):
    locales = tmp_path / "locales"
    record_drafts(locales, drafts(2))
    done = run_cli("cache", "clear", env={"TOOLKIT_CACHE": str(tmp_path / "cache.sqlite3")}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with open_drafts(locales) as store:
        assert len(store) == 2


def test_a_corrupt_drafts_store_is_one_line_naming_it(tmp_path):
    path = drafts_path(tmp_path / "locales")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not an sqlite database, just text " * 100)
    with pytest.raises(ToolkitError) as info:
        open_drafts(tmp_path / "locales")
    assert "\n" not in str(info.value) and str(info.value).startswith(f"{path}: not a usable drafts store")
    with sqlite3.connect(path.with_name("other.sqlite3")) as db:  # a database, but not a drafts store
        db.execute("CREATE TABLE drafts (x)")
    path.unlink()
    path.with_name("other.sqlite3").rename(path)
    with pytest.raises(ToolkitError, match="drafts.sqlite3: cannot use the drafts store"):
        open_drafts(tmp_path / "locales")


# -- reference mode --------------------------------------------------------------------------------

@pytest.fixture
def files(tmp_path):
    """Source lines and the exact pseudo-language reference (Argos and ct2 agree on these lines)."""
    assert all(expected_translation(line) == expected_plain(line) for line in LINES)
    return (write_lines(tmp_path / "src.en.txt", LINES),
            write_lines(tmp_path / "ref.de.txt", [expected_translation(line) for line in LINES]))


def test_exact_fixture_engines_score_chrf_100_side_by_side(installed_models, files):
    source, reference = files
    specs = [EngineSpec("argos"), parse_spec(f"ct2:{MARIAN}"), parse_spec(f"ct2:{NLLB}")]
    report = evaluate_reference(source, reference, "de", specs)
    assert [r.spec for r in report.runs] == ["argos", f"ct2:{MARIAN}", f"ct2:{NLLB}"]
    assert report.runs[0].engine.startswith("argos:en-de")
    assert report.runs[1].engine.startswith("ct2:marian:marian-en-xx:en-de@")
    for run in report.runs:
        assert run.outputs == [expected_translation(line) for line in LINES]
        assert run.scores["chrf"] == 100.0 and run.scores["ter"] == 0.0
        assert run.scores["bleu"] == pytest.approx(100)
        assert run.model_calls == 1  # every line in one batched call
        assert run.seconds_per_sentence == pytest.approx(run.seconds / 4) and run.seconds > 0
        assert run.term_accuracy is None  # no glossary
    data = json.loads(report.to_json())
    assert data["lines"] == 4 and [e["chrf"] for e in data["engines"]] == [100.0, 100.0, 100.0]
    assert "outputs" not in data["engines"][0]
    assert "COMET skipped" in " ".join(report.notes)


def test_a_reference_with_known_edits_gives_sacrebleus_scores(installed_models, tmp_path, files):
    source, _ = files
    outputs = [expected_translation(line) for line in LINES]
    edited = list(outputs)
    words = edited[0].split()
    edited[0] = " ".join(["Zzyzx", *words[1:]])  # one word substituted
    reference = write_lines(tmp_path / "edited.de.txt", edited)
    run = evaluate_reference(source, reference, "de", [EngineSpec("argos")]).runs[0]
    assert run.scores["ter"] == pytest.approx(100 / sum(len(line.split()) for line in edited))
    assert run.scores["ter"] == ter(outputs, edited)
    assert run.scores["chrf"] == chrf(outputs, edited) < 100
    assert run.scores["bleu"] == bleu(outputs, edited)


def test_libretranslate_server_in_reference_mode(libretranslate, tmp_path, files):
    source, _ = files
    reference = write_lines(tmp_path / "ref.de.txt", [expected_output(line) for line in LINES])
    spec = parse_spec(f"libretranslate:{libretranslate.url}")
    run = evaluate_reference(source, reference, "de", [spec]).runs[0]
    assert run.engine == f"libretranslate:{libretranslate.url}:en-de"
    assert run.scores["chrf"] == 100.0


def test_glossary_terms_are_enforced_and_counted_the_same_for_every_engine(installed_models, files):
    source, reference = files
    glossary = load_glossary(GLOSSARY)
    report = evaluate_reference(source, reference, "de", [EngineSpec("argos"), parse_spec(f"ct2:{MARIAN}")],
                                glossary=glossary)
    occurrences = sum(len(find_terms(glossary, line)) for line in LINES)
    assert occurrences == 1  # NATO
    for run in report.runs:
        assert run.term_occurrences == occurrences and run.term_accuracy == 1.0
        assert "NATO" in run.outputs[2]


def test_bad_input_is_one_line_naming_the_file_and_nothing_is_written(installed_models, tmp_path, files):
    source, reference = files
    before = sorted(tmp_path.rglob("*"))

    def fails(src, ref, lang="de", specs=(EngineSpec("argos"),)) -> str:
        with pytest.raises(ToolkitError) as info:
            evaluate_reference(src, ref, lang, list(specs))
        assert "\n" not in str(info.value)
        return str(info.value)

    short = write_lines(tmp_path / "short.de.txt", ["Eins.", "Zwei."])
    assert fails(source, short) == (f"{short}:3: 2 reference lines for 4 source lines ({source}): "
                                    "the files must correspond line by line")
    empty = tmp_path / "empty.de.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert fails(source, empty) == f"{empty}: empty file: nothing to evaluate"
    gap = write_lines(tmp_path / "gap.en.txt", [LINES[0], "  ", *LINES[2:]])
    assert fails(gap, reference).startswith(f"{gap}:2: empty line")
    assert "no model installed for en->fi" in fails(source, reference, "fi")
    assert "invalid language code" in fails(source, reference, "../de")
    assert fails(source, reference, specs=()) == (
        "no engine for 'de': give one or more, e.g. --engine de=argos")
    assert "given twice" in fails(source, reference, specs=[EngineSpec("argos"), EngineSpec("argos")])
    assert f"{tmp_path / 'missing.txt'}: no such file" == fails(tmp_path / "missing.txt", reference)
    after = sorted(p for p in tmp_path.rglob("*") if p not in {short, empty, gap})
    assert after == before


def test_engine_specs_and_the_language_of_a_file_name():
    specs = engine_specs(["tr=argos", f"tr=ct2:{MARIAN}", "de=argos", "libretranslate:http://127.0.0.1:5"],
                         "tr")
    assert [s.describe() for s in specs] == ["argos", f"ct2:{MARIAN}", "libretranslate:http://127.0.0.1:5"]
    with pytest.raises(ToolkitError, match="no engine for 'el'"):
        engine_specs(["tr=argos"], "el")
    assert [language_of(n) for n in ("ref.tr.txt", "devtest.pt_BR.txt", "notes.txt")] == ["tr", "pt_BR", None]


def test_read_lines_accepts_crlf_a_bom_and_no_final_newline(tmp_path):
    path = tmp_path / "src.txt"
    path.write_bytes("\ufeffOne.\r\nTwo.\r\nThree.".encode())
    assert read_lines(path) == ["One.", "Two.", "Three."]


# -- post-edit mode --------------------------------------------------------------------------------

ARTICLE = """Officials said little.

The meeting lasted three hours.

NATO ministers met in Brussels on Monday.

A final paragraph closes the story.

Greece seeks a safe conclusion to the talks.
"""
ENGINES = {"de": EngineSpec("argos"), "el": parse_spec(f"ct2:{MARIAN}")}


def machine_drafts(locales, lang, domain="story"):
    """What stage 2's workflow records: every machine draft of a fresh catalog, with its MT: id."""
    path = locales / lang / "LC_MESSAGES" / f"{domain}.po"
    out = []
    for entry in read_po(path):
        if is_machine(entry):
            engine = next(line[len(MT_PREFIX):] for line in entry.tcomment.split("\n")
                          if line.startswith(MT_PREFIX))
            out.append(Draft(domain, lang, entry.msgctxt, entry.msgid, entry.msgstr, engine))
    return path, out


def forget_drafts(locales):
    """Remove the drafts store the workflow wrote (as for catalogs made before drafts were kept)."""
    store = drafts_path(locales)
    for path in store.parent.glob(store.name + "*"):  # with its WAL files, if any are left
        path.unlink()


def review(path, edits):
    """A translator's pass: msgid -> new msgstr (or None: accept as is), then unfuzzy it."""
    po = read_po(path)
    for entry in po:
        if entry.msgid in edits:
            new = edits[entry.msgid]
            if new is None or not new.startswith("~"):
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
            if new is not None:
                entry.msgstr = new.removeprefix("~")  # "~": edited, but left fuzzy (still human)
    write_po(po, path)


@pytest.fixture
def reviewed(installed_models, tmp_path):
    """Catalogs written by the real workflow, drafts recorded, then reviewed as in the test plan."""
    locales = tmp_path / "locales"
    doc = parse_document(ARTICLE, "txt", "story.txt")
    glossary = load_glossary(GLOSSARY)
    localize_document(doc, ["de", "el"], locales_dir=locales, glossary=glossary,
                      engine_loader=lambda src, tgt: load_engine(src, tgt, spec=ENGINES[tgt]))
    paragraphs = [b.text for b in doc.blocks]
    de_path, de_drafts = machine_drafts(locales, "de")
    el_path, el_drafts = machine_drafts(locales, "el")
    assert len(de_drafts) == len(el_drafts) == 5
    with open_drafts(locales) as store:  # the workflow recorded exactly these
        recorded = [(d.lang, d.msgctxt, d.msgid, d.text, d.engine) for d in store.iter_drafts()]
    assert sorted(recorded) == sorted((d.lang, d.msgctxt, d.msgid, d.text, d.engine)
                                      for d in de_drafts + el_drafts)
    forget_drafts(locales)  # and again with the dates this plan needs
    # the last paragraph's draft predates the store: its reviewed translation has no draft to pair
    record_drafts(locales, de_drafts[:4], now=when("2025-06-01"))
    record_drafts(locales, el_drafts, now=when("2024-01-01"))
    de = {d.msgid: d.text for d in de_drafts}
    one_word = de[paragraphs[1]].split()
    one_word[1] = "Zzyzx"
    review(de_path, {
        paragraphs[0]: None,  # accepted unchanged
        paragraphs[1]: "~" + " ".join(one_word),  # one word edited, left fuzzy
        paragraphs[2]: "Rewritten.",  # rewritten: the term NATO is gone
        paragraphs[4]: "Von Hand übersetzt.",  # no recorded draft
    })  # paragraphs[3] stays an untouched draft: not reviewed
    review(el_path, {paragraphs[0]: None, paragraphs[1]: None})
    return locales, glossary, paragraphs, de, [" ".join(one_word)]


def test_post_edit_figures_match_hand_computed_values(reviewed):
    locales, glossary, paragraphs, de, (one_word,) = reviewed
    report = evaluate_postedit(locales, glossary=glossary)
    assert [(f.lang, f.engine.split(":")[0]) for f in report.figures] == [("de", "argos"), ("el", "ct2")]
    german, greek = report.figures
    assert german.engine.startswith("argos:en-de")
    assert (german.reviewed, german.accepted) == (3, 1)
    assert german.accepted_share == pytest.approx(1 / 3)
    drafts = [de[p] for p in paragraphs[:3]]
    finals = [de[paragraphs[0]], one_word, "Rewritten."]
    # TER: 0 edits + 1 substitution + (1 substitution and the rest deleted), over the finals' words
    edits = 0 + 1 + len(drafts[2].split())
    assert german.scores["ter"] == pytest.approx(100 * edits / sum(len(f.split()) for f in finals))
    assert german.scores["ter"] == ter(drafts, finals)
    assert german.scores["chrf"] == chrf(drafts, finals)
    assert german.scores["bleu"] == bleu(drafts, finals)
    # NATO occurs once among the reviewed entries: the draft has it, the rewrite dropped it
    assert (german.term_occurrences, german.term_accuracy_draft, german.term_accuracy_final) == (1, 1.0, 0.0)
    findings = sum(len(check_entry(p, de[p], "de", glossary=glossary)) for p in paragraphs[:3])
    assert german.qa_findings == findings and german.qa_per_100 == pytest.approx(findings * 100 / 3)
    assert (greek.reviewed, greek.accepted_share) == (2, 1.0)
    assert (greek.scores["chrf"], greek.scores["ter"]) == (100.0, 0.0)
    assert greek.term_occurrences == 0 and greek.term_accuracy_draft is None

    data = json.loads(report.to_json())
    assert data["mode"] == "post-edit" and data["since"] is None
    assert data["languages"][0]["accepted_share"] == round(1 / 3, 4)
    assert data["languages"][0]["reviewed"] == 3 and "chrf" in data["languages"][0]["signatures"]
    table = format_table(report)
    assert "HTER" in table.splitlines()[0] and "33.3%" in table


def test_post_edit_since_keeps_recent_drafts_only(reviewed):
    locales, glossary, *_ = reviewed
    report = evaluate_postedit(locales, since="2025-01-01")
    assert [(f.lang, f.reviewed) for f in report.figures] == [("de", 3)]
    assert report.since == "2025-01-01"
    assert evaluate_postedit(locales, since="2026-01-01").figures == []


def test_post_edit_without_a_drafts_store_says_so(installed_models, tmp_path):
    locales = tmp_path / "locales"
    doc = parse_document(ARTICLE, "txt", "story.txt")
    localize_document(doc, ["de"], locales_dir=locales, engine_loader=lambda s, t: load_engine(s, t))
    forget_drafts(locales)  # catalogs written before the toolkit kept drafts
    report = evaluate_postedit(locales)
    assert report.figures == [] and report.notes[0].startswith("no drafts store yet")
    assert not drafts_path(locales).exists()  # reading never creates it
    with pytest.raises(ToolkitError, match="no such locales directory"):
        evaluate_postedit(tmp_path / "nowhere")


# -- the page --------------------------------------------------------------------------------------

def test_the_eval_page_is_self_contained_escaped_and_csp_safe(reviewed, files, tmp_path):
    locales, glossary, *_ = reviewed
    source, reference = files
    post = evaluate_postedit(locales, glossary=glossary)
    ref = evaluate_reference(source, reference, "de", [EngineSpec("argos"), parse_spec(f"ct2:{MARIAN}")])
    ref.runs[1].engine = '<img src=x onerror="alert(1)">&'
    path = write_eval_page(tmp_path / "eval.html", [post, ref])
    page = path.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in page and "default-src 'none'" in page
    assert "<script" not in page and "style=" not in page
    assert set(re.findall(r"\w+://[^\s\"'<]*", page)) == {"http://www.w3.org/2000/svg"}  # loads nothing
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in page
    charts = re.findall(r"<figcaption>([^<]*)</figcaption>", page)
    assert "chrF++ (higher is better)" in charts and "HTER (lower is better)" in charts
    assert "reviewed (higher is better)" not in charts  # a count is in the table only
    assert page.count("<svg") == len(charts) and 'class="bar best"' in page
    assert page == render_eval_page([post, ref])  # the same figures give the same bytes
