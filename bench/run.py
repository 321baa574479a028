"""The toolkit's performance bench: ratios measured within one run, a table, bench/results.json.

Run it with ``.venv/bin/python -m bench`` (see bench/README.md for what each row means). Every
row compares two things timed in this process (or its children) on this machine, minutes apart,
with `time.perf_counter`, a warm-up first and the best of N; nothing here asserts an absolute time
except the start-up row, whose target is one. This is a bench, not a test: a missed target is
reported, never raised.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
ARTICLE = ROOT / "examples" / "article.txt"
GLOSSARY = ROOT / "glossaries" / "defense.csv"
FIXTURES = ROOT / "tests" / "fixtures" / "models"
RESULTS = BENCH / "results.json"
LANGS = ("el", "ru", "de", "tr")
BEAM = 4  # toolkit's DEFAULT_BEAM and argostranslate's default ARGOS_BEAM_SIZE
THREADS = os.cpu_count() or 1
RANDOM_PACKAGES = CACHE / "packages" / "random"
RANDOM4_PACKAGES = CACHE / "packages" / "random-4langs"
FIXTURE_PACKAGES = CACHE / "packages" / "fixtures"


def isolate_environment() -> None:
    """Before argostranslate is imported: its folders, index and decoding settings.

    argostranslate reads these once, at import. Beam 4 and intra_threads = cpu count are what the
    toolkit uses; the index is a closed port, so nothing can reach the network.
    """
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        path = CACHE / "xdg" / var.split("_")[1].lower()
        path.mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(path)
    for packages in (RANDOM_PACKAGES, RANDOM4_PACKAGES, FIXTURE_PACKAGES):
        packages.mkdir(parents=True, exist_ok=True)
    os.environ["ARGOS_PACKAGES_DIR"] = str(RANDOM_PACKAGES)
    os.environ["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"
    os.environ["ARGOS_BEAM_SIZE"] = str(BEAM)
    os.environ["ARGOS_INTER_THREADS"] = "1"
    os.environ["ARGOS_INTRA_THREADS"] = str(THREADS)
    os.environ["ARGOS_CHUNK_TYPE"] = "DEFAULT"  # MiniSBD, from the package's minisbd/en.onnx
    os.environ["ARGOS_DEBUG"] = "0"
    os.environ["TOOLKIT_THREADS"] = str(THREADS)
    os.environ["TOOLKIT_CACHE"] = str(CACHE / "xdg" / "toolkit-cache.sqlite3")
    if "argostranslate" in sys.modules:
        raise RuntimeError("argostranslate was imported before the bench set its environment")


# -- measuring -----------------------------------------------------------------------------------


def best_of(fn: Callable[[], object], n: int, *, warmup: int = 1) -> tuple[float, object]:
    """Best wall time of `n` runs after `warmup` untimed ones, and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


class Bounded:
    """A `ctranslate2.Translator` stand-in that pins `max_decoding_length` and records each call.

    The random-weight model never emits `</s>` (see bench/randmodel.py), so every hypothesis is
    exactly `max_len` tokens long and both sides of a comparison decode the same number of steps.
    Only `max_decoding_length` is overridden; beam size and every other option are the caller's
    own and are recorded so the bench can check they are equal.
    """

    def __init__(self, translator, max_len: int | None):
        self.translator = translator
        self.max_len = max_len  # None: only record
        self.calls: list[dict] = []
        self.last: tuple[list, dict] | None = None

    def translate_batch(self, source, **options):
        if self.max_len is not None:
            options["max_decoding_length"] = self.max_len
        self.last = (source, dict(options))
        t0 = time.perf_counter()
        results = self.translator.translate_batch(source, **options)
        seconds = time.perf_counter() - t0
        self.calls.append(
            {
                "sentences": len(source),
                "output_tokens": sum(len(r.hypotheses[0]) for r in results),
                "seconds": seconds,
                "options": {k: v for k, v in options.items() if k != "target_prefix"},
            }
        )
        return results

    def model_seconds(self) -> float:
        return sum(c["seconds"] for c in self.calls)

    def reset(self) -> None:
        self.calls.clear()

    def __getattr__(self, name):
        return getattr(self.translator, name)


@dataclass
class Row:
    name: str
    measured: float | None
    target: str
    ok: bool | None
    unit: str = "x"
    details: dict = field(default_factory=dict)

    def cells(self) -> list[str]:
        if self.measured is None:
            value = "skipped"
        elif self.unit == "s":
            value = f"{self.measured:.3f} s"
        else:
            value = f"{self.measured:.2f}x"
        verdict = {True: "pass", False: "FAIL", None: "-"}[self.ok]
        return [self.name, value, self.target, verdict]


def _log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# -- packages ------------------------------------------------------------------------------------


def install_random_packages(langs: tuple[str, ...], packages: Path) -> list[Path]:
    """The random-weight package for each target code, installed into `packages`."""
    from bench import randmodel
    from toolkit.mt.packages import install_file, installed_models

    paths = [randmodel.build(lang, log=_log) for lang in langs]
    previous = os.environ["ARGOS_PACKAGES_DIR"]
    os.environ["ARGOS_PACKAGES_DIR"] = str(packages)
    try:
        marker = packages / ".installed-from"
        stamp = json.dumps([p.name for p in paths])
        if not (marker.exists() and marker.read_text() == stamp) or len(installed_models()) != len(langs):
            for path in paths:
                install_file(path)
            marker.write_text(stamp)
        return [m.path for m in installed_models()]
    finally:
        os.environ["ARGOS_PACKAGES_DIR"] = previous


def pinned_length(tokenize: Callable[[str], list]) -> tuple[int, list[int]]:
    """The decoding length both sides use: 1.1 x the article's mean sentence length in tokens.

    A real model's output is about as long as its input; the random model never stops before
    `max_decoding_length`, so this one number fixes the decoding work per sentence.
    """
    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import mt_text, segment_blocks

    doc = read_document(ARTICLE)
    segmented = segment_blocks(doc.blocks, length=lambda s: len(tokenize(s)))
    lengths = [len(tokenize(mt_text(seg.text))) for segs in segmented for seg in segs]
    return round(1.1 * sum(lengths) / len(lengths)), lengths


def random_engine(lang: str = "de"):
    """The Argos-size random en->`lang` engine, decoding exactly the pinned length: the engine
    the speed rows share (installed on first use)."""
    from toolkit.mt.argos import ArgosEngine
    from toolkit.mt.packages import find_model

    install_random_packages((lang,), RANDOM_PACKAGES)
    os.environ["ARGOS_PACKAGES_DIR"] = str(RANDOM_PACKAGES)  # for find_model and argostranslate
    engine = ArgosEngine(find_model("en", lang), beam_size=BEAM, threads=THREADS)
    max_len, _ = pinned_length(engine.tokenize)
    engine.translator = Bounded(engine.translator, max_len)
    return engine


def install_fixture_packages(fixtures: Path) -> list[Path] | None:
    """The four pseudo-language packages, installed into the bench's fixture packages dir."""
    from toolkit.mt.packages import install_file, installed_models

    files = [fixtures / f"translate-en_{lang}.argosmodel" for lang in LANGS]
    if not all(f.is_file() for f in files):
        return None
    os.environ["ARGOS_PACKAGES_DIR"] = str(FIXTURE_PACKAGES)  # stays: the fixture rows use it
    marker = FIXTURE_PACKAGES / ".installed-from"
    stamp = json.dumps([[str(f), f.stat().st_size, f.stat().st_mtime_ns] for f in files])
    if not (marker.exists() and marker.read_text() == stamp) or len(installed_models()) != 4:
        for f in files:
            install_file(f)
        marker.write_text(stamp)
    return [m.path for m in installed_models()]


# -- rows ----------------------------------------------------------------------------------------


def bench_random_model(repeats: int) -> list[Row]:
    """Rows 1 and 2: toolkit vs argostranslate, toolkit vs bare CTranslate2 (Argos-size model)."""
    import ctranslate2

    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import translate_blocks
    from toolkit.mt.argos import ArgosEngine
    from toolkit.mt.packages import find_model

    install_random_packages(("de",), RANDOM_PACKAGES)
    os.environ["ARGOS_PACKAGES_DIR"] = str(RANDOM_PACKAGES)  # for find_model and argostranslate
    engine = ArgosEngine(find_model("en", "de"), beam_size=BEAM, threads=THREADS)
    doc = read_document(ARTICLE)
    max_len, lengths = pinned_length(engine.tokenize)
    _log(f"random model: {len(lengths)} sentences, {sum(lengths)} source tokens, "
         f"decoding exactly {max_len} tokens per hypothesis, beam {BEAM}, {THREADS} threads")

    bounded = Bounded(engine.translator, max_len)
    engine.translator = bounded

    # Toolkit and bare CTranslate2, interleaved (drift and neighbours hit both alike). Bare: the
    # very token lists and options the pipeline sent, on the same translator, nothing else.
    bounded.reset()
    translate_blocks(doc.blocks, engine, "de")  # warm-up; captures the pipeline's batch
    source, options = bounded.last
    raw = bounded.translator
    raw.translate_batch(source, **options)  # warm-up
    t_toolkit = t_bare = float("inf")
    toolkit_model_s = 0.0
    for _ in range(max(repeats, 5)):  # ~5 s a pair; the difference is small, so more pairs
        bounded.reset()
        t0 = time.perf_counter()
        result = translate_blocks(doc.blocks, engine, "de")
        t1 = time.perf_counter()
        bare_results = raw.translate_batch(source, **options)
        t2 = time.perf_counter()
        if t1 - t0 < t_toolkit:
            t_toolkit, toolkit_model_s = t1 - t0, bounded.model_seconds()
        t_bare = min(t_bare, t2 - t1)
    toolkit_calls = list(bounded.calls)
    bare_tokens = sum(len(r.hypotheses[0]) for r in bare_results)
    _log(f"toolkit pipeline: {t_toolkit:.2f} s ({result.model_calls} model call, "
         f"{toolkit_model_s:.2f} s of it in translate_batch); bare translate_batch: {t_bare:.2f} s")

    # argostranslate on the same package: its own code path, with the translator it constructs
    # itself wrapped in the same Bounded (only max_decoding_length is forced).
    import argostranslate.translate as argos_translate

    argos_bounded: list[Bounded] = []

    class _CT2Shim:
        def __getattr__(self, name):
            return getattr(ctranslate2, name)

        @staticmethod
        def Translator(*args, **kwargs):  # noqa: N802 - mirrors ctranslate2.Translator
            wrapped = Bounded(ctranslate2.Translator(*args, **kwargs), max_len)
            wrapped.params = {k: str(v) for k, v in kwargs.items() if k != "model_path"}
            argos_bounded.append(wrapped)
            return wrapped

    argos_translate.ctranslate2 = _CT2Shim()
    translation = argos_translate.get_translation_from_codes("en", "de")
    if not isinstance(translation, argos_translate.CachedTranslation):
        raise RuntimeError(f"unexpected argostranslate translation object {translation!r}")
    text = ARTICLE.read_text(encoding="utf-8")

    # Warm-up on one paragraph (loads the translator, the tokenizer and MiniSBD), then full runs.
    translation.cache = {}
    translation.translate(doc.blocks[4].text)
    t_argos, argos_model_s, argos_calls = float("inf"), 0.0, []
    for _ in range(repeats):
        translation.cache = {}  # its paragraph cache would answer every repeat otherwise
        argos_bounded[0].reset()
        t0 = time.perf_counter()
        translation.translate(text)
        elapsed = time.perf_counter() - t0
        if elapsed < t_argos:
            t_argos, argos_model_s = elapsed, argos_bounded[0].model_seconds()
            argos_calls = list(argos_bounded[0].calls)
    _log(f"argostranslate: {t_argos:.2f} s ({len(argos_calls)} translate_batch calls, "
         f"{argos_model_s:.2f} s in translate_batch)")

    def summary(calls):
        return {
            "translate_batch_calls": len(calls),
            "sentences": sum(c["sentences"] for c in calls),
            "output_tokens_best_hypotheses": sum(c["output_tokens"] for c in calls),
            "beam_sizes": sorted({c["options"].get("beam_size") for c in calls}),
            "max_decoding_lengths": sorted({c["options"].get("max_decoding_length") for c in calls}),
            "max_batch_size": sorted({c["options"].get("max_batch_size") for c in calls}),
        }

    tk, ar = summary(toolkit_calls), summary(argos_calls)
    for side in (tk, ar):
        if side["beam_sizes"] != [BEAM] or side["max_decoding_lengths"] != [max_len]:
            raise RuntimeError(f"decoding settings differ between the sides: {tk} vs {ar}")
    common = {
        "model": "random-weight Argos-size package (bench/randmodel.py)",
        "beam_size": BEAM,
        "max_decoding_length": max_len,
        "threads": THREADS,
        "repeats": repeats,
        "toolkit_bare_pairs": max(repeats, 5),
    }
    speedup = t_argos / t_toolkit
    overhead = t_toolkit / t_bare
    return [
        Row(
            "toolkit pipeline vs argostranslate.translate (speed-up)",
            speedup,
            ">= 5x",
            speedup >= 5,
            details={**common, "toolkit_s": t_toolkit, "argostranslate_s": t_argos,
                     "toolkit_s_inside_translate_batch": toolkit_model_s,
                     "argostranslate_s_inside_translate_batch": argos_model_s,
                     "speedup_per_decoded_token": (t_argos / ar["output_tokens_best_hypotheses"])
                     / (t_toolkit / tk["output_tokens_best_hypotheses"]),
                     "toolkit": tk, "argostranslate": ar,
                     "argostranslate_translator_params": argos_bounded[0].params},
        ),
        Row(
            "toolkit pipeline / bare CTranslate2 translate_batch (overhead)",
            overhead,
            "<= 1.10x",
            overhead <= 1.10,
            details={**common, "toolkit_s": t_toolkit, "bare_s": t_bare,
                     "toolkit_s_inside_translate_batch": toolkit_model_s,
                     "toolkit_s_outside_translate_batch": t_toolkit - toolkit_model_s,
                     "bare_output_tokens": bare_tokens, "options": _jsonable(options)},
        ),
    ]


def _jsonable(options: dict) -> dict:
    return {k: v for k, v in options.items() if k != "target_prefix"}


def bench_localize(repeats: int) -> Row:
    """Row 3: an unchanged article again (catalog + cache answer everything) vs the first run."""
    from toolkit.formats.document import read_document
    from toolkit.mt.cache import CachedEngine, TranslationCache
    from toolkit.mt.registry import load_engine
    from toolkit.terms.glossary import load_glossary
    from toolkit.workflow.localize import localize_document

    doc = read_document(ARTICLE)
    glossary = load_glossary(GLOSSARY)
    engines = {lang: load_engine("en", lang, beam_size=BEAM) for lang in LANGS}
    loads = {"count": 0}

    def run(workdir: Path) -> list:
        cache = TranslationCache(workdir / "cache.sqlite3")

        def loader(src: str, tgt: str):
            loads["count"] += 1
            return CachedEngine(load_engine(src, tgt, beam_size=BEAM), cache)

        reports = localize_document(
            doc, LANGS, locales_dir=workdir / "locales", out_dir=workdir / "out",
            engine_loader=loader, glossary=glossary,
        )
        cache.db.close()
        return reports

    def calls() -> int:
        return sum(e.calls for e in engines.values())

    firsts, seconds, first_calls, second_calls, second_loads = [], [], [], [], []
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        for i in range(repeats + 1):  # iteration 0 is the warm-up (placeholder calibration ...)
            work = Path(tmp) / f"run{i}"
            c0 = calls()
            t0 = time.perf_counter()
            run(work)
            t1 = time.perf_counter()
            c1, l1 = calls(), loads["count"]
            reports = run(work)  # same article, same catalogs, same cache
            t2 = time.perf_counter()
            if i:
                firsts.append(t1 - t0)
                seconds.append(t2 - t1)
                first_calls.append(c1 - c0)
                second_calls.append(calls() - c1)
                second_loads.append(loads["count"] - l1)
    ratio = min(firsts) / min(seconds)
    ok = ratio >= 20 and not any(second_calls)
    return Row(
        "localize_document: unchanged article again (catalog+cache) vs first run",
        ratio,
        ">= 20x, 0 model calls",
        ok,
        details={
            "model": "fixture pseudo-language packages, 4 languages, shipped glossary",
            "first_run_s": min(firsts),
            "second_run_s": min(seconds),
            "model_calls_first_run": first_calls[0],
            "model_calls_second_run": max(second_calls),
            "engine_loads_second_run": max(second_loads),
            "second_run_plan": {r.lang: r.plan for r in reports},
            "repeats": repeats,
        },
    )


def bench_glossary(repeats: int) -> Row:
    """Row 6: translate_blocks with the shipped glossary vs without, same engine, no cache.

    The pseudo-language fixture never writes an approved rendering by itself, so every mapped
    term must be enforced: the worst case for the ladder. Measured three ways, all reported:
    steady state (calibrations cached: every run after the first with this package), the very
    first run (placeholder and term calibration included), and the ladder without the term
    calibration (every mapped term tried on rung 1, so every term sentence takes a second call).
    """
    import toolkit.terms.calibrate as calibration
    import toolkit.terms.enforce as terms
    from toolkit.formats.document import read_document
    from toolkit.l10n.translate import translate_blocks
    from toolkit.mt.registry import load_engine
    from toolkit.terms.glossary import load_glossary

    doc = read_document(ARTICLE)
    glossary = load_glossary(GLOSSARY)
    engine = load_engine("en", "de", beam_size=BEAM)
    translate_blocks(doc.blocks, engine, "de")  # warm-up of the model itself

    def forget_calibrations():
        calibration._CALIBRATED.clear()
        calibration._RENDERS.clear()
        for path in (calibration._calibration_file(), calibration._terms_file()):
            path.unlink(missing_ok=True)

    forget_calibrations()
    t0 = time.perf_counter()
    translate_blocks(doc.blocks, engine, "de")
    t1 = time.perf_counter()
    first = translate_blocks(doc.blocks, engine, "de", glossary=glossary)
    t2 = time.perf_counter()
    cold = {"without_s": t1 - t0, "with_s": t2 - t1, "model_calls_with": first.model_calls,
            "ratio": (t2 - t1) / (t1 - t0)}

    recorder = Bounded(engine.translator, None)  # records time and options, changes nothing
    engine.translator = recorder

    def measure(label):
        plain = with_terms = (float("inf"), 0.0, [])
        result = None
        for _ in range(repeats):  # interleaved, so drift hits both sides alike
            recorder.reset()
            t0 = time.perf_counter()
            without = translate_blocks(doc.blocks, engine, "de")
            t1 = time.perf_counter()
            plain = min(plain, (t1 - t0, recorder.model_seconds(), list(recorder.calls)))
            recorder.reset()
            t1 = time.perf_counter()
            result = translate_blocks(doc.blocks, engine, "de", glossary=glossary)
            t2 = time.perf_counter()
            with_terms = min(with_terms, (t2 - t1, recorder.model_seconds(), list(recorder.calls)))
        _log(f"glossary {label}: {with_terms[0] / plain[0]:.2f}x")
        return plain, with_terms, without, result

    try:
        plain, with_terms, without, result = measure("steady state")
        renders = terms.model_renders
        terms.model_renders = lambda engine, lang, concepts, **kw: {c.id for c in concepts}
        try:
            u_plain, u_with, _, u_result = measure("without term calibration")
        finally:
            terms.model_renders = renders
    finally:
        engine.translator = recorder.translator
    ratio = with_terms[0] / plain[0]

    def calls(record):
        return [{"sentences": c["sentences"], "num_hypotheses": c["options"]["num_hypotheses"],
                 "seconds": c["seconds"]} for c in record[2]]

    return Row(
        "glossary enforcement: with defense.csv / without (worst case)",
        ratio,
        "<= 1.15x",
        ratio <= 1.15,
        details={
            "model": "fixture pseudo-language package en->de (never renders a term by itself)",
            "without_s": plain[0],
            "with_s": with_terms[0],
            "without_s_inside_translate_batch": plain[1],
            "with_s_inside_translate_batch": with_terms[1],
            "without_calls": calls(plain),
            "with_calls": calls(with_terms),
            "model_calls_without": without.model_calls,
            "model_calls_with": result.model_calls,
            "term_outcomes": result.term_counts(),
            "first_run_with_calibrations": cold,
            "without_term_calibration": {
                "ratio": u_with[0] / u_plain[0], "with_calls": calls(u_with),
                "term_outcomes": u_result.term_counts(),
            },
            "repeats": repeats,
        },
    )


def _toolkit_command() -> list[str]:
    exe = Path(sys.executable).parent / "toolkit"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "toolkit"]


def bench_help(repeats: int = 5) -> Row:
    """Row 4: `toolkit --help` wall time (subprocess), best of 5."""
    env = dict(os.environ, COLUMNS="100")

    def run(cmd):
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)

    cmd = _toolkit_command()
    t_help, _ = best_of(lambda: run([*cmd, "--help"]), repeats)
    t_python, _ = best_of(lambda: run([sys.executable, "-c", "pass"]), repeats)
    return Row(
        "`toolkit --help` start-up (best of 5)",
        t_help,
        "< 0.3 s",
        t_help < 0.3,
        unit="s",
        details={"command": cmd + ["--help"], "bare_python_s": t_python},
    )


# Each measured child reports its own high-water mark (VmHWM, KiB) from /proc at exit. Not
# ru_maxrss: Linux carries the pre-exec RSS of the forked bench process over into the child's
# ru_maxrss, which would report the bench's own size instead of the child's.
_PEAK_PREFIX = """
import atexit, os, sys
def _report_peak():
    with open('/proc/self/status') as status:
        peak = next(line.split()[1] for line in status if line.startswith('VmHWM:'))
    with open(os.environ['BENCH_PEAK_FILE'], 'w') as out:
        out.write(peak)
atexit.register(_report_peak)
"""
_LOAD_MODELS = """
import ctranslate2
ts = [ctranslate2.Translator(p, device="cpu", inter_threads=1, intra_threads=int(sys.argv[1]))
      for p in sys.argv[2:]]
"""
_RUN_TOOLKIT = """
sys.argv = ["toolkit", *sys.argv[1:]]
from toolkit.cli import main
main()
"""


def _peak_rss_kib(code: str, args: list[str], env: dict, cwd: Path | None = None) -> int:
    """Peak RSS (VmHWM, KiB) of `python -c code args...`."""
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        out = Path(tmp) / "peak"
        proc = subprocess.run(
            [sys.executable, "-c", _PEAK_PREFIX + code, *args],
            env=dict(env, BENCH_PEAK_FILE=str(out)), cwd=cwd,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        if proc.returncode:
            raise RuntimeError(f"{code!r} {args} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return int(out.read_text())


_RUN_TOOLKIT_PINNED = """
import toolkit.mt.ctranslate
# as in the speed rows: the random model decodes exactly BENCH_DECODE_LENGTH tokens per hypothesis
toolkit.mt.ctranslate.DECODE_RATIO = 0
toolkit.mt.ctranslate.DECODE_MARGIN = int(os.environ["BENCH_DECODE_LENGTH"])
""" + _RUN_TOOLKIT


def bench_rss(package_paths: list[Path], packages_dir: Path, *, random_models: bool = False) -> Row:
    """Row 5: peak RSS of a four-language `toolkit translate` vs the four models' own footprint."""
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages_dir), COLUMNS="200")
    run_code = _RUN_TOOLKIT
    extra = {}
    if random_models:
        import sentencepiece

        sp = sentencepiece.SentencePieceProcessor(
            model_file=str(package_paths[0] / "sentencepiece.model")
        )
        max_len, _ = pinned_length(lambda s: sp.encode(s, out_type=str))
        env["BENCH_DECODE_LENGTH"] = str(max_len)
        run_code = _RUN_TOOLKIT_PINNED
        extra = {"max_decoding_length": max_len}
    bare = _peak_rss_kib("pass", [], env)
    models = _peak_rss_kib(
        _LOAD_MODELS, [str(THREADS), *[str(p / "model") for p in package_paths]], env
    )
    breakdown = {
        "python -c pass": bare,
        "import ctranslate2 + 4 Translators": models,
        "import toolkit.cli": _peak_rss_kib("import toolkit.cli", [], env),
        "import argostranslate.translate": _peak_rss_kib("import argostranslate.translate", [], env),
    }
    one_model = _peak_rss_kib(_LOAD_MODELS, [str(THREADS), str(package_paths[0] / "model")], env)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        args = [str(ARTICLE), "--to", ",".join(LANGS)]

        def run(name: str) -> tuple[int, float]:
            # its own translation cache and output folders: every run translates everything
            run_env = dict(env, TOOLKIT_CACHE=str(Path(tmp) / f"{name}.sqlite3"),
                           XDG_CACHE_HOME=str(Path(tmp) / "xdg"))
            out = ["--out", str(Path(tmp) / name / "out"), "--locales", str(Path(tmp) / name / "loc")]
            t0 = time.perf_counter()
            peak = _peak_rss_kib(run_code, ["translate", *args, *out], run_env, cwd=ROOT)
            return peak, time.perf_counter() - t0

        # First run with these packages: the placeholder and term calibrations are measured
        # (and cached); then the run every later article gets.
        cold, cold_s = run("first")
        peak, seconds = run("steady")
    breakdown["toolkit translate (4 languages), first run: calibrations"] = cold
    breakdown["toolkit translate (4 languages)"] = peak
    breakdown["python + ctranslate2 + 1 Translator"] = one_model
    footprint = models - bare
    ratio = (peak - bare) / footprint
    which = "4 Argos-size random packages" if random_models else "4 fixture packages"
    return Row(
        f"peak RSS of `toolkit translate` / the models' footprint ({which})",
        ratio,
        "<= 1.3x",
        ratio <= 1.3,
        details={
            "model": which,
            "definition": "(peak RSS toolkit translate - bare python RSS) / "
            "(peak RSS python + 4 ctranslate2.Translator - bare python RSS); VmHWM in KiB. "
            "The toolkit holds one model at a time (each is unloaded after its language).",
            "ratio_including_interpreter": peak / footprint,
            "ratio_first_run_with_calibrations": (cold - bare) / footprint,
            "ratio_to_one_loaded_model": (peak - bare) / (one_model - bare),
            "peak_rss_kib": breakdown,
            "toolkit_translate_s": seconds,
            "toolkit_translate_first_run_s": cold_s,
            "token_budget": int(os.environ.get("TOOLKIT_TOKEN_BUDGET") or 0) or "default (2048)",
            **extra,
        },
    )


# -- main ----------------------------------------------------------------------------------------


def machine() -> dict:
    import ctranslate2

    try:
        from importlib.metadata import version

        argos = version("argos-translate-lt")
    except Exception:  # noqa: BLE001 - informational only
        argos = "?"
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_count": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ctranslate2": ctranslate2.__version__,
        "argos-translate-lt": argos,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def print_table(rows: list[Row]) -> None:
    header = ["benchmark", "measured", "target", "result"]
    cells = [header] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for i, c in enumerate(cells):
        print("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip())
        if i == 0:
            print(line)
    print(line)


def _forms(repeats: int) -> Row:
    from bench.forms import bench_forms  # bench/forms.py

    return bench_forms(repeats)


def _forms_package(package: Path | None, repeats: int) -> Row:
    from bench.forms import bench_forms_package  # bench/forms.py

    return bench_forms_package(package, repeats)


def _glossary_scale() -> Row:
    from bench.glossary_scale import bench_glossary_scale  # bench/glossary_scale.py

    return bench_glossary_scale()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="best of N for the random-model rows (default 3)")
    parser.add_argument("--fixture-repeats", type=int, default=5,
                        help="best of N for the fixture-model rows (default 5)")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES,
                        help="folder with translate-en_{el,ru,de,tr}.argosmodel")
    parser.add_argument("--only", default="",
                        help="comma-separated subset: argos,localize,help,rss,rss-argos-size,glossary,"
                        "glossary-scale,forms,forms-package,archive,memory,gpu")
    parser.add_argument("--package", type=Path, default=None,
                        help="a real en->el/ru/de/tr .argosmodel for the forms-package row (without "
                        "it the row is skipped): the form-choice cost with that model's own masked terms")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    def wanted(name: str) -> bool:
        return not only or name in only

    CACHE.mkdir(parents=True, exist_ok=True)
    isolate_environment()
    started = time.perf_counter()
    rows: list[Row] = []
    if wanted("argos"):
        rows += bench_random_model(args.repeats)
    fixture_rows = [n for n in ("localize", "rss", "glossary", "glossary-scale", "archive") if wanted(n)]
    paths = install_fixture_packages(args.fixtures) if fixture_rows else None
    if fixture_rows and paths is None:
        _log(f"no translate-en_{{el,ru,de,tr}}.argosmodel in {args.fixtures}: "
             "fixture rows skipped (tools/build_test_models.py --stage package builds them)")
    def row(name: str, fn: Callable[[], Row], skipped: Row | None) -> None:
        if not wanted(name):
            return
        if name in fixture_rows and not paths and skipped is not None:
            rows.append(skipped)
            return
        if paths:
            os.environ["ARGOS_PACKAGES_DIR"] = str(FIXTURE_PACKAGES)
        t0 = time.perf_counter()
        rows.append(fn())
        _log(f"{name}: {rows[-1].cells()[1]} ({time.perf_counter() - t0:.0f} s)")

    row("localize", lambda: bench_localize(args.fixture_repeats),
        Row("localize_document: unchanged article again vs first run", None,
            ">= 20x, 0 model calls", None))
    row("help", bench_help, Row("`toolkit --help` start-up", None, "< 0.3 s", None))
    row("rss", lambda: bench_rss(paths, FIXTURE_PACKAGES),
        Row("peak RSS of `toolkit translate` / models' footprint", None, "<= 1.3x", None))
    row("rss-argos-size", lambda: bench_rss(
        install_random_packages(LANGS, RANDOM4_PACKAGES), RANDOM4_PACKAGES, random_models=True
    ), None)
    row("glossary", lambda: bench_glossary(args.fixture_repeats),
        Row("glossary enforcement: with / without", None, "<= 1.15x", None))
    row("forms", lambda: _forms(args.repeats), None)  # bench/forms.py: Argos-size model
    row("forms-package", lambda: _forms_package(args.package, args.repeats), None)  # a real package
    row("glossary-scale", _glossary_scale,
        Row("20,000-concept glossary / shipped glossary, `toolkit translate`", None, "<= 1.2x", None))
    if wanted("archive") and paths:  # two rows (bench/archive.py): N = 1, 10, 100 articles
        from bench.archive import bench_archive

        rows += bench_archive()
    if wanted("memory"):  # two rows (bench/memory.py): lookups in 100,000 units, incremental refresh
        from bench.memory import bench_memory

        t0 = time.perf_counter()
        rows += bench_memory(args.repeats)
        _log(f"memory: {rows[-2].cells()[1]}, {rows[-1].cells()[1]} ({time.perf_counter() - t0:.0f} s)")
    if wanted("gpu"):  # bench/gpu.py: CUDA vs CPU where there is a GPU, else "skipped: no GPU"
        from bench.gpu import bench_gpu

        rows.append(bench_gpu(args.repeats))
    elapsed = time.perf_counter() - started
    print_table(rows)
    report = {
        "machine": machine(),
        "bench_seconds": round(elapsed, 1),
        "rows": [asdict(r) for r in rows],
    }
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"wrote {args.output} ({elapsed:.0f} s)")
    return 0

