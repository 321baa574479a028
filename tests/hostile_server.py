"""A hostile LibreTranslate for the fault-injection tests: every bad answer a server can give.

A real `http.server` on 127.0.0.1 (never another interface), bounded: it answers at most
`max_requests` requests and stops by itself after `max_seconds`, so a test that forgets it
cannot leave it running. ``GET /languages`` answers the en -> de pair; ``POST /translate``
answers in the way `mode` names (see `MODES`); "echo" is a well-behaved server that returns
each sentence as its own translation. `requests` records (path, JSON body, Authorization).

Usage::

    with hostile_server("drip") as server:
        run_cli("translate", ..., "--engine", f"libretranslate:{server.url}")
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

LANGUAGES = [{"code": "en", "name": "English", "targets": ["de"]},
             {"code": "de", "name": "German", "targets": ["en"]}]
DRIP_SECONDS = 1.5  # between two bytes of a dripped answer
HUGE_BYTES = 200 * 1024**2  # what the "huge" modes announce or stream
PLACEHOLDER = r"(⟦\d+⟧|ZX[A-Z]\d*Q|<\d+>)"  # the toolkit's placeholder styles


def _echo(body: dict) -> dict:
    q = body.get("q") or []
    q = q if isinstance(q, list) else [q]
    answer: dict = {"translatedText": list(q)}
    if body.get("alternatives"):
        answer["alternatives"] = [[f"{s} (alt)"] for s in q]
    return answer


# mode -> the JSON answer to /translate (a function of the request body), for the JSON modes
JSON_MODES = {
    "echo": _echo,
    "typed": lambda body: {"translatedText": list(body["q"]), "alternatives": 5},
    "null": lambda body: {"translatedText": [None for _ in body["q"]]},
    "number": lambda body: {"translatedText": [5 for _ in body["q"]]},
    "not-a-list": lambda body: {"translatedText": " ".join(body["q"])},
    "too-few": lambda body: {"translatedText": list(body["q"])[:-1]},
    "not-an-object": lambda body: ["\x1b[31mred", "\x1b]0;owned\x07"],
    "nul": lambda body: {"translatedText": [f"{s}\x00" for s in body["q"]]},
    "control": lambda body: {"translatedText": [f"\x1b[31m{s}\x07\x08\x7f\x9b\ud800" for s in body["q"]]},
    "escape-error": None,  # HTTP 500 {"error": "<escape codes>"}
    # each sentence with its first placeholder (⟦0⟧, ZXAQ, <0>) repeated at the end, or all cut short
    "repeat-placeholder": lambda body: {"translatedText": [
        re.sub(PLACEHOLDER + "(.*)", r"\1\2 \1", s, count=1) for s in body["q"]]},
    "broken-placeholder": lambda body: {"translatedText": [
        re.sub(PLACEHOLDER, lambda m: m.group()[:-1], s) for s in body["q"]]},
}
RAW_MODES = ("drip", "drip-headers", "hang", "huge", "huge-chunked", "incomplete", "deep", "not-json")
MODES = (*JSON_MODES, *RAW_MODES)


@dataclass
class HostileServer:
    url: str
    mode: str
    requests: list[tuple[str, object, str | None]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def translate_requests(self) -> int:
        return sum(1 for path, _, _ in self.requests if path == "/translate")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def hostile_server(mode: str = "echo", *, max_requests: int = 50, max_seconds: float = 60,
                   user: str | None = None, password: str | None = None,
                   port: int = 0) -> Iterator[HostileServer]:
    """A server playing `mode`; with `user`/`password` it wants HTTP Basic auth (401 without).
    `port`: a given 127.0.0.1 port (a server that comes back where one was down), else a free one."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (one of {', '.join(MODES)})")
    state: HostileServer

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)

        def _wait(self, seconds: float) -> bool:
            """Sleep, unless the server stops first (then False)."""
            return not state.stopping.wait(seconds)

        def _drip(self, data: bytes) -> None:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                if not self._wait(DRIP_SECONDS):
                    return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            state.requests.append((self.path, body, self.headers.get("Authorization")))
            self.close_connection = True
            if len(state.requests) > max_requests:
                return  # over the bound: close without an answer
            if user is not None:
                import base64

                expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self._send(401, json.dumps({"error": "Unauthorized"}).encode())
                    return
            if self.path == "/languages":
                self._send(200, json.dumps(LANGUAGES).encode())
                return
            if self.path != "/translate" or not isinstance(body, dict):
                self._send(400, json.dumps({"error": "Invalid request"}).encode())
                return
            try:
                self._translate(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: what these modes are for

        def _translate(self, body: dict) -> None:
            if mode == "escape-error":
                self._send(500, json.dumps({"error": "\x1b[2J\x1b[31mowned\x07"}).encode())
            elif mode in JSON_MODES:
                self._send(200, json.dumps(JSON_MODES[mode](body)).encode())
            elif mode == "drip":  # honest headers, then the body one byte at a time
                payload = json.dumps(_echo(body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self._drip(payload)
            elif mode == "drip-headers":  # even the status line comes one byte at a time
                self._drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 50)
            elif mode == "hang":
                self._wait(max_seconds)
            elif mode == "huge":  # announces 200 MiB, then sends them (if the client reads)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(HUGE_BYTES))
                self.end_headers()
                self._stream(HUGE_BYTES)
            elif mode == "huge-chunked":  # 200 MiB without a Content-Length
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Connection", "close")
                self.end_headers()
                self._stream(HUGE_BYTES)
            elif mode == "incomplete":  # says 1000 bytes, sends 20, hangs up
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"translatedText": [')
            elif mode == "deep":
                self._send(200, b"[" * 100_000 + b"]" * 100_000)
            elif mode == "not-json":
                self._send(200, b"<html>\x1b[31mproxy error</html>", "text/html")

        def _stream(self, size: int) -> None:
            chunk = b" " * (1 << 20)
            sent = 0
            deadline = time.monotonic() + 30
            while sent < size and time.monotonic() < deadline and not state.stopping.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)

        do_GET = do_POST = _handle

    server = _Server(("127.0.0.1", port), Handler)
    state = HostileServer(f"http://127.0.0.1:{server.server_address[1]}", mode)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    timer = threading.Timer(max_seconds, lambda: (state.stopping.set(), server.shutdown()))
    timer.daemon = True
    timer.start()
    try:
        yield state
    finally:
        timer.cancel()
        state.stopping.set()
        server.shutdown()
        server.server_close()
