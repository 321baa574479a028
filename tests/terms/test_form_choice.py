"""A masked term comes back in the form the model scores best (issue #14), with the real fixture
model: the pseudo-language drops "of" before a word and puts the case ending ``ᵍ`` on the word's
translation, so "of Article 5" needs the inflected form of the rendering of "Article 5"."""

from __future__ import annotations

import random

import pytest

from toolkit.l10n.comments import term_items
from toolkit.l10n.translate import BlockResult
from toolkit.mt.argos import ArgosEngine
from toolkit.mt.libretranslate import LibreTranslateEngine
from toolkit.mt.packages import InstalledModel
from toolkit.mt.types import supports_scoring
from toolkit.terms.enforce import Unit, translate_units
from toolkit.terms.form_choice import CANNOT_SCORE, CHOSEN, choose_forms
from toolkit.terms.glossary import Concept, Glossary, Rendering

from conftest import LANGS
from pseudo import FORMS_PACKAGE, expected_inflected, inflection_suffix

TERMS = ["Article 5", "ballistic missile", "Pentagon", "air defense", "NATO Summit",
         "Iron Dome", "humanitarian aid", "Black Sea", "Secretary General", "interceptor"]
# words of the contexts; the sentences themselves are drawn here, never seen in training
WORDS = ("the officials said that new talks on a deal would start soon after his visit "
         "and we expect more news from their office before next week while prices rise "
         "in every city where people live near water").split()
LANG = "el"

if not hasattr(Rendering, "candidates"):  # the glossary's xx_forms column (issue #14 part A)
    pytest.skip("needs Rendering.inflections / Rendering.candidates", allow_module_level=True)


def _forms(term: str) -> tuple[str, str]:
    """(base, genitive) rendering of a term: its translation alone and after "of"."""
    return expected_inflected(term), expected_inflected(f"of {term}")


@pytest.fixture(scope="module")
def engine():
    return ArgosEngine(InstalledModel("en", LANG, "0.1", FORMS_PACKAGE, 0), threads=2)


@pytest.fixture(scope="module")
def glossary():
    concepts = []
    for i, term in enumerate(TERMS):
        base, genitive = _forms(term)
        assert base != genitive and inflection_suffix() in genitive
        renderings = {lang: Rendering(lang, base, inflections=[genitive], status="approved")
                      for lang in LANGS}
        concepts.append(Concept(f"t{i}", term, case_sensitive=True, renderings=renderings))
    return Glossary(concepts=concepts, languages=list(LANGS))


def _contexts(count: int, seed: int = 14) -> list[tuple[str, str, bool]]:
    """(sentence, term, genitive?) held-out contexts: half with "of" right before the term."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        term = rng.choice(TERMS)
        pos = rng.randint(0, len(words))
        genitive = len(out) % 2 == 0
        if genitive:
            words.insert(pos, f"of {term}")
        else:
            if pos > 0 and words[pos - 1] == "of":
                continue
            words.insert(pos, term)
        sentence = " ".join(words) + "."  # lower case: "Of" at the start is no trigger
        out.append((sentence, term, genitive))
    return out


def _masked(engine, glossary, sentences):
    # rendered=set(): every mapped term is masked (the fixture model renders them by itself)
    return translate_units([Unit(s) for s in sentences], engine, LANG, glossary=glossary,
                           rendered=set())


def test_forms_chosen_by_score_beat_the_base_form(engine, glossary):
    contexts = _contexts(240)
    outcomes = _masked(engine, glossary, [s for s, _t, _g in contexts])
    before = engine.calls
    assert choose_forms(outcomes, glossary, LANG, engine.score) == 1
    assert engine.calls == before + 1  # every candidate of every sentence in ONE scoring call
    right = base_right = exact = 0
    for (sentence, term, genitive), outcome in zip(contexts, outcomes, strict=True):
        (chosen,) = outcome.terms
        assert chosen.note == CHOSEN
        base, inflected = _forms(term)
        want = inflected if genitive else base
        right += chosen.form == want
        base_right += base == want
        exact += outcome.text == expected_inflected(sentence)
    n = len(contexts)
    print(f"form choice: {right}/{n} right ({right / n:.1%}); base form: {base_right}/{n} "
          f"({base_right / n:.1%}); whole sentence exact: {exact}/{n}")
    assert right >= 0.95 * n
    assert base_right < right and base_right <= 0.6 * n


def test_a_suffix_glued_to_the_placeholder_is_absorbed(engine, glossary):
    suffix = inflection_suffix()
    sentence = "Talks on a deal of Article 5 start soon."
    (outcome,) = _masked(engine, glossary, [sentence])
    raw, _masked_text = outcome.masked
    assert "\u27e60\u27e7" + suffix in raw  # the model put the case ending on the placeholder
    base, inflected = _forms("Article 5")
    assert base + suffix in outcome.text  # without form choice: base form plus a stray ending
    choose_forms([outcome], glossary, LANG, engine.score)
    assert outcome.text == expected_inflected(sentence)
    assert inflected in outcome.text and inflected + suffix not in outcome.text
    assert outcome.text.count(suffix) == expected_inflected(sentence).count(suffix)


def test_several_terms_in_one_sentence_each_get_their_form(engine, glossary):
    sentence = "the officials said that Pentagon talks of Iron Dome and of air defense start near Black Sea."
    (outcome,) = _masked(engine, glossary, [sentence])
    choose_forms([outcome], glossary, LANG, engine.score)
    forms = {t.term: t.form for t in outcome.terms}
    assert forms == {"Pentagon": _forms("Pentagon")[0], "Iron Dome": _forms("Iron Dome")[1],
                     "air defense": _forms("air defense")[1], "Black Sea": _forms("Black Sea")[0]}
    assert outcome.text == expected_inflected(sentence)


def test_many_terms_are_bounded_to_one_call_and_a_candidate_limit(engine, glossary):
    # 3^7 combinations: each slot varied on its own
    sentence = "we expect news " + " and ".join(f"of {t}" for t in TERMS[:7]) + " soon."
    (outcome,) = _masked(engine, glossary, [sentence])
    asked = []

    def score(pairs, **options):
        asked.append(len(pairs))
        return engine.score(pairs, **options)

    choose_forms([outcome], glossary, LANG, score, limit=32)
    assert len(asked) == 1 and asked[0] <= 32
    assert [t.form for t in outcome.terms] == [_forms(t)[1] for t in TERMS[:7]]


def test_catalog_comment_says_how_the_form_was_chosen(engine, glossary):
    sentence = "They read the text of Article 5 again."
    (outcome,) = _masked(engine, glossary, [sentence])
    choose_forms([outcome], glossary, LANG, engine.score)
    items = term_items(BlockResult(0, sentence, outcome.text, [outcome]))
    assert f"Term: Article 5 -> {_forms('Article 5')[1]} (mask, {CHOSEN})" in items


def test_an_engine_that_cannot_score_keeps_the_base_form(engine, glossary):
    assert supports_scoring(engine) and not supports_scoring(LibreTranslateEngine)
    sentence = "They read the text of Article 5 again."
    (outcome,) = _masked(engine, glossary, [sentence])
    text = outcome.text
    assert choose_forms([outcome], glossary, LANG, None) == 0
    assert outcome.text == text  # base form, as the mask put it back
    (term,) = outcome.terms
    assert term.form == "" and term.note == CANNOT_SCORE
    items = term_items(BlockResult(0, sentence, outcome.text, [outcome]))
    assert f"Term: Article 5 -> {_forms('Article 5')[0]} (mask, {CANNOT_SCORE})" in items
