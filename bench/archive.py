"""Archive rows: `toolkit translate` over N generated articles, N = 1, 10, 100.

``python -m bench.archive`` prints the rows; bench/run.py runs them as ``archive``. Each article is
~1000 words of English made from the example article's own words (a seeded generator: every
article and sentence unique, so neither the cache nor the memory answers anything), translated
into German with the fixture pseudo-language package, each N in a fresh process with a fresh
cache, catalogs and output folder. Measured per N: wall time per article and the process's peak
RSS (``ru_maxrss`` of the child). Targets (issue #18): time per article at N = 100 <= 0.8x that
at N = 1 (one model load and one model call per language spread over the archive), peak RSS at
N = 100 <= 1.3x that at N = 1 (the run goes chunk by chunk, `toolkit.workflow.localize.CHUNK_WORDS`,
writing each chunk's articles before the next).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

COUNTS = (1, 10, 100)
WORDS_PER_ARTICLE = 1000
TIME_TARGET, RSS_TARGET = 0.8, 1.3
_RUN = """
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - t0
if done.returncode:
    sys.exit(done.stderr[-2000:])
print(json.dumps({"seconds": elapsed, "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def generate_articles(folder: Path, count: int, seed: int = 18) -> list[Path]:
    """`count` unique ~1000-word articles in `folder` (paragraphs of 3-5 sentences)."""
    from bench.run import ARTICLE

    words = re.findall(r"[A-Za-z][a-z]+", ARTICLE.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for a in range(count):
        paragraphs, total = [f"Archive story {a}"], 0
        while total < WORDS_PER_ARTICLE:
            sentences = []
            for s in range(rng.randint(3, 5)):
                n = rng.randint(8, 22)
                body = " ".join(rng.choice(words).lower() for _ in range(n - 1))
                sentences.append(f"{rng.choice(words).capitalize()} {body} {a}-{total + s}.")
                total += n
            paragraphs.append(" ".join(sentences))
        path = folder / f"story-{a:03d}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _measure(paths: list[Path], work: Path, env: dict) -> dict:
    cmd = [sys.executable, "-m", "toolkit", "translate", *map(str, paths), "--to", "de", "--no-glossary",
           "--no-tm", "--locales", str(work / "locales"), "--out", str(work / "out")]
    done = subprocess.run([sys.executable, "-c", _RUN, *cmd], capture_output=True, text=True, env=env,
                          check=False)
    if done.returncode:
        raise RuntimeError(f"toolkit translate failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_archive():
    from bench.run import CACHE, FIXTURE_PACKAGES, Row, _log

    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        work = Path(tmp)
        articles = generate_articles(work / "articles", max(COUNTS))
        figures = {}
        for n in COUNTS:
            run = work / f"n{n}"
            # a fresh translation cache per N: the bench's own (TOOLKIT_CACHE, isolate_environment)
            # holds earlier runs' articles, and a run answered from it measures no translation
            env = dict(os.environ, ARGOS_PACKAGES_DIR=str(FIXTURE_PACKAGES), XDG_CACHE_HOME=str(run / "xdg"),
                       TOOLKIT_CACHE=str(run / "translation-cache.sqlite3"))
            measured = _measure(articles[:n], run, env)
            figures[n] = {"per_article_s": measured["seconds"] / n, "peak_rss_mb": measured["rss_kb"] / 1024}
            _log(f"archive N={n}: {figures[n]['per_article_s']:.2f} s per article, "
                 f"peak RSS {figures[n]['peak_rss_mb']:.0f} MB")
    big, one = figures[max(COUNTS)], figures[1]
    time_ratio = big["per_article_s"] / one["per_article_s"]
    rss_ratio = big["peak_rss_mb"] / one["peak_rss_mb"]
    details = {"figures": {str(n): f for n, f in figures.items()}, "words_per_article": WORDS_PER_ARTICLE,
               "languages": ["de"], "model": "fixture pseudo-language package"}
    return [
        Row("translate-batch: time per article, N = 100 / N = 1", time_ratio, f"<= {TIME_TARGET}x",
            time_ratio <= TIME_TARGET, details=details),
        Row("translate-batch: peak RSS, N = 100 / N = 1", rss_ratio, f"<= {RSS_TARGET}x",
            rss_ratio <= RSS_TARGET, details=details),
    ]


def main() -> int:
    from bench.run import FIXTURES, install_fixture_packages, isolate_environment

    isolate_environment()
    if install_fixture_packages(FIXTURES) is None:
        print("skipped: no fixture packages (tools/build_test_models.py --stage package)")
        return 0
    for row in bench_archive():
        print(" | ".join(row.cells()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
