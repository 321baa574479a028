"""The translation cache as a hostile or clumsy environment leaves it, through the real CLI.

A read-only cache folder costs a warning, never a run; ``--no-cache`` never opens the file; a
cache corrupted mid-file, with another schema or another program's tables is one line naming
it, found before any work; ``toolkit cache clear`` removes a damaged cache but never a file that
is not a cache; an entry holding a NUL (written by an older version) is never served.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from toolkit.mt.cache import TranslationCache
from toolkit.mt.types import Hypothesis, SentenceTranslation

from conftest import ROOT
from faults import RUN_STATE, changed, cli, one_line_error, read_only, snapshot
from hostile_server import hostile_server

STORY = "Alliance news\n\nNATO ministers met in Brussels on Monday.\n"


def workspace(tmp_path: Path, name: str = "ws") -> Path:
    ws = tmp_path / name
    ws.mkdir()
    (ws / "story.txt").write_text(STORY, encoding="utf-8")
    return ws


def translate(ws: Path, url: str, cache: Path | None, *extra: str, env: dict | None = None):
    env = {**({"TOOLKIT_CACHE": str(cache)} if cache else {}), **(env or {})}
    return cli("translate", "story.txt", "--to", "de", "--from", "en", "--out", "out", "--locales",
               "locales", "--engine", f"libretranslate:{url}", *extra, cwd=ws, env=env)


def big_cache(path: Path, entries: int = 3000) -> None:
    cache = TranslationCache(path)
    cache.put_many({f"{i:064x}": SentenceTranslation((Hypothesis(f"Satz {i} " * 5, -1.0),))
                    for i in range(entries)})
    cache.db.close()  # checkpoints the WAL into the file


def test_a_read_only_cache_folder_costs_a_warning_not_the_run(tmp_path):
    with read_only(tmp_path / "cache") as folder, hostile_server("echo") as server:
        ws = workspace(tmp_path)
        result = translate(ws, server.url, folder / "translations.sqlite3", "--no-glossary")
    assert result.returncode == 0, result.stderr
    [warning] = result.stderr.splitlines()
    cache = folder / "translations.sqlite3"
    assert warning.startswith(f"warning: {cache}: cannot use the translation cache (")
    assert "read-only" in warning and warning.endswith("translating without it")
    assert (ws / "out" / "story.de.txt").is_file()


def test_no_cache_never_opens_the_cache(tmp_path):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database\n")
    with read_only(tmp_path / "ro") as folder, hostile_server("echo") as server:
        for cache in (junk, folder / "translations.sqlite3"):
            ws = workspace(tmp_path, f"ws-{cache.name}")
            result = translate(ws, server.url, cache, "--no-glossary", "--no-cache")
            assert result.returncode == 0, result.stderr
            assert result.stderr == ""
    assert junk.read_bytes() == b"this is not a database\n"


def test_a_read_only_cache_folder_does_not_break_the_glossary_calibrations(tmp_path):
    with read_only(tmp_path / "xdg") as folder, hostile_server("echo") as server:
        ws = workspace(tmp_path)
        result = translate(ws, server.url, None, "--no-cache", "--glossary",
                           str(ROOT / "glossaries" / "defense.csv"), env={"XDG_CACHE_HOME": str(folder)})
    assert result.returncode == 0, result.stderr


def _corrupt_mid_file(path: Path) -> None:
    big_cache(path)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096)
        fh.write(random.Random(16).randbytes(8192))


def _other_schema(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE mt (key TEXT PRIMARY KEY, translation TEXT, model TEXT)")
    db.close()


DAMAGED = [
    ("corrupt-mid-file", _corrupt_mid_file, "it is damaged: "),
    ("other-schema", _other_schema, "another schema: columns key, translation, model, expected key, value"),
]


@pytest.mark.parametrize(("make", "needle"), [d[1:] for d in DAMAGED], ids=[d[0] for d in DAMAGED])
def test_a_damaged_cache_is_one_line_and_cache_clear_removes_it(tmp_path, make, needle):
    cache = tmp_path / "cache" / "translations.sqlite3"
    cache.parent.mkdir()
    make(cache)
    with hostile_server("echo") as server:
        ws = workspace(tmp_path)
        before = snapshot(ws)
        result = translate(ws, server.url, cache, "--no-glossary")
        one_line_error(result, f"{cache}: cannot open the translation cache (", needle,
                       "run `toolkit cache clear`")
        assert changed(before, snapshot(ws), allowed=RUN_STATE) == []
        assert server.translate_requests() == 0  # found before any work

        cleared = cli("cache", "clear", cwd=ws, env={"TOOLKIT_CACHE": str(cache)})
        assert cleared.returncode == 0, cleared.stderr
        assert str(cache) in cleared.stdout
        assert not cache.exists()
        again = translate(ws, server.url, cache, "--no-glossary")
    assert again.returncode == 0, again.stderr
    assert (ws / "out" / "story.de.txt").is_file()


def _foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER, amount REAL)")
        db.execute("INSERT INTO invoices VALUES (1, 99.5)")
    db.close()


@pytest.mark.parametrize(("make", "translate_needle", "clear_needle"), [
    (_foreign_database, "it holds other tables (invoices): not a translation cache",
     "holds other tables (invoices), so it is not a translation cache: not deleting it"),
    (lambda p: p.write_bytes(b"%PDF-1.4 my thesis\n"), "file is not a database",
     "is not a SQLite file, so not a translation cache: not deleting it"),
], ids=["another-programs-database", "not-sqlite"])
def test_a_file_that_is_not_a_cache_is_refused_and_never_deleted(tmp_path, make, translate_needle,
                                                                clear_needle):
    wrong = tmp_path / "wrong.db"
    make(wrong)
    before = wrong.read_bytes()
    with hostile_server("echo") as server:
        ws = workspace(tmp_path)
        one_line_error(translate(ws, server.url, wrong, "--no-glossary"), f"{wrong}: ", translate_needle)
    cleared = cli("cache", "clear", cwd=ws, env={"TOOLKIT_CACHE": str(wrong)})
    one_line_error(cleared, f"{wrong}: ", clear_needle)
    assert wrong.read_bytes() == before  # not even switched to WAL


def test_cache_clear_counts_a_healthy_cache_and_tolerates_a_missing_one(tmp_path):
    cache = tmp_path / "c.sqlite3"
    big_cache(cache, entries=7)
    cleared = cli("cache", "clear", cwd=tmp_path, env={"TOOLKIT_CACHE": str(cache)})
    assert cleared.returncode == 0 and f"removed 7 cached translations from {cache}" in cleared.stdout
    again = cli("cache", "clear", cwd=tmp_path, env={"TOOLKIT_CACHE": str(cache)})
    assert again.returncode == 0 and "removed 0 cached translations" in again.stdout


def test_an_old_cache_entry_with_a_nul_is_never_served(tmp_path):
    cache = tmp_path / "c.sqlite3"
    with hostile_server("echo") as server:
        first = translate(workspace(tmp_path, "first"), server.url, cache, "--no-glossary")
        assert first.returncode == 0, first.stderr
        sent = server.translate_requests()
        with sqlite3.connect(cache) as db:  # as an older version could have stored them
            poisoned = json.dumps({"h": [["Gift\x00 \x1b[31m", 0.0]], "t": False})
            db.execute("UPDATE mt SET value = ?", (poisoned,))
        db.close()
        ws = workspace(tmp_path, "second")
        second = translate(ws, server.url, cache, "--no-glossary")
        assert second.returncode == 0, second.stderr
        assert server.translate_requests() > sent  # the poisoned entries were misses
    out = (ws / "out" / "story.de.txt").read_text(encoding="utf-8")
    assert "Gift" not in out and "\x00" not in out
    with sqlite3.connect(cache) as db:
        assert not any("Gift" in v for (v,) in db.execute("SELECT value FROM mt"))
    db.close()
