"""Test session setup: argostranslate must never touch the user's home or the network.

argostranslate reads its folders from the environment at import time, so they are pointed at a
session temp dir here, before any test imports it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# The paths every test folder uses: one definition, imported as `from conftest import ...`.
ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
FIXTURE_MODELS = FIXTURES / "models"
DOCS = FIXTURES / "docs"
ARTICLE = ROOT / "examples" / "article.txt"
GLOSSARY = ROOT / "glossaries" / "defense.csv"  # the shipped glossary; tests that edit it copy it
LANGS = ("el", "ru", "de", "tr")

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="toolkit-tests-"))
for var, sub in (
    ("XDG_DATA_HOME", "data"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_CONFIG_HOME", "config"),
    ("ARGOS_PACKAGES_DIR", "packages"),
):
    os.environ[var] = str(_SESSION_HOME / sub)
    (_SESSION_HOME / sub).mkdir(parents=True, exist_ok=True)
os.environ["ARGOS_PACKAGE_INDEX"] = "http://127.0.0.1:9/"  # closed port: never the internet
os.environ.setdefault("TOOLKIT_THREADS", "2")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: a real subprocess, server or whole-article run; `pytest -m 'not slow'` skips them"
    )


_SLOW_FIXTURES = {"installed_models", "libretranslate", "libretranslate_executable"}


def pytest_collection_modifyitems(config, items):
    """Tests that need the installed fixture packages or a real server are slow by definition."""
    for item in items:
        if _SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    """A private copy of the shipped glossary, for tests that write to it."""
    path = tmp_path / "defense.csv"
    shutil.copyfile(GLOSSARY, path)
    return path


def fixture_package(lang: str) -> Path:
    return FIXTURE_MODELS / f"translate-en_{lang}.argosmodel"


@pytest.fixture(scope="session")
def installed_models() -> Path:
    """All four pseudo-language fixture packages installed in the session packages dir."""
    from toolkit.mt.packages import install_file, installed_models

    have = {m.to_code for m in installed_models()}
    for lang in LANGS:
        if lang not in have:
            install_file(fixture_package(lang))
    return Path(os.environ["ARGOS_PACKAGES_DIR"])


@pytest.fixture(scope="session")
def libretranslate_executable() -> Path:
    """A real LibreTranslate server, installed in its own venv on first use (~40 s, no torch).

    $TOOLKIT_TEST_LIBRETRANSLATE names another executable; if it is missing, that is a failure.
    """
    from libretranslate_server import ENV_VAR, find_executable

    exe = find_executable()
    if exe is None and not os.environ.get(ENV_VAR):
        done = subprocess.run(["bash", str(ROOT / "tools" / "install_libretranslate.sh")],
                              capture_output=True, text=True, timeout=1200)
        if done.returncode:
            pytest.fail(f"tools/install_libretranslate.sh failed:\n{done.stderr[-3000:]}")
        exe = find_executable()
    if exe is None:
        pytest.fail(f"no LibreTranslate executable (${ENV_VAR}={os.environ.get(ENV_VAR)!r})")
    return exe


@pytest.fixture(scope="session")
def libretranslate(libretranslate_executable):
    """One real LibreTranslate server for the session, serving the four fixture packages."""
    from libretranslate_server import libretranslate_server

    with libretranslate_server(executable=libretranslate_executable) as server:
        yield server


@pytest.fixture
def empty_packages_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty ARGOS_PACKAGES_DIR for this test only."""
    d = tmp_path / "packages"
    d.mkdir()
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(d))
    return d


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None, timeout: float = 300):
    """Run the real `toolkit` CLI in a subprocess (python -m toolkit)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["COLUMNS"] = (env or {}).get("COLUMNS", "200")
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )


def table_row(line: str) -> list[str]:
    """The cells of one row of a table as `toolkit` prints it outside a terminal (plain aligned
    columns, at least two spaces apart; toolkit.cli.tables)."""
    return re.split(r"\s{2,}", line.strip())


def find_row(stdout: str, first: str) -> list[str]:
    """The cells of the first row whose first cell is FIRST."""
    return next(row for row in map(table_row, stdout.splitlines()) if row[0] == first)


def invoke(*args: str, env: dict | None = None, cwd: Path | None = None):
    """Run the `toolkit` CLI in this process (typer/click's CliRunner isolation), through the
    same `main` as the console script: for commands that only read and print. Returns what
    `run_cli` returns (returncode, stdout, stderr)."""
    from click.testing import CliRunner

    from toolkit.cli.app import main

    runner = CliRunner()
    old_argv, old_cwd = sys.argv, os.getcwd()
    with runner.isolation(env={"COLUMNS": "200", **(env or {})}) as streams:
        out, err = streams[0], streams[1]
        sys.argv = ["toolkit", *args]
        os.chdir(cwd or ROOT)
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.argv = old_argv
            os.chdir(old_cwd)
        return subprocess.CompletedProcess(list(args), code, out.getvalue().decode(), err.getvalue().decode())
