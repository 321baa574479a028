"""A LibreTranslate server as an engine: one shared translation server for a whole newsroom,
or a pool of them for archives beyond one machine.

Glossary masking, QA and catalogs stay on the editor's machine (masking happens before the
request, so the server only ever sees placeholders). What crosses the network is batched: many
sentences per `/translate` request (``q`` as a list), a few requests in flight at once, retries
with exponential backoff on connection errors, timeouts, 429 and 5xx. Every answered batch is
handed to `done` at once, so the translation cache keeps partial progress when a server fails
half-way and the next run sends only what is missing.

A pool (``urls = [...]`` in the engine's table, `ServerPool`): servers that run the same models.
Each batch goes to the next live server in turn (round-robin), at most `concurrency` requests
in flight per server. Health:

- at start, every server is asked ``GET /languages`` at once (in parallel, each within
  `timeout`); one that does not answer is left out for now and one that lacks the language pair
  for the whole run, each with a warning line; when none is usable the run stops with one line
  naming every server and why (after `retries` more rounds with backoff if none answered);
- a server whose connection fails while it holds a batch (refused, reset, cut off, past the
  deadline) is marked down at once, without retries, and that batch goes to the next live
  server: nothing is lost. One that keeps answering 408, 429 or 5xx gets its `retries` first.
  A warning line says which server went down and who takes its work;
- a down server rests `cooldown` seconds (`COOLDOWN`), then is probed with ``GET /languages``
  in the background; once it answers (and offers the pair) it gets batches again;
- the last live server of a pool is never marked down: it gets the retries a single server gets,
  and its failure ends the run with the single server's message. A one-server config is a pool
  of one and behaves exactly as before pools existed.

Health is shared by the engines of a process (`_SERVERS`): a server found down while translating
one language is not waited for again by the next.

What drafts record (`model_id`, the ``MT:`` line, also the cache key): a pool is named by its
FIRST URL, ``libretranslate:<first URL without credentials>:<pair>``, whichever server
answered. So turning ``url = A`` into ``urls = [A, B]`` keeps every draft and cache entry A made
(the pool's servers run the same models: that is what a pool is), adding or removing a later
server changes nothing, and putting another server first names another engine (its drafts
are redone). A pool whose servers run different models should not be a pool.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from toolkit.config import EngineSpec, redact_userinfo
from toolkit.errors import ToolkitError, warn
from toolkit.mt.types import Hypothesis, SentenceTranslation, clean_text, printable

RETRY_STATUS = {408, 429, 500, 502, 503, 504}
# The largest answer read for one request. A batch of 32 sentences with alternatives is a few
# KB; anything near this is not a translation. Larger answers are refused, not retried.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_ERROR_BYTES = 64 * 1024  # of an HTTP error's body: only its message is shown
COOLDOWN = 30.0  # seconds a down server of a pool rests before it is probed again
_READ_SIZE = 1 << 16
Done = Callable[[Sequence[str], Sequence[SentenceTranslation]], None]


class _TooLarge(Exception):
    """An answer over MAX_RESPONSE_BYTES (stated by Content-Length, or found while reading)."""


class _Unavailable(ToolkitError):
    """No usable answer after the tries: connection failures, timeouts, 408/429/5xx. `reason`
    says it briefly ("connection refused", "HTTP 503 ..."); the message is the full line."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


class _Failover(Exception):
    """The pool took the server out while it held a batch: the batch goes to the next server."""


@dataclass(eq=False)
class Server:
    """One server: where requests go, the Basic auth from its URL, what messages show, its health.

    `down_until` is None while it is live, else when (time.monotonic) it may be probed again.
    """

    url: str  # as messages and tables show it: without credentials
    base: str  # where requests go (no user:password@)
    authorization: str | None  # HTTP Basic, from the URL's user:password@
    down_until: float | None = None
    probing: bool = False


_SERVERS: dict[str, Server] = {}  # by the configured URL: one health per server and process
_HEALTH = threading.Condition()  # guards every Server's health and every pool's counters


def _server(url: str) -> Server:
    url = url.rstrip("/")
    with _HEALTH:
        if url not in _SERVERS:
            base, authorization = _split_credentials(url)
            _SERVERS[url] = Server(redact_userinfo(url), base, authorization)
        return _SERVERS[url]


class ServerPool:
    """The servers of one engine and pair: round-robin over the live ones, `concurrency`
    requests in flight per server, a down server probed by `probe` after `cooldown` seconds.

    `probe(server)` -> ("live" | "down" | "unusable", why); an "unusable" server (it lacks the
    pair) leaves the pool. What happens is said in `notices`, for the caller to show.
    """

    def __init__(self, servers: Iterable[Server], concurrency: int, cooldown: float,
                 probe: Callable[[Server], tuple[str, str]]):
        self.servers = list(servers)
        self.concurrency = concurrency
        self.cooldown = cooldown
        self._probe = probe
        self._busy = {s: 0 for s in self.servers}
        self.answered = {s: 0 for s in self.servers}  # /translate batches each server answered
        self._next = 0  # where the round-robin goes on
        self.notices: queue.SimpleQueue[str] = queue.SimpleQueue()

    def live(self) -> list[Server]:
        with _HEALTH:
            return [s for s in self.servers if s.down_until is None]

    def acquire(self, stop: threading.Event) -> Server | None:
        """The next live server with a free slot (waiting for one), or None once `stop` is set."""
        with _HEALTH:
            while not stop.is_set():
                self._probe_rested()
                live = [s for s in self.servers if s.down_until is None] or self.servers
                for k in range(len(self.servers)):
                    server = self.servers[(self._next + k) % len(self.servers)]
                    if server in live and self._busy[server] < self.concurrency:
                        self._next = (self._next + k + 1) % len(self.servers)
                        self._busy[server] += 1
                        return server
                _HEALTH.wait(0.1)  # timed: `stop` and rested servers are seen
        return None

    def release(self, server: Server, *, answered: bool = False) -> None:
        with _HEALTH:
            self._busy[server] -= 1
            self.answered[server] += answered
            _HEALTH.notify_all()

    def take_out(self, server: Server, why: str) -> bool:
        """Mark `server` down after a failure, when another server of the pool is live: True,
        and the batch it held goes to another. False for the last live server (it is never
        taken out: it gets the retries a single server gets)."""
        with _HEALTH:
            others = [s for s in self.servers if s is not server and s.down_until is None]
            if not others:
                return False
            if server.down_until is None:  # the first to find it down says so
                server.down_until = time.monotonic() + self.cooldown
                self.notices.put(f"LibreTranslate at {server.url} is down ({why}): its batches go to "
                                 f"{', '.join(s.url for s in others)}; it is probed again in "
                                 f"{self.cooldown:g} s")
            _HEALTH.notify_all()
            return True

    def _probe_rested(self) -> None:
        """Start a background probe of each down server whose cool-down is over (lock held)."""
        now = time.monotonic()
        for server in self.servers:
            if server.down_until is not None and server.down_until <= now and not server.probing:
                server.probing = True
                threading.Thread(target=self._run_probe, args=(server,), name="libretranslate-probe",
                                 daemon=True).start()

    def _run_probe(self, server: Server) -> None:
        try:
            state, why = self._probe(server)
        except BaseException as exc:  # a probe that breaks is a failed probe
            state, why = "down", printable(str(exc))
        with _HEALTH:
            server.probing = False
            if state == "live":
                server.down_until = None
                self.notices.put(f"LibreTranslate at {server.url} answers again: it gets batches again")
            elif state == "unusable" and len(self.servers) > 1 and server in self.servers:
                self.servers.remove(server)
                self.notices.put(f"{why}: not used for this language")
            else:
                server.down_until = time.monotonic() + self.cooldown
            _HEALTH.notify_all()

    def take_notices(self) -> list[str]:
        said = []
        while True:
            try:
                said.append(self.notices.get_nowait())
            except queue.Empty:
                return said


class LibreTranslateEngine:
    """The client for one server (or a pool of them) and one language pair.

    `calls` counts HTTP requests answered; `pool.answered` the batches per server.
    """

    beam_size = None  # the server decides
    streams_results = True  # translate() reports each answered batch through `done`

    def __init__(self, spec: EngineSpec, from_code: str, to_code: str, *, backoff: float = 0.5,
                 cooldown: float = COOLDOWN):
        servers = [_server(url) for url in spec.servers()] or [_server("")]
        self.url = servers[0].url  # the pool's name (messages of a single server show it)
        self.from_code, self.to_code = from_code, to_code
        self.spec = spec
        self.backoff = backoff
        self.cooldown = cooldown
        self.calls = 0
        self.model_id = libretranslate_model_id(spec, from_code, to_code)
        if len(servers) == 1:
            self._check_pair(servers[0])
        else:
            servers = self._start_pool(servers)
        self.pool = ServerPool(servers, spec.concurrency, self.cooldown, self._health)

    # -- protocol ---------------------------------------------------------------------------

    def tokenize(self, sentence: str) -> list[str]:
        """An estimate of model tokens (words and punctuation): the server's tokenizer is remote."""
        return re.findall(r"\w+|[^\w\s]", sentence)

    def unload(self) -> None:
        """Nothing is loaded here."""

    def answered_by(self) -> dict[str, int]:
        """The /translate batches each server answered (by its URL as messages show it)."""
        return {server.url: n for server, n in self.pool.answered.items()}

    def translate(
        self, sentences: Sequence[str], *, num_hypotheses: int = 1, done: Done | None = None
    ) -> list[SentenceTranslation]:
        """All sentences, `batch_size` per request, `concurrency` requests at once per server.

        Batches already answered reach `done` (in the calling thread) even when a later one
        fails; the first failure is raised once every request in flight has ended. A batch
        whose server went down goes to the next live one (`ServerPool`), and a warning line
        says so. The requests run in daemon threads: a KeyboardInterrupt in the caller returns
        at once and leaves them.
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
                    texts = [sentences[i] for i in chunk]
                    while True:  # until a server answers it, or the run fails
                        server = self.pool.acquire(stop)
                        if server is None:
                            return
                        try:
                            answer = self._translate_chunk(server, texts, num_hypotheses)
                        except _Failover:
                            self.pool.release(server)
                            continue  # to the next live server
                        except BaseException as exc:  # raised again in the caller's thread
                            self.pool.release(server)
                            answers.put((chunk, None, exc))
                        else:
                            self.pool.release(server, answered=True)  # counted before `done` sees it
                            answers.put((chunk, answer, None))
                        break
            finally:
                answers.put(None)  # this worker has ended

        running = min(self.spec.concurrency * len(self.pool.servers), len(chunks))
        for _ in range(running):
            threading.Thread(target=work, name="libretranslate-batch", daemon=True).start()
        results: list[SentenceTranslation | None] = [None] * len(sentences)
        failure: BaseException | None = None
        try:
            while running:
                self._say(self.pool.take_notices())
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
        self._say(self.pool.take_notices())
        if failure is not None:
            raise failure
        return [r for r in results if r is not None]

    # -- answers ----------------------------------------------------------------------------

    def _translate_chunk(self, server: Server, texts: list[str], num_hypotheses: int
                         ) -> list[SentenceTranslation]:
        body: dict = {"q": texts, "source": self.from_code, "target": self.to_code, "format": "text"}
        if num_hypotheses > 1:
            body["alternatives"] = num_hypotheses - 1
        data = self._request(server, "/translate", body, failover=True)
        translated = data.get("translatedText") if isinstance(data, dict) else None
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise _unexpected(server, f"expected {len(texts)} translations", data)
        for n, text in enumerate(translated, 1):
            if not isinstance(text, str):
                raise _unexpected(server, f"translation {n} of {len(texts)} is {_kind(text)}, not text", data)
        alternatives: list = [[] for _ in texts]
        if num_hypotheses > 1 and data.get("alternatives") is not None:
            alternatives = data["alternatives"]
            if not (isinstance(alternatives, list) and len(alternatives) == len(texts) and all(
                    alts is None or (isinstance(alts, list) and all(isinstance(a, str) for a in alts))
                    for alts in alternatives)):
                raise _unexpected(server, f"alternatives must be {len(texts)} lists of texts", data)
        out = []
        for main, alts in zip(translated, alternatives, strict=True):
            texts_ = list(dict.fromkeys(clean_text(t) for t in [main, *(alts or [])]))
            # no scores from the server: keep its order, best first
            out.append(SentenceTranslation(tuple(Hypothesis(t, -float(r)) for r, t in enumerate(texts_))))
        return out

    # -- HTTP -------------------------------------------------------------------------------

    def _request(self, server: Server, path: str, body: dict | None = None, *,
                 tries: int | None = None, failover: bool = False):
        """One request with retries; returns the decoded JSON or raises one clear ToolkitError.

        With `failover` (a pool's batch), a connection failure, or a 408/429/5xx once the tries
        are spent, takes the server out of the pool (`_Failover`) unless it is the last live one.
        """
        url = server.base + path
        payload = None
        if body is not None:
            if self.spec.api_key:
                body = {**body, "api_key": self.spec.api_key}
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        tries = self.spec.retries + 1 if tries is None else tries
        for attempt in range(tries):
            request = urllib.request.Request(url, data=payload, headers=headers,
                                             method="POST" if payload is not None else "GET")
            if server.authorization:  # never sent on to where a redirect points
                request.add_unredirected_header("Authorization", server.authorization)
            try:
                status, reason, retry_after, raw = self._exchange(request)
            except _TooLarge:
                raise ToolkitError(
                    f"LibreTranslate at {server.url} sent more than {MAX_RESPONSE_BYTES // 2**20} MiB "
                    f"in answer to {path} (the limit per request); lower batch_size for this engine"
                ) from None
            except (TimeoutError, OSError, http.client.HTTPException, ValueError) as exc:
                why = self._reason(exc)
                if failover and self.pool.take_out(server, why):
                    raise _Failover from None
                if attempt + 1 < tries:
                    self._sleep(attempt, None)
                    continue
                raise _Unavailable(f"LibreTranslate at {server.url} is unreachable ({why}) after {tries} "
                                   "tries; what was translated is kept in the cache", why) from None
            if 200 <= status < 300:
                self.calls += 1
                return self._decode(server, raw, path)
            message = _error_message(raw, reason)
            if status in RETRY_STATUS and attempt + 1 < tries:
                self._sleep(attempt, retry_after)
                continue
            if status in RETRY_STATUS and failover and self.pool.take_out(server, f"HTTP {status} {message}"):
                raise _Failover
            hint = {403: " (check the API key: --engine spec api_key_env, or LIBRETRANSLATE_API_KEY)",
                    429: " (the server's rate limit; lower concurrency or ask for an API key)"}
            if status == 400 and "limit" in message:
                hint[400] = " (the server's limits: lower batch_size for this engine)"
            line = (f"LibreTranslate at {server.url} refused {path}: HTTP {status} {message}"
                    f"{hint.get(status, '')}" + (f" after {tries} tries" if status in RETRY_STATUS else ""))
            if status in RETRY_STATUS:
                raise _Unavailable(line, f"HTTP {status} {message}")
            raise ToolkitError(line)
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

    def _decode(self, server: Server, raw: bytes, path: str):
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ToolkitError(f"LibreTranslate at {server.url} answered {path} with something "
                               f"that is not JSON: {raw[:120]!r}") from None

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = self.backoff * (2**attempt) * (1 + random.random() / 2)
        if retry_after and re.fullmatch(r"[0-9]{1,6}", retry_after.strip()):
            delay = max(delay, min(float(retry_after), 60.0))
        time.sleep(delay)

    @staticmethod
    def _say(notices: list[str]) -> None:
        for notice in notices:  # in the caller's thread: one `warning:` line each in the CLI
            warn(notice)

    # -- health -----------------------------------------------------------------------------

    def _check_pair(self, server: Server) -> None:
        """A single server: fail before any work if it is down or lacks the pair."""
        problem = self._pair_problem(server, self._request(server, "/languages"))
        if problem is not None:
            raise ToolkitError(problem)

    def _health(self, server: Server) -> tuple[str, str]:
        """One ``GET /languages`` within the deadline: ("live", ""), ("down", why) when the server
        does not answer (or answers 408/429/5xx), ("unusable", the line) for anything else."""
        try:
            problem = self._pair_problem(server, self._request(server, "/languages", tries=1))
        except _Unavailable as exc:
            return "down", exc.reason
        except ToolkitError as exc:
            return "unusable", str(exc)
        return ("live", "") if problem is None else ("unusable", problem)

    def _start_pool(self, servers: list[Server]) -> list[Server]:
        """A pool at start: every server checked at once; the live ones and those that did not
        answer (probed again later) stay, each left out with a warning; none live: one error."""
        tries = self.spec.retries + 1
        now = time.monotonic()
        # a server this process already found down is not waited for again before its cool-down
        candidates = [s for s in servers if s.down_until is None or s.down_until <= now] or servers
        health: dict[Server, tuple[str, str]] = {}
        rounds = 0
        while candidates and rounds < tries:
            if rounds:
                self._sleep(rounds - 1, None)
            health.update(zip(candidates, _in_parallel(self._health, candidates), strict=True))
            rounds += 1
            if any(state == "live" for state, _ in health.values()):
                break
            candidates = [s for s in servers if health.get(s, ("down", ""))[0] == "down"]
        with _HEALTH:
            for server, (state, _) in health.items():
                server.down_until = None if state == "live" else time.monotonic() + self.cooldown
        pair = f"{self.from_code} -> {self.to_code}"
        if not any(state == "live" for state, _ in health.values()):
            said = [why if state == "unusable" else f"{s.url} is unreachable ({why}) after {rounds} tries"
                    for s, (state, why) in health.items()]
            raise ToolkitError(f"no LibreTranslate server can translate {pair}: {'; '.join(said)}")
        for server, (state, why) in health.items():
            if state == "down":
                warn(f"LibreTranslate at {server.url} is unreachable ({why}): not used for now, "
                     f"probed again in {self.cooldown:g} s")
            elif state == "unusable":
                warn(f"{why}: not used for {pair}")
        return [s for s in servers if health.get(s, ("down", ""))[0] != "unusable"]

    def _pair_problem(self, server: Server, languages: Any) -> str | None:
        """What keeps `server` from translating the pair, as one line, or None."""
        if not isinstance(languages, list):
            return (f"LibreTranslate at {server.url} gave an unexpected answer to /languages: "
                    f"{_excerpt(languages)}")
        for language in languages:
            if isinstance(language, dict) and language.get("code") == self.from_code:
                targets = language.get("targets") or []
                if not isinstance(targets, list):
                    return (f"LibreTranslate at {server.url} gave an unexpected answer to "
                            f"/languages (targets is not a list): {_excerpt(targets)}")
                if self.to_code in targets:
                    return None
                shown = printable(", ".join(map(str, targets)))
                return (f"LibreTranslate at {server.url} cannot translate {self.from_code} -> "
                        f"{self.to_code} (its targets: {shown or 'none'})")
        return f"LibreTranslate at {server.url} has no '{self.from_code}' source language"


def _in_parallel(function: Callable[[Server], Any], servers: Sequence[Server]) -> list:
    """`function` on every server at once (daemon threads, timed waits: Ctrl-C returns at once)."""
    answers: queue.SimpleQueue = queue.SimpleQueue()

    def run(n: int, server: Server) -> None:
        try:
            answers.put((n, function(server), None))
        except BaseException as exc:  # raised again in the caller's thread
            answers.put((n, None, exc))

    for n, server in enumerate(servers):
        threading.Thread(target=run, args=(n, server), name="libretranslate-health", daemon=True).start()
    results: dict[int, Any] = {}
    while len(results) < len(servers):
        try:
            n, value, exc = answers.get(timeout=0.5)
        except queue.Empty:
            continue
        if exc is not None:
            raise exc
        results[n] = value
    return [results[n] for n in range(len(servers))]


def _unexpected(server: Server, what: str, data: Any) -> ToolkitError:
    return ToolkitError(f"LibreTranslate at {server.url} gave an unexpected answer to /translate "
                        f"({what}): {_excerpt(data)}")


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
    """What drafts and cache keys name a server's pair by: its URL without credentials; a pool's
    by its first URL, whichever server answers (see the module docstring)."""
    first = (spec.servers() or ("",))[0]
    return f"libretranslate:{redact_userinfo(first.rstrip('/'))}:{from_code}-{to_code}"


def load_libretranslate_engine(spec: EngineSpec, from_code: str, to_code: str) -> LibreTranslateEngine:
    """A client per server (or pool) and pair, created once per process."""
    key = (spec, from_code, to_code)
    if key not in _CLIENTS:
        _CLIENTS[key] = LibreTranslateEngine(spec, from_code, to_code)
    return _CLIENTS[key]


_CLIENTS: dict[tuple[EngineSpec, str, str], LibreTranslateEngine] = {}
