"""Form-choice row: glossary enforcement with the model scoring each term's forms / without.

``python -m bench.forms`` prints the row; bench/run.py runs it as ``forms``. On the Argos-size
random-weight package (bench/randmodel.py, en->de, decoding pinned like the other random-model
rows) the example article goes through `translate_blocks` with the shipped glossary. Form choice
adds ONE `score_batch` call per language. The random model garbles placeholders, so the pipeline
itself would find nothing to score; the candidates are built as `choose_forms` builds them and
that one call is timed beside the enforcement run: ratio = (enforcement + scoring) / enforcement.

Candidates: every term occurrence of the article is taken as masked (the issue's worst case:
with a real model most terms are found in its own output and need no slot), and each slot is
filled with every form of its German rendering (the rendering and its ``de_forms``; a rendering
without forms has nothing to choose); several terms in a sentence are varied one slot at a time,
as `choose_forms` does (at most `MAX_CANDIDATES` a sentence). The sentence around the slot is
the English source sentence itself, which the target tokenizer splits into about as many tokens
as a real translation has (the random model's own output re-tokenises into ~13x more, nothing
like a translation). The
candidates of a sentence go to `score` as one group, as `choose_forms` sends them.
Stress case: every sentence with one slot of 32 forms mid-sentence (the cap). Target: <= 1.10x.
The cost curve beside it scores every 2nd and every 4th sentence's group only: the cost grows with
the masked occurrences, and how many a real model leaves masked can only be measured with one.

``python -m bench --only forms-package --package FILE.argosmodel`` is that measurement: the row
as the issue sets it, on a real package (`bench_forms_package`). Without ``--package`` it says
"skipped".
"""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.run import Row

TARGET = 1.10


_SUFFIXES = ["", *(a + b for a in "aeimnrs" for b in ("", "e", "en", "er", "es"))][:32]


def _groups(sizes: list[int]) -> list[list[tuple[int, ...]]]:
    """Candidate index per slot, in scoring groups, as `choose_forms` makes them
    (`form_choice.combinations`), the model's own form taken as each slot's first."""
    from toolkit.terms.form_choice import combinations, per_slot_limit

    if len(sizes) > 1:
        sizes = [min(n, per_slot_limit(len(sizes))) for n in sizes]
    combos, groups = combinations(sizes, [0] * len(sizes))
    out, start = [], 0
    for size in groups:
        out.append(combos[start:start + size])
        start += size
    return out


def _filled(sentence: str, slots, combo: tuple[int, ...]) -> str:
    """The sentence with each term occurrence replaced by the chosen form."""
    out, at = [], 0
    for (match, forms), choice in zip(slots, combo, strict=True):
        out += [sentence[at:match.start], forms[choice]]
        at = match.end
    return "".join(out) + sentence[at:]


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
    from toolkit.terms.glossary import load_glossary
    from toolkit.terms.match import concept_index, find_terms

    engine = random_engine("de")
    doc = read_document(ARTICLE)
    glossary = load_glossary(GLOSSARY)
    by_id = concept_index(glossary)
    plain = _NoScore(engine)

    sentences = [mt_text(seg.text) for segs in segment_blocks(doc.blocks, lambda s: len(engine.tokenize(s)))
                 for seg in segs]
    typical, typical_groups, worst, worst_groups = [], [], [], []
    for sentence in sentences:
        slots = []
        for match in find_terms(glossary, sentence):
            rendering = by_id[match.concept_id].renderings.get("de")
            forms = list(rendering.candidates) if rendering is not None else []
            if len(forms) > 1:
                slots.append((match, forms))
        for group in _groups([len(f) for _, f in slots]) if slots else ():
            typical += [(sentence, _filled(sentence, slots, combo)) for combo in group]
            typical_groups.append(len(group))
        words = sentence.split(" ")
        middle = len(words) // 2
        worst += [(sentence, " ".join([*words[:middle], words[middle] + suffix, *words[middle + 1:]]))
                  for suffix in _SUFFIXES]
        worst_groups.append(len(_SUFFIXES))
    engine.score(typical[:4], groups=[4])  # warm-up
    # The cost curve: the same groups, every 2nd / 4th sentence group only, as when a model
    # renders most terms by itself and only some occurrences are masked.
    shares = {}
    for step in (2, 4):
        keep, sizes, start = [], [], 0
        for k, size in enumerate(typical_groups):
            if k % step == 0:
                keep += typical[start:start + size]
                sizes.append(size)
            start += size
        shares[f"1/{step}"] = (keep, sizes)

    without = score_typ = score_worst = float("inf")
    score_share = dict.fromkeys(shares, float("inf"))
    for _ in range(repeats):  # interleaved
        t0 = time.perf_counter()
        translate_blocks(doc.blocks, plain, "de", glossary=glossary)
        t1 = time.perf_counter()
        engine.score(typical, groups=typical_groups)
        t2 = time.perf_counter()
        engine.score(worst, groups=worst_groups)
        t3 = time.perf_counter()
        without, score_typ = min(without, t1 - t0), min(score_typ, t2 - t1)
        score_worst = min(score_worst, t3 - t2)
        for name, (pairs, sizes) in shares.items():
            t4 = time.perf_counter()
            engine.score(pairs, groups=sizes)
            score_share[name] = min(score_share[name], time.perf_counter() - t4)
    ratio = (without + score_typ) / without
    worst_ratio = (without + score_worst) / without
    share_ratios = {name: (without + t) / without for name, t in score_share.items()}
    _log(f"forms: {ratio:.3f}x typical ({len(typical)} candidates), {worst_ratio:.3f}x worst "
         f"({len(worst)} candidates); a share of the groups: "
         + ", ".join(f"{name} {r:.3f}x ({len(shares[name][0])} candidates)"
                     for name, r in share_ratios.items()))
    return Row(
        "glossary enforcement: with form choice / without (Argos-size model)",
        ratio, f"<= {TARGET:.2f}x", ratio <= TARGET,
        details={
            "model": "random-weight Argos-size package en->de (bench/randmodel.py)",
            "enforcement_s": without, "scoring_s": score_typ, "candidates": len(typical),
            "sentences": len(sentences), "groups": len(typical_groups),
            "windowed": "each sentence's candidates scored where they differ (+3 tokens)",
            "worst_case": {"candidates": len(worst), "scoring_s": score_worst,
                           "ratio": worst_ratio},
            "share_of_groups": {name: {"candidates": len(shares[name][0]), "scoring_s": score_share[name],
                                       "ratio": share_ratios[name]} for name in shares},
            "scoring_calls_per_language": 1, "repeats": repeats,
        },
    )


class _Counting:
    """The engine, counting the candidates it is asked to score and its scoring calls."""

    def __init__(self, engine):
        self._engine = engine
        self.candidates = self.score_calls = 0

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def score(self, pairs, **options):
        self.candidates += len(pairs)
        self.score_calls += 1
        return self._engine.score(pairs, **options)


PACKAGE_ROW = "glossary enforcement: with form choice / without (a real package's own masked terms)"


def bench_forms_package(package: Path | None, repeats: int = 3) -> Row:
    """The row as the issue sets it, on a real package: the whole pipeline (`translate_blocks`
    with the shipped glossary, the example article) with the engine scoring forms / the same
    engine unable to score. What the model renders itself stays on rung 1 and needs no slot, so
    the candidates are the ones this model leaves to masking: its typical case, which the
    random-weight rows cannot show. The package's target code picks the language."""
    from bench.run import ARTICLE, BEAM, CACHE, GLOSSARY, THREADS, Row, _log

    if package is None:
        _log("forms-package: skipped: no --package FILE.argosmodel given")
        return Row(PACKAGE_ROW, None, f"<= {TARGET:.2f}x", None,
                   details={"skipped": "no --package FILE.argosmodel given"})
    from toolkit.errors import ToolkitError
    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import translate_blocks
    from toolkit.mt.argos import ArgosEngine
    from toolkit.mt.packages import install_file
    from toolkit.terms.enforce import How
    from toolkit.terms.form_choice import CHOSEN
    from toolkit.terms.glossary import load_glossary

    packages = CACHE / "packages" / "given"  # the bench's own: a fresh install of this file only
    shutil.rmtree(packages, ignore_errors=True)
    packages.mkdir(parents=True)
    previous = os.environ.get("ARGOS_PACKAGES_DIR")
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages)
    try:
        model = install_file(package)
    except ToolkitError as exc:  # not a package, damaged, hostile: one line, as the CLI says it
        raise SystemExit(f"error: {exc}") from None
    finally:
        if previous is not None:
            os.environ["ARGOS_PACKAGES_DIR"] = previous
    lang = model.to_code
    glossary = load_glossary(GLOSSARY)
    if lang not in glossary.languages:
        raise SystemExit(f"{package}: its target language {lang!r} is not one of the glossary's "
                         f"({', '.join(glossary.languages)})")
    doc = read_document(ARTICLE)
    engine = ArgosEngine(model, beam_size=BEAM, threads=THREADS)
    plain, counting = _NoScore(engine), _Counting(engine)
    translate_blocks(doc.blocks, counting, lang, glossary=glossary)  # warm-up: calibrations measured
    without = with_forms = float("inf")
    for _ in range(repeats):  # interleaved
        t0 = time.perf_counter()
        translate_blocks(doc.blocks, plain, lang, glossary=glossary)
        t1 = time.perf_counter()
        counting.candidates = counting.score_calls = 0
        result = translate_blocks(doc.blocks, counting, lang, glossary=glossary)
        t2 = time.perf_counter()
        without, with_forms = min(without, t1 - t0), min(with_forms, t2 - t1)
    terms = [t for block in result.blocks for sentence in block.sentences for t in sentence.terms]
    hows = Counter(str(t.how) for t in terms)
    chosen = sum(t.note == CHOSEN for t in terms)
    ratio = with_forms / without
    masked_share = hows[str(How.MASK)] / len(terms) if terms else 0.0
    _log(f"forms-package: {ratio:.3f}x ({lang}, {len(terms)} term occurrences: "
         + ", ".join(f"{k} {v}" for k, v in sorted(hows.items()))
         + f"; {chosen} forms chosen from {counting.candidates} candidates)")
    return Row(
        PACKAGE_ROW, ratio, f"<= {TARGET:.2f}x", ratio <= TARGET,
        details={
            "package": str(package), "lang": lang, "model_version": model.version,
            "enforcement_s": without, "with_form_choice_s": with_forms,
            "term_occurrences": len(terms), "how": dict(hows), "masked_share": masked_share,
            "forms_chosen": chosen, "candidates": counting.candidates,
            "scoring_calls_per_run": counting.score_calls, "repeats": repeats,
        },
    )


if __name__ == "__main__":
    from bench.run import isolate_environment, print_table

    isolate_environment()
    print_table([bench_forms()])
