"""Where CTranslate2 runs: the CPU, or a CUDA GPU when the newsroom has one.

`auto` means CUDA when `ctranslate2.get_cuda_device_count() > 0`, else the CPU. The compute type
follows the device (int8 on the CPU; int8_float16, else float16, on a GPU) unless the user names
one, and a named one must be supported by this CTranslate2 build on that device. The device comes
from `--device`, then the engine's `device` key in toolkit.toml, then `ARGOS_DEVICE_TYPE` (what
argostranslate users already set), then `auto`. Asking for CUDA where there is none is one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from toolkit.errors import ToolkitError

DEVICES = ("auto", "cpu", "cuda")
ENV_VAR = "ARGOS_DEVICE_TYPE"
# Preferred compute types per device, best first: int8 weights are what Argos packages ship.
PREFERRED = {"cpu": ("int8", "int8_float32", "float32"), "cuda": ("int8_float16", "float16", "float32")}


@dataclass(frozen=True)
class Device:
    """What `ctranslate2.Translator` is given: `device` and `compute_type`."""

    device: str = "cpu"
    compute_type: str = "int8"

    def __str__(self) -> str:
        return f"{self.device}/{self.compute_type}"


def cuda_devices() -> int:
    """How many CUDA devices CTranslate2 can use here (0 without a GPU or a usable driver)."""
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a CPU-only build or a broken driver counts as no GPU
        return 0


def supported_types(device: str) -> set[str]:
    import ctranslate2

    try:
        return set(ctranslate2.get_supported_compute_types(device))
    except Exception:  # CUDA runtime present but unusable
        return set()


def requested_device(value: str | None = None) -> str:
    """The device asked for: `value` (the option or config key), else ARGOS_DEVICE_TYPE, else auto."""
    where = "--device"
    if value is None:
        value, where = os.environ.get(ENV_VAR) or "auto", ENV_VAR
    chosen = value.strip().lower()
    if chosen not in DEVICES:
        raise ToolkitError(f"{where}: unknown device '{value}' (choose from {', '.join(DEVICES)})")
    return chosen


def choose_device(
    value: str | None = None,
    compute_type: str | None = None,
    *,
    count: Callable[[], int] = cuda_devices,
    supported: Callable[[str], set[str]] = supported_types,
) -> Device:
    """Resolve `auto|cpu|cuda` and the compute type; one-line errors for what cannot run here.

    `count` and `supported` are CTranslate2's own answers by default; they are parameters so the
    choice can be tested on a machine without a GPU.
    """
    asked = requested_device(value)
    if asked == "auto":
        device = "cuda" if count() > 0 else "cpu"
    elif asked == "cuda" and count() == 0:
        raise ToolkitError(
            "--device cuda: no CUDA device is usable here (ctranslate2.get_cuda_device_count() is 0); "
            "use --device cpu or --device auto"
        )
    else:
        device = asked
    types = supported(device)
    if compute_type is not None:
        if types and compute_type not in types:
            raise ToolkitError(
                f"compute type '{compute_type}' is not supported on {device} by this CTranslate2 build "
                f"(supported: {', '.join(sorted(types))})"
            )
        return Device(device, compute_type)
    for candidate in PREFERRED[device]:
        if not types or candidate in types:
            return Device(device, candidate)
    return Device(device, "default")
