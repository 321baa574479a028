"""Reference evaluation: several engines on the same source lines, scored against a reference.

This is how published tables (FLORES-200 devtest: one sentence per line, the same line in every
language's file) are made, so a newsroom can reproduce them on its own machine, or make its own
from translated articles, before choosing an engine per language. Each engine translates through
the normal translate path (`toolkit.l10n.translate.translate_blocks`: segmentation, glossary
enforcement, one batched model call), with the same glossary setting for every engine and
without the translation cache (so its time is the model's), then is scored with chrF++, BLEU
and TER (`toolkit.eval.metrics`), glossary term accuracy where the glossary has the language,
and seconds per sentence.

Bad input stops before any model is loaded: files of different line counts, an empty file or
line, an invalid language code; an engine that cannot be loaded for the language (no model
installed, an unreachable server) stops before any is run. Nothing is written here at all.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.config import EngineSpec, parse_spec
from toolkit.errors import ToolkitError
from toolkit.eval.figures import COMET, Measure, Row, metric_measures
from toolkit.eval.metrics import METRICS, Metric, TermTally, glossary_language, load_comet, score_corpus
from toolkit.fileio import decode_utf8, read_bytes
from toolkit.formats.document import Block
from toolkit.formats.po import check_lang
from toolkit.l10n.translate import translate_blocks
from toolkit.mt.registry import load_engine
from toolkit.mt.types import Engine

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary

SpecLoader = Callable[[EngineSpec], Engine]
_LANG_IN_NAME = re.compile(r"\.([A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?)\.[^.]+$")


@dataclass
class EngineRun:
    """One engine's translation of the source lines and its scores."""

    spec: str  # as given (``argos``, ``ct2:/models/opus-mt-en-tr``)
    engine: str  # the model id (``argos:en-tr@1.0``), as catalogs name it
    sentences: int
    seconds: float  # translating only: loading the model is not counted
    model_calls: int
    scores: dict[str, float | None] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)
    term_occurrences: int | None = None  # None: no glossary, or no column for the language
    terms_found: int = 0
    outputs: list[str] = field(default_factory=list, repr=False)

    @property
    def seconds_per_sentence(self) -> float | None:
        return self.seconds / self.sentences if self.sentences else None

    @property
    def term_accuracy(self) -> float | None:
        return self.terms_found / self.term_occurrences if self.term_occurrences else None

    def values(self) -> dict[str, float | int | None]:
        return {**self.scores, "term_accuracy": self.term_accuracy,
                "seconds_per_sentence": self.seconds_per_sentence}


@dataclass
class ReferenceReport:
    """Every engine given, side by side, for one language."""

    source: str
    reference: str
    lang: str
    lines: int
    runs: list[EngineRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: Mapping[str, Metric] = field(default_factory=lambda: METRICS, repr=False)
    title: str = "Reference evaluation: each engine against the reference translation"

    def measures(self) -> list[Measure]:
        scores = metric_measures(self.metrics)
        if any("comet" in r.scores for r in self.runs):
            scores.append(COMET)
        return [
            *scores,
            Measure("term_accuracy", "terms", percent=True),
            Measure("seconds_per_sentence", "s / sentence", higher_is_better=False, digits=3, unit=" s"),
        ]

    @property
    def subject(self) -> str:
        return f"{self.source} → {self.reference} ({self.lang}, {self.lines} lines)"

    def rows(self) -> list[Row]:
        return [Row(self.lang, r.engine, r.values()) for r in self.runs]

    def to_dict(self, *, outputs: bool = False) -> dict:
        runs = []
        for r in self.runs:
            item = {"spec": r.spec, "engine": r.engine, "sentences": r.sentences,
                    "seconds": round(r.seconds, 4), "model_calls": r.model_calls,
                    "term_occurrences": r.term_occurrences, "terms_found": r.terms_found,
                    **{k: round(v, 4) if isinstance(v, float) else v for k, v in r.values().items()},
                    "signatures": r.signatures}
            if outputs:
                item["outputs"] = r.outputs
            runs.append(item)
        return {"mode": "reference", "source": self.source, "reference": self.reference,
                "lang": self.lang, "lines": self.lines, "engines": runs, "notes": self.notes}

    def to_json(self, *, outputs: bool = False) -> str:
        return json.dumps(self.to_dict(outputs=outputs), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# Input


def read_lines(path: str | Path) -> list[str]:
    """One segment per line (``\\n`` or ``\\r\\n``); an empty file or an empty line is an error."""
    text = decode_utf8(read_bytes(path, "file"), path).removeprefix("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    lines = [line.removesuffix("\r") for line in lines]
    if not any(line.strip() for line in lines):
        raise ToolkitError("empty file: nothing to evaluate", path=path)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            raise ToolkitError("empty line: every line is one segment to translate", path=path, line=number)
    return lines


def read_pair(source: str | Path, reference: str | Path) -> tuple[list[str], list[str]]:
    """Source and reference lines, which must correspond one to one."""
    src, ref = read_lines(source), read_lines(reference)
    if len(src) != len(ref):
        shorter, path = (ref, reference) if len(ref) < len(src) else (src, source)
        raise ToolkitError(
            f"{len(ref)} reference lines for {len(src)} source lines ({source}): the files must "
            "correspond line by line",
            path=path, line=len(shorter) + 1,
        )
    return src, ref


def language_of(path: str | Path) -> str | None:
    """The language code in a file name such as ``ref.tr.txt`` or ``devtest.pt_BR.txt``, if any."""
    match = _LANG_IN_NAME.search(Path(path).name)
    return match.group(1) if match else None


def target_language(reference: str | Path, lang: str | None = None) -> str:
    """`lang` if given, else the code in the reference's file name (``ref.tr.txt``); checked.

    FLORES-200 names its files by language and script (``tur_Latn.devtest``), which is not a code
    an engine takes: such a reference needs `lang` (``--lang tr``).
    """
    found = lang or language_of(reference)
    if not found:
        raise ToolkitError("cannot tell the reference's language from its file name (as in ref.tr.txt): "
                           "give it with --lang, e.g. --lang tr", path=reference)
    return check_lang(found)


def engine_specs(values: Sequence[str], lang: str) -> list[EngineSpec]:
    """The ``--engine [LANG=]SPEC`` values that apply to `lang`, in order; none is an error.

    Unlike a translation run, several engines may be given for the same language: they are the
    candidates compared side by side.
    """
    specs: list[EngineSpec] = []
    for value in values:
        target, sep, spec = value.partition("=")
        if sep and target.strip() and ":" not in target:
            if target.strip() != lang:
                continue
            value = spec
        specs.append(parse_spec(value))
    if not specs:
        raise ToolkitError(f"no engine for '{lang}': give one or more, e.g. --engine {lang}=argos")
    return specs


# --------------------------------------------------------------------------------------------
# Running


def evaluate_reference(
    source: str | Path,
    reference: str | Path,
    lang: str,
    engines: Sequence[EngineSpec],
    *,
    from_code: str = "en",
    glossary: Glossary | None = None,
    comet_model: str | Path | None = None,
    metrics: Mapping[str, Metric] = METRICS,
    loader: SpecLoader | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReferenceReport:
    """Translate the source lines with each engine and score each against the reference.

    `loader` turns a spec into an engine for the pair (default: `load_engine`, without the
    translation cache). `progress` is told each engine's spec as it starts.
    """
    check_lang(lang)
    src, ref = read_pair(source, reference)
    if not engines:
        raise ToolkitError(f"no engine for '{lang}': give one or more, e.g. --engine {lang}=argos")
    described = [spec.describe() for spec in engines]
    for i, name in enumerate(described):
        if name in described[:i]:
            raise ToolkitError(f"engine {name} is given twice for '{lang}'")
    load = loader or (lambda spec: load_engine(from_code, lang, spec=spec))
    loaded = []
    for spec in engines:  # every engine is checked before any is run
        engine = load(spec)
        loaded.append(engine)
        engine.unload()  # one model in memory at a time
    comet, comet_note = load_comet(comet_model)
    column = glossary_language(glossary, lang)
    report = ReferenceReport(str(source), str(reference), lang, len(src), metrics=metrics)
    blocks = [Block(i, line, i + 1, "paragraph") for i, line in enumerate(src)]
    for name, engine in zip(described, loaded, strict=True):
        if progress:
            progress(name)
        calls = engine.calls
        start = time.perf_counter()
        result = translate_blocks(blocks, engine, lang, glossary=glossary)
        seconds = time.perf_counter() - start
        engine.unload()  # one model in memory at a time
        outputs = [b.text for b in result.blocks]
        run = EngineRun(name, result.model_id, len(src), seconds, engine.calls - calls, outputs=outputs)
        scores = score_corpus(outputs, ref, lang, metrics)
        run.scores, run.signatures = scores.values, scores.signatures
        if comet is not None:
            run.scores["comet"] = comet(src, outputs, ref)
        if glossary is not None and column is not None:
            tally = TermTally()
            for line, output in zip(src, outputs, strict=True):
                tally.add(glossary, line, output, column)
            run.term_occurrences, run.terms_found = tally.occurrences, tally.found
        report.runs.append(run)
    if comet_note:
        report.notes.append(comet_note)
    if glossary is not None and column is None:
        report.notes.append(f"the glossary has no '{lang}' column: no term accuracy")
    return report

