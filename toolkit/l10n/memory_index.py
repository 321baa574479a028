"""The translation memory's sqlite index: units, where they came from, and a word index for fuzzy search.

The catalogs are the truth and the index is derived from them (plus the units a user imported,
which only live here), so the schema is built for two things: replacing everything one source
(a catalog, an imported file) contributed in one transaction, and finding fuzzy candidates
without reading every unit.

Fuzzy candidates come from a word index: ``postings`` has one row per (word, unit), keyed by the
word and the unit's length, and ``vocab`` counts how many units hold each word. A unit whose
similarity to the query can reach the threshold has a length within a band around the query's
(`length_band`); of the units in that band, every one that shares at least `SHARE` of the
query's distinct words also shares one of the query's rarest ``n - ceil(SHARE * n) + 1`` words
(prefix filtering, as in set-similarity joins), so only those words' postings are read, in one
aggregated query. Rare words have short postings: a lookup reads hundreds of rows, not the
memory. Words are casefolded and their digits collapsed ("2019" and "2024" are one word), so a
match that differs only in its numbers is always a candidate.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.l10n.align import primary

SCHEMA_VERSION = "1"
SHARE = 0.5  # a fuzzy candidate shares at least this fraction of the query's distinct words
CANDIDATES = 100  # at most this many candidates are scored, those sharing most rare words first
_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d+")
_LIST = "(SELECT value FROM json_each(?))"  # a list parameter: one cached statement for any length

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,              -- catalog | import
    name TEXT NOT NULL UNIQUE,       -- 'el/LC_MESSAGES/article.po', or the imported file's name
    label TEXT NOT NULL,             -- what a match's `where` shows before ':line'
    size INTEGER NOT NULL DEFAULT -1,
    mtime_ns INTEGER NOT NULL DEFAULT -1,
    sha256 TEXT,
    error TEXT                       -- why the catalog could not be read (its units are gone)
);
CREATE TABLE IF NOT EXISTS units(
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL,
    kind TEXT NOT NULL,              -- paragraph | sentence
    lang TEXT NOT NULL,              -- 'el', 'pt_BR'
    grp TEXT NOT NULL,               -- the language without region (`primary`): 'el', 'pt'
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    key TEXT NOT NULL,               -- the source, whitespace-normalised
    sentences INTEGER NOT NULL,      -- English sentences in the source
    line INTEGER NOT NULL,
    note TEXT NOT NULL,
    props TEXT NOT NULL              -- JSON [[type, value], ...]
);
CREATE INDEX IF NOT EXISTS units_key ON units(grp, key);
CREATE INDEX IF NOT EXISTS units_source ON units(source_id);
CREATE TABLE IF NOT EXISTS vocab(
    id INTEGER PRIMARY KEY,
    grp TEXT NOT NULL,
    token TEXT NOT NULL,
    df INTEGER NOT NULL,             -- units holding the word
    UNIQUE(grp, token)
);
CREATE TABLE IF NOT EXISTS postings(
    token_id INTEGER NOT NULL,
    length INTEGER NOT NULL,         -- of the unit's key
    unit_id INTEGER NOT NULL,
    PRIMARY KEY(token_id, length, unit_id)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class SourceRow:
    id: int
    kind: str
    name: str
    label: str
    size: int
    mtime_ns: int
    sha256: str | None
    error: str | None


@dataclass(frozen=True)
class NewUnit:
    """A unit to store (the index adds its key, group and word postings)."""

    kind: str
    lang: str
    source: str
    target: str
    sentences: int
    line: int
    note: str = ""
    props: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UnitRow:
    id: int
    kind: str
    lang: str
    source: str
    target: str
    key: str
    sentences: int
    line: int
    note: str
    props: tuple[tuple[str, str], ...]
    source_kind: str
    source_name: str
    label: str


_UNIT_COLUMNS = (
    "u.id, u.kind, u.lang, u.source, u.target, u.key, u.sentences, u.line, u.note, u.props,"
    " s.kind, s.name, s.label"
)


def normalize(text: str) -> str:
    """The key of a text: runs of whitespace as one space, none at the ends."""
    return " ".join(text.split())


def words(key: str) -> set[str]:
    """The distinct index words of a key: casefolded, digit runs as '0'."""
    return {_DIGITS.sub("0", w) for w in _WORD.findall(key.casefold())}


def length_band(length: int, threshold: float) -> tuple[int, int]:
    """Lengths a text can have and still reach `threshold` (0-100) in rapidfuzz's `fuzz.ratio`
    against a text of `length`: the ratio is at most 2 * shorter / (sum of lengths)."""
    t = max(min(threshold, 100.0), 1.0)
    return math.ceil(length * t / (200 - t)), math.floor(length * (200 - t) / t)


class MemoryIndex:
    """One sqlite file; every write is one transaction (`write`)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA journal_size_limit=16777216")  # an import's WAL does not stay
            self.db.execute("PRAGMA mmap_size=1073741824")  # reads map the file: no copy per page
            self._check_schema()
        except sqlite3.DatabaseError as exc:
            raise ToolkitError(f"cannot open the translation memory index: {exc}", path=self.path) from None
        except OSError as exc:
            raise ToolkitError(f"cannot create the translation memory index: {exc.strerror or exc}",
                               path=self.path) from None

    def _check_schema(self) -> None:
        with self.write():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            row = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise ToolkitError(
                    f"this translation memory index has schema {row[0]}, this toolkit reads schema "
                    f"{SCHEMA_VERSION}: use the toolkit version that made it",
                    path=self.path,
                )

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction: everything in it is stored, or nothing is."""
        if self.db.in_transaction:  # nested: the outer transaction decides
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- sources

    def sources(self, kind: str | None = None) -> dict[str, SourceRow]:
        query = "SELECT id, kind, name, label, size, mtime_ns, sha256, error FROM sources"
        rows = self.db.execute(query + (" WHERE kind = ?" if kind else ""), (kind,) if kind else ())
        return {r[2]: SourceRow(*r) for r in rows}

    def save_source(
        self, kind: str, name: str, label: str, *, size: int = -1, mtime_ns: int = -1,
        sha256: str | None = None, error: str | None = None,
    ) -> int:
        """Insert or update a source row; its id."""
        self.db.execute(
            "INSERT INTO sources(kind, name, label, size, mtime_ns, sha256, error)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET kind = excluded.kind,"
            " label = excluded.label, size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " sha256 = excluded.sha256, error = excluded.error",
            (kind, name, label, size, mtime_ns, sha256, error),
        )
        return self.db.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()[0]

    def set_stat(self, source_id: int, size: int, mtime_ns: int) -> None:
        self.db.execute("UPDATE sources SET size = ?, mtime_ns = ? WHERE id = ?", (size, mtime_ns, source_id))

    def delete_source(self, source_id: int) -> None:
        self.delete_units(source_id)
        self.db.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    # -- units

    def delete_units(self, source_id: int) -> int:
        """Remove a source's units and their postings; how many there were."""
        rows = self.db.execute("SELECT id, grp, key FROM units WHERE source_id = ?", (source_id,)).fetchall()
        if not rows:
            return 0
        counts: Counter[tuple[str, str]] = Counter()
        for _, grp, key in rows:
            counts.update((grp, w) for w in words(key))
        ids = self._token_ids(counts)
        self.db.executemany(
            "DELETE FROM postings WHERE token_id = ? AND length = ? AND unit_id = ?",
            [(ids[grp, w], len(key), uid) for uid, grp, key in rows for w in words(key)],
        )
        self.db.executemany("UPDATE vocab SET df = df - ? WHERE id = ?",
                            [(n, ids[k]) for k, n in counts.items()])
        self.db.execute("DELETE FROM units WHERE source_id = ?", (source_id,))
        return len(rows)

    def add_units(self, source_id: int, units: Sequence[NewUnit]) -> None:
        if not units:
            return
        first = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM units").fetchone()[0]
        rows, counts = [], Counter()
        for uid, u in enumerate(units, start=first):
            key, grp = normalize(u.source), primary(u.lang)
            rows.append((uid, source_id, u.kind, u.lang, grp, u.source, u.target, key, u.sentences, u.line,
                         u.note, json.dumps([list(p) for p in u.props], ensure_ascii=False)))
            counts.update((grp, w) for w in words(key))
        self.db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.executemany(
            "INSERT INTO vocab(grp, token, df) VALUES (?, ?, ?)"
            " ON CONFLICT(grp, token) DO UPDATE SET df = df + excluded.df",
            [(grp, w, n) for (grp, w), n in counts.items()],
        )
        ids = self._token_ids(counts)
        postings = sorted((ids[r[4], w], len(r[7]), r[0]) for r in rows for w in words(r[7]))
        self.db.executemany("INSERT INTO postings VALUES (?, ?, ?)", postings)

    def _token_ids(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        by_group: dict[str, list[str]] = {}
        for grp, w in keys:
            by_group.setdefault(grp, []).append(w)
        ids = {}
        for grp, tokens in by_group.items():
            query = f"SELECT id, token FROM vocab WHERE grp = ? AND token IN {_LIST}"
            for tid, token in self.db.execute(query, (grp, json.dumps(tokens))):
                ids[grp, token] = tid
        return ids

    def _units(self, where: str, params: Sequence[object]) -> list[UnitRow]:
        rows = self.db.execute(
            f"SELECT {_UNIT_COLUMNS} FROM units u JOIN sources s ON s.id = u.source_id WHERE {where}"
            " ORDER BY s.kind, s.name, u.line, u.id",
            params,
        )
        return [UnitRow(*r[:9], tuple(tuple(p) for p in json.loads(r[9])), *r[10:]) for r in rows]

    def exact(self, grp: str, key: str, *, sentences_only: bool = False) -> list[UnitRow]:
        """Units whose key is `key`: paragraphs, or (`sentences_only`) single sentences."""
        kind = "(u.kind = 'sentence' OR u.sentences = 1)" if sentences_only else "u.kind = 'paragraph'"
        where = f"u.grp = ? AND u.key = ? AND {kind}"
        return self._units(where, (grp, key))

    def rows(self, ids: Sequence[int]) -> list[UnitRow]:
        return self._units(f"u.id IN {_LIST}", (json.dumps(list(ids)),)) if ids else []

    def fuzzy_candidates(
        self, grp: str, key: str, threshold: float, cap: int = CANDIDATES
    ) -> list[tuple[int, str, str]]:
        """(unit id, key, kind) of the units worth scoring against `key` (see the module docstring)."""
        query = sorted(words(key))
        if not query:
            return []
        known = self._known(grp, query)
        needed = len(query) - math.ceil(SHARE * len(query)) + 1
        take = needed - (len(query) - len(known))  # unknown words are the rarest: nobody holds them
        if take <= 0:
            return []
        prefix = [tid for tid, _ in sorted(known, key=lambda r: (r[1], r[0]))[:take]]
        lo, hi = length_band(len(key), threshold)
        return self.db.execute(
            "SELECT c.unit_id, u.key, u.kind FROM (SELECT unit_id, count(*) AS shared FROM postings"
            f" WHERE token_id IN {_LIST} AND length BETWEEN ? AND ? GROUP BY unit_id"
            " ORDER BY shared DESC, unit_id LIMIT ?) c JOIN units u ON u.id = c.unit_id",
            (json.dumps(prefix), lo, hi, cap),
        ).fetchall()

    def _known(self, grp: str, tokens: list[str]) -> list[tuple[int, int]]:
        """(token id, document frequency) of the tokens some unit of `grp` holds."""
        query = f"SELECT id, df FROM vocab WHERE grp = ? AND df > 0 AND token IN {_LIST}"
        return self.db.execute(query, (grp, json.dumps(tokens))).fetchall()

    def containing(self, grp: str, key: str, limit: int) -> list[UnitRow]:
        """Up to `limit` units holding the rarest word of `key`, if every word of it is known."""
        query = sorted(words(key))
        if not query:
            return []
        known = self._known(grp, query)
        if len(known) < len(query):
            return []
        rarest = min(known, key=lambda r: (r[1], r[0]))[0]
        query = "SELECT unit_id FROM postings WHERE token_id = ? AND length >= ? LIMIT ?"
        ids = [r[0] for r in self.db.execute(query, (rarest, len(key), limit))]
        return self.rows(ids)

    def all_units(self, grp: str | None = None, *, sentences: bool = False) -> list[UnitRow]:
        where = "1" if sentences else "u.kind = 'paragraph'"
        if grp is None:
            return self._units(where, ())
        return self._units(where + " AND u.grp = ?", (grp,))

    def counts(self) -> list[tuple[str, str, str, str, int]]:
        """(lang, source kind, source name, unit kind, units) for every combination there is."""
        return self.db.execute(
            "SELECT u.lang, s.kind, s.name, u.kind, count(*) FROM units u JOIN sources s"
            " ON s.id = u.source_id GROUP BY u.lang, s.kind, s.name, u.kind ORDER BY 1, 2, 3, 4"
        ).fetchall()
