"""The translate stage: blocks -> sentences -> (protect terms) -> model -> (restore, verify) -> blocks.

One model call per language covers every sentence given (the workflow passes the blocks of many
articles at once). Catalog code reads its results (`BlockResult`), so they live here, below the
workflow that orders the stages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from toolkit.formats.document import Block
from toolkit.mt.types import Engine, supports_scoring
from toolkit.segment import Segment, join, segment_block
from toolkit.terms.enforce import How, SentenceOutcome, Unit, translate_units
from toolkit.terms.form_choice import choose_forms
from toolkit.terms.glossary import Glossary

if TYPE_CHECKING:
    from toolkit.l10n.memory import Match

# Longest sentence (in model tokens) sent to the model at once; longer ones are split first.
MAX_SENTENCE_TOKENS = 200


@dataclass
class BlockResult:
    index: int
    source: str
    text: str
    sentences: list[SentenceOutcome]
    memory: dict[int, str] = field(default_factory=dict)  # sentence number -> where the memory had it

    @property
    def flags(self) -> list[str]:
        return [f for s in self.sentences for f in s.flags]


@dataclass
class LanguageResult:
    lang: str
    model_id: str
    blocks: list[BlockResult]
    seconds: float = 0.0
    model_calls: int = 0

    @property
    def sentences(self) -> int:
        return sum(len(b.sentences) for b in self.blocks)

    @property
    def translations(self) -> dict[int, str]:
        return {b.index: b.text for b in self.blocks}

    def term_counts(self) -> dict[str, int]:
        """How each glossary occurrence was satisfied: found / n-best / mask / flagged."""
        counts = {how.value: 0 for how in How}
        for block in self.blocks:
            for sentence in block.sentences:
                for term in sentence.terms:
                    counts[term.how] += 1
        return counts


def mt_text(sentence: str) -> str:
    """What the model sees: line breaks and runs of spaces inside a sentence become one space."""
    return " ".join(sentence.split())


def segment_blocks(
    blocks: Sequence[Block], length: Callable[[str], int] | None = None
) -> list[list[Segment]]:
    return [
        segment_block(b.text, b.index, max_len=MAX_SENTENCE_TOKENS, length=length) for b in blocks
    ]


def translate_blocks(
    blocks: Sequence[Block],
    engine: Engine,
    lang: str,
    *,
    glossary: Glossary | None = None,
    memory: Callable[[str], Match | None] | None = None,
) -> LanguageResult:
    """Translate blocks with glossary enforcement; every block keeps its exact layout.

    A sentence `memory` knows (a reviewed translation of it) is taken from there, not the model;
    `BlockResult.memory` says which and from where."""
    start = time.perf_counter()
    calls_before = engine.calls
    segmented = segment_blocks(blocks, length=lambda s: len(engine.tokenize(s)))
    known: dict[tuple[int, int], Match] = {}
    units = []
    for b, (block, segs) in enumerate(zip(blocks, segmented, strict=True)):
        for s, seg in enumerate(segs):
            found = memory(seg.text) if memory is not None else None
            if found is not None:
                known[b, s] = found
            else:
                units.append(Unit(seg.text, _markup_in(block, seg)))
    translated = translate_units(units, engine, lang, glossary=glossary, normalize=mt_text) if units else []
    if glossary is not None and translated:  # each masked term in the form the model scores best
        choose_forms(translated, glossary, lang, engine.score if supports_scoring(engine) else None,
                     normalize=mt_text)
    outcomes = iter(translated)
    results = []
    for b, (block, segs) in enumerate(zip(blocks, segmented, strict=True)):
        sentences = [
            SentenceOutcome(seg.text, known[b, s].target) if (b, s) in known else next(outcomes)
            for s, seg in enumerate(segs)
        ]
        text = join(block.text, segs, [s.text for s in sentences])
        wheres = {s + 1: known[b, s].where for s in range(len(segs)) if (b, s) in known}
        results.append(BlockResult(block.index, block.text, text, sentences, wheres))
    return LanguageResult(
        lang=lang,
        model_id=engine.model_id,
        blocks=results,
        seconds=time.perf_counter() - start,
        model_calls=engine.calls - calls_before,
    )


def _markup_in(block: Block, seg: Segment) -> tuple[tuple[int, int], ...]:
    """The block's protected markup spans that fall inside this sentence, in its coordinates."""
    return tuple(
        (s - seg.start, e - seg.start)
        for s, e in block.protected
        if seg.start <= s and e <= seg.end
    )
