"""A LibreTranslate server as an engine: one shared translation server for a whole newsroom.

Glossary masking, QA and catalogs stay on the editor's machine (masking happens before the
request, so the server only ever sees placeholders). What crosses the network is batched: many
sentences per `/translate` request (``q`` as a list), a few requests in flight at once, retries
with exponential backoff on connection errors, timeouts, 429 and 5xx. Every answered batch is
handed to `done` at once, so the translation cache keeps partial progress when a server fails
half-way and the next run sends only what is missing.

API (LibreTranslate's published spec): ``GET /languages`` -> ``[{"code", "name", "targets"}]``;
``POST /translate`` with JSON ``{"q": [...], "source", "target", "format": "text",
"alternatives": n, "api_key"}`` -> ``{"translatedText": [...], "alternatives": [[...], ...]}``;
errors are ``{"error": "..."}`` with HTTP 400, 403, 429 or 5xx.
"""

from __future__ import annotations

import json
import random
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, ThreadPoolExecutor, as_completed

from toolkit.config import EngineSpec
from toolkit.errors import ToolkitError
from toolkit.mt.engine import Hypothesis, SentenceTranslation

RETRY_STATUS = {408, 429, 500, 502, 503, 504}
Done = Callable[[Sequence[str], Sequence[SentenceTranslation]], None]


class LibreTranslateEngine:
    """The client for one server and language pair. `calls` counts HTTP requests answered."""

    beam_size = None  # the server decides
    streams_results = True  # translate() reports each answered batch through `done`

    def __init__(self, spec: EngineSpec, from_code: str, to_code: str, *, backoff: float = 0.5):
        self.url = (spec.url or "").rstrip("/")
        self.from_code, self.to_code = from_code, to_code
        self.spec = spec
        self.backoff = backoff
        self.calls = 0
        self.model_id = f"libretranslate:{self.url}:{from_code}-{to_code}"
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

        Batches already answered reach `done` even when a later one fails; the first failure is
        raised once every request in flight has ended.
        """
        if not sentences:
            return []
        size = self.spec.batch_size
        chunks = [list(range(i, min(i + size, len(sentences)))) for i in range(0, len(sentences), size)]
        results: list[SentenceTranslation | None] = [None] * len(sentences)
        failure: ToolkitError | None = None
        with ThreadPoolExecutor(max_workers=self.spec.concurrency) as pool:
            futures = {
                pool.submit(self._translate_chunk, [sentences[i] for i in chunk], num_hypotheses): chunk
                for chunk in chunks
            }
            for future in as_completed(futures):
                chunk = futures[future]
                try:
                    answer = future.result()
                except CancelledError:
                    continue
                except ToolkitError as exc:
                    if failure is None:
                        failure = exc
                        for other in futures:
                            other.cancel()  # not started yet: do not send them
                    continue
                for i, translation in zip(chunk, answer, strict=True):
                    results[i] = translation
                if done is not None:
                    done([sentences[i] for i in chunk], answer)
        if failure is not None:
            raise failure
        return [r for r in results if r is not None]

    # -- HTTP -------------------------------------------------------------------------------

    def _translate_chunk(self, texts: list[str], num_hypotheses: int) -> list[SentenceTranslation]:
        body: dict = {"q": texts, "source": self.from_code, "target": self.to_code, "format": "text"}
        if num_hypotheses > 1:
            body["alternatives"] = num_hypotheses - 1
        data = self._request("/translate", body)
        translated = data.get("translatedText") if isinstance(data, dict) else None
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise ToolkitError(f"LibreTranslate at {self.url} gave an unexpected answer to /translate "
                               f"(expected {len(texts)} translations): {str(data)[:200]}")
        alternatives = data.get("alternatives") or [[] for _ in texts]
        out = []
        for main, alts in zip(translated, alternatives, strict=False):
            texts_ = list(dict.fromkeys([str(main), *[str(a) for a in (alts or [])]]))
            # no scores from the server: keep its order, best first
            out.append(SentenceTranslation(tuple(Hypothesis(t, -float(r)) for r, t in enumerate(texts_))))
        return out

    def _request(self, path: str, body: dict | None = None):
        """One request with retries; returns the decoded JSON or raises one clear ToolkitError."""
        url = self.url + path
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
            try:
                with urllib.request.urlopen(request, timeout=self.spec.timeout) as response:
                    raw = response.read()
                self.calls += 1
                try:
                    return json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    raise ToolkitError(f"LibreTranslate at {self.url} answered {path} with something "
                                       f"that is not JSON: {raw[:120]!r}") from None
            except urllib.error.HTTPError as exc:
                message = _error_message(exc)
                if exc.code in RETRY_STATUS and attempt + 1 < tries:
                    self._sleep(attempt, exc)
                    continue
                hint = {403: " (check the API key: --engine spec api_key_env, or LIBRETRANSLATE_API_KEY)",
                        429: " (the server's rate limit; lower concurrency or ask for an API key)"}
                if exc.code == 400 and "limit" in message:
                    hint[400] = " (the server's limits: lower batch_size for this engine)"
                raise ToolkitError(f"LibreTranslate at {self.url} refused {path}: HTTP {exc.code} "
                                   f"{message}{hint.get(exc.code, '')}"
                                   + (f" after {tries} tries" if exc.code in RETRY_STATUS else "")) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                if attempt + 1 < tries:
                    self._sleep(attempt, None)
                    continue
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError) or "timed out" in str(reason):
                    reason = f"no answer within {self.spec.timeout:g} s"
                raise ToolkitError(f"LibreTranslate at {self.url} is unreachable ({reason}) after "
                                   f"{tries} tries; what was translated is kept in the cache") from None
        raise AssertionError("unreachable")

    def _sleep(self, attempt: int, error: urllib.error.HTTPError | None) -> None:
        delay = self.backoff * (2**attempt) * (1 + random.random() / 2)
        retry_after = error.headers.get("Retry-After") if error is not None and error.headers else None
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), 60.0))
        time.sleep(delay)

    def _check_pair(self) -> None:
        """Fail before any work if the server is down or lacks the pair."""
        languages = self._request("/languages")
        if not isinstance(languages, list):
            raise ToolkitError(f"LibreTranslate at {self.url} gave an unexpected answer to /languages")
        for language in languages:
            if isinstance(language, dict) and language.get("code") == self.from_code:
                targets = language.get("targets") or []
                if self.to_code in targets:
                    return
                raise ToolkitError(f"LibreTranslate at {self.url} cannot translate {self.from_code} -> "
                                   f"{self.to_code} (its targets: {', '.join(map(str, targets)) or 'none'})")
        raise ToolkitError(f"LibreTranslate at {self.url} has no '{self.from_code}' source language")


def _error_message(error: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(error.read().decode("utf-8"))
        return str(data.get("error") or data)[:200]
    except Exception:  # any body at all: the status line is still a message
        return str(error.reason)


def load_libretranslate_engine(spec: EngineSpec, from_code: str, to_code: str) -> LibreTranslateEngine:
    """A client per server and pair, created once per process."""
    key = (spec, from_code, to_code)
    if key not in _CLIENTS:
        _CLIENTS[key] = LibreTranslateEngine(spec, from_code, to_code)
    return _CLIENTS[key]


_CLIENTS: dict[tuple[EngineSpec, str, str], LibreTranslateEngine] = {}
