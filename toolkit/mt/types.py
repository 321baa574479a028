"""What the pipeline needs from a translator: n-best results and the `Engine` protocol.

Neutral types, free of any model library, so that every layer (the cache, the glossary ladder,
the pipeline) can name them without loading an engine. The engines themselves are in
`toolkit.mt.argos`, `toolkit.mt.ct2` and `toolkit.mt.libretranslate`; `toolkit.mt.registry`
picks one per language. Also here: what an engine's text must be before anyone keeps it
(`clean_text`), and how text from outside is quoted in a message (`printable`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

DEFAULT_BEAM = 4

# Control characters (C0 but tab and line feed, DEL, C1) and lone surrogates: never text, and a
# NUL or a surrogate breaks every catalog, page and cache entry that holds it.
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """An engine's output without the characters no translation may hold (see `_NOT_TEXT`)."""
    return _NOT_TEXT.sub("", text)


def printable(text: str, limit: int = 200) -> str:
    """Text from a server or a file, safe to quote in a one-line message: escape codes, line
    breaks and other unprintable characters are shown escaped (``\\x1b``), and it is cut at `limit`."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                    for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


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


# Told of each batch of a streamed translation as it is ready (sentences, their translations):
# `CT2Engine.translate` and LibreTranslate report chunks, the cache keeps each at once.
Done = Callable[[list[str], list[SentenceTranslation]], None]


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


class Scorer(Protocol):
    """An engine that can score a given translation (CTranslate2 engines; a server cannot)."""

    def score(
        self, pairs: Sequence[tuple[str, str]], *, groups: Sequence[int] | None = None
    ) -> list[float]:
        """Length-normalised log-probability of each (source, target) pair, one batched call;
        with `groups`, consecutive candidates of one sentence, compared where they differ."""
        ...


def supports_scoring(engine: object) -> bool:
    """Whether `engine` (or the cache around it) can score translations: LibreTranslate cannot."""
    return callable(getattr(engine, "score", None))
