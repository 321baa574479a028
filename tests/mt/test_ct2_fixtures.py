"""The CTranslate2 fixtures converted from tiny Hugging Face models (``tools/build_ct2_models.py``)
translate into the pseudo-language exactly, with plain ctranslate2 + sentencepiece (no torch, no
transformers): a Marian / OPUS-MT layout and an NLLB-200 layout."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm

from toolkit.formats.document import read_document
from toolkit.l10n.translate import segment_blocks

from conftest import FIXTURES, ROOT
from pseudo import expected_plain, placeholder

MARIAN = FIXTURES / "ct2" / "marian-en-xx"
NLLB = FIXTURES / "ct2" / "nllb-tiny"
HF_MARIAN = FIXTURES / "hf" / "marian-en-xx"
SPM_MODEL = FIXTURES / "models" / "sentencepiece.model"
NLLB_TARGETS = ("ell_Grek", "rus_Cyrl", "deu_Latn", "tur_Latn")
OPTIONS = dict(beam_size=4, num_hypotheses=4, length_penalty=0.2, max_decoding_length=256)


@cache
def translator(path: Path) -> ctranslate2.Translator:
    return ctranslate2.Translator(str(path), device="cpu", compute_type="int8", intra_threads=2)


def processor(path: Path) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=str(path))


@lru_cache(maxsize=1)
def article_sentences() -> list[str]:
    sp = processor(SPM_MODEL)
    doc = read_document(ROOT / "examples" / "article.txt")
    segmented = segment_blocks(doc.blocks, length=lambda s: len(sp.encode(s)))
    return [seg.text for segs in segmented for seg in segs]


def texts() -> list[str]:
    sentences = article_sentences()
    longest = max(sentences, key=len)
    masked = (f"{placeholder(0)} said on Oct. 13 that {placeholder(1)} would deploy 180 "
              f"troops to {placeholder(2)}, \u201c{placeholder(3)}\u201d.")
    return sentences[:6] + [longest, masked]


def decode(sp: spm.SentencePieceProcessor, pieces: list[str]) -> str:
    value = sp.decode_pieces(pieces)
    return value[1:] if value.startswith(" ") else value


@pytest.mark.parametrize("name", ["config.json", "model.bin", "shared_vocabulary.json",
                                  "source.spm", "target.spm"])
def test_marian_layout(name):
    assert (MARIAN / name).is_file()


def test_marian_fixture_translates_exactly():
    sp_source, sp_target = processor(MARIAN / "source.spm"), processor(MARIAN / "target.spm")
    batch = [sp_source.encode(t, out_type=str) + ["</s>"] for t in texts()]
    results = translator(MARIAN).translate_batch(batch, **OPTIONS)
    for text, result in zip(texts(), results, strict=True):
        assert len(result.hypotheses) == 4
        pieces = result.hypotheses[0]
        assert pieces[-1:] != ["</s>"]  # CTranslate2 strips the end token
        assert decode(sp_target, pieces) == expected_plain(text)


def test_marian_vocabulary_matches_transformers_model():
    """The committed transformers model is what the CTranslate2 fixture was converted from:
    same vocabulary (the converter drops the trailing ``<pad>``)."""
    vocab = json.loads((HF_MARIAN / "vocab.json").read_text(encoding="utf-8"))
    ordered = [piece for piece, _ in sorted(vocab.items(), key=lambda item: item[1])]
    assert ordered[-1] == "<pad>"
    shared = json.loads((MARIAN / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert shared == ordered[:-1]
    config = json.loads((HF_MARIAN / "config.json").read_text(encoding="utf-8"))
    assert config["model_type"] == "marian" and config["decoder_start_token_id"] == len(ordered) - 1
    for name in ("model.safetensors", "source.spm", "target.spm", "tokenizer_config.json"):
        assert (HF_MARIAN / name).is_file()


def test_nllb_layout_and_language_codes():
    assert (NLLB / "sentencepiece.bpe.model").is_file()
    vocab = json.loads((NLLB / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert vocab[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    for code in ("eng_Latn", *NLLB_TARGETS):
        assert code in vocab


@pytest.mark.slow
@pytest.mark.parametrize("target", NLLB_TARGETS)
def test_nllb_fixture_translates_exactly(target):
    sp = processor(NLLB / "sentencepiece.bpe.model")
    batch = [["eng_Latn"] + sp.encode(t, out_type=str) + ["</s>"] for t in texts()]
    results = translator(NLLB).translate_batch(
        batch, target_prefix=[[target]] * len(batch), **OPTIONS)
    for text, result in zip(texts(), results, strict=True):
        pieces = result.hypotheses[0]
        assert pieces[0] == target
        assert decode(sp, pieces[1:]) == expected_plain(text)
