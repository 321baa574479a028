"""A hostile LibreTranslate server (tests/hostile_server.py) against the real `toolkit translate`.

Every answer shape a broken or malicious server can give: a slow drip that must meet the
deadline, answers too large to read, badly typed JSON, NUL and control characters, escape codes
in its error messages, a hang that Ctrl-C must cut short. Each is one line naming the server,
exit 1 and an untouched workspace, or (control characters) a clean run with clean files.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from toolkit.mt.libretranslate import MAX_RESPONSE_BYTES

from conftest import ROOT
from faults import RUN_STATE, changed, cli, one_line_error, snapshot
from hostile_server import hostile_server

GLOSSARY = ROOT / "glossaries" / "defense.csv"
STORY = "Alliance news\n\nNATO ministers met in Brussels on Monday.\n"
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]


def workspace(tmp_path: Path, url: str, timeout: float = 3, retries: int = 0) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "story.txt").write_text(STORY, encoding="utf-8")
    (ws / "toolkit.toml").write_text(
        f'[engines]\ndefault = {{ engine = "libretranslate", url = "{url}", timeout = {timeout}, '
        f"retries = {retries} }}\n", encoding="utf-8")
    return ws


def translate(ws: Path, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("translate", "story.txt", "--to", "de", "--from", "en", "--out", "out", "--locales",
               "locales", *extra, cwd=ws, env={"TOOLKIT_CACHE": str(tmp_path / "cache.sqlite3")})


BAD_ANSWERS = [
    # mode, needles in the line, translate options
    # with a glossary the term ladder asks for n-best lists: then alternatives are read
    ("typed", ["unexpected answer to /translate", "alternatives must be"], ("--glossary", str(GLOSSARY))),
    ("null", ["translation 1 of 2 is null, not text"], ("--no-glossary",)),
    ("number", ["translation 1 of 2 is a number, not text"], ("--no-glossary",)),
    ("not-a-list", ["expected 2 translations"], ("--no-glossary",)),
    ("too-few", ["expected 2 translations"], ("--no-glossary",)),
    ("not-an-object", ["expected 2 translations", "\\u001b[31m"], ("--no-glossary",)),
    ("not-json", ["answered /translate with something that is not JSON", "\\x1b"], ("--no-glossary",)),
    ("deep", ["not JSON"], ("--no-glossary",)),
    ("escape-error", ["refused /translate: HTTP 500 \\x1b[2J"], ("--no-glossary",)),
    ("incomplete", ["is unreachable (the answer was cut off) after 1 tries"], ("--no-glossary",)),
    ("huge", [f"sent more than {MAX_RESPONSE_BYTES // 2**20} MiB"], ("--no-glossary",)),
    ("huge-chunked", [f"sent more than {MAX_RESPONSE_BYTES // 2**20} MiB"], ("--no-glossary",)),
    ("drip", ["is unreachable (no answer within 3 s) after 1 tries"], ("--no-glossary",)),
    ("drip-headers", ["is unreachable (no answer within 3 s) after 1 tries"], ("--no-glossary",)),
    ("hang", ["is unreachable (no answer within 3 s) after 1 tries"], ("--no-glossary",)),
]


@pytest.mark.parametrize(("mode", "needles", "options"), BAD_ANSWERS, ids=[m for m, *_ in BAD_ANSWERS])
def test_a_bad_answer_is_one_line_within_the_deadline_and_writes_nothing(tmp_path, mode, needles, options):
    with hostile_server(mode) as server:
        ws = workspace(tmp_path, server.url)
        before = snapshot(ws)
        start = time.monotonic()
        result = translate(ws, tmp_path, *options)
        seconds = time.monotonic() - start
    one_line_error(result, f"LibreTranslate at {server.url} ", *needles)
    # the deadline holds for the whole answer: a drip of one byte per 1.5 s held timeout=3 for 61 s
    assert seconds < 15, seconds
    assert changed(before, snapshot(ws), allowed=RUN_STATE) == []
    assert "None" not in result.stdout


@pytest.mark.parametrize("mode", ["nul", "control"])
def test_nul_and_control_characters_never_reach_a_file_or_the_cache(tmp_path, mode):
    with hostile_server(mode) as server:
        ws = workspace(tmp_path, server.url)
        result = translate(ws, tmp_path, "--no-glossary")
    assert result.returncode == 0, result.stderr
    files = [ws / "out" / "story.de.txt", ws / "locales" / "de" / "LC_MESSAGES" / "story.po"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not any(c in text for c in CONTROL if c != "\n"), (path, text)
    assert "NATO ministers met in Brussels on Monday." in files[0].read_text(encoding="utf-8")
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        values = [v for (v,) in db.execute("SELECT value FROM mt")]
    assert values and not any("\\u0000" in v or "\x00" in v or "\\u001b" in v for v in values)


def test_a_password_in_the_server_url_is_sent_as_basic_auth_and_never_shown(tmp_path):
    with hostile_server("echo", user="editor", password="s3cret") as server:
        url = server.url.replace("http://", "http://editor:s3cret@")
        ws = workspace(tmp_path, url)
        result = translate(ws, tmp_path, "--no-glossary")
        engines = cli("models", "engines", "--to", "de", cwd=ws)
    assert result.returncode == 0, result.stderr
    assert all(auth and auth.startswith("Basic ") for _, _, auth in server.requests)
    everything = result.stdout + result.stderr + engines.stdout + engines.stderr + "".join(
        p.read_text(encoding="utf-8") for p in ws.rglob("*") if p.is_file() and p.suffix in (".po", ".pot"))
    assert "s3cret" not in everything and "editor:" not in everything
    assert "http://***@127.0.0.1" in engines.stdout

    with hostile_server("null", user="editor", password="s3cret") as server:
        url = server.url.replace("http://", "http://editor:s3cret@")
        ws2 = tmp_path / "again"
        ws2.mkdir()
        result = translate(workspace(ws2, url), tmp_path, "--no-glossary")
    line = one_line_error(result, "LibreTranslate at http://***@127.0.0.1:")
    assert "s3cret" not in line


def test_ctrl_c_ends_a_hanging_request_at_once(tmp_path):
    """The server never answers; the run has timeout = 120 s. SIGINT must end it now."""
    with hostile_server("hang", max_seconds=60) as server:
        ws = workspace(tmp_path, server.url, timeout=120, retries=3)
        before = snapshot(ws)
        process = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "translate", "story.txt", "--to", "de", "--from", "en",
             "--no-glossary", "--out", "out", "--locales", "locales"],
            cwd=ws, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=_env(tmp_path),
        )
        deadline = time.monotonic() + 30
        while server.translate_requests() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.translate_requests() == 1, "the request never reached the server"
        time.sleep(0.2)
        start = time.monotonic()
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail("toolkit was still running 10 s after SIGINT")
        seconds = time.monotonic() - start
    assert process.returncode == 130, stderr
    assert seconds < 3, seconds
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) <= 1, stderr
    assert changed(before, snapshot(ws), allowed=RUN_STATE) == []


def test_ctrl_c_prints_the_usual_line(tmp_path):
    with hostile_server("hang", max_seconds=60) as server:
        ws = workspace(tmp_path, server.url, timeout=120)
        process = subprocess.Popen(
            [sys.executable, "-m", "toolkit", "translate", "story.txt", "--to", "de", "--from", "en",
             "--no-glossary", "--out", "out", "--locales", "locales"],
            cwd=ws, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
        )
        deadline = time.monotonic() + 30
        while server.translate_requests() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert stderr.splitlines() == ["interrupted"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "TOOLKIT_CACHE": str(tmp_path / "cache.sqlite3")}
