"""A persistent translation cache (sqlite3), so an unchanged sentence is never translated twice.

The key is the exact model input — package id and version, decoding options, and the sentence
as sent to the model (glossary placeholders included) — so a changed glossary, model or beam
never returns a stale result, and the same sentence in another article is a hit.

The cache is an optimisation, never a reason to fail a run that could go without it: a folder
that cannot be written (read-only, another user's) gives a warning and a run without a
persistent cache. A file that is there but damaged (corrupted mid-file, another schema, not a
database) is one error naming it, found when it is opened, before any work; `clear_cache`
(`toolkit cache clear`) removes such a file. Entries holding text no translation may hold (a
NUL, control characters; `clean_text`) are never stored, and never served from an older cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ToolkitError, warn
from toolkit.mt.types import Done, Hypothesis, SentenceTranslation, clean_text

SCHEMA = "CREATE TABLE IF NOT EXISTS mt (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
COLUMNS = ["key", "value"]
SQLITE_MAGIC = b"SQLite format 3\x00"
# sqlite result codes (primary) meaning "cannot write here", not "the file is damaged"
_CANNOT_WRITE = {3, 8, 14}  # SQLITE_PERM, SQLITE_READONLY, SQLITE_CANTOPEN
_CANNOT_WRITE_MESSAGES = ("unable to open database file", "readonly database")


def default_path() -> Path:
    if os.environ.get("TOOLKIT_CACHE"):
        return Path(os.environ["TOOLKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsroom-toolkit" / "translations.sqlite3"


class TranslationCache:
    """sqlite3 key/value store of n-best lists; safe for several processes (WAL, short writes).

    `persistent` is False for the in-memory stand-in `open_cache` returns when the file's
    folder cannot be written (then `path` is still the file that could not be used).
    """

    def __init__(self, path: str | Path | None = None, *, in_memory: bool = False):
        self.path = Path(path) if path else default_path()
        self.persistent = not in_memory
        self.hits = 0
        self.misses = 0
        if in_memory:
            self.db = sqlite3.connect(":memory:")
            self.db.execute(SCHEMA)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        try:
            self._check()  # before anything is written into a file that may be someone else's
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(SCHEMA)
        except BaseException:
            self.db.close()
            raise

    def _check(self) -> None:
        """Raise DamagedCache for a database that is not (only) this cache, or is corrupt."""
        tables = _tables(self.db)
        if tables - {"mt"}:
            raise DamagedCache(f"it holds other tables ({', '.join(sorted(tables - {'mt'}))}): not a "
                               "translation cache")
        if tables:
            columns = [row[1] for row in self.db.execute("PRAGMA table_info(mt)")]
            if columns != COLUMNS:
                raise DamagedCache(f"another schema: columns {', '.join(columns)}, expected "
                                   f"{', '.join(COLUMNS)}")
            problems = [row[0] for row in self.db.execute("PRAGMA quick_check(1)")]
            if problems != ["ok"]:
                found = " ".join(" ".join(problems).split()) or "no integrity report"
                raise DamagedCache(f"it is damaged: {found}")

    def get_many(self, keys: Sequence[str]) -> dict[str, SentenceTranslation]:
        found = {}
        with self._errors():
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, value in self.db.execute(f"SELECT key, value FROM mt WHERE key IN ({marks})", chunk):
                    translation = _decode(value)
                    if translation is not None:  # an unusable entry is a miss, replaced on put
                        found[key] = translation
        return found

    def put_many(self, items: dict[str, SentenceTranslation]) -> None:
        rows = [(k, _encode(v)) for k, v in items.items() if _is_clean(v)]
        with self._errors(), self.db:
            self.db.executemany("INSERT OR REPLACE INTO mt (key, value) VALUES (?, ?)", rows)

    def clear(self) -> int:
        with self._errors():
            with self.db:
                count = self.db.execute("SELECT COUNT(*) FROM mt").fetchone()[0]
                self.db.execute("DELETE FROM mt")
            self.db.execute("VACUUM")
        return count

    def __len__(self) -> int:
        with self._errors():
            return self.db.execute("SELECT COUNT(*) FROM mt").fetchone()[0]

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """sqlite's errors mid-run (a page damaged after the open check) as one ToolkitError."""
        try:
            yield
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise ToolkitError(f"the translation cache failed ({exc}): run `toolkit cache clear`, "
                               "or pass --no-cache", path=self.path) from None


class DamagedCache(Exception):
    """The cache file is a database, but not a usable translation cache."""


def open_cache(path: str | Path | None = None, *, warn: Callable[[str], None] = warn) -> TranslationCache:
    """The persistent cache; an in-memory one (and a `warn`ing) where its folder cannot be
    written; one clear error when its file is there but unusable.

    Two runs creating a new cache at the same moment race on switching it to WAL, which
    sqlite's busy timeout does not cover: wait for the other one, up to 10 s.
    """
    shown = path or default_path()
    deadline = time.monotonic() + 10
    while True:
        try:
            return TranslationCache(path)
        except DamagedCache as exc:
            error: object = exc
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            if not _cannot_write(exc):
                error = exc
            else:
                return _stand_in(path, exc, warn)
        except sqlite3.Error as exc:
            error = exc
        except OSError as exc:  # the folder cannot be created
            return _stand_in(path, exc, warn)
        raise ToolkitError(
            f"cannot open the translation cache ({' '.join(str(error).split())}): run `toolkit cache "
            "clear` to delete it, or pass --no-cache",
            path=shown,
        ) from None


def _cannot_write(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CANNOT_WRITE
    return any(text in str(exc) for text in _CANNOT_WRITE_MESSAGES)


def _stand_in(path: str | Path | None, exc: Exception, warn: Callable[[str], None]) -> TranslationCache:
    shown = Path(path) if path else default_path()
    reason = getattr(exc, "strerror", None) or str(exc)
    if shown.parent.is_dir() and not os.access(shown.parent, os.W_OK):
        reason = f"its folder is read-only: {reason}"
    warn(f"{shown}: cannot use the translation cache ({reason}): translating without it")
    return TranslationCache(shown, in_memory=True)


def clear_cache(path: str | Path | None = None) -> tuple[Path, int | None]:
    """Delete the cache file (and its -wal and -shm files): (its path, the entries it held).

    Works on a damaged cache too: the entries are counted only if the file can still be read
    (else the count is None), and the file is deleted without being opened for writing. A file
    that is not a SQLite database, or a database with other tables (``TOOLKIT_CACHE`` pointing
    at the wrong file), is refused, never deleted.
    """
    path = Path(path) if path else default_path()
    if not path.exists() and not path.is_symlink():
        return path, 0
    if path.is_dir():
        raise ToolkitError("is a folder, not a translation cache: not deleting it", path=path)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ToolkitError(f"cannot read the translation cache ({exc.strerror or exc})", path=path) from None
    if head and head != SQLITE_MAGIC:
        raise ToolkitError("is not a SQLite file, so not a translation cache: not deleting it "
                           "(check TOOLKIT_CACHE; delete it yourself if it is the cache)", path=path)
    count = _count_read_only(path)
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError as exc:
            raise ToolkitError(f"cannot delete the translation cache ({exc.strerror or exc})",
                               path=f"{path}{suffix}") from None
    return path, count


def _count_read_only(path: Path) -> int | None:
    """Entries in a cache file opened read-only; None if it cannot be read (it is damaged)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except (sqlite3.Error, ValueError, OSError):
        return None
    try:
        tables = _tables(db)
        if tables - {"mt"}:
            raise ToolkitError(f"holds other tables ({', '.join(sorted(tables - {'mt'}))}), so it is not "
                               "a translation cache: not deleting it", path=path)
        return db.execute("SELECT COUNT(*) FROM mt").fetchone()[0] if tables else 0
    except sqlite3.Error:
        return None
    finally:
        db.close()


def _tables(db: sqlite3.Connection) -> set[str]:
    """The tables of a database, but sqlite's own (sqlite_sequence, sqlite_stat1)."""
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {name for (name,) in rows if not name.startswith("sqlite_")}


def _is_clean(t: SentenceTranslation) -> bool:
    return all(clean_text(h.text) == h.text for h in t.hypotheses)


def _encode(t: SentenceTranslation) -> str:
    return json.dumps(
        {"h": [[h.text, h.score] for h in t.hypotheses], "t": t.truncated}, ensure_ascii=False
    )


def _decode(value: str) -> SentenceTranslation | None:
    """An entry, or None when it is not one this version wrote (or holds text that is not clean)."""
    try:
        data = json.loads(value)
        translation = SentenceTranslation(
            tuple(Hypothesis(str(t), float(s)) for t, s in data["h"]), bool(data["t"])
        )
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    return translation if translation.hypotheses and _is_clean(translation) else None


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

    def translate(
        self,
        sentences: Sequence[str],
        *,
        num_hypotheses: int = 1,
        done: Done | None = None,
    ) -> list[SentenceTranslation]:
        """The cached translations, the rest from the engine; `done` hears of the cached ones
        first, then of each batch the engine answers."""
        keys = [self._key(s, num_hypotheses) for s in sentences]
        found = self.cache.get_many(keys)
        todo = [i for i, k in enumerate(keys) if k not in found]
        # the same sentence twice in one article is translated once
        unique = list(dict.fromkeys(sentences[i] for i in todo))
        self.cache.hits += len(sentences) - len(todo)
        self.cache.misses += len(unique)
        if done is not None and len(todo) < len(sentences):
            cached = [i for i, k in enumerate(keys) if k in found]
            done([sentences[i] for i in cached], [found[keys[i]] for i in cached])
        if unique:
            def keep(done_sentences, translations):
                pairs = zip(done_sentences, translations, strict=True)
                new = {self._key(s, num_hypotheses): t for s, t in pairs}
                self.cache.put_many(new)
                found.update(new)
                if done is not None:
                    done(list(done_sentences), list(translations))

            if getattr(self.engine, "streams_results", False):
                # a server (or a CTranslate2 model fed in chunks) answers batch by batch: keep
                # each at once, so a failure half-way loses little and the next run resumes
                self.engine.translate(unique, num_hypotheses=num_hypotheses, done=keep)
            else:
                keep(unique, self.engine.translate(unique, num_hypotheses=num_hypotheses))
        return [found[k] for k in keys]
