"""GPU rows (#18): the example article through the Argos-size random package on CUDA vs the CPU.

`python -m bench --only gpu` runs them where `ctranslate2.get_cuda_device_count() > 0` and says
"skipped: no GPU" elsewhere. Both devices translate the same blocks with the same engine code
(`toolkit.l10n.translate.translate_blocks`), only `toolkit.mt.device.Device` differs: int8 on
the CPU, the compute type `choose_device` picks on the GPU (int8_float16, else float16).
"""

from __future__ import annotations

import os
import time

from bench.run import ARTICLE, BEAM, RANDOM_PACKAGES, THREADS, Row, _log, install_random_packages


def bench_gpu(repeats: int) -> Row:
    from toolkit.mt.device import choose_device, cuda_devices

    name = "example article on CUDA vs CPU (Argos-size package): speed-up"
    if cuda_devices() == 0:
        _log("gpu: skipped: no GPU")
        return Row(name, None, "reported (no target)", None, details={"skipped": "no GPU"})
    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import translate_blocks
    from toolkit.mt.argos import ArgosEngine
    from toolkit.mt.packages import find_model

    install_random_packages(("de",), RANDOM_PACKAGES)
    os.environ["ARGOS_PACKAGES_DIR"] = str(RANDOM_PACKAGES)
    doc = read_document(ARTICLE)
    seconds = {}
    for device in (choose_device("cpu"), choose_device("cuda")):
        engine = ArgosEngine(find_model("en", "de"), beam_size=BEAM, threads=THREADS, device=device)
        translate_blocks(doc.blocks, engine, "de")  # warm-up
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            translate_blocks(doc.blocks, engine, "de")
            best = min(best, time.perf_counter() - t0)
        seconds[str(device)] = round(best, 3)
        engine.unload()
    cpu, gpu = seconds.values()
    return Row(name, cpu / gpu, "reported (no target)", None, details={"seconds": seconds})
