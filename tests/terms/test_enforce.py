"""The glossary enforcement ladder, each rung exercised with the tiny fixture models."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.formats.document import read_document
from toolkit.l10n.translate import translate_blocks
from toolkit.mt.argos import ArgosEngine
from toolkit.mt.packages import find_model
from toolkit.terms.calibrate import STYLES, calibrate, model_renders
from toolkit.terms.enforce import Unit, mask, translate_units, unmask
from toolkit.terms.glossary import Concept, Glossary, Rendering, load_glossary
from toolkit.terms.verify import check_translation, find_rendering

from conftest import ARTICLE, GLOSSARY, LANGS
from pseudo import expected_translation


@pytest.fixture(scope="module")
def engines(installed_models):
    return {lang: ArgosEngine(find_model("en", lang), threads=2) for lang in LANGS}


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(GLOSSARY)


def _glossary(*concepts: Concept) -> Glossary:
    return Glossary(concepts=list(concepts), languages=list(LANGS))


# -- masking -------------------------------------------------------------------------------------

@given(st.text(), st.data())
def test_unmask_of_mask_is_identity(text, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6, unique=True)))
    spans = [(cuts[i], cuts[i + 1], text[cuts[i]:cuts[i + 1]], None) for i in range(0, len(cuts) - 1, 2)]
    for style in STYLES:
        masked = mask(text, spans, style)
        restored, lost = unmask(masked.text, masked)
        if all(masked.text.count(s.token) == 1 for s in masked.slots):
            assert restored == text and lost == []


def test_calibration_measures_which_placeholders_the_model_copies(engines):
    engine = engines["de"]
    before = engine.calls
    assert calibrate(engine, use_cache=False) == "bracket"
    assert engine.calls == before + 1  # all styles and probes in one batched call
    # the fixture model garbles the other styles: measured, not assumed
    probe = "Officials from {0} and {1} met in Brussels."
    caps = engine.translate([probe.format(STYLES["caps"](0), STYLES["caps"](1))])[0].text
    assert STYLES["caps"](0) not in caps


# -- rung 2: mask -------------------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "nato"), [("el", "ΝΑΤΟ"), ("ru", "НАТО"), ("de", "NATO"), ("tr", "NATO")])
def test_mapped_term_is_enforced_by_mask(engines, glossary, lang, nato):
    sentence = "NATO met in Brussels on Monday."
    [out] = translate_units([Unit(sentence)], engines[lang], lang, glossary=glossary)
    token = STYLES["bracket"](0)
    assert out.text == expected_translation(sentence.replace("NATO", token)).replace(token, nato)
    assert [(t.concept_id, t.how) for t in out.terms] == [("nato", "mask")]
    assert out.flags == []


def test_do_not_translate_term_is_copied(engines, glossary):
    sentence = "The THAAD battery and Lockheed Martin engineers arrived."
    [out] = translate_units([Unit(sentence)], engines["el"], "el", glossary=glossary)
    assert "THAAD" in out.text and "Lockheed Martin" in out.text
    assert {t.how for t in out.terms} == {"mask"}
    # without the glossary the pseudo-language garbles the brand names
    [raw] = translate_units([Unit(sentence)], engines["el"], "el", glossary=None)
    assert "THAAD" not in raw.text


# -- rung 1: n-best -----------------------------------------------------------------------------

def _word_only_in_lower_hypothesis(engine, sentence, lang):
    """A word of hypothesis k>0 that no better hypothesis contains (found by the real model)."""
    hyps = [h.text for h in engine.translate([sentence], num_hypotheses=4)[0].hypotheses]
    for k in range(1, len(hyps)):
        for word in hyps[k].split():
            word = word.strip(string.punctuation)
            if len(word) > 2 and all(find_rendering(h, [word], lang) is None for h in hyps[:k]):
                return word, k, hyps
    pytest.fail(f"the deterministic fixture model's n-best list has no distinguishing word: {hyps}")


def test_term_is_enforced_by_choosing_another_hypothesis(engines):
    sentence = "The minister said the system would arrive soon."
    word, k, hyps = _word_only_in_lower_hypothesis(engines["de"], sentence, "de")
    concept = Concept(id="system", term="system", renderings={"de": Rendering("de", word)})
    # as if the term calibration had found the model renders "system" this way (it cannot: the
    # word is from another hypothesis); this test isolates rung 1
    [out] = translate_units([Unit(sentence)], engines["de"], "de", glossary=_glossary(concept),
                            rendered={"system"})
    assert out.text == hyps[k]
    assert [t.how for t in out.terms] == ["n-best"]


def test_term_the_model_already_gets_right_is_found(engines):
    sentence = "The minister said the system would arrive soon."
    best = engines["de"].translate([sentence])[0].text
    word = expected_translation("system")  # how the pseudo-language renders the term
    assert word in best.split()
    concept = Concept(id="system", term="system", renderings={"de": Rendering("de", word)})
    [out] = translate_units([Unit(sentence)], engines["de"], "de", glossary=_glossary(concept))
    assert out.text == best
    assert [t.how for t in out.terms] == ["found"]


# -- term calibration: which terms go straight to the mask ------------------------------------

def test_term_calibration_measures_what_the_model_renders_in_one_call(engines, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr("toolkit.terms.calibrate._RENDERS", {})
    engine = engines["de"]
    own = Concept(id="sys", term="system", renderings={"de": Rendering("de", expected_translation("system"))})
    other = Concept(id="art5", term="Article 5", renderings={"de": Rendering("de", "Artikel 5")})
    before = engine.calls
    assert model_renders(engine, "de", [own, other]) == {"sys"}
    assert engine.calls == before + 1  # every probe of every term in one batched call
    assert model_renders(engine, "de", [own, other]) == {"sys"}
    assert engine.calls == before + 1  # cached
    monkeypatch.setattr("toolkit.terms.calibrate._RENDERS", {})  # a new process reads the cache file
    assert model_renders(engine, "de", [own, other]) == {"sys"}
    assert engine.calls == before + 1
    changed = Concept(id="sys", term="system", renderings={"de": Rendering("de", "System")})
    assert model_renders(engine, "de", [changed]) == set()  # a new rendering is measured again
    assert engine.calls == before + 2


def test_a_term_the_model_never_renders_is_masked_in_the_first_call(engines, glossary):
    """The pseudo-language never writes "ΝΑΤΟ": rung 1 would fail, so no second call is made."""
    engine = engines["el"]
    sentence = "NATO met in Brussels on Monday."
    translate_units([Unit(sentence)], engine, "el", glossary=glossary)  # calibrations, cached
    before = engine.calls
    [out] = translate_units([Unit(sentence)], engine, "el", glossary=glossary)
    assert engine.calls == before + 1
    assert [t.how for t in out.terms] == ["mask"]
    assert "ΝΑΤΟ" in out.text
    # measured, not assumed: told the model renders it, the ladder tries rung 1 and needs two calls
    before = engine.calls
    [again] = translate_units([Unit(sentence)], engine, "el", glossary=glossary, rendered={"nato"})
    assert engine.calls == before + 2
    assert again.text == out.text


# -- rung 3: flag -------------------------------------------------------------------------------

def test_lost_placeholder_flags_the_sentence_naming_the_term(engines, glossary):
    sentence = "NATO met in Brussels on Monday."
    # a style this model does not copy: the ladder must flag, never drop silently
    [out] = translate_units([Unit(sentence)], engines["el"], "el", glossary=glossary, style="caps")
    assert [t.how for t in out.terms] == ["flagged"]
    assert any("NATO" in f and "ΝΑΤΟ" in f for f in out.flags)


# -- the whole article --------------------------------------------------------------------------

@pytest.mark.slow
def test_every_article_term_is_in_every_output_or_flagged(engines, glossary):
    doc = read_document(ARTICLE)
    results = {lang: translate_blocks(doc.blocks, engines[lang], lang, glossary=glossary) for lang in LANGS}
    total = 0
    for lang, result in results.items():
        # at most: placeholder and term calibration (once per package, then cached), the
        # n-best pass and one masked pass -- however many terms and sentences
        assert result.model_calls <= 4
        counts = result.term_counts()
        total += sum(counts.values())
        for block in result.blocks:
            checks = check_translation(glossary, block.source, block.text, lang)
            for check in checks:
                if check.status != "found":
                    assert any(check.term in f for f in block.flags), (lang, block.index, check)
    assert total > 40
