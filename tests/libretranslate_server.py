"""Start a REAL LibreTranslate server for tests (plain helpers, no pytest fixtures).

The server is the `libretranslate` PyPI package, installed in its own venv by
``tools/install_libretranslate.sh`` (default ``<repo>/.venv-libretranslate``; another executable
can be named with ``TOOLKIT_TEST_LIBRETRANSLATE``). It runs on a free 127.0.0.1 port with only
the repository's pseudo-language fixture packages, fully offline:

- ``ARGOS_PACKAGES_DIR`` points at a folder holding the fixture ``.argosmodel`` packages
  (installed with ``toolkit.mt.packages.install_file``, the mechanism of conftest's
  ``installed_models``). LibreTranslate only fetches the Argos index and models at start when
  fewer than two packages are installed (or with ``--update-models``), so with the four fixture
  packages it never touches the network.
- Sentence splitting: argostranslate (the ``argos-translate-lt`` distribution LibreTranslate
  uses) splits with MiniSBD and loads ``<package>/minisbd/*.onnx`` when the package ships one;
  every fixture package ships ``minisbd/en.onnx`` (= ``tests/fixtures/sbd/en.onnx``), so no
  MiniSBD model is downloaded either.
- ``XDG_*`` homes, the working directory (LibreTranslate's default API-key database is the
  relative path ``db/api_keys.db``) and ``ARGOS_PACKAGE_INDEX`` (a closed port) are private to
  each server; inherited ``LT_*`` variables (LibreTranslate's env configuration) are dropped.

Usage::

    with libretranslate_server(packages_dir) as server:
        urllib.request.urlopen(server.url + "/languages")
"""

from __future__ import annotations

import html
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_MODELS = ROOT / "tests" / "fixtures" / "models"
FIXTURE_SBD = ROOT / "tests" / "fixtures" / "sbd" / "en.onnx"
LANGS = ("el", "ru", "de", "tr")
ENV_VAR = "TOOLKIT_TEST_LIBRETRANSLATE"
DEFAULT_EXECUTABLE = ROOT / ".venv-libretranslate" / "bin" / "libretranslate"
INSTALL_HINT = (
    f"LibreTranslate is not installed: run tools/install_libretranslate.sh "
    f"(installs it in {DEFAULT_EXECUTABLE.parent.parent}) or set {ENV_VAR} to a libretranslate executable"
)
# Options every test server gets: no web UI, no file uploads (they would share a folder in /tmp).
BASE_ARGS = ("--disable-web-ui", "--disable-files-translation", "--threads", "4")


class LibreTranslateNotInstalled(RuntimeError):
    """No libretranslate executable at $TOOLKIT_TEST_LIBRETRANSLATE or the default venv."""


class LibreTranslateStartError(RuntimeError):
    """The server exited or did not answer /languages in time (message has its output tail)."""


class _PortTaken(LibreTranslateStartError):
    """The free port found was taken by someone else before the server bound it."""


def find_executable() -> Path | None:
    """The libretranslate executable to test against, or None if it is not installed.

    ``$TOOLKIT_TEST_LIBRETRANSLATE`` wins when set (a missing file there is reported as not
    installed, never silently replaced by the default).
    """
    named = os.environ.get(ENV_VAR)
    candidate = Path(named) if named else DEFAULT_EXECUTABLE
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def require_executable(executable: str | Path | None = None) -> Path:
    if executable is not None:
        path = Path(executable)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise LibreTranslateNotInstalled(f"not an executable: {path}; {INSTALL_HINT}")
        return path
    found = find_executable()
    if found is None:
        raise LibreTranslateNotInstalled(INSTALL_HINT)
    return found


def install_fixture_packages(packages_dir: str | Path, langs: Iterable[str] = LANGS) -> Path:
    """Install the en->X fixture packages into ``packages_dir`` (created if needed).

    Uses ``toolkit.mt.packages.install_file`` like conftest's ``installed_models``, but in a child
    process: that function re-points argostranslate's module-level settings at
    ``ARGOS_PACKAGES_DIR``, and the test process must keep its own session folder.
    """
    packages_dir = Path(packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    files = [str(FIXTURE_MODELS / f"translate-en_{lang}.argosmodel") for lang in langs]
    code = (
        "import sys\nfrom toolkit.mt.packages import install_file\n"
        "for f in sys.argv[1:]:\n    install_file(f)\n"
    )
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages_dir))
    done = subprocess.run(
        [sys.executable, "-c", code, *files],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"installing fixture packages into {packages_dir} failed:\n{done.stderr}")
    return packages_dir


def installed_package_count(packages_dir: str | Path) -> int:
    return sum(1 for p in Path(packages_dir).iterdir() if (p / "metadata.json").is_file())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(packages_dir: Path, home: Path) -> dict[str, str]:
    """The server's environment: private homes, the given packages, no network index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LT_")}
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"), ("XDG_CONFIG_HOME", "config")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.update(
        ARGOS_PACKAGES_DIR=str(packages_dir),
        ARGOS_PACKAGE_INDEX="http://127.0.0.1:9/",  # closed port: never the internet
        ARGOS_CHUNK_TYPE="MINISBD",  # the default too; MiniSBD uses the packages' minisbd/en.onnx
        ARGOS_DEVICE_TYPE="cpu",
        ARGOS_DEBUG="0",
        PYTHONUNBUFFERED="1",
        PYTHONWARNINGS="ignore",
    )
    return env


@dataclass(frozen=True)
class LibreTranslateServer:
    """A running server: ``url`` is the base URL (no trailing slash)."""

    url: str
    port: int
    executable: Path
    packages_dir: Path
    home: Path  # the server's cwd and XDG homes
    log_path: Path  # its stdout + stderr
    process: subprocess.Popen

    @property
    def api_keys_db(self) -> Path:
        """Where ``--api-keys`` servers started by this helper keep their key database."""
        return self.home / "db" / "api_keys.db"

    def log_tail(self, lines: int = 40) -> str:
        return tail(self.log_path, lines)

    def translate_requests(self) -> int:
        """The /translate requests the server has answered, any status, from its own Prometheus
        counters (a server started with ``metrics=True``)."""
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as response:
            text = response.read().decode("utf-8")
        return int(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                       if line.startswith("libretranslate_http_request_duration_seconds_count{")
                       and 'endpoint="/translate"' in line))

    def kill(self) -> None:
        """Stop the server as a crash would (SIGKILL): requests in flight are cut, the port closes."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def add_api_key(self, key: str, req_limit: int = 600, char_limit: int | None = None) -> None:
        """Add a key with LibreTranslate's own ``ltmanage`` (server started with api_keys=True)."""
        ltmanage = self.executable.parent / "ltmanage"
        cmd = [str(ltmanage), "keys", "--api-keys-db-path", str(self.api_keys_db), "add", str(req_limit)]
        cmd += ["--key", key]
        if char_limit is not None:
            cmd += ["--char-limit", str(char_limit)]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.home, timeout=60)


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def languages_ready(url: str, timeout: float = 2.0) -> bool:
    """True once GET /languages answers 200 with a JSON list."""
    try:
        with urllib.request.urlopen(url + "/languages", timeout=timeout) as response:
            return response.status == 200 and isinstance(json.loads(response.read()), list)
    except (OSError, ValueError):
        return False


def _stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)


def _start_once(
    executable: Path, packages_dir: Path, home: Path, args: Sequence[str], timeout: float
) -> LibreTranslateServer:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = home / f"server-{port}.log"
    cmd = [str(executable), "--host", "127.0.0.1", "--port", str(port), *BASE_ARGS, *args]
    with open(log_path, "wb") as log:  # a file, not a pipe: the server logs every request
        process = subprocess.Popen(
            cmd,
            cwd=home,
            env=server_env(packages_dir, home),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LibreTranslateServer(url, port, executable, packages_dir, home, log_path, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = _PortTaken if "address already in use" in server.log_tail().lower() else None
            raise (error or LibreTranslateStartError)(
                f"LibreTranslate exited with status {process.returncode} before answering "
                f"{url}/languages\ncommand: {' '.join(cmd)}\n--- output tail ---\n{server.log_tail()}"
            )
        if languages_ready(url):
            return server
        time.sleep(0.1)
    _stop(process)
    raise LibreTranslateStartError(
        f"LibreTranslate did not answer {url}/languages within {timeout:.0f}s\n"
        f"command: {' '.join(cmd)}\n--- output tail ---\n{server.log_tail()}"
    )


@contextmanager
def libretranslate_server(
    packages_dir: str | Path | None = None,
    executable: str | Path | None = None,
    *,
    args: Sequence[str] = (),
    api_keys: bool = False,
    metrics: bool = False,
    timeout: float = 60.0,
    attempts: int = 3,
) -> Iterator[LibreTranslateServer]:
    """Run a real LibreTranslate server on a free 127.0.0.1 port; stop it on exit.

    ``packages_dir``: an ARGOS_PACKAGES_DIR with at least two packages (None: a temp folder with
    the four fixture packages). ``executable``: None means :func:`find_executable`. ``args``:
    extra LibreTranslate options (``--char-limit 40``, ``--batch-limit 2``, ...).
    ``api_keys=True`` adds ``--api-keys`` with the database in the server's private home (add
    keys with :meth:`LibreTranslateServer.add_api_key`). ``metrics=True`` adds ``--metrics``
    (its request counters: :meth:`LibreTranslateServer.translate_requests`). A start that fails
    because the free port was taken meanwhile is retried on a new port, ``attempts`` times in
    all; any other failure raises :class:`LibreTranslateStartError` at once.
    """
    exe = require_executable(executable)
    home = Path(tempfile.mkdtemp(prefix="libretranslate-test-"))
    try:
        if packages_dir is None:
            packages = install_fixture_packages(home / "packages")
        else:
            packages = Path(packages_dir)
        if installed_package_count(packages) < 2:
            # With fewer than two packages LibreTranslate downloads the Argos index and models.
            raise LibreTranslateStartError(
                f"{packages} holds fewer than two Argos packages; LibreTranslate would try to "
                "download models at start"
            )
        extra = list(args)
        if metrics:  # LibreTranslate keeps its counters in db/prometheus under its cwd
            (home / "db").mkdir(exist_ok=True)
            extra += ["--metrics"]
        if api_keys:
            (home / "db").mkdir(exist_ok=True)
            extra += ["--api-keys", "--api-keys-db-path", str(home / "db" / "api_keys.db")]
        error: LibreTranslateStartError | None = None
        for _ in range(max(1, attempts)):
            try:
                server = _start_once(exe, packages, home, extra, timeout)
            except _PortTaken as exc:
                error = exc
                continue
            try:
                yield server
            finally:
                _stop(server.process)
            return
        assert error is not None
        raise error
    finally:
        shutil.rmtree(home, ignore_errors=True)


# --- What the server answers for the pseudo-language fixture models ---------------------------


def split_sentences(text: str) -> list[str]:
    """Sentences as the server's argostranslate splits one paragraph (MiniSBD, fixture model)."""
    return _sentence_detector().sentences(text)


@lru_cache(maxsize=1)
def _sentence_detector():
    from minisbd import SBDetect

    return SBDetect(str(FIXTURE_SBD), use_gpu=False)


def improve_translation_formatting(source: str, translation: str) -> str:
    """LibreTranslate's post-editing of every ``text`` translation (and each alternative).

    Same rules as ``libretranslate.language.improve_translation_formatting`` (1.9.6) with its
    defaults, except the "salad" rule for one-word sources, which these helpers don't model:
    the last character is made the source's final punctuation, and case follows the source
    (all lower -> lower, all upper -> upper, else the first letter's case).
    """
    source = source.strip()
    if not source:
        return ""
    if not translation:
        return source
    punctuation = ["!", "?", ".", ",", ";", "。"]
    if source[-1] in punctuation:
        if translation[-1] != source[-1]:
            if translation[-1] in punctuation:
                translation = translation[:-1]
            translation += source[-1]
    elif translation[-1] in punctuation:
        translation = translation[:-1]
    if source.islower():
        return translation.lower()
    if source.isupper():
        return translation.upper()
    if source[0].islower():
        return translation[0].lower() + translation[1:]
    if source[0].isupper():
        return translation[0].upper() + translation[1:]
    return translation


def expected_output(text: str) -> str:
    """The server's ``translatedText`` for one ``q`` string in ``text`` format.

    argostranslate splits ``text`` into paragraphs at ``\\n`` and each paragraph into sentences,
    translates every sentence (= :func:`pseudo.expected_translation`) and joins the sentences
    of a paragraph with one space; LibreTranslate then applies
    :func:`improve_translation_formatting` to the whole string and ``html.unescape``.
    """
    from pseudo import expected_translation

    paragraphs = [
        " ".join(expected_translation(s) for s in split_sentences(p)) if p.strip() else ""
        for p in text.split("\n")
    ]
    return html.unescape(improve_translation_formatting(text, "\n".join(paragraphs)))
