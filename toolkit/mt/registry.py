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


def _argos_id(spec: EngineSpec, from_code: str, to_code: str) -> str | None:
    from toolkit.errors import ModelNotInstalled
    from toolkit.mt.packages import find_model

    try:
        return find_model(from_code, to_code).model_id
    except ModelNotInstalled:
        return None


def _ct2_id(spec: EngineSpec, from_code: str, to_code: str) -> str | None:
    from toolkit.mt.ct2 import identify_ct2

    return identify_ct2(spec, from_code, to_code)


def _libretranslate_id(spec: EngineSpec, from_code: str, to_code: str) -> str | None:
    """The server's URL without credentials; a pool's first URL, whichever server answers, so
    that adding a server to a pool redoes no draft (`toolkit.mt.libretranslate`)."""
    from toolkit.mt.libretranslate import libretranslate_model_id

    return libretranslate_model_id(spec, from_code, to_code)


IDENTIFIERS: dict[str, Callable[[EngineSpec, str, str], str | None]] = {
    "argos": _argos_id, "ct2": _ct2_id, "libretranslate": _libretranslate_id,
}
LOADERS: dict[str, Loader] = {"argos": _argos, "ct2": _ct2, "libretranslate": _libretranslate}
assert set(LOADERS) == set(IDENTIFIERS) == set(KINDS), "toolkit.config.KINDS, loaders, identifiers agree"


def engine_id(from_code: str, to_code: str, spec: EngineSpec | None = None) -> str | None:
    """The `model_id` the engine for a pair would have, without loading a model or calling a
    server (None: nothing installed there): a run compares it with its drafts' ``MT:`` lines."""
    spec = spec or EngineSpec()
    identify = IDENTIFIERS.get(spec.kind)
    return identify(spec, from_code, to_code) if identify is not None else None


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
