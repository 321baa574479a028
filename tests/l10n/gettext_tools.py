"""The real GNU gettext tools as test helpers (no fixtures, so any test file can import them).

`assert_msgcat_clean` is the check the issue asks for on every catalog a test writes: GNU
``msgcat`` (what Poedit and Weblate's writers follow) must give the file back byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def gettext_tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} not found: install gettext (apt-get install gettext)")
    return exe


def msgcat(path: Path) -> bytes:
    """What ``msgcat`` writes for `path` (default width 79, as Poedit and Weblate)."""
    proc = subprocess.run([gettext_tool("msgcat"), str(path)], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


def assert_msgcat_clean(path: Path) -> None:
    """``msgcat`` must not change one byte of the file (no whitespace-only diffs in editors)."""
    data = Path(path).read_bytes()
    out = msgcat(path)
    if out != data:
        import difflib

        diff = difflib.unified_diff(
            data.decode().splitlines(), out.decode().splitlines(), "written", "msgcat", lineterm="", n=1
        )
        pytest.fail(f"msgcat rewrites {path}:\n" + "\n".join(list(diff)[:40]))


def msgmerge(old_po: Path, pot: Path, out: Path) -> None:
    """``msgmerge --previous old.po new.pot`` (what Weblate's msgmerge add-on runs)."""
    proc = subprocess.run(
        [gettext_tool("msgmerge"), "--quiet", "--previous", "-o", str(out), str(old_po), str(pot)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def msgfmt_check(path: Path) -> str:
    """``msgfmt -c`` must accept the file; returns its warnings."""
    command = [gettext_tool("msgfmt"), "-c", "-o", "/dev/null", str(path)]
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr
