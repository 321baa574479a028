"""Every machine draft ever written into a catalog, kept beside the catalogs for evaluation.

A catalog only holds the current msgstr: once a translator edits a draft, what the engine wrote
is gone from the .po (its ``#. MT:`` lines are dropped on review). Post-edit evaluation needs
both sides, so the draft is kept here, in ``<locales>/.toolkit/drafts.sqlite3``, with the engine
that wrote it (the ``MT:`` value, e.g. ``argos:en-de@0.1``), when, and a glossary fingerprint.
It is not the translation cache: it lives with the catalogs, is never cleared by
``toolkit cache clear`` and is only ever appended to, so a translator's edits cannot touch it.

The workflow calls `record_drafts` with plain `Draft` values when it writes machine drafts;
`toolkit eval` reads them back with `DraftStore.drafts_for` (the latest draft per entry) or
`DraftStore.iter_drafts` (all of them, oldest first). sqlite in WAL mode with a busy timeout
makes each `record` one atomic transaction and lets several runs read and write at once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from toolkit.errors import ToolkitError

STORE_DIR = ".toolkit"
STORE_FILE = "drafts.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    domain TEXT NOT NULL,
    lang TEXT NOT NULL,
    msgctxt TEXT,
    msgid TEXT NOT NULL,
    draft TEXT NOT NULL,
    engine TEXT NOT NULL,
    created TEXT NOT NULL,
    glossary TEXT
);
CREATE INDEX IF NOT EXISTS drafts_entry ON drafts (domain, lang, msgid);
"""
_COLUMNS = "domain, lang, msgctxt, msgid, draft, engine, created, glossary"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC, so the text sorts like the time
_OPEN_WAIT = 10.0  # seconds: two runs creating the store at once race on switching to WAL


@dataclass(frozen=True)
class Draft:
    """One machine draft of one catalog entry, as plain data."""

    domain: str
    lang: str
    msgctxt: str | None
    msgid: str
    text: str  # the msgstr as the engine wrote it
    engine: str  # the model id of the ``#. MT:`` line
    created: datetime | None = None  # UTC; None: the time it is recorded
    # fingerprint of the glossary entries for the draft's terms ("": a glossary, none of its
    # terms in the text; None: no glossary, or unknown)
    glossary: str | None = None

    @property
    def key(self) -> tuple[str | None, str]:
        """The entry it belongs to within its catalog: ``(msgctxt, msgid)``."""
        return self.msgctxt, self.msgid


def drafts_path(locales_dir: str | Path) -> Path:
    """``<locales>/.toolkit/drafts.sqlite3``."""
    return Path(locales_dir) / STORE_DIR / STORE_FILE


def parse_since(value: str | date | None) -> date | datetime | None:
    """A ``--since`` value: a date (``2025-03-01``) or a date and time (``2025-03-01T12:00``)."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    try:
        return date.fromisoformat(text) if len(text) <= 10 else datetime.fromisoformat(text)
    except ValueError:
        raise ToolkitError(f"--since: {value!r} is not a date (YYYY-MM-DD)") from None


def _stamp(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime(_TIME_FORMAT)


def _since_stamp(since: date | datetime) -> str:
    return _stamp(since) if isinstance(since, datetime) else since.isoformat()


def _draft(row: tuple) -> Draft:
    domain, lang, msgctxt, msgid, text, engine, created, glossary = row
    when = datetime.strptime(created, _TIME_FORMAT).replace(tzinfo=timezone.utc)
    return Draft(domain, lang, msgctxt, msgid, text, engine, when, glossary)


class DraftStore:
    """The drafts of one locales folder. Use `open_drafts`; close it (or use ``with``) when done."""

    def __init__(self, path: Path, db: sqlite3.Connection):
        self.path = path
        self.db = db

    def __enter__(self) -> DraftStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def record(self, drafts: Iterable[Draft], *, now: datetime | None = None) -> int:
        """Append drafts in ONE transaction (all or none); returns how many were recorded.

        A draft without `created` gets `now` (default: the clock).
        """
        stamp = _stamp(now or datetime.now(timezone.utc))
        rows = [
            (d.domain, d.lang, d.msgctxt, d.msgid, d.text, d.engine,
             _stamp(d.created) if d.created else stamp, d.glossary)
            for d in drafts
        ]
        with self._errors():
            with self.db:
                self.db.executemany(f"INSERT INTO drafts ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def iter_drafts(
        self,
        *,
        domain: str | None = None,
        lang: str | None = None,
        since: date | datetime | None = None,
    ) -> Iterator[Draft]:
        """Every draft (of one domain or language, if given) written on or after `since`, oldest first."""
        where, args = [], []
        for column, value in (("domain", domain), ("lang", lang)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if since is not None:
            where.append("created >= ?")
            args.append(_since_stamp(since))
        sql = f"SELECT {_COLUMNS} FROM drafts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors():
            rows = self.db.execute(sql + " ORDER BY created, rowid", args).fetchall()
        return (_draft(row) for row in rows)

    def drafts_for(
        self, domain: str, lang: str, *, since: date | datetime | None = None
    ) -> dict[tuple[str | None, str], Draft]:
        """The latest draft of each entry of one catalog, by ``(msgctxt, msgid)``.

        With `since`, entries whose latest draft is older are left out (an older draft of an
        entry that was drafted again is not the one its translator saw).
        """
        latest: dict[tuple[str | None, str], Draft] = {}
        for draft in self.iter_drafts(domain=domain, lang=lang):
            latest[draft.key] = draft
        if since is None:
            return latest
        cutoff = _since_stamp(since)
        return {k: d for k, d in latest.items() if d.created and _stamp(d.created) >= cutoff}

    def __len__(self) -> int:
        with self._errors():
            return self.db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0]

    def _errors(self):
        return _as_toolkit_error(self.path)


@contextmanager
def _as_toolkit_error(path: Path) -> Iterator[None]:
    """sqlite's errors on a damaged or locked file, as one ToolkitError naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        raise ToolkitError(_problem(exc), path=path) from None


def _problem(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if type(exc) is sqlite3.DatabaseError:  # not a database, or a damaged one
        return f"not a usable drafts store ({text}): move the file aside to start a new one"
    return f"cannot use the drafts store ({text})"


def open_drafts(locales_dir: str | Path) -> DraftStore:
    """The drafts store of a locales folder, created on first use; one clear error if unusable."""
    path = drafts_path(locales_dir)
    deadline = time.monotonic() + _OPEN_WAIT
    while True:
        db = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                db.close()
                raise ToolkitError(
                    f"the drafts store was written by a newer toolkit (schema {version}); upgrade",
                    path=path,
                )
            if version < SCHEMA_VERSION:  # a new store (a store is never rewritten just by opening it)
                with db:
                    db.executescript(_SCHEMA)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute(f"SELECT {_COLUMNS} FROM drafts LIMIT 0")  # a foreign table of that name
            return DraftStore(path, db)
        except sqlite3.OperationalError as exc:
            if db is not None:
                db.close()
            if "locked" in str(exc) and time.monotonic() < deadline:
                time.sleep(0.1)
                continue
            raise ToolkitError(_problem(exc), path=path) from None
        except sqlite3.Error as exc:
            if db is not None:
                db.close()
            raise ToolkitError(_problem(exc), path=path) from None
        except OSError as exc:
            raise ToolkitError(f"cannot open the drafts store ({exc.strerror or exc})", path=path) from None


def record_drafts(locales_dir: str | Path, drafts: Iterable[Draft], *, now: datetime | None = None) -> int:
    """Open the locales folder's store, append `drafts` in one transaction, close it."""
    drafts = list(drafts)
    if not drafts:
        return 0
    with open_drafts(locales_dir) as store:
        return store.record(drafts, now=now)
