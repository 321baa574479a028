"""`CT2Engine.score`: the model's own length-normalised log-probability of a given translation,
one batched `score_batch` call, with the tokens the engine translates with (issue #14)."""

from __future__ import annotations

import pytest

from toolkit.config import parse_spec
from toolkit.mt.argos import ArgosEngine
from toolkit.mt.packages import InstalledModel
from toolkit.mt.registry import load_engine
from toolkit.mt.types import supports_scoring

from conftest import ROOT
from pseudo import FORMS_PACKAGE, expected_inflected, expected_plain, expected_uninflected

SOURCES = ["Talks on a deal of Article 5 start soon.",
           "The head of NATO spoke on Monday.",
           "Prices rise in every city of the region."]


def _check(engine, expected, wrong):
    pairs = [(s, expected(s)) for s in SOURCES] + [(s, wrong(s)) for s in SOURCES]
    before = engine.calls
    scores = engine.score(pairs)
    assert engine.calls == before + 1  # one batched call for every pair
    good, bad = scores[: len(SOURCES)], scores[len(SOURCES):]
    assert all(-1.0 < g <= 0.0 for g in good)  # the model's own output: ~0 per token
    assert all(g > b for g, b in zip(good, bad, strict=True))


def test_argos_engine_scores_its_own_translation_above_a_wrong_form():
    engine = ArgosEngine(InstalledModel("en", "el", "0.1", FORMS_PACKAGE, 0), threads=2)
    assert supports_scoring(engine)
    # the uninflected text translates "of" like any word: right pieces, wrong grammar
    _check(engine, expected_inflected, expected_uninflected)
    assert engine.score([]) == []


@pytest.mark.parametrize("folder", ["marian-en-xx", "nllb-tiny"])
def test_ct2_engines_score_with_their_own_tokens(folder):
    engine = load_engine("en", "de", spec=parse_spec(f"ct2:{ROOT / 'tests/fixtures/ct2' / folder}"),
                         threads=2)
    assert supports_scoring(engine)
    _check(engine, expected_plain, lambda s: expected_plain(s).replace(" ", " x", 1))


def test_grouped_candidates_are_scored_where_they_differ():
    """`groups`: one sentence's candidates, scored on the tokens where they differ (+ a few):
    the same choice as whole-sentence scoring, and the decoder sees shorter targets."""
    from toolkit.mt.ctranslate import SCORE_CONTEXT, _window

    engine = ArgosEngine(InstalledModel("en", "el", "0.1", FORMS_PACKAGE, 0), threads=2)
    pairs = [p for s in SOURCES for p in ((s, expected_inflected(s)), (s, expected_uninflected(s)))]
    grouped = engine.score(pairs, groups=[2] * len(SOURCES))
    whole = engine.score(pairs)
    for k in range(len(SOURCES)):
        assert grouped[2 * k] > grouped[2 * k + 1]
        assert (whole[2 * k] > whole[2 * k + 1]) == (grouped[2 * k] > grouped[2 * k + 1])

    targets = [list("abXcdefgh"), list("abYYcdefgh")]
    spans = [(0, 10), (0, 11)]
    _window(targets, spans, range(2), 0)
    assert targets[0] == list("abX") + list("cdefgh")[:SCORE_CONTEXT]
    assert targets[1] == list("abYY") + list("cdefgh")[:SCORE_CONTEXT]
    assert spans == [(2, len(targets[0])), (2, len(targets[1]))]  # not the prefix, not the EOS
    alone = [list("abc")]
    _window(alone, [(0, 4)], range(1), 0)
    assert alone == [list("abc")]  # a group of one is scored whole


def test_the_scoring_budget_follows_the_vocabulary_and_never_changes_a_score(tmp_path, monkeypatch):
    """CPU sub-batches hold about `SCORE_LOGITS_BUDGET_CPU` log-probabilities: the fixture's small
    vocabulary gets wide sub-batches (up to the cap), a 32,000-piece one narrow ones. How the batch is cut is
    speed only: the scores are the same whatever the budget."""
    import toolkit.mt.ctranslate as ct

    engine = ArgosEngine(InstalledModel("en", "el", "0.1", FORMS_PACKAGE, 0), threads=2)
    size = ct.target_vocabulary_size(engine.model_dir)
    assert size and size < 5000
    assert ct.SCORE_LOGITS_BUDGET_CPU // size > ct.SCORE_TOKEN_BUDGET_MAX_CPU
    assert engine._score_budget_cpu() == ct.SCORE_TOKEN_BUDGET_MAX_CPU  # wide, but capped
    pairs = [p for s in SOURCES * 4 for p in ((s, expected_inflected(s)), (s, expected_uninflected(s)))]
    wide = engine.score(pairs, groups=[2] * (len(pairs) // 2))
    monkeypatch.setattr(ct, "SCORE_LOGITS_BUDGET_CPU", 1)  # the floor: SCORE_TOKEN_BUDGET_MIN tokens
    assert engine._score_budget_cpu() == ct.SCORE_TOKEN_BUDGET_MIN
    narrow = engine.score(pairs, groups=[2] * (len(pairs) // 2))
    assert narrow == pytest.approx(wide, abs=1e-4)

    # the vocabulary files CTranslate2 models come with: .txt (a piece a line) or .json
    (tmp_path / "shared_vocabulary.txt").write_text("".join(f"p{i}\n" for i in range(32_000)), "utf-8")
    assert ct.target_vocabulary_size(tmp_path) == 32_000
    (tmp_path / "target_vocabulary.json").write_text('["<s>", "</s>", "a"]', "utf-8")
    assert ct.target_vocabulary_size(tmp_path) == 3  # the target's own, before a shared one
    (tmp_path / "target_vocabulary.json").write_bytes(b"\xff{garbage")
    assert ct.target_vocabulary_size(tmp_path) is None  # unreadable: the plain CPU budget
    assert ct.target_vocabulary_size(tmp_path / "missing") is None
