"""A glossary read by a run that only reads it (translate, QA), at NATOTerm size.

NATO's termbase holds tens of thousands of concepts; one article holds a few dozen. Parsing
20,000 CSV rows on every run costs seconds, and building 20,000 Concepts and an automaton over
all their forms costs most of a second more. So a glossary of `CACHE_MIN_CONCEPTS` or more is
parsed once per version of the file into an SQLite copy in the cache folder
(``glossary-<sha256 of the file>.sqlite3``): one row per concept, its fields as JSON, and an
index from the first ASCII word of each English form (`toolkit.terms.match.form_word`) to the
concept. A run opens the copy and builds no concept up front: `toolkit.terms.match.find_terms`
asks for the concepts whose words occur in the text it is given (`match.cover`), so the matcher
holds the run's few dozen concepts and a term is never missed for not being built.

The copy is written to a temporary file and renamed, and it is used only when its recorded
schema, code version and file hash all agree; otherwise the file is parsed again. A cache
folder that cannot be written only costs the parse.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.fileio import decode_utf8, read_bytes
from toolkit.terms.glossary import Concept, Glossary, Rendering, cache_dir, no_gc, parse_glossary
from toolkit.terms.match import form_word

CACHE_MIN_CONCEPTS = 1000  # smaller glossaries parse in milliseconds: no copy for them
_SCHEMA = "2"
_BATCH = 500  # words per query (SQLite allows 999 parameters)


def read_termbase(path: str | Path) -> Glossary:
    """The glossary at `path` for reading only: small ones parsed, large ones from their copy,
    with their concepts in reserve. Problems with the file raise ToolkitError with file and line."""
    path = Path(path)
    data = read_bytes(path, "glossary file", missing="glossary file not found")
    digest = hashlib.sha256(data).hexdigest()
    copy = cache_dir() / f"glossary-{digest[:32]}.sqlite3"
    glossary = _open(copy, digest, path)
    if glossary is None:
        with no_gc():
            glossary = parse_glossary(decode_utf8(data, path), path)
        if len(glossary.concepts) >= CACHE_MIN_CONCEPTS:
            _write(copy, digest, glossary, path)
    glossary.sha256 = digest
    return glossary


@lru_cache(maxsize=1)
def _code_version() -> str:
    """The parsing code and the word rule: a copy made by other code is not used."""
    from toolkit.terms import glossary, match

    h = hashlib.sha256()
    for module in (glossary, match):
        h.update(Path(module.__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def _row(c: Concept) -> str:
    return json.dumps(
        [c.id, c.term, c.variants, c.dnt, c.case_sensitive, c.note, c.line, c.part_of_speech,
         {lang: [r.text, r.variants, r.status, r.reviewer, r.date, r.rejected, r.note, r.inflections]
          for lang, r in c.renderings.items()}],
        ensure_ascii=False)


def _write(copy: Path, digest: str, glossary: Glossary, path: Path) -> None:
    """Write the copy beside its final name and rename it into place (readers see a whole one),
    then remove the copies of the file's earlier versions."""
    tmp = copy.with_name(f"{copy.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        db = sqlite3.connect(tmp)
        try:
            db.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE concepts (position INTEGER PRIMARY KEY, row TEXT NOT NULL);"
                "CREATE TABLE words (word TEXT NOT NULL, position INTEGER NOT NULL);")
            db.executemany("INSERT INTO concepts VALUES (?, ?)",
                           ((i, _row(c)) for i, c in enumerate(glossary.concepts)))
            db.executemany("INSERT INTO words VALUES (?, ?)",
                           ((word, i) for i, c in enumerate(glossary.concepts) for word in _words_of(c)))
            db.execute("CREATE INDEX words_word ON words (word)")
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("schema", _SCHEMA), ("code", _code_version()), ("sha256", digest),
                ("size", str(len(glossary.concepts))), ("languages", json.dumps(glossary.languages)),
                ("path", _where(path))])
            db.commit()
        finally:
            db.close()
        os.replace(tmp, copy)
    except (OSError, sqlite3.Error):
        with contextlib.suppress(OSError):  # a read-only cache folder: parse again next time
            tmp.unlink(missing_ok=True)
        return
    _prune(copy, path)


def _where(path: Path) -> str:
    return str(path.resolve())


def _prune(kept: Path, path: Path) -> None:
    """Remove the copies of earlier versions of the same file (a NATOTerm copy is ~8 MB) and the
    JSON copies older code wrote; a run still reading one keeps its open file."""
    folder = kept.parent
    for old in folder.glob("glossary-*.json"):
        with contextlib.suppress(OSError):
            old.unlink()
    for other in folder.glob("glossary-*.sqlite3"):
        if other == kept:
            continue
        try:
            db = sqlite3.connect(f"{other.resolve().as_uri()}?mode=ro", uri=True)
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'path'").fetchone()
            finally:
                db.close()
            if row is not None and row[0] == _where(path):
                other.unlink()
        except (OSError, sqlite3.Error):
            continue


def _words_of(concept: Concept) -> set[str]:
    """The index words of a concept: the first ASCII word of each form ("" = always built)."""
    return {w for form in concept.forms if (w := form_word(form)) is not None}


def _open(copy: Path, digest: str, path: Path) -> Glossary | None:
    """The copy of this version of the file as a lazy glossary, or None (missing, damaged,
    made by other code)."""
    if not copy.is_file():
        return None
    try:
        db = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if (meta.get("schema"), meta.get("code"), meta.get("sha256")) != (_SCHEMA, _code_version(), digest):
            db.close()
            return None
        size = int(meta["size"])
        languages = [str(lang) for lang in json.loads(meta["languages"])]
    except (sqlite3.Error, ValueError, TypeError, KeyError):
        db.close()
        return None
    return Glossary([], path, languages, _reserve=_Reserve(db, copy, size))


class _Reserve:
    """The concepts of an SQLite copy, built when `take` is first asked for them."""

    def __init__(self, db: sqlite3.Connection, copy: Path, size: int) -> None:
        self.db, self.copy, self.size = db, copy, size
        self.built: dict[int, Concept] = {}
        self.asked: set[str] = set()  # words looked up already: a run asks again and again
        self.lock = threading.Lock()

    def take(self, words: Iterable[str] | None) -> list[Concept] | None:
        with self.lock:
            try:
                rows = self._rows(words)
            except sqlite3.Error as exc:
                raise ToolkitError(f"cannot read the parsed glossary copy ({exc}); delete it to parse "
                                   "the glossary again", path=self.copy) from None
            new = {i: _concept(row, self.copy) for i, row in rows if i not in self.built}
            if not new:
                return None
            self.built.update(new)
            return [self.built[i] for i in sorted(self.built)]

    def _rows(self, words: Iterable[str] | None) -> list[tuple[int, str]]:
        if words is None:
            return list(self.db.execute("SELECT position, row FROM concepts"))
        words = [w for w in dict.fromkeys(words) if w not in self.asked]
        self.asked.update(words)
        positions = {p for (p,) in self._where_in("SELECT position FROM words WHERE word", words)}
        return self._where_in("SELECT position, row FROM concepts WHERE position",
                              sorted(positions - self.built.keys()))

    def _where_in(self, query: str, values: list) -> list[tuple]:
        """The rows of `query` ``IN (values)``, asked `_BATCH` values at a time."""
        rows: list[tuple] = []
        for k in range(0, len(values), _BATCH):
            batch = values[k:k + _BATCH]
            rows.extend(self.db.execute(f"{query} IN ({','.join('?' * len(batch))})", batch))
        return rows


def _concept(row: str, copy: Path) -> Concept:
    """One copy row as a Concept (the inverse of `_row`)."""
    try:
        cid, term, variants, dnt, cs, note, line, pos, renderings = json.loads(row)
        concept = Concept(str(cid), str(term), [str(v) for v in variants], bool(dnt), bool(cs),
                          str(note), {}, int(line), str(pos))
        for lang, fields in renderings.items():
            text, rvariants, status, reviewer, when, rejected, rnote, forms = fields
            concept.renderings[lang] = Rendering(
                lang, str(text), [str(v) for v in rvariants], str(status), str(reviewer), str(when),
                [str(v) for v in rejected], str(rnote), [str(v) for v in forms])
    except (ValueError, TypeError, AttributeError) as exc:
        raise ToolkitError(f"damaged parsed glossary copy ({exc}); delete it to parse the glossary "
                           "again", path=copy) from None
    return concept
