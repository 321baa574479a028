"""The engine loader of a run: which engine each language uses (toolkit.toml, --engine), with
the beam size of the run, behind the persistent translation cache unless it is turned off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.config import EngineConfig
    from toolkit.workflow.localize import EngineLoader


def configured_engine_loader(
    beam_size: int = 4, engine_specs: Sequence[str] = (), *, use_cache: bool = True,
    device: str | None = None, config: EngineConfig | None = None,
) -> EngineLoader:
    """Engines loaded once per process, chosen per language by toolkit.toml and `engine_specs`
    (``--engine`` values), or by a `config` the caller already loaded; wrapped by the persistent
    cache unless not `use_cache`. `device` (``--device``) overrides every engine's device key."""
    from dataclasses import replace

    from toolkit.config import load_config
    from toolkit.mt.device import requested_device
    from toolkit.mt.registry import load_engine

    config = config or load_config(engine_specs or ())
    if device is not None:
        device = requested_device(device)  # a misspelt --device fails before anything runs

    def load(src: str, tgt: str):
        spec = config.for_language(tgt)
        if device is not None:
            spec = replace(spec, device=device)
        return load_engine(src, tgt, beam_size=beam_size, spec=spec)

    if not use_cache:
        return load
    from toolkit.mt.cache import CachedEngine, open_cache  # lazily: sqlite3 is not needed for --help

    cache = open_cache()
    return lambda src, tgt: CachedEngine(load(src, tgt), cache)


def configured_engine_ids(
    engine_specs: Sequence[str] = (), *, config: EngineConfig | None = None
) -> Callable[[str, str], str | None]:
    """What each pair's configured engine is (its `model_id`), known without loading it: drafts
    another engine made are refreshed (`toolkit.l10n.plan.DraftPolicy`)."""
    from toolkit.config import load_config
    from toolkit.mt.registry import engine_id

    config = config or load_config(engine_specs or ())
    return lambda src, tgt: engine_id(src, tgt, config.for_language(tgt))
