"""Converting a downloaded Hugging Face model into a folder the `ct2` engine loads.

Kept apart from the engine (`toolkit.mt.ct2`) because it is a one-off step on the converting
machine, with its own heavy dependencies (`transformers`, torch), imported only when it runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from toolkit.errors import ToolkitError

TOKENIZER_FILES = ("source.spm", "target.spm", "sentencepiece.bpe.model")


def convert_model(source: Path, output: Path, *, quantization: str = "int8", force: bool = False) -> Path:
    """A downloaded Hugging Face Marian/NLLB/M2M-100 folder -> a CTranslate2 folder the engine loads.

    Wraps CTranslate2's `ct2-transformers-converter` (its `TransformersConverter`) with the
    tokenizer files copied in. Works offline: the model must already be on disk (the hub is never
    asked). Needs `transformers` and torch, on the converting machine only.
    """
    source = Path(source)
    if not (source / "config.json").is_file():
        raise ToolkitError("no config.json: not a Hugging Face model folder", path=source)
    copy = [name for name in TOKENIZER_FILES if (source / name).is_file()]
    if not copy:
        raise ToolkitError("no source.spm/target.spm (Marian) or sentencepiece.bpe.model (NLLB, M2M-100) "
                           "in the folder", path=source)
    if output.exists() and not force:
        raise ToolkitError("already exists; pass --force to replace it", path=output)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder only: never the hub
    try:
        import transformers  # noqa: F401
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise ToolkitError(
            "converting needs the transformers package and torch on this machine: "
            "pip install 'newsroom-toolkit[convert]' torch"
        ) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        TransformersConverter(str(source), copy_files=copy).convert(
            str(staging), quantization=quantization, force=True
        )
    except Exception as exc:  # the converter raises many kinds; one line for the user
        shutil.rmtree(staging, ignore_errors=True)
        raise ToolkitError(f"conversion failed ({type(exc).__name__}: {exc})", path=source) from None
    if output.exists():
        shutil.rmtree(output)
    staging.rename(output)
    return output
