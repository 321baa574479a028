"""The engine on the tiny fixture packages: exact outputs, one model call, n-best."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from toolkit.mt.argos import ArgosEngine
from toolkit.mt.packages import find_model
from toolkit.mt.registry import load_engine

from conftest import ROOT
from pseudo import expected_translation

SENTENCES = [
    "NATO includes several members who maintain diplomatic relations.",
    "Iran had fired over 180 missiles at Israel on October 1.",
    "The Pentagon said the system would arrive soon.",
    "Short.",
]


class CountingTranslator:
    """Wraps the real ctranslate2.Translator and counts translate_batch calls."""

    def __init__(self, real):
        self.real = real
        self.batches: list[int] = []

    def translate_batch(self, source, *args, **kwargs):
        self.batches.append(len(source))
        return self.real.translate_batch(source, *args, **kwargs)

    def __getattr__(self, name):  # model_is_loaded, load_model, unload_model
        return getattr(self.real, name)


@pytest.fixture
def engine(installed_models) -> ArgosEngine:
    eng = ArgosEngine(find_model("en", "de"), threads=2)
    eng.translator = CountingTranslator(eng.translator)
    return eng


def test_translates_a_list_of_sentences_in_one_call(engine):
    out = engine.translate(SENTENCES)
    assert [t.text for t in out] == [expected_translation(s) for s in SENTENCES]
    assert engine.translator.batches == [len(SENTENCES)]
    assert engine.calls == 1


def test_a_streamed_call_feeds_the_model_in_chunks_and_reports_each(installed_models):
    """With `done`, sentences go shortest first in chunks of STREAM_SUB_BATCHES x token budget
    tokens; every chunk is reported as it is ready, the result is in the input's order."""
    from toolkit.mt.ctranslate import STREAM_SUB_BATCHES

    engine = ArgosEngine(find_model("en", "de"), threads=2, token_budget=16)
    engine.translator = CountingTranslator(engine.translator)
    sentences = [f"{s} ({n})" for n in range(6) for s in SENTENCES]
    reported: list[list[str]] = []
    out = engine.translate(sentences, done=lambda batch, translations: reported.append(batch))
    assert [t.text for t in out] == [expected_translation(s) for s in sentences]
    assert len(reported) == len(engine.translator.batches) > 1  # a chunk per model batch call
    assert sorted(s for batch in reported for s in batch) == sorted(sentences)
    lengths = [[len(engine.tokenize(s)) for s in batch] for batch in reported]
    assert all(a <= b for chunk in lengths for a, b in zip(chunk, chunk[1:], strict=False))
    assert all(len(chunk) * max(chunk) <= STREAM_SUB_BATCHES * 16 or len(chunk) == 1 for chunk in lengths)
    assert engine.calls == 1  # one model call, fed in chunks
    # without `done`: one translate_batch, as before
    engine.translator.batches.clear()
    engine.translate(sentences)
    assert engine.translator.batches == [len(sentences)]


def test_unload_frees_the_model_and_the_next_translation_reloads_it(engine):
    engine.unload()
    assert not engine.translator.model_is_loaded
    out = engine.translate(SENTENCES[:2])
    assert engine.translator.model_is_loaded
    assert [t.text for t in out] == [expected_translation(s) for s in SENTENCES[:2]]


def test_pseudo_language_is_not_the_source(engine):
    out = engine.translate(SENTENCES[:1])[0].text
    assert out != SENTENCES[0]
    assert out.endswith(".")


def test_n_best_returns_ranked_hypotheses(engine):
    out = engine.translate(SENTENCES, num_hypotheses=4)
    assert engine.translator.batches == [len(SENTENCES)]
    for tr in out:
        assert len(tr.hypotheses) == 4
        scores = [h.score for h in tr.hypotheses]
        assert scores == sorted(scores, reverse=True)
        assert len({h.text for h in tr.hypotheses}) == 4


def test_engine_is_loaded_once_per_process(installed_models):
    assert load_engine("en", "el") is load_engine("en", "el")


def test_empty_input_makes_no_call(engine):
    assert engine.translate([]) == []
    assert engine.translator.batches == []


@pytest.mark.slow
def test_hot_path_does_not_import_argostranslate_translate(installed_models):
    code = (
        "import sys, json\n"
        "from toolkit.mt.registry import load_engine\n"
        "out = load_engine('en', 'de').translate(['NATO is an alliance.'])\n"
        "print(json.dumps([out[0].text, 'argostranslate.translate' in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    text, imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert text == expected_translation("NATO is an alliance.")
    assert imported is False


def test_token_budget_and_threads_come_from_the_environment(installed_models, monkeypatch):
    monkeypatch.setenv("TOOLKIT_TOKEN_BUDGET", "512")
    monkeypatch.setenv("TOOLKIT_THREADS", "1")
    engine = ArgosEngine(find_model("en", "de"))
    assert engine.token_budget == 512
    assert engine.threads == 1


@pytest.mark.slow
@pytest.mark.parametrize("value", ["lots", "0", "-4", "1.5"])
def test_a_bad_token_budget_is_one_line_naming_the_variable(installed_models, tmp_path, value):
    from conftest import ARTICLE, run_cli

    result = run_cli("translate", str(ARTICLE), "--to", "de", "--locales", str(tmp_path / "loc"),
                     env={"TOOLKIT_TOKEN_BUDGET": value})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: TOOLKIT_TOKEN_BUDGET must be a positive whole number, not {value!r}"
    ]
    assert not (tmp_path / "loc").exists() or not list((tmp_path / "loc").rglob("*.po"))
