"""Engines: what the pipeline needs from a translator, and the Argos one (the default).

An engine translates a list of sentences into n-best lists in as few calls as it can and names
its model (`model_id`, recorded in catalogs and cache keys). Three kinds exist, chosen per
language by `toolkit.config`: `argos` (here), `ct2` (any CTranslate2 model: OPUS-MT, NLLB;
`toolkit.mt.ct2`) and `libretranslate` (a server; `toolkit.mt.libretranslate`).

Why not `argostranslate.translate`: it calls CTranslate2 once per paragraph and passes its batch
size (32) as a *token* budget, so it runs at about one sentence per batch. Here a whole list of
sentences (a whole article, for one language) goes to CTranslate2 in ONE `translate_batch` call
with a real token budget; CTranslate2 sorts by length and packs the sub-batches itself
(`CT2Engine`, shared by the Argos and the `ct2` engines).

An Argos package is loaded the way argostranslate loads it (`argostranslate.package.Package`,
its tokenizer and its `model/` folder), once per process, and reused across articles.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from toolkit.errors import ToolkitError
from toolkit.mt.packages import InstalledModel, find_model

if TYPE_CHECKING:
    from toolkit.config import EngineSpec

DEFAULT_BEAM = 4
# Source tokens per CTranslate2 sub-batch. Decoding memory grows with it (x beam): 2048 keeps a
# four-language run within 1.2x the models' own memory at 1.02x the time of 4096 (bench/).
DEFAULT_TOKEN_BUDGET = 2048
# Output may be longer than the input (Greek, German); loops are cut at this bound and reported.
DECODE_RATIO = 2.5
DECODE_MARGIN = 10


@dataclass(frozen=True)
class Hypothesis:
    text: str
    score: float


@dataclass(frozen=True)
class SentenceTranslation:
    """The n-best list for one sentence, best first."""

    hypotheses: tuple[Hypothesis, ...]
    truncated: bool = False  # the best output hit max_decoding_length

    @property
    def text(self) -> str:
        return self.hypotheses[0].text


@lru_cache(maxsize=1)
def _libc():
    """glibc, for allocator tuning; None elsewhere (macOS, musl): then nothing is tuned."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release_memory() -> None:
    """Return freed heap pages to the system after a language's batch.

    CTranslate2 decodes on its own threads; glibc keeps what each thread frees in that thread's
    arena, so without this every language would keep its decoding peak for the rest of the run.
    (A fixed low mmap threshold gives the memory back too, but made decoding 2.7x slower in
    bench/; trimming between batches costs nothing measurable.)
    """
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ToolkitError(f"{name} must be a positive whole number, not {value!r}")
    return int(value)


def default_threads() -> int:
    """CTranslate2 threads for one batch: TOOLKIT_THREADS, else every core."""
    return _env_int("TOOLKIT_THREADS", os.cpu_count() or 1)


def default_token_budget() -> int:
    """TOOLKIT_TOKEN_BUDGET, else DEFAULT_TOKEN_BUDGET: lower it on a machine short of memory."""
    return _env_int("TOOLKIT_TOKEN_BUDGET", DEFAULT_TOKEN_BUDGET)


class Engine(Protocol):
    """What the pipeline, the glossary ladder and the cache need from a translator."""

    model_id: str  # engine kind, model and language pair: catalogs and cache keys say it
    beam_size: int | None  # None: the engine (a server) decides
    calls: int  # model calls (or requests) so far; tests and the bench count them

    def tokenize(self, sentence: str) -> list[str]:
        """Model tokens (or a close estimate): long sentences are split by this length."""
        ...

    def translate(
        self, sentences: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[SentenceTranslation]: ...

    def unload(self) -> None:
        """Give memory back between languages; the next translation reloads what it needs."""
        ...


class CT2Engine:
    """A CTranslate2 model and its tokenizer: ONE batched `translate_batch` per sentence list.

    Subclasses say how a sentence becomes source tokens (`tokenize`), which tokens start the
    target (`target_prefix_tokens`) and how output pieces become text (`detokenize`).
    """

    target_prefix_tokens: list[str] = []

    def __init__(
        self,
        model_dir: Path,
        *,
        beam_size: int = DEFAULT_BEAM,
        token_budget: int | None = None,
        threads: int | None = None,
    ):
        import ctranslate2

        self.beam_size = beam_size
        self.token_budget = token_budget or default_token_budget()
        self.threads = threads or default_threads()
        self.calls = 0
        try:
            self.translator = ctranslate2.Translator(
                str(model_dir), device="cpu", inter_threads=1, intra_threads=self.threads
            )
        except (RuntimeError, ValueError) as exc:
            raise ToolkitError(f"cannot load the CTranslate2 model ({exc})", path=model_dir) from None

    def tokenize(self, sentence: str) -> list[str]:
        raise NotImplementedError

    def detokenize(self, pieces: list[str]) -> str:
        raise NotImplementedError

    def unload(self) -> None:
        """Free the model's weights until the next translation needs them (reloading takes ~0.1 s).

        A four-language run then holds one model at a time instead of four.
        """
        if self.translator.model_is_loaded:
            self.translator.unload_model()
            release_memory()

    def translate(
        self, sentences: Sequence[str], *, num_hypotheses: int = 1
    ) -> list[SentenceTranslation]:
        """Translate every sentence in one batched call; returns an n-best list per sentence."""
        if not sentences:
            return []
        tokens = [self.tokenize(s) for s in sentences]
        return self.translate_tokens(tokens, num_hypotheses=num_hypotheses)

    def translate_tokens(
        self, tokens: Sequence[list[str]], *, num_hypotheses: int = 1
    ) -> list[SentenceTranslation]:
        """The model call itself, over pre-tokenised sentences (benchmarks use it bare)."""
        if not tokens:
            return []
        longest = max(len(t) for t in tokens)
        prefix_tokens = self.target_prefix_tokens
        max_len = int(longest * DECODE_RATIO) + DECODE_MARGIN + len(prefix_tokens)
        prefix = [list(prefix_tokens)] * len(tokens) if prefix_tokens else None
        n = max(1, num_hypotheses)
        if not self.translator.model_is_loaded:
            self.translator.load_model()
        self.calls += 1
        results = self.translator.translate_batch(
            [list(t) for t in tokens],
            target_prefix=prefix,
            max_batch_size=self.token_budget,
            batch_type="tokens",
            beam_size=max(self.beam_size, n),
            num_hypotheses=n,
            max_decoding_length=max_len,
            max_input_length=0,  # never truncate the input silently; segment.py bounds length
            return_scores=True,
            replace_unknowns=True,
            length_penalty=0.2,
        )
        out = []
        for result in results:
            hyps = []
            for pieces, score in zip(result.hypotheses, result.scores, strict=True):
                if prefix_tokens and pieces[: len(prefix_tokens)] == prefix_tokens:
                    pieces = pieces[len(prefix_tokens):]
                hyps.append(Hypothesis(self.detokenize(pieces), float(score)))
            truncated = len(result.hypotheses[0]) >= max_len
            out.append(SentenceTranslation(tuple(hyps), truncated))
        return out


class ArgosEngine(CT2Engine):
    """One installed Argos package. `calls` counts `translate_batch` calls (tests assert on it)."""

    def __init__(
        self,
        model: InstalledModel,
        *,
        beam_size: int = DEFAULT_BEAM,
        token_budget: int | None = None,
        threads: int | None = None,
    ):
        from argostranslate.package import Package

        self.model = model
        package = Package(model.path)
        if getattr(package, "tokenizer", None) is None:
            raise ToolkitError("package has no sentencepiece.model or bpe.model", path=model.path)
        self.tokenizer = package.tokenizer
        self.target_prefix = package.target_prefix or ""
        self.target_prefix_tokens = [self.target_prefix] if self.target_prefix else []
        super().__init__(model.path / "model", beam_size=beam_size, token_budget=token_budget,
                         threads=threads)

    @property
    def model_id(self) -> str:
        return self.model.model_id

    def tokenize(self, sentence: str) -> list[str]:
        return self.tokenizer.encode(sentence)

    def detokenize(self, pieces: list[str]) -> str:
        text = self.tokenizer.decode(pieces)
        return text[1:] if text.startswith(" ") else text


@lru_cache(maxsize=16)
def _load(model: InstalledModel, beam_size: int, token_budget: int, threads: int) -> ArgosEngine:
    return ArgosEngine(model, beam_size=beam_size, token_budget=token_budget, threads=threads)


def load_engine(
    from_code: str,
    to_code: str,
    *,
    beam_size: int = DEFAULT_BEAM,
    token_budget: int | None = None,
    threads: int | None = None,
    spec: EngineSpec | None = None,
) -> Engine:
    """The engine for a pair, loaded once per process and shared.

    `spec` (from `toolkit.config`) picks the kind; without one, the installed Argos package.
    """
    if spec is not None and spec.kind == "ct2":
        from toolkit.mt.ct2 import load_ct2_engine

        return load_ct2_engine(spec, from_code, to_code, beam_size=beam_size,
                               token_budget=token_budget or default_token_budget(),
                               threads=threads or default_threads())
    if spec is not None and spec.kind == "libretranslate":
        from toolkit.mt.libretranslate import load_libretranslate_engine

        return load_libretranslate_engine(spec, from_code, to_code)
    model = find_model(from_code, to_code)
    return _load(model, beam_size, token_budget or default_token_budget(), threads or default_threads())
