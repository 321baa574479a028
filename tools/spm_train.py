"""The one SentencePiece training recipe of the project's test and bench models.

`tools/build_test_models.py` (the pseudo-language fixtures) and `bench/randmodel.py` (the
Argos-size random package) train their tokenizers the same way as Argos packages are built: a
unigram model with byte fallback and split digits, and the Marian/Argos special-piece ids. This
module imports no torch, so the bench can use it on a machine that never builds fixtures.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence


def train_unigram(
    lines: Iterable[str], vocab_size: int, *, user_defined_symbols: Sequence[str] = ()
) -> bytes:
    """Train a unigram SentencePiece model on `lines`; returns the serialized model."""
    import sentencepiece as spm

    options = {}
    if user_defined_symbols:
        options["user_defined_symbols"] = list(user_defined_symbols)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        hard_vocab_limit=False,  # as many pieces as the data allows
        character_coverage=1.0,
        byte_fallback=True,
        split_digits=True,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=3,
        unk_piece="<unk>",
        bos_piece="<s>",
        eos_piece="</s>",
        pad_piece="<pad>",
        num_threads=1,
        minloglevel=2,
        **options,
    )
    return model.getvalue()
