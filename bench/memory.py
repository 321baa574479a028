"""Translation memory rows: lookups in a 100,000-unit memory, incremental refresh of 200 catalogs.

``python -m bench.memory`` prints the two rows; `bench_memory` returns them for bench/run.py.

(a) Every segment of examples/article.txt looked up: per block an exact paragraph lookup and
    a fuzzy lookup, per sentence an exact sentence lookup and a fuzzy one (the fuzzy one even
    where an exact match was found: the worst case; the details also give the time with fuzzy
    lookups only where nothing exact was found). The memory is synthetic and built once per
    run through the real import path (a TMX written with `write_tmx`, `import_file`): 2% of
    its paragraph units are the article's sentences recombined with their numbers changed and
    a few words replaced (near matches), 28% have half their words replaced, 70% are other
    news (Zipf-distributed words in the article's sentence lengths). Targets are the English
    shifted one letter, so every multi-sentence unit also yields its sentence pairs; paragraph
    and sentence units together make the 100,000. The time is compared with the article's MT
    time on the Argos-size random-weight model (the toolkit pipeline as row 1 times it); the
    target is <= 10%. The fuzzy results are checked against a full rapidfuzz scan of the
    memory (`recall_vs_full_scan`: how many of the scan's best three scores the lookup gives).
(b) 200 catalogs of the article (numbers and some words varied, every entry reviewed), their
    mtimes a minute in the past as on a real disk: building the memory from all of them vs the
    refresh after one reviewed msgstr changed in one catalog; the target is <= 10%.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import polib

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ARTICLE = ROOT / "examples" / "article.txt"
MEMORY_UNITS = 100_000
CATALOGS = 200
LANG = "de"
HEADER = {
    "Project-Id-Version": "bench",
    "Language": LANG,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}


def _shift(text: str) -> str:
    """A stand-in translation: every letter one further (case and everything else kept)."""
    out = []
    for ch in text:
        if "a" <= ch <= "y" or "A" <= ch <= "Y":
            out.append(chr(ord(ch) + 1))
        elif ch in "zZ":
            out.append(chr(ord(ch) - 25))
        else:
            out.append(ch)
    return "".join(out)


def article_sentences() -> tuple[list[str], list[str]]:
    """The article's blocks and the sentences of each, as the memory splits them."""
    from toolkit.formats.document import read_document
    from toolkit.segment import segment_block

    blocks = [b.text for b in read_document(ARTICLE).blocks if b.text.strip()]
    return blocks, [s.text for b in blocks for s in segment_block(b)]


class _Words:
    def __init__(self, rng: random.Random, size: int = 30_000):
        self.rng = rng
        self.words = ["".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(2, 10)))
                      for _ in range(size)]
        self.cum = list(itertools.accumulate(1 / (rank + 1) for rank in range(size)))

    def pick(self) -> str:
        return self.rng.choices(self.words, cum_weights=self.cum)[0]


def _vary(sentence: str, share: float, words: _Words, rng: random.Random) -> str:
    """`sentence` with its numbers changed and about `share` of its words replaced."""
    out = []
    for i, word in enumerate(sentence.split()):
        if rng.random() < share:
            new = words.pick()
            out.append(new.capitalize() if i == 0 else new)
        else:
            out.append(word)
    text = " ".join(out)
    text = re.sub(r"\d+", lambda m: str(rng.randint(1, 2030)), text)
    return text if text.endswith((".", "?", "!", "”", "\"")) else text + "."


def synthetic_memory(units: int = MEMORY_UNITS, seed: int = 20250101) -> list:
    """TmxUnits whose import stores `units` units (paragraphs and aligned sentences)."""
    from toolkit.formats.tmx import TmxUnit
    from toolkit.l10n.align import split_sentences

    rng = random.Random(seed)
    words = _Words(rng)
    _, sentences = article_sentences()
    out, stored = [], 0
    while stored < units:
        draw = rng.random()
        share = rng.choice((0.0, 0.05, 0.1)) if draw < 0.02 else 0.5 if draw < 0.3 else 1.0
        picked = rng.sample(sentences, rng.choice((1, 1, 2, 3)))
        source = " ".join(_vary(s, share, words, rng) for s in picked)
        target = _shift(source)
        n = len(split_sentences(source))
        stored += 1 + (n if n > 1 and len(split_sentences(target, LANG)) == n else 0)
        out.append(TmxUnit(source, target, "en", LANG))
    return out


def lookup_article(memory, blocks: list[str], *, always_fuzzy: bool = True) -> list:
    """Exact and fuzzy lookups, per block and per sentence; the fuzzy one only where the exact
    one found nothing unless `always_fuzzy` (the worst case, and the row's figure)."""
    from toolkit.segment import segment_block

    found = []
    for block in blocks:
        exact = memory.lookup_paragraph(block, LANG)
        found.append(memory.fuzzy(block, LANG) if always_fuzzy or not exact else exact)
        for seg in segment_block(block):
            exact = memory.lookup_sentence(seg.text, LANG)
            found.append(memory.fuzzy(seg.text, LANG) if always_fuzzy or not exact else exact)
    return found


def _recall(memory, blocks: list[str], keys: dict[int, tuple[str, str]]) -> dict:
    """How many of the best-3 scores of a full scan the indexed lookup returns too."""
    from rapidfuzz import fuzz, process

    from toolkit.l10n.align import split_sentences
    from toolkit.segment import segment_block

    texts = [b for b in blocks] + [s.text for b in blocks for s in segment_block(b)]
    wanted = got = 0
    for text in texts:
        key = " ".join(text.split())
        several = len(split_sentences(key)) > 1
        choices = {uid: k for uid, (k, kind) in keys.items() if not (several and kind == "sentence")}
        full = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=75, limit=None)
        best, seen = [], set()
        for k, score, _ in sorted(full, key=lambda h: -h[1]):
            if k not in seen:
                seen.add(k)
                best.append(round(score, 6))
        best = best[:3]
        mine = [round(m.score, 6) for m in memory.fuzzy(text, LANG)]
        wanted += len(best)
        got += sum(1 for a, b in zip(mine, best, strict=False) if a == b)
    return {"segments": len(texts), "full_scan_top3": wanted, "found_by_index": got}


def bench_lookup(repeats: int, mt_seconds: float | None):
    from bench.run import Row, _log, best_of
    from toolkit.formats.tmx import write_tmx
    from toolkit.l10n.memory import open_memory

    blocks, sentences = article_sentences()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        t0 = time.perf_counter()
        units = synthetic_memory()
        write_tmx(Path(tmp) / "synthetic.tmx", units)
        memory = open_memory(Path(tmp) / "locales")
        memory.import_file(Path(tmp) / "synthetic.tmx")
        build_s = time.perf_counter() - t0
        stored = memory.stats().units
        db_mb = (Path(tmp) / "locales" / ".toolkit" / "memory.sqlite3").stat().st_size / 1e6
        _log(f"memory: {stored} units from {len(units)} TMX units in {build_s:.1f} s, {db_mb:.0f} MB")
        seconds, found = best_of(lambda: lookup_article(memory, blocks), repeats)
        exact_first_s, _ = best_of(lambda: lookup_article(memory, blocks, always_fuzzy=False), repeats)
        cold_memory = open_memory(Path(tmp) / "locales", refresh=False)
        t0 = time.perf_counter()
        lookup_article(cold_memory, blocks)
        cold_s = time.perf_counter() - t0
        cold_memory.close()
        keys = {r[0]: (r[1], r[2]) for r in memory.index.db.execute("SELECT id, key, kind FROM units")}
        recall = _recall(memory, blocks, keys)
        memory.close()
    if mt_seconds is None:
        mt_seconds = article_mt_seconds()
    ratio = seconds / mt_seconds
    return Row(
        "memory: look up every article segment in 100,000 units / article MT time",
        ratio, "<= 0.10x", ratio <= 0.10,
        details={
            "lookups": len(found) * 2,
            "blocks": len(blocks),
            "sentences": len(sentences),
            "lookup_s": seconds,
            "lookup_s_fresh_connection": cold_s,
            "lookup_s_fuzzy_only_without_exact_match": exact_first_s,
            "mt_s": mt_seconds,
            "memory_units": stored,
            "tmx_units": len(units),
            "build_s": build_s,
            "index_mb": round(db_mb, 1),
            "segments_with_a_match": sum(1 for f in found if f),
            "recall_vs_full_scan": recall,
            "repeats": repeats,
        },
    )


def article_mt_seconds(repeats: int = 2) -> float:
    """The toolkit pipeline's time for the article on the Argos-size random model (as row 1)."""
    from bench.run import best_of, random_engine
    from toolkit.formats.document import read_document
    from toolkit.workflow.localize import translate_blocks

    engine = random_engine("de")
    doc = read_document(ARTICLE)
    seconds, _ = best_of(lambda: translate_blocks(doc.blocks, engine, "de"), repeats)
    return seconds


def write_catalogs(locales: Path, count: int = CATALOGS, seed: int = 7) -> list[Path]:
    """`count` reviewed catalogs of the article, varied, mtimes a minute in the past."""
    rng = random.Random(seed)
    words = _Words(rng, 5000)
    blocks, _ = article_sentences()
    paths = []
    for i in range(count):
        po = polib.POFile(wrapwidth=78)
        po.metadata = dict(HEADER, **{"Project-Id-Version": f"story{i:03d}"})
        seen = set()
        for block in blocks:
            text = _vary(block, 0.05, words, rng) if len(block.split()) > 3 else block
            if text not in seen:
                seen.add(text)
                po.append(polib.POEntry(msgid=text, msgstr=_shift(text)))
        path = locales / LANG / "LC_MESSAGES" / f"story{i:03d}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        past = time.time() - 60
        os.utime(path, (past, past))
        paths.append(path)
    return paths


def bench_refresh(repeats: int):
    from bench.run import Row, _log
    from toolkit.l10n.memory import open_memory

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        locales = Path(tmp) / "locales"
        paths = write_catalogs(locales)
        builds = []
        for _ in range(max(repeats - 1, 1)):
            for leftover in (locales / ".toolkit").glob("memory.sqlite3*"):
                leftover.unlink()
            t0 = time.perf_counter()
            memory = open_memory(locales)
            builds.append(time.perf_counter() - t0)
            units = memory.last_refresh.units
            if len(memory.last_refresh.read) != len(paths):
                raise RuntimeError(f"build read {len(memory.last_refresh.read)} of {len(paths)} catalogs")
            memory.close()
        memory = open_memory(locales)
        updates = []
        for n in range(repeats):
            po = polib.pofile(str(paths[17]))
            po[3].msgstr = f"{po[3].msgstr} ({n})"
            po.save(str(paths[17]))
            t0 = time.perf_counter()
            report = memory.refresh()
            updates.append(time.perf_counter() - t0)
            if report.read != [paths[17].relative_to(locales).as_posix()]:
                raise RuntimeError(f"refresh read {report.read}")
        memory.close()
    ratio = min(updates) / min(builds)
    _log(f"refresh: build {min(builds):.2f} s, update {min(updates) * 1000:.0f} ms")
    return Row(
        "memory: refresh after 1 changed catalog of 200 / build from 200",
        ratio, "<= 0.10x", ratio <= 0.10,
        details={"catalogs": len(paths), "units": units, "build_s": min(builds), "update_s": min(updates),
                 "repeats": repeats},
    )


def bench_memory(repeats: int = 3, mt_seconds: float | None = None) -> list:
    """Both rows; `mt_seconds`: the article's MT time if the caller measured it (else measured)."""
    return [bench_lookup(repeats, mt_seconds), bench_refresh(repeats)]


def main() -> int:
    from bench.run import CACHE, isolate_environment, print_table

    CACHE.mkdir(parents=True, exist_ok=True)
    isolate_environment()
    rows = bench_memory()
    print_table(rows)
    for row in rows:
        print(row.name, row.details)
    return 0


if __name__ == "__main__":
    sys.exit(main())
