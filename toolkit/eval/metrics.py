"""The scores `toolkit eval` reports, computed by sacrebleu so they mean what published ones mean.

chrF++ (chrF with word bigrams), BLEU and TER are sacrebleu's corpus scores with its default
settings, so a figure here can be set beside a published FLORES one; each result carries
sacrebleu's signature (``nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0``) to say
exactly how it was computed. BLEU's tokenizer follows the language (``zh`` for Chinese, characters
for Japanese, Korean and Thai: whitespace means nothing there); nothing downloads a tokenizer
model. In post-edit mode the hypothesis is the machine draft and the reference the translator's
final text, so TER is HTER: the share of words the translators had to change.

`METRICS` is the registry: adding a metric is one `Metric` entry, and the tables, JSON and charts
pick it up. sacrebleu (and numpy under it) is imported only when a score is computed.

COMET needs a neural model; it runs only when `unbabel-comet` is importable AND a local model
folder is given, with the Hugging Face libraries forced offline, so it never downloads anything.
Otherwise `load_comet` returns a one-line note saying why it was skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ToolkitError
from toolkit.langs import primary_language

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary

# BLEU tokenizers that need no extra package and no download, by primary language code.
_BLEU_TOKENIZERS = {"zh": "zh", "ja": "char", "ko": "char", "th": "char", "lo": "char", "km": "char",
                    "my": "char"}
_ASIAN = frozenset({"zh", "ja", "ko"})  # TER's asian_support: split CJK characters


def _chrf(lang: str) -> Any:
    from sacrebleu.metrics import CHRF

    return CHRF(word_order=2)


def _bleu(lang: str) -> Any:
    from sacrebleu.metrics import BLEU

    return BLEU(tokenize=_BLEU_TOKENIZERS.get(primary_language(lang), "13a"))


def _ter(lang: str) -> Any:
    from sacrebleu.metrics import TER

    return TER(asian_support=primary_language(lang) in _ASIAN)


@dataclass(frozen=True)
class Metric:
    """One sacrebleu metric: how to build it for a target language, and how to read it."""

    key: str  # JSON key
    label: str  # table and chart heading
    higher_is_better: bool
    build: Callable[[str], Any]  # target language -> a configured sacrebleu metric


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric("chrf", "chrF++", True, _chrf),
        Metric("bleu", "BLEU", True, _bleu),
        Metric("ter", "TER", False, _ter),
    )
}


@dataclass
class Scores:
    """Corpus scores by metric key (None: nothing to score) and sacrebleu's signature of each."""

    values: dict[str, float | None] = field(default_factory=dict)
    signatures: dict[str, str] = field(default_factory=dict)


def score_corpus(
    hypotheses: Sequence[str],
    references: Sequence[str],
    lang: str,
    metrics: Mapping[str, Metric] = METRICS,
) -> Scores:
    """Every metric's corpus score of `hypotheses` against one reference each."""
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    scores = Scores()
    for key, metric in metrics.items():
        if not hypotheses:
            scores.values[key] = None
            continue
        scorer = metric.build(lang)
        scores.values[key] = float(scorer.corpus_score(list(hypotheses), [list(references)]).score)
        scores.signatures[key] = str(scorer.get_signature())
    return scores


# --------------------------------------------------------------------------------------------
# COMET (optional)


def comet_available() -> bool:
    """Whether `unbabel-comet` is installed (checked without importing torch)."""
    import importlib.util

    return importlib.util.find_spec("comet") is not None


def _checkpoint(model: Path) -> Path:
    """The ``.ckpt`` of a COMET model folder (as downloaded: ``checkpoints/model.ckpt``) or file."""
    if model.is_file():
        return model
    for candidate in (model / "checkpoints" / "model.ckpt", model / "model.ckpt"):
        if candidate.is_file():
            return candidate
    if not model.exists():
        raise ToolkitError("no such COMET model folder", path=model)
    raise ToolkitError("not a COMET model folder (no checkpoints/model.ckpt in it)", path=model)


CometScorer = Callable[[Sequence[str], Sequence[str], Sequence[str]], float]
"""(sources, hypotheses, references) -> COMET system score."""


def load_comet(model: str | Path | None, *, batch_size: int = 16) -> tuple[CometScorer | None, str | None]:
    """(a COMET scorer, None), or (None, a one-line note saying why COMET is skipped).

    Never downloads: the Hugging Face libraries are switched to offline mode before COMET is
    imported, so a model whose encoder is not in the local cache fails instead of fetching it.
    A model folder that is given but is not one is an error, not a note.
    """
    if not comet_available():
        return None, "COMET skipped: unbabel-comet is not installed"
    if model is None:
        return None, "COMET skipped: no local COMET model folder given"
    checkpoint = _checkpoint(Path(model))
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from comet import load_from_checkpoint

    try:
        loaded = load_from_checkpoint(str(checkpoint))
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise ToolkitError(f"COMET could not load offline ({_one_line(exc)})", path=checkpoint) from None

    def score(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]) -> float:
        triples = zip(sources, hypotheses, references, strict=True)
        data = [{"src": s, "mt": h, "ref": r} for s, h, r in triples]
        try:
            output = loaded.predict(data, batch_size=batch_size, gpus=0, progress_bar=False)
        except (OSError, RuntimeError, ValueError) as exc:
            raise ToolkitError(f"COMET failed ({_one_line(exc)})", path=checkpoint) from None
        return float(output.system_score)

    return score, None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200]


# --------------------------------------------------------------------------------------------
# Glossary terms


@dataclass
class TermTally:
    """Glossary term occurrences in the sources, and how many a set of translations rendered."""

    occurrences: int = 0
    found: int = 0

    @property
    def accuracy(self) -> float | None:
        """The share rendered as the glossary requires (None: no term occurred)."""
        return self.found / self.occurrences if self.occurrences else None

    def add(self, glossary: Glossary, source: str, translation: str, lang: str) -> None:
        from toolkit.terms.verify import check_translation

        checks = check_translation(glossary, source, translation, lang)
        self.occurrences += len(checks)
        self.found += sum(c.status == "found" for c in checks)


def glossary_language(glossary: Glossary | None, lang: str) -> str | None:
    """The glossary column that applies to `lang` (``pt_BR`` uses ``pt``), or None."""
    column = primary_language(lang)
    return column if glossary is not None and column in glossary.languages else None
