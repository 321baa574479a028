"""Build (once, cached in bench/.cache/) an Argos-size random-weight `.argosmodel` package.

The CTranslate2 model has the shape of a real Argos Translate package (OpenNMT-py "transformer
base"): 6 encoder + 6 decoder layers, d_model 512, 8 heads, FFN 2048, ReLU, pre-norm, separate
source/target embeddings, output projection tied to the target embedding, a 32,000-entry
vocabulary, int8 weights. The weights are random (numpy, fixed seed): the output is garbage, but
every matrix multiplication has the size of a real model's, which is all a speed ratio needs.

Tokenizer: a SentencePiece unigram model trained here on examples/article.txt plus synthetic text
(seeded recombinations of the article's words), with `hard_vocab_limit=False` and a 32k request, so
it gets as many pieces as the data allows (about 900). That tokenises the article at about 1.4
pieces per word, close to a real Argos English model. The CTranslate2 vocabulary is those pieces
followed by dummy pieces `<bench_NNNNN>` up to 32,000 entries, so the embedding tables and, above
all, the decoder's output projection (softmax over 32k) cost what they cost in a real package.

The output projection has a bias of -1e4 on `</s>`: the random model never ends a sentence by
itself, so every hypothesis runs to `max_decoding_length` and the amount of decoding work is fixed
by that option alone (the bench passes the same value on every side).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
ARTICLE = ROOT / "examples" / "article.txt"

sys.path.insert(0, str(ROOT / "tools"))
from spm_train import train_unigram  # noqa: E402  (tools/spm_train.py: one recipe for bench and fixtures)

SBD_ONNX = ROOT / "tests" / "fixtures" / "sbd" / "en.onnx"

SEED = 20250101
NUM_LAYERS = 6
D_MODEL = 512
NUM_HEADS = 8
D_FFN = 2048
VOCAB_SIZE = 32_000
TO_CODE = "de"
PACKAGE_VERSION = "1.0"
# Bump when anything below changes: the cached package is rebuilt.
BUILD_ID = f"v1-l{NUM_LAYERS}-d{D_MODEL}-h{NUM_HEADS}-f{D_FFN}-v{VOCAB_SIZE}-s{SEED}"


def _digest() -> str:
    return hashlib.sha256((BUILD_ID + _sbd_digest()).encode()).hexdigest()[:10]


def package_path(to_code: str = TO_CODE) -> Path:
    return CACHE / f"bench-random-en_{to_code}-{_digest()}.argosmodel"


def _sbd_digest() -> str:
    return hashlib.sha256(SBD_ONNX.read_bytes()).hexdigest() if SBD_ONNX.exists() else "none"


def train_sentencepiece() -> bytes:
    text = ARTICLE.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    words = re.findall(r"\S+", text)
    rng = random.Random(SEED)
    lines += [" ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) for _ in range(5000)]
    return train_unigram(lines, VOCAB_SIZE)


def _spec(vocabulary: list[str]):
    import numpy as np
    from ctranslate2.specs import common_spec, transformer_spec

    rng = np.random.default_rng(SEED)

    def rand(*shape, fan_in=None):
        scale = 1.0 / np.sqrt(fan_in or shape[-1])
        return (rng.standard_normal(shape, dtype=np.float32) * scale).astype(np.float32)

    def ln(spec):
        spec.gamma = np.ones(D_MODEL, np.float32)
        spec.beta = np.zeros(D_MODEL, np.float32)

    def lin(spec, out_dim, in_dim):
        spec.weight = rand(out_dim, in_dim)
        spec.bias = np.zeros(out_dim, np.float32)

    def ffn(spec):
        ln(spec.layer_norm)
        lin(spec.linear_0, D_FFN, D_MODEL)
        lin(spec.linear_1, D_MODEL, D_FFN)

    spec = transformer_spec.TransformerSpec.from_config(
        (NUM_LAYERS, NUM_LAYERS), NUM_HEADS, pre_norm=True, activation=common_spec.Activation.RELU
    )
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = rand(VOCAB_SIZE, D_MODEL)  # position encodings: sinusoidal default
    ln(enc.layer_norm)
    for layer in enc.layer:
        ln(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * D_MODEL, D_MODEL)
        lin(layer.self_attention.linear[1], D_MODEL, D_MODEL)
        ffn(layer.ffn)
    target_embedding = rand(VOCAB_SIZE, D_MODEL)
    dec.embeddings.weight = target_embedding
    ln(dec.layer_norm)
    dec.projection.weight = target_embedding  # tied, as in Argos packages
    bias = np.zeros(VOCAB_SIZE, np.float32)
    bias[vocabulary.index("</s>")] = -1e4  # never stop early: max_decoding_length decides
    dec.projection.bias = bias
    for layer in dec.layer:
        ln(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * D_MODEL, D_MODEL)
        lin(layer.self_attention.linear[1], D_MODEL, D_MODEL)
        ln(layer.attention.layer_norm)
        lin(layer.attention.linear[0], D_MODEL, D_MODEL)
        lin(layer.attention.linear[1], 2 * D_MODEL, D_MODEL)
        lin(layer.attention.linear[2], D_MODEL, D_MODEL)
        ffn(layer.ffn)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    return spec


def _vocabulary(spm_bytes: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=spm_bytes)
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    return pieces + [f"<bench_{i:05d}>" for i in range(len(pieces), VOCAB_SIZE)]


LANG_NAMES = {"el": "Greek", "ru": "Russian", "de": "German", "tr": "Turkish"}


def _model_dir(log) -> tuple[Path, bytes]:
    """The converted CTranslate2 model and its SentencePiece model, built once."""
    from ctranslate2.converters import Converter

    work = CACHE / f"random-model-{_digest()}"
    spm_path = work / "sentencepiece.model"
    if (work / "model" / "model.bin").exists() and spm_path.exists():
        return work / "model", spm_path.read_bytes()
    log("building the Argos-size random-weight model (once; cached in bench/.cache/) ...")
    shutil.rmtree(work, ignore_errors=True)
    spm_bytes = train_sentencepiece()
    vocabulary = _vocabulary(spm_bytes)

    class RandomConverter(Converter):
        def _load(self):
            return _spec(vocabulary)

    RandomConverter().convert(str(work / "model.tmp"), quantization="int8", force=True)
    spm_path.write_bytes(spm_bytes)
    (work / "model.tmp").rename(work / "model")
    return work / "model", spm_bytes


def build(to_code: str = TO_CODE, log=print) -> Path:
    """The cached en->`to_code` package, built if missing (the model is the same for every code)."""
    out = package_path(to_code)
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    model_dir, spm_bytes = _model_dir(log)
    top = f"translate-en_{to_code}-bench-random"
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.9",
        "from_code": "en",
        "from_name": "English",
        "to_code": to_code,
        "to_name": f"{LANG_NAMES.get(to_code, to_code)} (random weights, benchmark only)",
        "type": "translate",
        "links": [],
    }
    files = {
        "metadata.json": json.dumps(metadata, indent=4).encode(),
        "README.md": f"Random-weight benchmark package ({BUILD_ID}); output is garbage.\n".encode(),
        "sentencepiece.model": spm_bytes,
        "minisbd/en.onnx": SBD_ONNX.read_bytes(),
    }
    for path in sorted(model_dir.iterdir()):
        files[f"model/{path.name}"] = path.read_bytes()
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for d in ("", "model/", "minisbd/"):
            zf.writestr(f"{top}/{d}", b"")
        for name, data in files.items():
            zf.writestr(f"{top}/{name}", data)
    tmp.replace(out)
    log(f"built {out.relative_to(ROOT)} ({out.stat().st_size / 1e6:.1f} MB)")
    return out
