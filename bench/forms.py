"""Form-choice row: glossary enforcement with the model scoring each term's forms / without.

``python -m bench.forms`` prints the row; bench/run.py runs it as ``forms``. On the Argos-size
random-weight package (bench/randmodel.py, en->de, decoding pinned like the other random-model
rows) the example article goes through `translate_blocks` with the shipped glossary. Form choice
adds ONE `score_batch` call per language: for every masked term occurrence, every form of its
rendering in its slot (every combination, at most `MAX_CANDIDATES` per sentence). The random
model garbles placeholders, so the pipeline itself would find nothing to score; the candidates
are therefore built as the pipeline builds them (the sentence's translation, once per form
combination, same lengths) and that one call is timed beside the enforcement run:
ratio = (enforcement + scoring) / enforcement. Typical: each term occurrence of the article
with its glossary forms (at least 2). Worst case: every sentence of the article at the cap of
32 candidates. Target: typical <= 1.10x; the worst case is reported.
"""

from __future__ import annotations

import time

TARGET = 1.10


class _NoScore:
    """The engine as the pipeline sees one that cannot score (no `score`)."""

    def __init__(self, engine):
        self._engine = engine

    def __getattr__(self, name):
        if name == "score":
            raise AttributeError(name)
        return getattr(self._engine, name)


def bench_forms(repeats: int = 3):
    from bench.run import ARTICLE, GLOSSARY, Row, _log, random_engine
    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import mt_text, segment_blocks, translate_blocks
    from toolkit.terms.form_choice import MAX_CANDIDATES
    from toolkit.terms.glossary import load_glossary
    from toolkit.terms.match import concept_index, find_terms

    engine = random_engine("de")
    doc = read_document(ARTICLE)
    glossary = load_glossary(GLOSSARY)
    by_id = concept_index(glossary)
    plain = _NoScore(engine)

    sentences = [mt_text(seg.text) for segs in segment_blocks(doc.blocks, lambda s: len(engine.tokenize(s)))
                 for seg in segs]
    hyps = [t.text for t in engine.translate(sentences)]
    typical, worst = [], []
    for sentence, hyp in zip(sentences, hyps, strict=True):
        combos = 1
        for match in find_terms(glossary, sentence):
            rendering = by_id[match.concept_id].renderings.get("de")
            forms = len(getattr(rendering, "candidates", ())) if rendering is not None else 0
            combos = min(MAX_CANDIDATES, combos * max(2, forms))
        if combos > 1:
            typical += [(sentence, hyp)] * combos
        worst += [(sentence, hyp)] * MAX_CANDIDATES
    engine.score(typical[:4])  # warm-up

    without = score_typ = score_worst = float("inf")
    for _ in range(repeats):  # interleaved
        t0 = time.perf_counter()
        translate_blocks(doc.blocks, plain, "de", glossary=glossary)
        t1 = time.perf_counter()
        engine.score(typical)
        t2 = time.perf_counter()
        engine.score(worst)
        t3 = time.perf_counter()
        without, score_typ = min(without, t1 - t0), min(score_typ, t2 - t1)
        score_worst = min(score_worst, t3 - t2)
    ratio = (without + score_typ) / without
    worst_ratio = (without + score_worst) / without
    _log(f"forms: {ratio:.3f}x typical ({len(typical)} candidates), {worst_ratio:.3f}x worst "
         f"({len(worst)} candidates)")
    return Row(
        "glossary enforcement: with form choice / without (Argos-size model)",
        ratio, f"<= {TARGET:.2f}x", ratio <= TARGET,
        details={
            "model": "random-weight Argos-size package en->de (bench/randmodel.py)",
            "enforcement_s": without, "scoring_s": score_typ, "candidates": len(typical),
            "sentences": len(sentences),
            "worst_case": {"candidates": len(worst), "scoring_s": score_worst,
                           "ratio": worst_ratio},
            "scoring_calls_per_language": 1, "repeats": repeats,
        },
    )


if __name__ == "__main__":
    from bench.run import isolate_environment, print_table

    isolate_environment()
    print_table([bench_forms()])
