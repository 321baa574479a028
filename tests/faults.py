"""Helpers for the fault-injection tests (tests/robustness/test_hostile_*.py).

The contract they check, for every hostile input: exactly one line on stderr, ``error: ...``,
naming the file (or server) and the field, exit status 1, no traceback, and nothing changed on
disk (`snapshot` before and after). `read_only` and `file_size_limit` make a folder unwritable
and a disk "full" without mocking anything in the toolkit.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under `root`, by relative path."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


# What a failed `toolkit translate` may leave in a workspace: the toolkit's own state folder under
# the locales (the translation memory index, brought up to date from the catalogs as any run does).
# Never a catalog, an article, or the lock file (removed on release).
RUN_STATE = ("locales/.toolkit/",)


def changed(before: dict, after: dict, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """Paths added, removed or modified, but those in `allowed` (a name ending in / allows a
    folder and everything in it) and the folders that hold them."""
    def ok(path: str) -> bool:
        return any(path == a.rstrip("/") or (a.endswith("/") and path.startswith(a))
                   or a.startswith(path + "/") for a in allowed)

    return sorted(k for k in before.keys() | after.keys()
                  if before.get(k, 0) != after.get(k, 0) and not ok(k))


def one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    """Assert the one-line contract and that each needle is in the line; returns the line."""
    assert result.returncode == 1, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert line.startswith("error: "), line
    assert "\x1b" not in line and "\x07" not in line, repr(line)
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120,
        file_size_limit: int | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess; `file_size_limit` (bytes) makes every larger write fail
    with EFBIG, as a full disk would (RLIMIT_FSIZE: it applies to root too)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["COLUMNS"] = "200"

    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([sys.executable, "-m", "toolkit", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd, timeout=timeout, preexec_fn=limit)


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder` made read-only: chmod for a normal user; for root (whom permissions do not stop)
    a read-only bind mount, or the test is skipped where mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield folder
        finally:
            folder.chmod(mode)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("running as root and cannot mount: no way to make a folder read-only")
    try:
        remount = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip("cannot remount read-only")
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)


@contextmanager
def tiny_filesystem(folder: Path, size: str = "1m") -> Iterator[Path]:
    """A real, nearly full filesystem at `folder` (tmpfs), or the test is skipped."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], capture_output=True)
