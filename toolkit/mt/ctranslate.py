"""The CTranslate2 core shared by the Argos and the `ct2` engines: one batched call per sentence list.

Why not `argostranslate.translate`: it calls CTranslate2 once per paragraph and passes its batch
size (32) as a *token* budget, so it runs at about one sentence per batch. Here a whole list of
sentences (a whole article, for one language) goes to CTranslate2 in ONE `translate_batch` call
with a real token budget; CTranslate2 sorts by length and packs the sub-batches itself
(`CT2Engine`). Also here: the thread count and token budget from the environment, and giving
decoding memory back between languages (`release_memory`). `ctranslate2` itself is imported only
when a model is loaded.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import cached_property, lru_cache
from pathlib import Path

from toolkit.config import environment_setting
from toolkit.errors import ToolkitError
from toolkit.mt.device import Device, choose_device
from toolkit.mt.types import DEFAULT_BEAM, Done, Hypothesis, SentenceTranslation

# Source tokens per CTranslate2 sub-batch. Decoding memory grows with it (x beam): 2048 keeps a
# four-language run within 1.2x the models' own memory at 1.02x the time of 4096 (bench/).
DEFAULT_TOKEN_BUDGET = 2048
# Output may be longer than the input (Greek, German); loops are cut at this bound and reported.
# A streamed call (`CT2Engine.translate` with `done`) feeds the model this many sub-batches at a
# time: big enough that CTranslate2 still packs sentences of similar length together, small
# enough that progress moves and an interrupted archive keeps most of its work.
STREAM_SUB_BATCHES = 4
DECODE_RATIO = 2.5
# Form choice: tokens scored after the last place where a sentence's candidates differ (enough
# for the agreement of the words that follow a term; the rest of the sentence is not decoded).
SCORE_CONTEXT = 3
# Scoring sub-batches on the CPU. A sub-batch's cost is mostly its vocabulary-wide
# log-probabilities: CTranslate2 computes them for every target position, padding included, and
# sorts a batch by source length only, so the windowed targets of one sub-batch differ in length.
# Small sub-batches pad less but pay a fixed cost each, which is a large share of a small model's
# time. So a sub-batch holds about this many log-probabilities: source tokens x target vocabulary.
# Measured on the example article's candidates (bench/README.md), the fastest budget was 256
# tokens at a 32,000-piece vocabulary, 512-1024 at 8,000 pieces and 2048 at the fixtures' 1,352.
# But targets are padded to the longest of a sub-batch, so wide sub-batches of a small vocabulary
# hold many padded rows: the fixtures' peak RSS (4 languages) was 138 MB at 256 tokens, 202 MB at
# 1024, 269 MB at 2048. Hence the cap. A GPU keeps the translation budget: it wants wide batches.
SCORE_LOGITS_BUDGET_CPU = 256 * 32_000
SCORE_TOKEN_BUDGET_CPU = 256  # when the model's target vocabulary cannot be read
SCORE_TOKEN_BUDGET_MIN = 64
SCORE_TOKEN_BUDGET_MAX_CPU = 1024
DECODE_MARGIN = 10


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


def default_threads() -> int:
    """CTranslate2 threads for one batch: TOOLKIT_THREADS, else every core."""
    return environment_setting("TOOLKIT_THREADS", os.cpu_count() or 1)


def default_token_budget() -> int:
    """TOOLKIT_TOKEN_BUDGET, else DEFAULT_TOKEN_BUDGET: lower it on a machine short of memory."""
    return environment_setting("TOOLKIT_TOKEN_BUDGET", DEFAULT_TOKEN_BUDGET)


def _chunks(tokens: Sequence[list[str]], budget: int) -> list[list[int]]:
    """Sentence indices, shortest first, cut into chunks of at most `budget` tokens (padded to
    the chunk's longest sentence, as CTranslate2 pads a sub-batch); every chunk has one or more."""
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    chunks: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and (len(current) + 1) * len(tokens[i]) > budget:
            chunks.append(current)
            current = []
        current.append(i)
    return [*chunks, current] if current else chunks


def _window(targets: list[list[str]], spans: list[tuple[int, int]], group: range, first: int) -> None:
    """Cut one sentence's candidates (in place) to where they differ plus `SCORE_CONTEXT`
    tokens: the common prefix stays as context but is not scored; the common suffix is
    decoded only `SCORE_CONTEXT` tokens deep (then the end of sentence is not scored either)."""
    if len(group) < 2:
        return
    mine = [targets[i] for i in group]
    shortest = min(len(t) for t in mine)
    prefix = 0
    while prefix < shortest and all(t[prefix] == mine[0][prefix] for t in mine):
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and all(t[-1 - suffix] == mine[0][-1 - suffix] for t in mine):
        suffix += 1
    for i in group:
        keep = len(targets[i]) - suffix + SCORE_CONTEXT
        begin = max(first, prefix)
        if keep < len(targets[i]):
            targets[i] = targets[i][:keep]
            spans[i] = (begin, keep)
        else:
            spans[i] = (begin, len(targets[i]) + 1)


def target_vocabulary_size(model_dir: Path) -> int | None:
    """Entries of a CTranslate2 model's target vocabulary (``target_vocabulary`` or
    ``shared_vocabulary``, ``.json`` or ``.txt``), or None when there is none readable."""
    for name in ("target_vocabulary", "shared_vocabulary"):
        for suffix in (".json", ".txt"):
            path = model_dir / f"{name}{suffix}"
            try:
                if suffix == ".json":
                    entries = json.loads(path.read_text(encoding="utf-8"))
                    return len(entries) if isinstance(entries, list) and entries else None
                with path.open("rb") as lines:
                    return sum(1 for _ in lines) or None
            except FileNotFoundError:
                continue
            except (OSError, ValueError, RecursionError):
                return None
    return None


class CT2Engine:
    """A CTranslate2 model and its tokenizer: ONE batched `translate_batch` per sentence list.

    Subclasses say how a sentence becomes source tokens (`tokenize`), which tokens start the
    target (`target_prefix_tokens`) and how output pieces become text (`detokenize`).
    """

    target_prefix_tokens: list[str] = []
    streams_results = True  # translate() reports each chunk through `done` (toolkit.mt.cache)

    def __init__(
        self,
        model_dir: Path,
        *,
        beam_size: int = DEFAULT_BEAM,
        token_budget: int | None = None,
        threads: int | None = None,
        device: Device | None = None,
    ):
        import ctranslate2

        self.device = device or choose_device()
        self.beam_size = beam_size
        self.token_budget = token_budget or default_token_budget()
        self.threads = threads or default_threads()
        self.calls = 0
        self.model_dir = Path(model_dir)
        try:
            self.translator = ctranslate2.Translator(
                str(model_dir), device=self.device.device, compute_type=self.device.compute_type,
                inter_threads=1, intra_threads=self.threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise ToolkitError(f"cannot load the CTranslate2 model ({exc})", path=model_dir) from None

    @cached_property
    def vocabulary_size(self) -> int | None:
        """The model's target vocabulary, read once, at the first scoring call."""
        return target_vocabulary_size(self.model_dir)

    def _score_budget_cpu(self) -> int:
        """Source tokens per scoring sub-batch on the CPU (`SCORE_LOGITS_BUDGET_CPU`)."""
        if not self.vocabulary_size:
            return SCORE_TOKEN_BUDGET_CPU
        return min(SCORE_TOKEN_BUDGET_MAX_CPU,
                   max(SCORE_TOKEN_BUDGET_MIN, SCORE_LOGITS_BUDGET_CPU // self.vocabulary_size))

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

    def target_tokens(self, text: str) -> list[str]:
        """A target text as the model writes it: the target prefix, then the pieces (no EOS,
        CTranslate2 scores it itself). The source tokenizer's pieces by default."""
        pieces = [p for p in self.tokenize(text) if p != "</s>"]
        return [*self.target_prefix_tokens, *pieces]

    def score(
        self, pairs: Sequence[tuple[str, str]], *, groups: Sequence[int] | None = None
    ) -> list[float]:
        """Length-normalised log-probability of each (source, target) pair, in ONE batched
        `score_batch` call: what the model itself thinks of a candidate translation (the
        glossary's form choice asks it which form of a term fits).

        `groups`: the pairs come in consecutive groups of these sizes, each the candidates of
        one sentence that differ only in a few places (a term's forms). A candidate is then
        scored only where the group's candidates differ, plus `SCORE_CONTEXT` tokens after:
        the tokens before are the same in all of them (the same log-probabilities), and the
        decoder stops a few tokens after the last difference instead of at the end of the
        sentence. Scores compare within a group only."""
        if not pairs:
            return []
        sources = [self.tokenize(source) for source, _ in pairs]
        targets = [self.target_tokens(target) for _, target in pairs]
        first = len(self.target_prefix_tokens)  # not the language token
        # the log_probs scored per pair: its tokens, then the end of sentence
        spans = [(first, len(t) + 1) for t in targets]
        start = 0
        for size in groups or ():
            _window(targets, spans, range(start, start + size), first)
            start += size
        if not self.translator.model_is_loaded:
            self.translator.load_model()
        self.calls += 1
        budget = self.token_budget
        if self.device.device != "cuda":
            budget = min(budget, self._score_budget_cpu())
        results = self.translator.score_batch(
            sources, targets, max_batch_size=budget, batch_type="tokens", max_input_length=0,
        )
        scores = []
        for result, (begin, stop) in zip(results, spans, strict=True):
            probs = result.log_probs[begin:stop]
            scores.append(sum(probs) / max(1, len(probs)))
        return scores

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        done: Done | None = None,
    ) -> list[SentenceTranslation]:
        """Translate every sentence in one batched call; returns an n-best list per sentence.

        With `done`, the sentences go to the model shortest first in chunks of about
        `STREAM_SUB_BATCHES` sub-batches, and `done(sentences, translations)` hears of each chunk
        as it is ready: a cache keeps it at once (Ctrl-C loses at most one chunk) and a progress
        bar moves. An article shorter than a chunk is still one `translate_batch`."""
        if not sentences:
            return []
        tokens = [self.tokenize(s) for s in sentences]
        if done is None:
            return self.translate_tokens(tokens, num_hypotheses=num_hypotheses)
        out: list[SentenceTranslation | None] = [None] * len(sentences)
        self.calls += 1  # one model call, however many chunks it is fed in
        for chunk in _chunks(tokens, STREAM_SUB_BATCHES * self.token_budget):
            results = self._decode([tokens[i] for i in chunk], num_hypotheses)
            for i, result in zip(chunk, results, strict=True):
                out[i] = result
            done([sentences[i] for i in chunk], results)
        return [t for t in out if t is not None]

    def translate_tokens(
        self, tokens: Sequence[list[str]], *, num_hypotheses: int = 1
    ) -> list[SentenceTranslation]:
        """The model call itself, over pre-tokenised sentences (benchmarks use it bare)."""
        if not tokens:
            return []
        self.calls += 1
        return self._decode(tokens, num_hypotheses)

    def _decode(self, tokens: Sequence[list[str]], num_hypotheses: int) -> list[SentenceTranslation]:
        longest = max(len(t) for t in tokens)
        prefix_tokens = self.target_prefix_tokens
        max_len = int(longest * DECODE_RATIO) + DECODE_MARGIN + len(prefix_tokens)
        prefix = [list(prefix_tokens)] * len(tokens) if prefix_tokens else None
        n = max(1, num_hypotheses)
        if not self.translator.model_is_loaded:
            self.translator.load_model()
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
