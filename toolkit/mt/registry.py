"""Which engine translates a pair: one loader per engine kind, imported only when that kind is used.

An engine translates a list of sentences into n-best lists in as few calls as it can and names
its model (`model_id`, recorded in catalogs and cache keys). Three kinds exist, chosen per
language by `toolkit.config`: `argos` (`toolkit.mt.argos`, the default), `ct2` (any CTranslate2
model: OPUS-MT, NLLB; `toolkit.mt.ct2`) and `libretranslate` (a server;
`toolkit.mt.libretranslate`). The engine modules never import this one, and a run that uses
one kind never imports the others.
"""

from __future__ import annotations

from collections.abc import Callable

from toolkit.config import KINDS, EngineSpec
from toolkit.errors import ToolkitError
from toolkit.mt.types import DEFAULT_BEAM, Engine

# (spec, from_code, to_code, beam_size, token_budget, threads) -> the engine, loaded once per process
Loader = Callable[[EngineSpec, str, str, int, int | None, int | None], Engine]


def _argos(spec: EngineSpec, from_code: str, to_code: str, beam_size: int,
           token_budget: int | None, threads: int | None) -> Engine:
    from toolkit.mt.argos import load_argos_engine
    from toolkit.mt.device import choose_device

    return load_argos_engine(from_code, to_code, beam_size=beam_size, token_budget=token_budget,
                             threads=threads, device=choose_device(spec.device, spec.compute_type))


def _ct2(spec: EngineSpec, from_code: str, to_code: str, beam_size: int,
         token_budget: int | None, threads: int | None) -> Engine:
    from toolkit.mt.ct2 import load_ct2_engine

    return load_ct2_engine(spec, from_code, to_code, beam_size=beam_size, token_budget=token_budget,
                           threads=threads)


def _libretranslate(spec: EngineSpec, from_code: str, to_code: str, beam_size: int,
                    token_budget: int | None, threads: int | None) -> Engine:
    from toolkit.mt.libretranslate import load_libretranslate_engine

    return load_libretranslate_engine(spec, from_code, to_code)  # the server decodes its own way


LOADERS: dict[str, Loader] = {"argos": _argos, "ct2": _ct2, "libretranslate": _libretranslate}
assert set(LOADERS) == set(KINDS), "toolkit.config.KINDS and the loaders name the same kinds"


def load_engine(
    from_code: str,
    to_code: str,
    *,
    beam_size: int = DEFAULT_BEAM,
    token_budget: int | None = None,
    threads: int | None = None,
    spec: EngineSpec | None = None,
) -> Engine:
    """The engine for a pair, loaded once per process and shared.

    `spec` (from `toolkit.config`) picks the kind; without one, the installed Argos package.
    """
    spec = spec or EngineSpec()
    loader = LOADERS.get(spec.kind)
    if loader is None:
        raise ToolkitError(f"unknown engine '{spec.kind}' (choose from {', '.join(LOADERS)})")
    return loader(spec, from_code, to_code, beam_size, token_budget, threads)
