"""A LibreTranslate server as an engine: one shared translation server for a whole newsroom.

Glossary masking, QA and catalogs stay on the editor's machine (masking happens before the
request, so the server only ever sees placeholders). What crosses the network is batched: many
sentences per `/translate` request (``q`` as a list), a few requests in flight at once, retries
with exponential backoff on connection errors, timeouts, 429 and 5xx. Every answered batch is
handed to `done` at once, so the translation cache keeps partial progress when a server fails
half-way and the next run sends only what is missing.

A server is not trusted: `timeout` is a deadline for the whole answer of one request (a server
that sends one byte a second cannot hold a run), an answer over `MAX_RESPONSE_BYTES` is refused
without being read whole, badly typed answers are one clear error, control characters and NUL
are removed from translations (`clean_text`), a password in the URL is sent as HTTP Basic auth
and never shown (`redact_userinfo`), and each request runs in a daemon thread that a Ctrl-C
abandons at once instead of waiting for the server.

API (LibreTranslate's published spec): ``GET /languages`` -> ``[{"code", "name", "targets"}]``;
``POST /translate`` with JSON ``{"q": [...], "source", "target", "format": "text",
"alternatives": n, "api_key"}`` -> ``{"translatedText": [...], "alternatives": [[...], ...]}``;
errors are ``{"error": "..."}`` with HTTP 400, 403, 429 or 5xx.
"""

from __future__ import annotations

import base64
import http.client
import json
import queue
import random
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from toolkit.config import EngineSpec, redact_userinfo
from toolkit.errors import ToolkitError
from toolkit.mt.types import Hypothesis, SentenceTranslation, clean_text, printable

RETRY_STATUS = {408, 429, 500, 502, 503, 504}
# The largest answer read for one request. A batch of 32 sentences with alternatives is a few
# KB; anything near this is not a translation. Larger answers are refused, not retried.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024  # of an HTTP error's body: only its message is shown
_READ_SIZE = 1 << 16
Done = Callable[[Sequence[str], Sequence[SentenceTranslation]], None]


class _TooLarge(Exception):
    """An answer over MAX_RESPONSE_BYTES (stated by Content-Length, or found while reading)."""


class LibreTranslateEngine:
    """The client for one server and language pair. `calls` counts HTTP requests answered."""

    beam_size = None  # the server decides
    streams_results = True  # translate() reports each answered batch through `done`

    def __init__(self, spec: EngineSpec, from_code: str, to_code: str, *, backoff: float = 0.5):
        self.url = redact_userinfo((spec.url or "").rstrip("/"))  # what messages and catalogs show
        self._base, self._authorization = _split_credentials((spec.url or "").rstrip("/"))
        self.from_code, self.to_code = from_code, to_code
        self.spec = spec
        self.backoff = backoff
        self.calls = 0
        self.model_id = libretranslate_model_id(spec, from_code, to_code)
        self._check_pair()

    # -- protocol ---------------------------------------------------------------------------

    def tokenize(self, sentence: str) -> list[str]:
        """An estimate of model tokens (words and punctuation): the server's tokenizer is remote."""
        return re.findall(r"\w+|[^\w\s]", sentence)

    def unload(self) -> None:
        """Nothing is loaded here."""

    def translate(
        self, sentences: Sequence[str], *, num_hypotheses: int = 1, done: Done | None = None
    ) -> list[SentenceTranslation]:
        """All sentences, `batch_size` per request, `concurrency` requests at once.

        Batches already answered reach `done` (in the calling thread) even when a later one
        fails; the first failure is raised once every request in flight has ended. The requests
        run in daemon threads: a KeyboardInterrupt in the caller returns at once and leaves them.
        """
        if not sentences:
            return []
        size = self.spec.batch_size
        chunks = [list(range(i, min(i + size, len(sentences)))) for i in range(0, len(sentences), size)]
        todo: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        for chunk in chunks:
            todo.put(chunk)
        answers: queue.SimpleQueue = queue.SimpleQueue()
        stop = threading.Event()  # after a failure: send no more batches

        def work() -> None:
            try:
                while not stop.is_set():
                    try:
                        chunk = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        answer = self._translate_chunk([sentences[i] for i in chunk], num_hypotheses)
                    except BaseException as exc:  # raised again in the caller's thread
                        answers.put((chunk, None, exc))
                    else:
                        answers.put((chunk, answer, None))
            finally:
                answers.put(None)  # this worker has ended

        running = min(self.spec.concurrency, len(chunks))
        for _ in range(running):
            threading.Thread(target=work, name="libretranslate-batch", daemon=True).start()
        results: list[SentenceTranslation | None] = [None] * len(sentences)
        failure: BaseException | None = None
        try:
            while running:
                try:
                    item = answers.get(timeout=0.5)  # a timed wait: Ctrl-C is delivered at once
                except queue.Empty:
                    continue
                if item is None:
                    running -= 1
                    continue
                chunk, answer, exc = item
                if exc is not None:
                    if failure is None:
                        failure = exc
                        stop.set()
                    continue
                for i, translation in zip(chunk, answer, strict=True):
                    results[i] = translation
                if done is not None:
                    done([sentences[i] for i in chunk], answer)
        finally:
            stop.set()
        if failure is not None:
            raise failure
        return [r for r in results if r is not None]

    # -- answers ----------------------------------------------------------------------------

    def _translate_chunk(self, texts: list[str], num_hypotheses: int) -> list[SentenceTranslation]:
        body: dict = {"q": texts, "source": self.from_code, "target": self.to_code, "format": "text"}
        if num_hypotheses > 1:
            body["alternatives"] = num_hypotheses - 1
        data = self._request("/translate", body)
        translated = data.get("translatedText") if isinstance(data, dict) else None
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise self._unexpected(f"expected {len(texts)} translations", data)
        for n, text in enumerate(translated, 1):
            if not isinstance(text, str):
                raise self._unexpected(f"translation {n} of {len(texts)} is {_kind(text)}, not text", data)
        alternatives: list = [[] for _ in texts]
        if num_hypotheses > 1 and data.get("alternatives") is not None:
            alternatives = data["alternatives"]
            if not (isinstance(alternatives, list) and len(alternatives) == len(texts) and all(
                    alts is None or (isinstance(alts, list) and all(isinstance(a, str) for a in alts))
                    for alts in alternatives)):
                raise self._unexpected(f"alternatives must be {len(texts)} lists of texts", data)
        out = []
        for main, alts in zip(translated, alternatives, strict=True):
            texts_ = list(dict.fromkeys(clean_text(t) for t in [main, *(alts or [])]))
            # no scores from the server: keep its order, best first
            out.append(SentenceTranslation(tuple(Hypothesis(t, -float(r)) for r, t in enumerate(texts_))))
        return out

    def _unexpected(self, what: str, data: Any) -> ToolkitError:
        return ToolkitError(f"LibreTranslate at {self.url} gave an unexpected answer to /translate "
                            f"({what}): {_excerpt(data)}")

    # -- HTTP -------------------------------------------------------------------------------

    def _request(self, path: str, body: dict | None = None):
        """One request with retries; returns the decoded JSON or raises one clear ToolkitError."""
        url = self._base + path
        payload = None
        if body is not None:
            if self.spec.api_key:
                body = {**body, "api_key": self.spec.api_key}
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        tries = self.spec.retries + 1
        for attempt in range(tries):
            request = urllib.request.Request(url, data=payload, headers=headers,
                                             method="POST" if payload is not None else "GET")
            if self._authorization:  # never sent on to where a redirect points
                request.add_unredirected_header("Authorization", self._authorization)
            try:
                status, reason, retry_after, raw = self._exchange(request)
            except _TooLarge:
                raise ToolkitError(
                    f"LibreTranslate at {self.url} sent more than {MAX_RESPONSE_BYTES // 2**20} MiB "
                    f"in answer to {path} (the limit per request); lower batch_size for this engine"
                ) from None
            except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
                if attempt + 1 < tries:
                    self._sleep(attempt, None)
                    continue
                raise ToolkitError(f"LibreTranslate at {self.url} is unreachable ({self._reason(exc)}) "
                                   f"after {tries} tries; what was translated is kept in the cache") from None
            if 200 <= status < 300:
                self.calls += 1
                return self._decode(raw, path)
            message = _error_message(raw, reason)
            if status in RETRY_STATUS and attempt + 1 < tries:
                self._sleep(attempt, retry_after)
                continue
            hint = {403: " (check the API key: --engine spec api_key_env, or LIBRETRANSLATE_API_KEY)",
                    429: " (the server's rate limit; lower concurrency or ask for an API key)"}
            if status == 400 and "limit" in message:
                hint[400] = " (the server's limits: lower batch_size for this engine)"
            raise ToolkitError(f"LibreTranslate at {self.url} refused {path}: HTTP {status} "
                               f"{message}{hint.get(status, '')}"
                               + (f" after {tries} tries" if status in RETRY_STATUS else ""))
        raise AssertionError("unreachable")

    def _exchange(self, request: urllib.request.Request) -> tuple[int, str, str | None, bytes]:
        """(status, reason, Retry-After, body) within `timeout` seconds for the whole exchange.

        The exchange runs in a daemon thread; this thread only waits for it, up to the deadline
        (a timed wait, so a Ctrl-C interrupts it). A server that is still sending at the
        deadline is abandoned: the thread stops at its next read.
        """
        deadline = time.monotonic() + self.spec.timeout
        box: dict[str, Any] = {}
        finished = threading.Event()

        def run() -> None:
            try:
                box["answer"] = _fetch(request, deadline)
            except BaseException as exc:  # handed to the waiting thread
                box["error"] = exc
            finally:
                finished.set()

        threading.Thread(target=run, name="libretranslate-request", daemon=True).start()
        while not finished.wait(min(0.5, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise TimeoutError("deadline")
        if "error" in box:
            raise box["error"]
        return box["answer"]

    def _reason(self, exc: BaseException) -> str:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return f"no answer within {self.spec.timeout:g} s"
        if isinstance(exc, http.client.IncompleteRead):
            return "the answer was cut off"
        return printable(redact_userinfo(str(reason) or type(exc).__name__))

    def _decode(self, raw: bytes, path: str):
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ToolkitError(f"LibreTranslate at {self.url} answered {path} with something "
                               f"that is not JSON: {raw[:120]!r}") from None

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt) * (1 + random.random() / 2)
        if retry_after and re.fullmatch(r"[0-9]{1,6}", retry_after.strip()):
            delay = max(delay, min(float(retry_after), 60.0))
        time.sleep(delay)

    def _check_pair(self) -> None:
        """Fail before any work if the server is down or lacks the pair."""
        languages = self._request("/languages")
        if not isinstance(languages, list):
            raise ToolkitError(f"LibreTranslate at {self.url} gave an unexpected answer to /languages: "
                               f"{_excerpt(languages)}")
        for language in languages:
            if isinstance(language, dict) and language.get("code") == self.from_code:
                targets = language.get("targets") or []
                if not isinstance(targets, list):
                    raise ToolkitError(f"LibreTranslate at {self.url} gave an unexpected answer to "
                                       f"/languages (targets is not a list): {_excerpt(targets)}")
                if self.to_code in targets:
                    return
                shown = printable(", ".join(map(str, targets)))
                raise ToolkitError(f"LibreTranslate at {self.url} cannot translate {self.from_code} -> "
                                   f"{self.to_code} (its targets: {shown or 'none'})")
        raise ToolkitError(f"LibreTranslate at {self.url} has no '{self.from_code}' source language")


def _fetch(request: urllib.request.Request, deadline: float) -> tuple[int, str, str | None, bytes]:
    """The HTTP exchange itself (in a daemon thread): an HTTP error status is an answer too."""
    timeout = max(0.05, deadline - time.monotonic())
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        try:
            body = _read(error, deadline, MAX_ERROR_BYTES, truncate=True)
        except Exception:  # the status is the message then
            body = b""
        finally:
            error.close()
        retry_after = error.headers.get("Retry-After") if error.headers else None
        return error.code, str(error.reason), retry_after, body
    with response:
        return response.status, str(response.reason), None, _read(response, deadline, MAX_RESPONSE_BYTES)


def _read(response, deadline: float, limit: int, *, truncate: bool = False) -> bytes:
    """At most `limit` bytes of a body, before the deadline; over it -> _TooLarge (or cut)."""
    length = (response.headers.get("Content-Length") or "").strip() if response.headers else ""
    if length.isascii() and length.isdigit() and int(length) > limit and not truncate:
        raise _TooLarge(int(length))
    parts, size = [], 0
    while True:
        if time.monotonic() >= deadline:
            raise TimeoutError("deadline")
        part = response.read1(_READ_SIZE) if hasattr(response, "read1") else response.read(_READ_SIZE)
        if not part:
            if length.isascii() and length.isdigit() and size < int(length) and not truncate:
                raise http.client.IncompleteRead(b"".join(parts), int(length) - size)  # cut off
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > limit:
            if truncate:
                return b"".join(parts)[:limit]
            raise _TooLarge(size)


def _split_credentials(url: str) -> tuple[str, str | None]:
    """A URL with ``user:password@`` -> (the URL without it, its HTTP Basic Authorization value)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode("ascii")
    return urlunsplit(parts._replace(netloc=host)), f"Basic {token}"


def _kind(value: Any) -> str:
    """What a JSON value is, as a message says it: null, a number, a list..."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    kinds = {int: "a number", float: "a number", list: "a list", dict: "an object"}
    return kinds.get(type(value), "something else")


def _excerpt(data: Any) -> str:
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = type(data).__name__
    return printable(text, 200)


def _error_message(raw: bytes, reason: str) -> str:
    try:
        data = json.loads(raw.decode("utf-8"))
        return printable(str(data.get("error") or data) if isinstance(data, dict) else str(data))
    except Exception:  # any body at all: the status line is still a message
        return printable(reason)


def libretranslate_model_id(spec: EngineSpec, from_code: str, to_code: str) -> str:
    """What drafts and cache keys name a server's pair by: its URL without credentials."""
    return f"libretranslate:{redact_userinfo((spec.url or '').rstrip('/'))}:{from_code}-{to_code}"


def load_libretranslate_engine(spec: EngineSpec, from_code: str, to_code: str) -> LibreTranslateEngine:
    """A client per server and pair, created once per process."""
    key = (spec, from_code, to_code)
    if key not in _CLIENTS:
        _CLIENTS[key] = LibreTranslateEngine(spec, from_code, to_code)
    return _CLIENTS[key]


_CLIENTS: dict[tuple[EngineSpec, str, str], LibreTranslateEngine] = {}
