"""Build tiny *real* Hugging Face translation models and convert them with CTranslate2.

``tools/build_test_models.py`` builds the Argos test packages from a hand-written torch
transformer.  This script trains two tiny models with the ``transformers`` classes of the
families a newsroom would use with CTranslate2 directly, converts them with CTranslate2's own
``TransformersConverter`` (what ``ct2-transformers-converter`` runs) and writes committed
fixtures laid out exactly like the directories a user gets from that converter:

* ``tests/fixtures/ct2/marian-en-xx/`` -- a Marian / OPUS-MT model (``MarianMTModel``,
  ``MarianTokenizer`` files), as from ``ct2-transformers-converter --model
  Helsinki-NLP/opus-mt-en-de --quantization int8 --copy_files source.spm target.spm``.
* ``tests/fixtures/ct2/nllb-tiny/`` -- an NLLB-200 model (``M2M100ForConditionalGeneration``,
  NLLB vocabulary layout and language codes ``eng_Latn ell_Grek rus_Cyrl deu_Latn tur_Latn``),
  as from ``ct2-transformers-converter --model facebook/nllb-200-distilled-600M
  --quantization int8 --copy_files sentencepiece.bpe.model``.
* ``tests/fixtures/hf/marian-en-xx/`` -- the un-converted Marian model (float16
  safetensors, ``config.json``, ``vocab.json``, ``source.spm``, ``target.spm``, tokenizer
  config), so a test can run the converter itself.

Both models implement the *same pseudo-language* as the Argos fixtures (see the docstring of
``tools/build_test_models.py``): the SentencePiece model is the committed
``tests/fixtures/models/sentencepiece.model`` (copied as ``source.spm``/``target.spm`` and as
``sentencepiece.bpe.model``, so the piece strings are identical) and the rule is
``tests/fixtures/models/pseudo_rule.json``.  The data generation, the alignment initialisation
and the training schedule (label smoothing annealed to 0) are the ones of that script,
imported from it.  Expected output: ``tests/pseudo.py`` ``expected_plain(text)``.

Runtime token formats (no ``transformers`` at runtime, only ctranslate2 + sentencepiece)
--------------------------------------------------------------------------------------
Marian::

    source  = sp.encode(text, out_type=str) + ["</s>"]
    result  = translator.translate_batch([source], beam_size=4, num_hypotheses=4,
                                         length_penalty=0.2)
    output  = result[0].hypotheses[0]          # no "</s>" (dropped if ever present)
    text    = sp.decode_pieces(output)

NLLB::

    source  = ["eng_Latn"] + sp.encode(text, out_type=str) + ["</s>"]
    result  = translator.translate_batch([source], target_prefix=[["deu_Latn"]], ...)
    output  = result[0].hypotheses[0][1:]      # drop the leading language token
    text    = sp.decode_pieces(output)

The NLLB fixture outputs the pseudo-language whatever the target language token is (it is
trained with all five as target prefix).

The models
----------
d_model 128, 4 heads, FFN 512, 2+2 layers, no dropout.  Marian: post-norm, SiLU ("swish",
as OPUS-MT), static sinusoidal positions, shared embeddings, ``<pad>`` last in the vocabulary
and used as decoder start token (CTranslate2 drops it and starts from a zero embedding, so the
script keeps that embedding row at zero).  NLLB: pre-norm, ReLU, offset sinusoidal positions,
fairseq special ids ``<s>=0 <pad>=1 </s>=2 <unk>=3``, then the SentencePiece pieces, then
``<mask>`` and the language codes; ``decoder_start_token_id`` is ``</s>``; the NLLB tokenizer is
saved as ``tokenizer.json`` (a unigram model equal to the SentencePiece model; the
``transformers`` 5 ``NllbTokenizer`` class would rebuild it as BPE, so ``tokenizer_config.json``
names ``PreTrainedTokenizerFast``) with the NLLB post-processor ``eng_Latn $A </s>``.

Rebuilding
----------
CI never retrains: it only uses the committed files.  To rebuild them (needs
``pip install -e '.[build]' transformers``; the committed files were built with torch 2.13.0,
transformers 5.24.0, ctranslate2 4.8.5)::

    python tools/build_ct2_models.py                   # both, one after the other
    python tools/build_ct2_models.py --model nllb      # one of them (~15 min on 2 cores)
    python tools/build_ct2_models.py --stage evaluate  # re-run the accuracy report

The committed files come from ``--model marian --threads 1 --max-steps 3200`` (20 min, run
next to the NLLB build) and ``--model nllb --max-steps 3600`` (14 min), 100% on every set.
The default schedule is a fixed 3600 steps per model (``--max-steps``; ~2100-3200 steps left
one or two long held-out sentences wrong); ``--minutes M`` adds a budget in minutes of
2-thread CPU time (whichever ends first). The script checks that the float32 conversion
gives the transformers model's log-probs, then prints the exact-match accuracy of the int8
CTranslate2 model (beam 4, ``length_penalty=0.2``) on the example article split like the
toolkit splits it, on held-out random sentences, on sentences with placeholders ``⟦0⟧`` ...
``⟦3⟧`` (and ``⟦0⟧`` ... ``⟦39⟧``) and on the defence terms -- for NLLB with each of the
four target languages -- and exits non-zero unless every set is at 100%.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_test_models as btm  # noqa: E402

ROOT = btm.ROOT
FIXTURES = ROOT / "tests" / "fixtures"
HF_MARIAN_DIR = FIXTURES / "hf" / "marian-en-xx"
CT2_DIRS = {"marian": FIXTURES / "ct2" / "marian-en-xx", "nllb": FIXTURES / "ct2" / "nllb-tiny"}
COPY_FILES = {"marian": ["source.spm", "target.spm"], "nllb": ["sentencepiece.bpe.model"]}

NLLB_LANGS = ["eng_Latn", "ell_Grek", "rus_Cyrl", "deu_Latn", "tur_Latn"]
NLLB_SOURCE_LANG = "eng_Latn"
FAIRSEQ_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]  # NLLB ids 0..3

SPECIALS = ("<unk>", "<s>", "</s>", "<pad>")
MAX_POSITIONS = {"marian": 512, "nllb": 1024}
BEAM = 4
LENGTH_PENALTY = 0.2
PLACEHOLDER_SET_SIZE = 200
DEFAULT_STEPS = 3600  # fixed schedule (see "Rebuilding")


# --------------------------------------------------------------------------------------
# Vocabularies and tokenizers
# --------------------------------------------------------------------------------------


def spm_pieces(sp) -> list[str]:
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def marian_vocabulary(sp) -> list[str]:
    """OPUS-MT layout: the SentencePiece pieces, ``<pad>`` last (CTranslate2 drops it)."""
    return [p for p in spm_pieces(sp) if p != "<pad>"] + ["<pad>"]


def nllb_vocabulary(sp) -> list[str]:
    """NLLB layout: fairseq specials, the other pieces, ``<mask>``, the language codes."""
    pieces = [p for p in spm_pieces(sp) if p not in FAIRSEQ_SPECIALS]
    return FAIRSEQ_SPECIALS + pieces + ["<mask>"] + NLLB_LANGS


def save_marian_tokenizer(sp, out_dir: Path) -> None:
    from transformers import MarianTokenizer

    vocab = {piece: i for i, piece in enumerate(marian_vocabulary(sp))}
    with tempfile.TemporaryDirectory() as tmp:
        vocab_path = Path(tmp) / "vocab.json"
        vocab_path.write_text(json.dumps(vocab, ensure_ascii=False, indent=1), encoding="utf-8")
        tok = MarianTokenizer(source_spm=str(btm.SPM_PATH), target_spm=str(btm.SPM_PATH),
                              vocab=str(vocab_path), unk_token="<unk>", eos_token="</s>",
                              pad_token="<pad>", model_max_length=MAX_POSITIONS["marian"])
        tok.save_pretrained(str(out_dir))
    check_hf_tokenizer(sp, out_dir, lambda pieces: pieces + ["</s>"])


def save_nllb_tokenizer(sp, out_dir: Path) -> None:
    from sentencepiece import sentencepiece_model_pb2
    from tokenizers.models import Unigram
    from transformers import NllbTokenizer
    from transformers.convert_slow_tokenizer import SpmConverter

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(btm.SPM_PATH.read_bytes())
    scores = {p.piece: p.score for p in proto.pieces}
    vocab = nllb_vocabulary(sp)
    unigram = [(p, scores.get(p, 0.0)) for p in vocab if p not in ("<mask>", *NLLB_LANGS)]
    # A tokenizers Unigram model equal to the SentencePiece model (normalizer, dummy prefix,
    # user-defined placeholders, byte fallback), with NLLB's fairseq ids.
    backend = SpmConverter.build_tokenizer_from_spm_proto(proto, unigram)
    backend.model = Unigram(unigram, unk_id=vocab.index("<unk>"), byte_fallback=True)
    tok = NllbTokenizer(tokenizer_object=backend, extra_special_tokens=NLLB_LANGS,
                        src_lang=NLLB_SOURCE_LANG)
    tok.save_pretrained(str(out_dir))
    config_path = out_dir / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"  # load tokenizer.json verbatim
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n",
                           encoding="utf-8")
    shutil.copyfile(btm.SPM_PATH, out_dir / "sentencepiece.bpe.model")
    got = json.loads((out_dir / "tokenizer.json").read_text(encoding="utf-8"))
    ids = {t["content"]: t["id"] for t in got["added_tokens"]}
    ids.update({p: i for i, (p, _) in enumerate(got["model"]["vocab"])})
    assert [p for p, _ in sorted(ids.items(), key=lambda x: x[1])] == vocab
    check_hf_tokenizer(sp, out_dir, lambda pieces: [NLLB_SOURCE_LANG] + pieces + ["</s>"])


def check_hf_tokenizer(sp, model_dir: Path, frame) -> None:
    """``AutoTokenizer`` on the saved directory must produce the runtime's pieces."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    sentences, _ = btm.article_units()
    for text in sentences + ["NATO \u27e63\u27e7 said on Oct. 13 that \u27e60\u27e7 would go."]:
        got = tok.convert_ids_to_tokens(tok(text)["input_ids"])
        want = frame(sp.encode(text, out_type=str))
        assert got == want, (text, got, want)


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------


def build_hf_model(kind: str, vocab: list[str]):
    from transformers import M2M100Config, M2M100ForConditionalGeneration, MarianConfig, MarianMTModel

    common = dict(
        vocab_size=len(vocab), d_model=btm.D_MODEL,
        encoder_layers=btm.NUM_LAYERS[0], decoder_layers=btm.NUM_LAYERS[1],
        encoder_attention_heads=btm.NUM_HEADS, decoder_attention_heads=btm.NUM_HEADS,
        encoder_ffn_dim=btm.FFN_DIM, decoder_ffn_dim=btm.FFN_DIM,
        dropout=0.0, attention_dropout=0.0, activation_dropout=0.0,
        encoder_layerdrop=0.0, decoder_layerdrop=0.0, scale_embedding=True,
        max_position_embeddings=MAX_POSITIONS[kind], eos_token_id=vocab.index("</s>"),
        forced_eos_token_id=vocab.index("</s>"), tie_word_embeddings=True,
    )
    if kind == "marian":
        pad = vocab.index("<pad>")
        config = MarianConfig(**common, activation_function="swish", pad_token_id=pad,
                              decoder_start_token_id=pad, decoder_vocab_size=len(vocab),
                              share_encoder_decoder_embeddings=True,
                              static_position_embeddings=True, bos_token_id=vocab.index("<s>"))
        model = MarianMTModel(config)
    else:
        config = M2M100Config(**common, activation_function="relu",
                              pad_token_id=vocab.index("<pad>"), bos_token_id=vocab.index("<s>"),
                              decoder_start_token_id=vocab.index("</s>"),
                              tokenizer_class="NllbTokenizer")
        model = M2M100ForConditionalGeneration(config)
    alignment_init(model, pad_row=vocab.index("<pad>") if kind == "marian" else None)
    return model


def _position_dims() -> list[int]:
    """Embedding dims holding the sin and cos of the ``btm.POS_DIMS // 2`` highest position
    frequencies in the ``[sin | cos]`` sinusoidal layout of Marian and M2M100."""
    half, k = btm.D_MODEL // 2, btm.POS_DIMS // 2
    return list(range(k)) + list(range(half, half + k))


def alignment_init(model, pad_row: int | None) -> None:
    """``btm`` alignment initialisation on a Marian / M2M100 module tree: embeddings start
    with the position dims at zero, residual branches (attention output, ``fc2``) start at
    zero, and every cross-attention head's query/key read the position dims, so target
    position t attends to source position t from the first step."""
    import torch
    from torch import nn

    dims = _position_dims()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 2 and "embed" not in name and "shared" not in name:
                nn.init.xavier_uniform_(p)
            elif name.endswith("bias") and "layer_norm" not in name:
                p.zero_()
        emb = model.get_input_embeddings().weight
        nn.init.normal_(emb, std=btm.EMBED_INIT_STD)
        emb[:, dims] = 0.0
        if pad_row is not None:
            emb[pad_row] = 0.0
        inner = model.model
        dk = btm.D_MODEL // btm.NUM_HEADS
        for layer in list(inner.encoder.layers) + list(inner.decoder.layers):
            layer.self_attn.out_proj.weight.zero_()
            layer.fc2.weight.zero_()
        for layer in inner.decoder.layers:
            layer.encoder_attn.out_proj.weight.zero_()
            for proj in (layer.encoder_attn.q_proj, layer.encoder_attn.k_proj):
                proj.weight.zero_()
                for h in range(btm.NUM_HEADS):
                    for i, d in enumerate(dims):
                        proj.weight[h * dk + i, d] = btm.ALIGN_INIT_GAIN


def train(kind: str, sp, id_map, minutes: float, max_steps: int | None, log=print):
    """Train with ``btm.DataGen`` examples and ``btm.run_training``; returns (model, vocab,
    stats)."""
    import numpy as np
    import torch

    torch.manual_seed(btm.SEED)
    np.random.seed(btm.SEED)
    torch.set_num_threads(btm.TORCH_THREADS)
    vocab = marian_vocabulary(sp) if kind == "marian" else nllb_vocabulary(sp)
    index = {p: i for i, p in enumerate(vocab)}
    to_model = [index[p] for p in spm_pieces(sp)]
    model = build_hf_model(kind, vocab)
    pad, eos = index["<pad>"], index["</s>"]
    n_params = sum(p.numel() for p in model.parameters())
    log(f"{kind}: {type(model).__name__}, vocabulary {len(vocab)}, parameters {n_params:,}")
    gen = btm.DataGen(sp, id_map, seed=btm.SEED)
    batch_rng = random.Random(btm.SEED + 1)
    langs = [index[lang] for lang in NLLB_LANGS if lang in index]

    def example():
        src, tgt = gen.example()
        src, tgt = [to_model[i] for i in src], [to_model[i] for i in tgt]
        if kind == "nllb":  # [eng_Latn] pieces </s>  ->  </s> [tgt_lang] pieces
            return [index[NLLB_SOURCE_LANG]] + src, [batch_rng.choice(langs)] + tgt
        return src, tgt

    # Decoder start: Marian <pad> (a zero embedding), NLLB </s>.
    start = pad if kind == "marian" else eos

    def next_batches():
        pool = [example() for _ in range(3000)]
        return btm.make_batches(pool, start, eos, pad, btm.BATCH_TOKENS, batch_rng)

    def batch_loss(batch, smoothing):
        src, tin, tout = batch
        if kind == "nllb":
            tout = tout.clone()
            tout[:, 0] = pad  # the language token is forced (target_prefix), not predicted
        logits = model(input_ids=src, attention_mask=(src != pad).long(),
                       decoder_input_ids=tin).logits
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tout.reshape(-1), ignore_index=pad,
            label_smoothing=smoothing)
        return loss, int((tout != pad).sum())

    def keep_zero_start(m):
        with torch.no_grad():
            m.get_input_embeddings().weight[pad] = 0.0

    stats = btm.run_training(model, next_batches, batch_loss, minutes, max_steps, log,
                             after_step=keep_zero_start if kind == "marian" else None)
    return model, vocab, {**stats, "parameters": n_params}


def save_hf(kind: str, model, sp, out_dir: Path) -> None:
    import torch

    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    # float16 weights (small files), but config.json says float32: transformers (and so the
    # converter) loads them as float32, and the int8 model keeps float32 for the rest, like a
    # converted OPUS-MT / NLLB model (an int8_float16 model warns on CPU).
    model.to(torch.float16).save_pretrained(str(out_dir))
    model.to(torch.float32)
    (out_dir / "model.safetensors").chmod(0o644)  # safetensors writes 0600
    config_path = out_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["dtype"] = "float32"
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if kind == "marian":
        save_marian_tokenizer(sp, out_dir)
    else:
        save_nllb_tokenizer(sp, out_dir)


def convert(hf_dir: Path, out_dir: Path, kind: str, quantization: str) -> None:
    from ctranslate2.converters import TransformersConverter

    if out_dir.exists():
        shutil.rmtree(out_dir)
    TransformersConverter(str(hf_dir), copy_files=COPY_FILES[kind]).convert(
        str(out_dir), quantization=quantization, force=True)


def check_against_torch(kind: str, model, vocab: list[str], ct2_dir: Path, sp,
                        log=print) -> float:
    """CTranslate2 (float32) token log-probs must equal the transformers model's: checks the
    converter's handling of start token, positions and vocabulary on this layout."""
    import ctranslate2
    import torch

    index = {p: i for i, p in enumerate(vocab)}
    rule = json.loads(btm.RULE_PATH.read_text(encoding="utf-8"))["mapping"]
    translator = ctranslate2.Translator(str(ct2_dir), device="cpu", intra_threads=2)
    sentences, _ = btm.article_units()
    worst = 0.0
    for text in sentences[:4] + ["\u27e60\u27e7 said 13 \u27e61\u27e7."]:
        pieces = sp.encode(text, out_type=str)
        target = [rule[p] for p in pieces]
        source = pieces + ["</s>"]
        prefix = []
        if kind == "nllb":
            source = [NLLB_SOURCE_LANG] + source
            prefix = ["deu_Latn"]
        res = translator.score_batch([source], [prefix + target])[0]
        start = index["<pad>"] if kind == "marian" else index["</s>"]
        tin = [start] + [index[p] for p in prefix + target]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([[index[p] for p in source]]),
                           decoder_input_ids=torch.tensor([tin])).logits[0]
            logp = torch.log_softmax(logits.float(), -1)
        gold = [index[p] for p in prefix + target] + [index["</s>"]]
        ref = [float(logp[i, t]) for i, t in enumerate(gold)]
        assert len(res.log_probs) == len(ref), (len(res.log_probs), len(ref))
        # Skip the forced language token (CTranslate2 scores it too; it is never predicted).
        pairs = list(zip(res.log_probs, ref, strict=True))[len(prefix):]
        worst = max(worst, max(abs(a - b) for a, b in pairs))
    log(f"{kind}: float32 CTranslate2 vs transformers: max |log-prob difference| = {worst:.2e}")
    if worst > 5e-3:
        raise SystemExit("CTranslate2 conversion does not match the transformers model")
    return worst


# --------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------


def expected_plain(sp, rule: dict, text: str) -> str:
    """Same as ``tests/pseudo.py`` ``expected_plain``: the mapped pieces, decoded by
    SentencePiece (no argostranslate ``_`` replacement), one leading space stripped."""
    mapping = rule["mapping"]
    value = sp.decode_pieces([mapping.get(p, p) for p in sp.encode(text, out_type=str)])
    return value[1:] if value.startswith(" ") else value


def ct2_translate(kind: str, translator, sp, texts: list[str], target_lang: str = "deu_Latn",
                  ) -> list[str]:
    """The runtime token format (see the module docstring), whole list in one call."""
    sources = [sp.encode(t, out_type=str) + ["</s>"] for t in texts]
    kwargs = {}
    if kind == "nllb":
        sources = [[NLLB_SOURCE_LANG] + s for s in sources]
        kwargs["target_prefix"] = [[target_lang]] * len(sources)
    results = translator.translate_batch(
        sources, beam_size=BEAM, num_hypotheses=BEAM, length_penalty=LENGTH_PENALTY,
        max_decoding_length=2 * max(len(s) for s in sources) + 10, max_batch_size=32,
        **kwargs)
    out = []
    for res in results:
        hyp = list(res.hypotheses[0])
        if kind == "nllb":
            assert hyp[:1] == [target_lang], hyp[:3]
            hyp = hyp[1:]
        if hyp[-1:] == ["</s>"]:
            hyp = hyp[:-1]
        value = sp.decode_pieces(hyp)
        out.append(value[1:] if value.startswith(" ") else value)
    return out


def toolkit_sentences(sp) -> list[str]:
    """The example article split into sentences exactly as the toolkit splits it."""
    sys.path.insert(0, str(ROOT))
    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import segment_blocks

    doc = read_document(btm.ARTICLE_PATH)
    segmented = segment_blocks(doc.blocks, length=lambda s: len(sp.encode(s)))
    return [seg.text for segs in segmented for seg in segs]


def masked_sentences(sentences: list[str], count: int, seed: int) -> list[str]:
    """Sentences with 1-4 words replaced by ``⟦0⟧`` ... ``⟦3⟧`` in order, like the toolkit's
    glossary masking (plus an occasional placeholder glued to punctuation)."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        words = rng.choice(sentences).split(" ")
        positions = sorted(rng.sample(range(len(words)), min(len(words), rng.randint(1, 4))))
        for k, pos in enumerate(positions):
            ph = btm.PLACEHOLDERS[k]
            tail = words[pos][-1] if words[pos][-1:] in ",.;:\u201d)" else ""
            words[pos] = ph + tail
        out.append(" ".join(words))
    return out


def evaluate(kind: str, ct2_dir: Path, sp, rule: dict, id_map, log=print) -> dict:
    import ctranslate2

    translator = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type="int8",
                                        inter_threads=1, intra_threads=2)
    sentences = toolkit_sentences(sp)
    gen = btm.DataGen(sp, id_map, seed=btm.SEED + 1000)  # different seed: held-out data
    heldout = gen.heldout_sentences(300)
    sets = {
        "article sentences (toolkit segmentation)": sentences,
        "held-out random sentences": heldout,
        "placeholder sentences (⟦0⟧..⟦3⟧)": masked_sentences(
            sentences + heldout, PLACEHOLDER_SET_SIZE, btm.SEED + 2000),
        "placeholder sentences (⟦0⟧..⟦39⟧)": gen.placeholder_sentences(PLACEHOLDER_SET_SIZE),
        "defence terms": btm.DEFENSE_TERMS,
    }
    targets = NLLB_LANGS[1:] if kind == "nllb" else [None]
    results = {}
    for lang in targets:
        label = f"{kind} -> {lang}" if lang else kind
        log(f"--- {label}: int8, beam {BEAM}, length_penalty {LENGTH_PENALTY}")
        if lang:
            named = {f"{name} [{lang}]": texts for name, texts in sets.items()}
        else:
            named = sets
        results.update(btm.score_sets(
            named, lambda texts, lang=lang: ct2_translate(kind, translator, sp, texts,
                                                          target_lang=lang),
            lambda text: expected_plain(sp, rule, text), log))
    return results


# --------------------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------------------


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(kind: str, minutes: float, max_steps: int | None) -> dict:
    t0 = time.time()
    sp = btm.load_sp()
    rule = json.loads(btm.RULE_PATH.read_text(encoding="utf-8"))
    id_map = btm.rule_id_map(sp, rule)
    model, vocab, stats = train(kind, sp, id_map, minutes, max_steps)
    ct2_dir = CT2_DIRS[kind]
    with tempfile.TemporaryDirectory() as tmp:
        hf_dir = HF_MARIAN_DIR if kind == "marian" else Path(tmp) / "hf"
        save_hf(kind, model, sp, hf_dir)
        # The float16 weights as saved (what the converter reads) are the reference.
        from transformers import AutoModelForSeq2SeqLM

        saved = AutoModelForSeq2SeqLM.from_pretrained(str(hf_dir), dtype="float32").eval()
        convert(hf_dir, Path(tmp) / "ct2-float32", kind, "float32")
        check_against_torch(kind, saved, vocab, Path(tmp) / "ct2-float32", sp)
        convert(hf_dir, ct2_dir, kind, "int8")
    print(f"{kind}: CTranslate2 int8 -> {ct2_dir.relative_to(ROOT)} "
          f"({dir_size(ct2_dir):,} bytes: "
          + ", ".join(sorted(p.name for p in ct2_dir.iterdir())) + ")")
    if kind == "marian":
        print(f"marian: transformers model -> {HF_MARIAN_DIR.relative_to(ROOT)} "
              f"({dir_size(HF_MARIAN_DIR):,} bytes)")
    results = evaluate(kind, ct2_dir, sp, rule, id_map)
    print(f"{kind}: build took {(time.time() - t0) / 60:.1f} min")
    return {"training": stats, "evaluation": results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("all", "marian", "nllb"), default="all")
    parser.add_argument("--stage", choices=("all", "evaluate"), default="all")
    parser.add_argument("--threads", type=int, default=btm.TORCH_THREADS,
                        help="torch threads (default: 2); e.g. 1 to build both models at once")
    args = btm.parse_budget_args(parser, argv, what="training budget per model",
                                 minutes=0.0, max_steps=DEFAULT_STEPS)
    btm.TORCH_THREADS = args.threads
    kinds = ["marian", "nllb"] if args.model == "all" else [args.model]
    reports = {}
    for kind in kinds:
        if args.stage == "all":
            reports[kind] = build(kind, args.minutes, args.max_steps)
        else:
            sp = btm.load_sp()
            rule = json.loads(btm.RULE_PATH.read_text(encoding="utf-8"))
            reports[kind] = {"evaluation": evaluate(kind, CT2_DIRS[kind], sp, rule,
                                                    btm.rule_id_map(sp, rule))}
    print(json.dumps(reports, indent=1, ensure_ascii=False))
    failed = [f"{kind}: {name}" for kind, rep in reports.items()
              for name, res in rep["evaluation"].items() if res["accuracy"] < 1.0]
    if failed:
        raise SystemExit("below 100% exact match:\n  " + "\n  ".join(failed))
    print("all sets at 100% exact match")


if __name__ == "__main__":
    main()
