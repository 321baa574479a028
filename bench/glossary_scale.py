"""NATOTerm-size glossary row: `toolkit translate` with a 20,000-concept glossary vs the shipped one.

``python -m bench.glossary_scale`` prints the row; `run(results)` appends it to bench/run.py's
rows. NATO's terminology database holds tens of thousands of concepts; a newsroom imports it and
every translate then carries it. The generated glossary is the shipped one (so the article's
terms, their renderings and calibrations are the same) plus pseudo-English concepts up to
20,000: unique pseudo-words, a quarter of them ending in a word the shipped terms use
(``… defence``, ``… missile``: partial overlaps lint must index, not compare pairwise), half
case-sensitive, each with a variant and renderings in the script of each language. None of
the generated terms occurs in the article, as most of a real termbase does not occur in one
article.

Both glossaries run the same four-language `toolkit translate` of examples/article.txt as a
subprocess with the fixture pseudo-language packages. Per glossary one untimed run first (it
builds the lint cache, the parsed copy (`toolkit/terms/termbase.py`) and the term calibrations,
as the first run after an import does), then the best of N interleaved runs, each with a fresh
translation cache and fresh output folders, so every run translates the whole article. Target:
ratio <= 1.2x. The row is the wall-clock ratio; each run's CPU time (user + system, from
`os.wait4`) is kept beside it as a second view, since on a shared 2-core machine the wall clock
of the same run varies by a fifth or more.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CONCEPTS = 20_000
TARGET = 1.2
_SYLLABLES = ["ka", "lo", "mir", "zu", "ven", "tor", "shi", "qua", "bel", "dra", "nix", "po",
              "sar", "yen", "gul", "fe"]
_GREEK = "αβγδεζηθικλμνξοπρστυφχψω"
_CYRILLIC = "абвгдежзиклмнопрстуфхцчшщыэюя"
_SHARED_WORDS = ["defence", "missile", "system", "ministers", "ally", "agency", "treaty"]


def _pseudo(i: int, alphabet: list[str] | str, width: int = 4) -> str:
    """A pseudo-word unique to `i` (its digits in base len(alphabet))."""
    out = []
    for _ in range(width):
        i, d = divmod(i, len(alphabet))
        out.append(alphabet[d])
    return "".join(out)


def generated_glossary(path: Path, concepts: int = CONCEPTS) -> Path:
    """Write the shipped glossary plus generated concepts, `concepts` in all, to `path`."""
    from bench.run import GLOSSARY
    from toolkit.terms.glossary import Concept, Rendering, load_glossary, write_glossary

    glossary = load_glossary(GLOSSARY)
    for i in range(concepts - len(glossary.concepts)):
        word = "zy" + _pseudo(i, _SYLLABLES)
        term = f"{word} {_SHARED_WORDS[i % len(_SHARED_WORDS)]}" if i % 4 == 0 else word.title()
        renderings = {
            "el": _pseudo(i, _GREEK, 5), "ru": _pseudo(i, _CYRILLIC, 5),
            "de": "Zy" + _pseudo(i, _SYLLABLES), "tr": "zy" + _pseudo(i, _SYLLABLES) + "ı",
        }
        glossary.concepts.append(Concept(
            id=f"gen-{i:05d}", term=term, variants=[f"ZY{i}"], case_sensitive=i % 2 == 1,
            renderings={lang: Rendering(lang, text) for lang, text in renderings.items()
                        if lang in glossary.languages},
        ))
    glossary._layout = None  # every row written canonically
    write_glossary(glossary, path)
    return path


def _translate_seconds(glossary: Path, work: Path, run_id: str, env: dict) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one translate subprocess."""
    from bench.run import ARTICLE, LANGS, ROOT, _toolkit_command

    out = work / run_id
    cmd = [*_toolkit_command(), "translate", str(ARTICLE), "--to", ",".join(LANGS),
           "--glossary", str(glossary), "--out", str(out / "out"), "--locales", str(out / "loc")]
    run_env = dict(env, TOOLKIT_CACHE=str(out / "cache.sqlite3"))
    errors = out.with_suffix(".stderr")
    out.mkdir(parents=True, exist_ok=True)
    with errors.open("wb") as stderr:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=run_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        tail = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {tail}")
    return seconds, usage.ru_utime + usage.ru_stime


def bench_glossary_scale(repeats: int = 7):
    """The row: best-of-N translate wall time, generated glossary / shipped glossary."""
    from bench.run import CACHE, FIXTURE_PACKAGES, GLOSSARY, Row, _log

    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        work = Path(tmp)
        big = generated_glossary(work / "natoterm-size.csv")
        env = dict(os.environ, ARGOS_PACKAGES_DIR=str(FIXTURE_PACKAGES), COLUMNS="200",
                   XDG_CACHE_HOME=str(work / "xdg"))
        glossaries = {"shipped": GLOSSARY, "generated": big}
        first = {name: _translate_seconds(path, work, f"{name}-first", env)[0]
                 for name, path in glossaries.items()}
        times: dict[str, list[float]] = {name: [] for name in glossaries}
        cpu: dict[str, list[float]] = {name: [] for name in glossaries}
        for i in range(repeats):
            for name, path in glossaries.items():
                wall, used = _translate_seconds(path, work, f"{name}-{i}", env)
                times[name].append(wall)
                cpu[name].append(used)
        best = {name: min(ts) for name, ts in times.items()}
        best_cpu = {name: min(ts) for name, ts in cpu.items()}
        ratio = best["generated"] / best["shipped"]
        cpu_ratio = best_cpu["generated"] / best_cpu["shipped"]
        _log(f"glossary scale: shipped {best['shipped']:.2f} s, {CONCEPTS} concepts "
             f"{best['generated']:.2f} s; CPU {best_cpu['shipped']:.2f} / {best_cpu['generated']:.2f} s "
             f"= {cpu_ratio:.3f}x (first runs {first['shipped']:.2f} / {first['generated']:.2f} s)")
        return Row(
            f"`toolkit translate`: {CONCEPTS:,}-concept glossary / shipped glossary",
            ratio, f"<= {TARGET}x", ratio <= TARGET,
            details={"concepts": CONCEPTS, "glossary_bytes": big.stat().st_size,
                     "best_s": best, "runs_s": times, "first_run_s": first,
                     "best_cpu_s": best_cpu, "cpu_s": cpu, "cpu_ratio": cpu_ratio,
                     "repeats": repeats,
                     "model": "fixture pseudo-language packages, 4 languages, examples/article.txt"},
        )


def run(results: list) -> None:
    """Append the row to bench/run.py's `results` (its fixture packages must be installed)."""
    results.append(bench_glossary_scale())


def main() -> int:
    from bench.run import FIXTURES, install_fixture_packages, isolate_environment

    isolate_environment()
    if install_fixture_packages(FIXTURES) is None:
        print("skipped: no fixture packages (tools/build_test_models.py --stage package)")
        return 0
    rows: list = []
    run(rows)
    for row in rows:
        print(" | ".join(row.cells()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
