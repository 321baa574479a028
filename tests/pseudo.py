"""Oracle for the pseudo-language test models (plain helpers, no pytest fixtures).

The committed test packages ``tests/fixtures/models/translate-en_<lang>.argosmodel`` hold a
tiny CTranslate2 model trained by ``tools/build_test_models.py`` to apply a fixed rule to
SentencePiece pieces: alphabetic pieces are permuted (word-start pieces among themselves,
continuation pieces among themselves); every other piece (placeholders ``⟦0⟧`` ... ``⟦39⟧``,
punctuation, digits, byte pieces, bare ``▁``) is copied.  :func:`expected_translation`
computes the engine's output for one segment exactly like the engine produces it:
SentencePiece encode -> map pieces -> ``argostranslate`` SentencePiece decode -> strip one
leading space.

Note: argostranslate splits the input into sentences first, translates each sentence and
decodes the concatenated pieces; for multi-sentence input compare per sentence (or call
:func:`expected_translation` on each sentence and join with a space).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent / "fixtures" / "models"
SPM_PATH = MODELS_DIR / "sentencepiece.model"
RULE_PATH = MODELS_DIR / "pseudo_rule.json"
LANGS = ("el", "ru", "de", "tr")
NUM_PLACEHOLDERS = 40


def package_path(to_code: str) -> Path:
    """Path of the committed ``en -> to_code`` pseudo-language ``.argosmodel``."""
    return MODELS_DIR / f"translate-en_{to_code}.argosmodel"


def placeholder(index: int) -> str:
    """The placeholder symbol the test model copies verbatim, e.g. ``⟦3⟧``."""
    if not 0 <= index < NUM_PLACEHOLDERS:
        raise ValueError(f"placeholder index out of range: {index}")
    return f"\u27e6{index}\u27e7"


@lru_cache(maxsize=1)
def _processor():
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(SPM_PATH))


@lru_cache(maxsize=1)
def rule() -> dict[str, str]:
    """The piece -> piece mapping (all pieces of the SentencePiece vocabulary)."""
    return json.loads(RULE_PATH.read_text(encoding="utf-8"))["mapping"]


def encode(text: str) -> list[str]:
    """SentencePiece pieces of ``text`` (what argostranslate feeds to CTranslate2)."""
    return _processor().encode(text, out_type=str)


def map_pieces(pieces: list[str]) -> list[str]:
    """Apply the pseudo-language rule; pieces outside the vocabulary map to themselves."""
    mapping = rule()
    return [mapping.get(p, p) for p in pieces]


def decode(pieces: list[str]) -> str:
    """Decode like ``argostranslate.tokenizer.SentencePieceTokenizer.decode`` followed by
    the engine's removal of one leading space."""
    value = _processor().decode_pieces(pieces).replace("\u2581", " ").replace("_", " ")
    return value[1:] if value.startswith(" ") else value


def expected_translation(text: str) -> str:
    """The exact output of the pseudo-language model for one segment ``text``."""
    return decode(map_pieces(encode(text)))


def expected_plain(text: str) -> str:
    """The exact output of the CTranslate2 pseudo-language fixtures under
    ``tests/fixtures/ct2/`` (Marian and NLLB, built by ``tools/build_ct2_models.py``) for one
    segment: SentencePiece encode -> map pieces -> ``SentencePieceProcessor.decode_pieces``
    (no argostranslate ``_`` replacement) -> strip one leading space."""
    value = _processor().decode_pieces(map_pieces(encode(text)))
    return value[1:] if value.startswith(" ") else value
