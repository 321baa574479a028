"""Oracle for the pseudo-language test models (plain helpers, no pytest fixtures).

The committed test packages ``tests/fixtures/models/translate-en_<lang>.argosmodel`` hold a
tiny CTranslate2 model trained by ``tools/build_test_models.py`` to apply a fixed rule to
SentencePiece pieces: alphabetic pieces are permuted (word-start pieces among themselves,
continuation pieces among themselves); every other piece (placeholders ``⟦0⟧`` ... ``⟦39⟧``,
punctuation, digits, byte pieces, bare ``▁``) is copied.  One piece of grammar (the rule's
``inflection``, Argos packages only): "of" directly before a word or a placeholder is not
translated, the word's translation gets the case ending ``ᵍ`` instead ("of ⟦0⟧" -> "⟦0⟧ᵍ").
:func:`expected_translation` computes the engine's output for one segment exactly like the
engine produces it: SentencePiece encode -> map pieces -> inflect -> ``argostranslate``
SentencePiece decode -> strip one leading space.

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
# The inflected pseudo-language model (form-choice tests): an unpacked en->el Argos package
# trained by tools/build_test_models.py, and its rule (the shared rule plus the inflection).
FORMS_DIR = Path(__file__).resolve().parent / "fixtures" / "forms"
FORMS_PACKAGE = FORMS_DIR / "translate-en_el"
FORMS_RULE_PATH = FORMS_DIR / "pseudo_rule.json"
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


@lru_cache(maxsize=2)
def _inflection(rule_path: Path | None = None) -> tuple[str, str] | None:
    spec = json.loads((rule_path or RULE_PATH).read_text(encoding="utf-8")).get("inflection")
    return (spec["trigger"], spec["suffix"]) if spec else None


def inflection_suffix() -> str:
    """The inflected pseudo-language's case ending (``ᵍ``), where English has "of" + word."""
    spec = _inflection(FORMS_RULE_PATH)
    if spec is None:
        raise RuntimeError(f"{FORMS_RULE_PATH} has no inflection")
    return spec[1]


def _is_word_start(piece: str) -> bool:
    return piece.startswith("\u2581") and len(piece) > 1 and piece[1:].isalpha()


def _is_continuation(piece: str, suffix: str) -> bool:
    return piece.isalpha() and "\u2581" not in piece and piece != suffix


def _is_placeholder(piece: str) -> bool:
    return piece.startswith("\u27e6") and piece.endswith("\u27e7") and piece[1:-1].isdigit()


def inflect(src: list[str], mapped: list[str], rule_path: Path | None = None) -> list[str]:
    """Drop the trigger "of" before a word and put the suffix after the word's translation
    (when the rule at `rule_path`, default the shared one, has an inflection).

    A word: a word-start piece, or a bare ``▁`` then a placeholder or a continuation piece;
    then any continuation pieces.  Source and target keep the same number of pieces."""
    spec = _inflection(rule_path)
    if spec is None:
        return list(mapped)
    trigger, suffix = spec
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        if src[i] == trigger and i + 1 < n:
            j = i + 1
            if _is_word_start(src[j]):
                end = j + 1
            elif src[j] == "\u2581" and j + 1 < n and _is_placeholder(src[j + 1]):
                end = j + 2
            elif src[j] == "\u2581" and j + 1 < n and _is_continuation(src[j + 1], suffix):
                end = j + 2
            else:
                end = j
            if end > j:
                if not _is_placeholder(src[end - 1]):
                    while end < n and _is_continuation(src[end], suffix):
                        end += 1
                out += mapped[j:end]
                out.append(suffix)
                i = end
                continue
        out.append(mapped[i])
        i += 1
    return out


def decode(pieces: list[str]) -> str:
    """Decode like ``argostranslate.tokenizer.SentencePieceTokenizer.decode`` followed by
    the engine's removal of one leading space."""
    value = _processor().decode_pieces(pieces).replace("\u2581", " ").replace("_", " ")
    return value[1:] if value.startswith(" ") else value


def expected_translation(text: str) -> str:
    """The exact output of the pseudo-language model for one segment ``text``."""
    pieces = encode(text)
    return decode(inflect(pieces, map_pieces(pieces)))


def expected_inflected(text: str) -> str:
    """The exact output of the inflected model (``FORMS_PACKAGE``) for one segment: the same
    pieces and mapping (its vocabulary only adds ``ᵍ``), then the inflection."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(FORMS_PACKAGE / "sentencepiece.model"))
    pieces = sp.encode(text, out_type=str)
    out = sp.decode_pieces(inflect(pieces, map_pieces(pieces), FORMS_RULE_PATH))
    out = out.replace("\u2581", " ").replace("_", " ")
    return out[1:] if out.startswith(" ") else out


def expected_uninflected(text: str) -> str:
    """Every piece mapped, "of" translated like any word: right pieces, wrong grammar for the
    inflected model."""
    return decode(map_pieces(encode(text)))


def expected_plain(text: str) -> str:
    """The exact output of the CTranslate2 pseudo-language fixtures under
    ``tests/fixtures/ct2/`` (Marian and NLLB, built by ``tools/build_ct2_models.py``) for one
    segment: SentencePiece encode -> map pieces -> ``SentencePieceProcessor.decode_pieces``
    (no argostranslate ``_`` replacement) -> strip one leading space."""
    value = _processor().decode_pieces(map_pieces(encode(text)))
    return value[1:] if value.startswith(" ") else value
