"""The Argos engine (the default): one installed Argos package on the CTranslate2 core.

An Argos package is loaded the way argostranslate loads it (`argostranslate.package.Package`,
its tokenizer and its `model/` folder), once per process, and reused across articles; the
translation itself goes through `CT2Engine`, never `argostranslate.translate`.
"""

from __future__ import annotations

from functools import lru_cache

from toolkit.mt.ctranslate import CT2Engine, default_threads, default_token_budget
from toolkit.mt.device import Device, choose_device
from toolkit.mt.packages import InstalledModel, find_model, load_package
from toolkit.mt.types import DEFAULT_BEAM


class ArgosEngine(CT2Engine):
    """One installed Argos package. `calls` counts `translate_batch` calls (tests assert on it)."""

    def __init__(
        self,
        model: InstalledModel,
        *,
        beam_size: int = DEFAULT_BEAM,
        token_budget: int | None = None,
        threads: int | None = None,
        device: Device | None = None,
    ):
        self.model = model
        package = load_package(model.path)  # a garbage tokenizer is one error here
        self.tokenizer = package.tokenizer
        self.target_prefix = package.target_prefix or ""
        self.target_prefix_tokens = [self.target_prefix] if self.target_prefix else []
        super().__init__(model.path / "model", beam_size=beam_size, token_budget=token_budget,
                         threads=threads, device=device)

    @property
    def model_id(self) -> str:
        return self.model.model_id

    def tokenize(self, sentence: str) -> list[str]:
        return self.tokenizer.encode(sentence)

    def detokenize(self, pieces: list[str]) -> str:
        text = self.tokenizer.decode(pieces)
        return text[1:] if text.startswith(" ") else text


@lru_cache(maxsize=16)
def _load(model: InstalledModel, beam_size: int, token_budget: int, threads: int,
          device: Device | None = None) -> ArgosEngine:
    return ArgosEngine(model, beam_size=beam_size, token_budget=token_budget, threads=threads,
                       device=device)


def load_argos_engine(
    from_code: str,
    to_code: str,
    *,
    beam_size: int = DEFAULT_BEAM,
    token_budget: int | None = None,
    threads: int | None = None,
    device: Device | None = None,
) -> ArgosEngine:
    """The installed Argos package for a pair, loaded once per process and shared."""
    model = find_model(from_code, to_code)
    return _load(model, beam_size, token_budget or default_token_budget(), threads or default_threads(),
                 device or choose_device())
