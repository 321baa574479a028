"""Issue #16, part 2, through the real `toolkit` CLI: placeholders, bad folders, damaged
calibration caches, case folding (Ctrl-C: test_hostile_libretranslate.py).

Engines are a hostile LibreTranslate (`hostile_server`, 127.0.0.1 only, bounded) that repeats or
cuts placeholders. Every failure is one line on stderr, exit 1, and the workspace byte-identical;
a placeholder never reaches a msgstr or an article.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GLOSSARY, run_cli
from hostile_server import hostile_server

pytestmark = pytest.mark.slow

STORY = """Alliance news

NATO ministers met in Brussels on Monday. The THAAD battery arrived.
"""
PLACEHOLDER_BITS = ("⟦", "⟧", "ZXA", "<0>", "<1>")
PO = "locales/de/LC_MESSAGES/story.po"


def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "story.txt").write_text(STORY, encoding="utf-8")
    shutil.copyfile(GLOSSARY, ws / "defense.csv")
    return ws


def env_for(ws: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(ws / "cache"), "XDG_DATA_HOME": str(ws / "data"),
            "XDG_CONFIG_HOME": str(ws / "config")}


def translate_args(url: str, *extra: str, out: str = "out", locales: str = "locales") -> list[str]:
    return ["translate", "story.txt", "--to", "de", "--from", "en", "--glossary", "defense.csv", "--no-tm",
            "--engine", f"libretranslate:{url}", "--out", out, "--locales", locales, *extra]


def snapshot(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def assert_one_line(done, *needles: str, code: int = 1) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]


def catalog_and_article(ws: Path) -> str:
    return (ws / PO).read_text(encoding="utf-8") + (ws / "out" / "story.de.txt").read_text(encoding="utf-8")


def msgstrs(ws: Path) -> list[str]:
    import polib

    return [e.msgstr for e in polib.pofile(str(ws / PO))]


# -- placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "reason"), [("repeat-placeholder", None),
                                                ("broken-placeholder", "garbled its placeholders")])
def test_a_repeated_or_broken_placeholder_never_reaches_a_msgstr_or_article(tmp_path, mode, reason):
    ws = workspace(tmp_path)
    with hostile_server(mode, max_requests=40) as server:
        done = run_cli(*translate_args(server.url), cwd=ws, env=env_for(ws))
    assert done.returncode == 0, done.stderr
    article = (ws / "out" / "story.de.txt").read_text(encoding="utf-8")
    for text in [*msgstrs(ws), article]:
        assert not any(bit in text for bit in PLACEHOLDER_BITS), text
    assert "NATO ministers met in Brussels on Monday. The THAAD battery arrived." in article
    po = (ws / PO).read_text(encoding="utf-8")
    assert "dropped its placeholder" not in po + done.stdout  # never the false reason
    if reason is None:  # one occurrence kept where the model put it: resolved, nothing to flag
        assert "garbled" not in po
    else:
        assert reason in po and reason in done.stdout


def test_qa_finds_a_placeholder_a_translator_left_in_a_msgstr(tmp_path):
    ws = workspace(tmp_path)
    with hostile_server("echo", max_requests=40) as server:
        assert run_cli(*translate_args(server.url), cwd=ws, env=env_for(ws)).returncode == 0
    po = ws / PO
    text = po.read_text(encoding="utf-8")
    bad = 'msgstr "NATO ministers met in ⟦0⟧ on Monday. The ZXBQ battery <1> arrived."'
    text = text.replace('msgstr "NATO ministers met in Brussels on Monday. The THAAD battery arrived."', bad)
    assert bad in text
    po.write_text(text, encoding="utf-8")
    done = run_cli("qa", "locales", "--glossary", "defense.csv", "--json", cwd=ws, env=env_for(ws))
    assert done.returncode == 1, done.stderr
    findings = [f for report in json.loads(done.stdout) for f in report["findings"]
                if f["check"] == "placeholder"]
    assert len(findings) == 1 and findings[0]["severity"] == "error"
    assert all(bit in findings[0]["message"] for bit in ("⟦", "ZXBQ", "<1>"))


# -- folders that cannot be written -------------------------------------------------------------


def test_locales_pointing_at_a_file_is_one_line_and_changes_nothing(tmp_path):
    ws = workspace(tmp_path)
    (ws / "catalogs").write_text("not a folder\n", encoding="utf-8")
    before = snapshot(ws)
    with hostile_server("echo") as server:
        done = run_cli(*translate_args(server.url, locales="catalogs"), cwd=ws, env=env_for(ws))
    assert_one_line(done, "catalogs", "not a folder")
    assert snapshot(ws) == before


@pytest.mark.parametrize("out", ["story.txt", "story.txt/inner"])
def test_out_pointing_at_a_file_fails_before_any_catalog_is_written(tmp_path, out):
    ws = workspace(tmp_path)
    before = snapshot(ws)
    with hostile_server("echo") as server:
        done = run_cli(*translate_args(server.url, out=out), cwd=ws, env=env_for(ws))
        assert server.translate_requests() == 0  # checked before any work
    assert_one_line(done, "story.txt", "not a folder")
    assert snapshot(ws) == before


def test_read_only_locales_folder_is_one_line_and_changes_nothing(tmp_path):
    ws = workspace(tmp_path)
    (ws / "locales").mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # root writes anywhere: run the CLI as nobody, in a workspace it owns
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: a read-only folder cannot be made")
        prefix = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"]
        for path in [tmp_path, *tmp_path.rglob("*")]:
            os.chown(path, 65534, 65534)
    (ws / "locales").chmod(0o555)
    before = snapshot(ws)
    try:
        with hostile_server("echo") as server:
            done = subprocess.run([*prefix, sys.executable, "-m", "toolkit", *translate_args(server.url)],
                                  capture_output=True, text=True, cwd=ws, timeout=120,
                                  env={**os.environ, **env_for(ws), "COLUMNS": "200"})
    finally:
        (ws / "locales").chmod(0o755)
    assert_one_line(done, "locales", "not writable")
    assert snapshot(ws) == before


# -- damaged calibration caches ------------------------------------------------------------------


def _garbage_mid_file(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"\x00garbage}{" + data[len(data) // 2:])


def _wrong_schema(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({key: [1, 2] for key in data}), encoding="utf-8")


@pytest.mark.parametrize("name", ["placeholders.json", "term-calibration.json"])
@pytest.mark.parametrize(("damage", "needle"), [(_garbage_mid_file, "not JSON"), (_wrong_schema, "entry")])
def test_damaged_calibration_cache_is_one_line_and_changes_nothing(tmp_path, name, damage, needle):
    ws = workspace(tmp_path)
    with hostile_server("echo", max_requests=40) as server:
        assert run_cli(*translate_args(server.url), cwd=ws, env=env_for(ws)).returncode == 0
        cache = ws / "cache" / "newsroom-toolkit" / name
        damage(cache)
        (ws / "story.txt").write_text(STORY + "\nA new paragraph about NATO.\n", encoding="utf-8")
        before = snapshot(ws)
        done = run_cli(*translate_args(server.url), cwd=ws, env=env_for(ws))
    assert_one_line(done, str(cache), needle, "delete the file")
    assert snapshot(ws) == before


# -- case folding -------------------------------------------------------------------------------


def test_case_insensitive_terms_match_upper_case_istanbul_and_strasse(tmp_path):
    ws = workspace(tmp_path)
    (ws / "terms.csv").write_text(
        "id,term,variants,dnt,case_sensitive,note,de,de_variants,de_status,de_reviewer,de_date,"
        "de_rejected,de_note\n"
        "istanbul,İstanbul,,no,no,,Istanbul-DE,,approved,,,,\n"
        "strasse,Straße,,no,no,,Weg-DE,,approved,,,,\n", encoding="utf-8")
    catalog = ws / "locales" / "de" / "LC_MESSAGES" / "caps.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "ISTANBUL TALKS"\nmsgstr "GESPRÄCHE"\n\n'
        'msgid "THE STRASSE WAS CLOSED"\nmsgstr "GESPERRT"\n', encoding="utf-8")
    before = snapshot(ws)
    done = run_cli("qa", "locales", "--glossary", "terms.csv", "--json", cwd=ws, env=env_for(ws))
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert "Istanbul-DE" in text, done.stderr
    assert "Istanbul-DE" in text and "Weg-DE" in text, text
    lint = run_cli("glossary", "lint", "terms.csv", cwd=ws, env=env_for(ws))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert {k: v for k, v in snapshot(ws).items() if not k.startswith("cache")} == before


# -- re-runs -----------------------------------------------------------------------------------


def test_first_rerun_on_an_unchanged_article_is_byte_identical(tmp_path):
    ws = workspace(tmp_path)
    with hostile_server("echo", max_requests=40) as server:
        assert run_cli(*translate_args(server.url), cwd=ws, env=env_for(ws)).returncode == 0
        first = (ws / PO).read_bytes()
        assert run_cli(*translate_args(server.url), cwd=ws, env=env_for(ws)).returncode == 0
    assert (ws / PO).read_bytes() == first

