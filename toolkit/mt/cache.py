"""A persistent translation cache (sqlite3), so an unchanged sentence is never translated twice.

The key is the exact model input — package id and version, decoding options, and the sentence
as sent to the model (glossary placeholders included) — so a changed glossary, model or beam
never returns a stale result, and the same sentence in another article is a hit.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from toolkit.mt.engine import Hypothesis, SentenceTranslation

SCHEMA = "CREATE TABLE IF NOT EXISTS mt (key TEXT PRIMARY KEY, value TEXT NOT NULL)"


def default_path() -> Path:
    if os.environ.get("TOOLKIT_CACHE"):
        return Path(os.environ["TOOLKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsroom-toolkit" / "translations.sqlite3"


class TranslationCache:
    """sqlite3 key/value store of n-best lists; safe for several processes (WAL, short writes)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(SCHEMA)
        self.hits = 0
        self.misses = 0

    def get_many(self, keys: Sequence[str]) -> dict[str, SentenceTranslation]:
        found = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for key, value in self.db.execute(f"SELECT key, value FROM mt WHERE key IN ({marks})", chunk):
                found[key] = _decode(value)
        return found

    def put_many(self, items: dict[str, SentenceTranslation]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO mt (key, value) VALUES (?, ?)",
                [(k, _encode(v)) for k, v in items.items()],
            )

    def clear(self) -> int:
        with self.db:
            count = self.db.execute("SELECT COUNT(*) FROM mt").fetchone()[0]
            self.db.execute("DELETE FROM mt")
        self.db.execute("VACUUM")
        return count

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM mt").fetchone()[0]


def open_cache(path: str | Path | None = None) -> TranslationCache:
    """The persistent cache, or one clear error when its file is unusable.

    Two runs creating a new cache at the same moment race on switching it to WAL, which
    sqlite's busy timeout does not cover: wait for the other one, up to 10 s.
    """
    import time

    from toolkit.errors import ToolkitError

    deadline = time.monotonic() + 10
    while True:
        try:
            return TranslationCache(path)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            error = exc
        except (sqlite3.Error, OSError) as exc:
            error = exc
        raise ToolkitError(
            f"cannot open the translation cache ({error}): delete the file, or pass --no-cache",
            path=path or default_path(),
        ) from None


def _encode(t: SentenceTranslation) -> str:
    return json.dumps(
        {"h": [[h.text, h.score] for h in t.hypotheses], "t": t.truncated}, ensure_ascii=False
    )


def _decode(value: str) -> SentenceTranslation:
    data = json.loads(value)
    return SentenceTranslation(tuple(Hypothesis(t, s) for t, s in data["h"]), data["t"])


class CachedEngine:
    """An engine whose `translate` asks the cache first and sends only the misses to the model."""

    def __init__(self, engine, cache: TranslationCache):
        self.engine = engine
        self.cache = cache

    def __getattr__(self, name):  # model_id, tokenize, calls, model ... come from the engine
        return getattr(self.engine, name)

    def _key(self, sentence: str, n: int) -> str:
        e = self.engine
        raw = json.dumps([e.model_id, e.beam_size, n, sentence], ensure_ascii=False)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    def translate(self, sentences: Sequence[str], *, num_hypotheses: int = 1) -> list[SentenceTranslation]:
        keys = [self._key(s, num_hypotheses) for s in sentences]
        found = self.cache.get_many(keys)
        todo = [i for i, k in enumerate(keys) if k not in found]
        # the same sentence twice in one article is translated once
        unique = list(dict.fromkeys(sentences[i] for i in todo))
        self.cache.hits += len(sentences) - len(todo)
        self.cache.misses += len(unique)
        if unique:
            def keep(done_sentences, translations):
                pairs = zip(done_sentences, translations, strict=True)
                new = {self._key(s, num_hypotheses): t for s, t in pairs}
                self.cache.put_many(new)
                found.update(new)

            if getattr(self.engine, "streams_results", False):
                # a server answers batch by batch: keep each at once, so a failure half-way
                # loses nothing and the next run resumes
                self.engine.translate(unique, num_hypotheses=num_hypotheses, done=keep)
            else:
                keep(unique, self.engine.translate(unique, num_hypotheses=num_hypotheses))
        return [found[k] for k in keys]
