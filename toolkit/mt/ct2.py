"""Any CTranslate2 model as an engine: Marian/OPUS-MT and NLLB-200/M2M-100.

Argos quality varies a lot by language (FLORES en->tr BLEU: Argos 18.8, OPUS-MT tc-big 31.4), so a
newsroom can point one language at a better model (`toolkit.config`). The folder is what
CTranslate2's converter writes for a Hugging Face model, with the tokenizer copied in:

* **Marian / OPUS-MT** (``source.spm`` + ``target.spm``): the source is its SentencePiece pieces
  followed by ``</s>``, as Marian expects; the output is decoded with ``target.spm``.
* **NLLB-200** (``sentencepiece.bpe.model``, language tokens like ``deu_Latn``) and **M2M-100**
  (tokens like ``__de__``): the source is ``[source language] pieces </s>`` and the target starts
  with the target-language token (``target_prefix``), which is dropped from the output.

Tokenisation is plain SentencePiece: no `transformers` (nor torch) at run time. Only
`toolkit models convert` (`toolkit.mt.convert`) needs them, once, on the machine that converts.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from toolkit.config import EngineSpec
from toolkit.errors import ToolkitError
from toolkit.mt.ctranslate import CT2Engine, default_threads, default_token_budget
from toolkit.mt.device import Device, choose_device
from toolkit.mt.types import DEFAULT_BEAM, printable

FAMILIES = ("marian", "nllb", "m2m100")

# ISO 639-1 -> NLLB-200 (FLORES-200) codes for the languages a newsroom is likeliest to need.
NLLB_CODES = {
    "ar": "arb_Arab", "bg": "bul_Cyrl", "cs": "ces_Latn", "da": "dan_Latn", "de": "deu_Latn",
    "el": "ell_Grek", "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn", "fa": "pes_Arab",
    "fi": "fin_Latn", "fr": "fra_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "hu": "hun_Latn",
    "hy": "hye_Armn", "it": "ita_Latn", "ja": "jpn_Jpan", "ka": "kat_Geor", "ko": "kor_Hang",
    "lt": "lit_Latn", "lv": "lvs_Latn", "nl": "nld_Latn", "no": "nob_Latn", "pl": "pol_Latn",
    "pt": "por_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl", "sk": "slk_Latn", "sl": "slv_Latn",
    "sq": "als_Latn", "sr": "srp_Cyrl", "sv": "swe_Latn", "tr": "tur_Latn", "uk": "ukr_Cyrl",
    "zh": "zho_Hans",
}


def detect_family(folder: Path) -> str:
    """marian (source.spm/target.spm), nllb or m2m100 (sentencepiece.bpe.model + language tokens)."""
    if (folder / "source.spm").is_file() and (folder / "target.spm").is_file():
        return "marian"
    if (folder / "sentencepiece.bpe.model").is_file():
        return "m2m100" if "__en__" in vocabulary(folder) else "nllb"
    raise ToolkitError(
        "no tokenizer beside the model: expected source.spm + target.spm (Marian/OPUS-MT) or "
        "sentencepiece.bpe.model (NLLB, M2M-100); convert with `toolkit models convert`, which copies them",
        path=folder,
    )


def vocabulary(folder: Path) -> set[str]:
    """The target vocabulary of a converted model (json or txt, shared or separate)."""
    for name in ("shared_vocabulary", "target_vocabulary"):
        path = folder / f"{name}.json"
        try:
            if path.is_file():
                tokens = json.loads(path.read_text(encoding="utf-8"))
                if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                    raise ValueError("not a JSON list of tokens")
                return set(tokens)
            path = folder / f"{name}.txt"
            if path.is_file():
                return set(path.read_text(encoding="utf-8").splitlines())
        except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ToolkitError(f"cannot read the vocabulary ({printable(str(exc))})", path=path) from None
    raise ToolkitError("no shared_vocabulary or target_vocabulary file: not a CTranslate2 model folder",
                       path=folder)


def fingerprint(folder: Path) -> str:
    """A short, cheap identity of the model files: config, vocabulary and model.bin's ends and size.

    Recorded in catalogs and cache keys, so a replaced model never answers from the old cache.
    """
    digest = hashlib.sha256()
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if not path.is_file():
            continue
        size = path.stat().st_size
        digest.update(f"{name}:{size}".encode())
        with path.open("rb") as f:
            digest.update(f.read(1 << 16))
            if size > 1 << 17:
                f.seek(-(1 << 16), os.SEEK_END)
                digest.update(f.read())
    return digest.hexdigest()[:12]


def ct2_model_id(folder: Path, family: str, from_code: str, to_code: str) -> str:
    """What a ct2 engine's drafts and cache keys name it by (`identify_ct2` says it unloaded)."""
    return f"ct2:{family}:{folder.name}:{from_code}-{to_code}@{fingerprint(folder)}"


def identify_ct2(spec: EngineSpec, from_code: str, to_code: str) -> str | None:
    """The `model_id` the engine for `spec` would have, without loading it (None: no model there)."""
    folder = Path(spec.path or "").expanduser().resolve()
    if not (folder / "model.bin").is_file():
        return None
    try:
        family = spec.family or detect_family(folder)
    except ToolkitError:
        return None
    return ct2_model_id(folder, family, from_code, to_code)


def _language_token(family: str, code: str, vocab: set[str], folder: Path) -> str:
    if family == "m2m100":
        token = f"__{code}__"
    else:
        token = code if "_" in code else NLLB_CODES.get(code, "")
    if token not in vocab:
        raise ToolkitError(f"the model has no language token for '{code}' (looked for '{token or code}')",
                           path=folder)
    return token


class _SentencePiece:
    def __init__(self, path: Path):
        import sentencepiece

        try:
            self.processor = sentencepiece.SentencePieceProcessor(model_file=str(path))
        except (RuntimeError, OSError, ValueError) as exc:  # a garbage or missing model file
            raise ToolkitError(f"{path.name} does not load ({printable(str(exc))})", path=path) from None

    def encode(self, text: str) -> list[str]:
        return self.processor.encode(text, out_type=str)

    def decode(self, pieces: list[str]) -> str:
        text = self.processor.decode_pieces([p for p in pieces if p != "</s>"])
        return text[1:] if text.startswith(" ") else text


class MarianEngine(CT2Engine):
    """An OPUS-MT (Marian) model for one language pair: pieces + ``</s>`` in, target.spm out."""

    family = "marian"

    def __init__(self, folder: Path, from_code: str, to_code: str, **options):
        self.folder = folder
        self.source = _SentencePiece(folder / "source.spm")
        self.target = _SentencePiece(folder / "target.spm")
        self.model_id = ct2_model_id(folder, "marian", from_code, to_code)
        super().__init__(folder, **options)

    def tokenize(self, sentence: str) -> list[str]:
        return [*self.source.encode(sentence), "</s>"]

    def detokenize(self, pieces: list[str]) -> str:
        return self.target.decode(pieces)


class NllbEngine(CT2Engine):
    """A many-to-many model (NLLB-200, M2M-100): language tokens on both sides."""

    def __init__(self, folder: Path, from_code: str, to_code: str, family: str = "nllb", **options):
        self.folder = folder
        self.family = family
        self.spm = _SentencePiece(folder / "sentencepiece.bpe.model")
        vocab = vocabulary(folder)
        self.source_token = _language_token(family, from_code, vocab, folder)
        self.target_prefix_tokens = [_language_token(family, to_code, vocab, folder)]
        self.model_id = ct2_model_id(folder, family, from_code, to_code)
        super().__init__(folder, **options)

    def tokenize(self, sentence: str) -> list[str]:
        return [self.source_token, *self.spm.encode(sentence), "</s>"]

    def target_tokens(self, text: str) -> list[str]:
        return [*self.target_prefix_tokens, *self.spm.encode(text)]

    def detokenize(self, pieces: list[str]) -> str:
        return self.spm.decode(pieces)


def load_ct2_engine(
    spec: EngineSpec, from_code: str, to_code: str, *, beam_size: int = DEFAULT_BEAM,
    token_budget: int | None = None, threads: int | None = None,
) -> CT2Engine:
    """The engine for a `ct2` spec, loaded once per process for each pair."""
    token_budget = token_budget or default_token_budget()
    threads = threads or default_threads()
    folder = Path(spec.path or "").expanduser().resolve()
    if not folder.is_dir():
        raise ToolkitError("no such model folder (ct2 engine)", path=folder)
    if not (folder / "model.bin").is_file():
        raise ToolkitError("no model.bin: not a CTranslate2 model folder (convert it with "
                           "`toolkit models convert`)", path=folder)
    family = spec.family or detect_family(folder)
    if family not in FAMILIES:
        raise ToolkitError(f"unknown ct2 model family '{family}' (choose from {', '.join(FAMILIES)})",
                           path=folder)
    device = choose_device(spec.device, spec.compute_type)
    return _load(folder, family, from_code, to_code, beam_size, token_budget, threads, device)


@lru_cache(maxsize=16)
def _load(folder: Path, family: str, from_code: str, to_code: str, beam_size: int, token_budget: int,
          threads: int, device: Device | None = None) -> CT2Engine:
    options = {"beam_size": beam_size, "token_budget": token_budget, "threads": threads, "device": device}
    if family == "marian":
        return MarianEngine(folder, from_code, to_code, **options)
    return NllbEngine(folder, from_code, to_code, family=family, **options)
