"""Test session setup: argostranslate must never touch the user's home or the network.

argostranslate reads its folders from the environment at import time, so they are pointed at a
session temp dir here, before any test imports it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_MODELS = ROOT / "tests" / "fixtures" / "models"
ARTICLE = ROOT / "examples" / "article.txt"
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
    full_env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )
