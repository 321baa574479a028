"""Atomic file writes: a reader (or a crash) only ever sees the old file or the new one."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from toolkit.errors import ToolkitError


def read_bytes(path: str | Path, kind: str = "file", *, missing: str | None = None) -> bytes:
    """A file's bytes, or one ToolkitError naming it: missing, a folder, or unreadable."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ToolkitError(missing or f"no such {kind}", path=path) from None
    except IsADirectoryError:
        raise ToolkitError(f"is a directory, not a {kind}", path=path) from None
    except OSError as exc:
        raise ToolkitError(f"cannot read: {exc.strerror or exc}", path=path) from None


def decode_utf8(data: bytes, path: str | Path, advice: str = "save the file as UTF-8") -> str:
    """UTF-8 text, or one ToolkitError with the line and byte where decoding failed."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ToolkitError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); {advice}",
            path=path,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, rename over `path`, fsync the folder.

    An existing file keeps its permissions; a new one gets 0644 less the umask. A file that
    already holds exactly `data` is left alone, mtime and all: a re-run of an unchanged article
    (or the resumed half of an archive) touches nothing, so site builders and rsync see no change.
    """
    path = Path(path)
    if _holds(path, data):
        return
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o644 & ~umask
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
        _fsync_directory(path.parent)
        _remove_stale_temps(path)
    except OSError as exc:
        raise ToolkitError(f"cannot write file: {exc.strerror or exc}", path=path) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


STALE_TEMP_SECONDS = 600


def _remove_stale_temps(path: Path) -> None:
    """Temp files of writes killed before their rename (SIGKILL, power loss), once they are old.

    A running writer's temp file is seconds old, so only leftovers are removed.
    """
    import time

    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except OSError:
            pass  # gone already, or not ours to remove: harmless


def _holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file with exactly these bytes (read only when sizes agree)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Text variant; newlines are written exactly as given (no platform translation)."""
    atomic_write_bytes(path, text.encode(encoding))


def check_writable_folder(path: str | Path, what: str) -> None:
    """Fail before any work when `path` cannot be (or become) a folder this run writes into: a
    file in its place (or above it), or a read-only folder. Creates nothing."""
    path = Path(path)
    for existing in (path, *path.parents):
        if not existing.exists():
            continue
        if not existing.is_dir():
            raise ToolkitError(f"is a file, not a folder: cannot use {path} as the {what} folder",
                               path=existing)
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ToolkitError(f"folder is not writable: cannot use {path} as the {what} folder",
                               path=existing)
        return


@contextmanager
def locked(directory: str | Path, *, wait: float = 0.0):
    """An exclusive lock on a folder (a `.toolkit.lock` file in it) for one writer at a time.

    A second `toolkit translate` on the same locales waits up to `wait` seconds, then fails
    clearly instead of interleaving its writes with the first one's. The lock file is removed
    on release (and folders the lock had to create, when they stayed empty): a failed run leaves
    the workspace as it found it. A waiter that locked a file already unlinked retries on the
    new one, so removing it never lets two writers in.
    """
    import fcntl
    import time

    directory = Path(directory)
    check_writable_folder(directory, "catalogs")
    created = [p for p in (directory, *directory.parents) if not p.exists()]
    path = directory / ".toolkit.lock"
    deadline = time.monotonic() + wait
    while True:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a+")  # noqa: SIM115 -- closed below; the open itself can fail
        except OSError as exc:
            raise ToolkitError(f"cannot write the lock file: {exc.strerror or exc}", path=path) from None
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            if time.monotonic() >= deadline:
                raise ToolkitError(
                    "another toolkit run is writing these catalogs; try again when it has finished",
                    path=directory,
                ) from None
            time.sleep(0.2)
            continue
        try:
            same = os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        fh.close()  # the holder removed this file as we locked it: lock the current one
    with fh:
        try:
            yield
        finally:
            path.unlink(missing_ok=True)  # before unlocking: a waiter then sees a new inode
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            for folder in created:  # deepest first; one a run wrote into stays
                try:
                    folder.rmdir()
                except OSError:
                    break


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where a folder cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
