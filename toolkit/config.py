"""Which engine translates which language: `toolkit.toml`, `[tool.toolkit]`, `--engine`.

A newsroom picks the best model per language (Argos for Greek, OPUS-MT for Turkish, ...) once,
in a file beside its articles, and every editor's `toolkit translate` follows it::

    # toolkit.toml (or the same keys under [tool.toolkit] in pyproject.toml)
    [engines]
    default = "argos"                      # every language not named below
    tr = { engine = "ct2", path = "models/opus-mt-tc-big-en-tr" }
    el = "ct2:models/nllb-200-distilled-600M"
    de = { engine = "libretranslate", url = "http://mt.newsroom.lan:5000", api_key_env = "LT_KEY" }
    ru = { engine = "libretranslate", urls = ["http://mt1.lan:5000", "http://mt2.lan:5000"] }

``urls`` (instead of ``url``, never both) is a pool of servers running the same models: requests
go round-robin to the live ones (`toolkit.mt.libretranslate.ServerPool`); the first URL names
the pool in drafts and cache keys.

A top-level ``glossary = "FILE"`` (before any table) names the glossary every command uses when
``--glossary`` is not given (`toolkit.terms.default`).

A string is a short spec: ``argos``, ``ct2:PATH`` or ``libretranslate:URL`` (a pool:
``libretranslate:URL,URL``, commas before ``http://`` or ``https://``). Relative paths
are relative to the file. On the command line, ``--engine SPEC`` (all languages) or
``--engine LANG=SPEC`` overrides the file. The file is looked up as ``$TOOLKIT_CONFIG``, else
``toolkit.toml``, else ``pyproject.toml`` with a ``[tool.toolkit]`` table, in the current folder.

Every value is checked against one schema, `OPTIONS` (engine options) and `ENVIRONMENT` (the
``TOOLKIT_*`` variables): its type and its range, with one line naming the file and the key for
anything else (``timeout = inf``, ``batch_size = true``, an unknown key), never a traceback.
A password in a server URL is never shown: messages and `describe` use `redact_userinfo`.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit.errors import ToolkitError
from toolkit.fileio import decode_utf8, read_bytes

KINDS = ("argos", "ct2", "libretranslate")
DEFAULT_API_KEY_ENV = "LIBRETRANSLATE_API_KEY"


@dataclass(frozen=True)
class Setting:
    """One configurable value in the schema: its type, its range, and what a message calls it."""

    type: type  # str, bool, int, float, or list (of strings)
    meaning: str  # what was expected, as an error message says it: "a positive whole number"
    low: float | None = None
    high: float | None = None
    low_exclusive: bool = False  # timeout: above 0, not 0
    secret: bool = False  # an API key: a message never repeats the value
    nonempty: bool = False  # a string that must say something: a file name

    def check(self, name: str, value: Any, where: str = "", *, shown: str | None = None) -> Any:
        """`value` (from TOML or a spec) as `type`, or one ToolkitError naming `where` and `name`."""
        prefix = f"{where}: " if where else ""
        if shown is None:  # a password in a server URL is never repeated either
            shown = f"a value of type {type(value).__name__}" if self.secret else redact_userinfo(repr(value))
        if self.type is list:  # TOML's array of strings; an empty one only if not `nonempty`
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and (
                    value or not self.nonempty):
                return list(value)
            raise ToolkitError(f"{prefix}{name} must be {self.meaning}, not {shown}")
        if self.type in (str, bool):  # TOML's true is a bool; "yes" or 1 is not
            if isinstance(value, self.type) and not (self.nonempty and not value.strip()):
                return value
            raise ToolkitError(f"{prefix}{name} must be {self.meaning}, not {shown}")
        number = _number(value, whole=self.type is int)
        if number is None or (self.low is not None and (
                number < self.low or (self.low_exclusive and number == self.low))):
            raise ToolkitError(f"{prefix}{name} must be {self.meaning}, not {shown}")
        if self.high is not None and number > self.high:
            high = int(self.high) if float(self.high).is_integer() else self.high
            raise ToolkitError(f"{prefix}{name} must be at most {high}, not {shown}")
        return self.type(number)

    def parse(self, name: str, text: str) -> Any:
        """An environment variable's text, checked like a TOML value ('4' -> 4; '1.5' is not whole)."""
        text = text.strip()
        value: Any = text
        if self.type is int and re.fullmatch(r"[0-9]+", text):
            value = int(text)
        elif self.type is float:
            try:
                value = float(text)
            except ValueError:
                pass
        return self.check(name, value, shown=repr(text))


def _number(value: Any, *, whole: bool) -> float | None:
    """An int or float that may be range-checked (inf may: it is too large), else None.

    Booleans are not numbers here (TOML's `true` is not 1); a whole number may be written 8.0.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if whole and math.isfinite(value) and not value.is_integer():
            return None
    return value


# The engine options (`[engines]` tables and `--engine` specs). Options that do not apply to an
# engine's kind are still checked, and ignored.
OPTIONS: dict[str, Setting] = {
    "engine": Setting(str, "an engine name (argos, ct2, libretranslate)"),
    "path": Setting(str, "a model folder (a string)"),
    "family": Setting(str, "a model family name (a string)"),
    "url": Setting(str, "a server URL (a string)"),
    "urls": Setting(list, "a non-empty list of server URLs (strings)", nonempty=True),
    "api_key": Setting(str, "a string", secret=True),
    "api_key_env": Setting(str, "an environment variable name (a string)"),
    "batch_size": Setting(int, "a positive whole number", 1, 10_000),
    "concurrency": Setting(int, "a positive whole number", 1, 64),
    "timeout": Setting(float, "a positive number of seconds", 0, 86_400, low_exclusive=True),
    "retries": Setting(int, "a whole number, 0 or more", 0, 100),
    "device": Setting(str, "auto, cpu or cuda (a string)"),  # argos/ct2: toolkit.mt.device
    "compute_type": Setting(str, "a CTranslate2 compute type such as int8 or float16 (a string)"),
}

# The keys a toolkit.toml (or [tool.toolkit]) may have: `engines` is a table of engine specs
# (each checked against OPTIONS), `glossary` the glossary file (`toolkit.terms.default`).
TOP_LEVEL: dict[str, Setting | None] = {
    "engines": None,
    "glossary": Setting(str, "a file name (a string)", nonempty=True),
    "memory": None,
}
TOP_LEVEL_KEYS = tuple(TOP_LEVEL)
# The [memory] table: how `toolkit translate` uses the translation memory (toolkit.l10n.memory_use).
MEMORY: dict[str, Setting] = {
    "accept_exact": Setting(bool, "true or false"),
    "threshold": Setting(float, "a similarity from 1 to 100", 1, 100),
}
MEMORY_KEYS = tuple(MEMORY)


def memory_settings(cwd: Path | None = None) -> dict[str, Any]:
    """The checked [memory] table of the configuration file: accept_exact (bool), threshold."""
    found = config_file(cwd)
    table = found[1].get("memory", {}) if found else {}
    path = found[0] if found else None
    if not isinstance(table, Mapping):
        raise ToolkitError("[memory] must be a table", path=path)
    unknown = sorted(set(table) - set(MEMORY_KEYS))
    if unknown:
        raise ToolkitError(f"unknown key(s) {', '.join('memory.' + k for k in unknown)} "
                           f"(known: {', '.join('memory.' + k for k in MEMORY_KEYS)})", path=path)
    return {key: MEMORY[key].check(f"memory.{key}", value, str(path or "")) for key, value in table.items()}

# Environment variables that tune the CTranslate2 engines (`toolkit.mt.ctranslate`).
ENVIRONMENT: dict[str, Setting] = {
    "TOOLKIT_THREADS": Setting(int, "a positive whole number", 1, 1024),
    "TOOLKIT_TOKEN_BUDGET": Setting(int, "a positive whole number", 1, 1 << 20),
}


def environment_setting(name: str, default: Any) -> Any:
    """An `ENVIRONMENT` variable's checked value, or `default` when it is unset or empty."""
    text = os.environ.get(name, "")
    return ENVIRONMENT[name].parse(name, text) if text.strip() else default


def redact_userinfo(text: str) -> str:
    """Any ``scheme://user:password@`` in `text` -> ``scheme://***@``: messages never show a secret."""
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@", r"\1***@", text)


@dataclass(frozen=True)
class EngineSpec:
    """One engine choice. Options that do not apply to its kind are ignored."""

    kind: str = "argos"
    path: str | None = None  # ct2: the converted model folder
    family: str | None = None  # ct2: marian | nllb | m2m100 (detected from the folder if None)
    url: str | None = None  # libretranslate: the server's base URL (may carry user:password@);
    # of a pool, its first server, which names it (`toolkit.mt.libretranslate.libretranslate_model_id`)
    urls: tuple[str, ...] = ()  # libretranslate: every server of a pool (two or more), in order
    api_key: str | None = field(default=None, repr=False)  # libretranslate: from api_key_env
    batch_size: int = 32  # libretranslate: sentences per request
    concurrency: int = 2  # libretranslate: requests in flight at once, per server
    timeout: float = 120.0  # libretranslate: seconds per request, a deadline for the whole answer
    retries: int = 3  # libretranslate: extra tries after a connection error, 429 or 5xx
    device: str | None = None  # argos/ct2: auto | cpu | cuda (None: ARGOS_DEVICE_TYPE, else auto)
    compute_type: str | None = None  # argos/ct2: None chooses for the device (toolkit.mt.device)

    def servers(self) -> tuple[str, ...]:
        """libretranslate: the server URLs, one for a single server (none for other kinds)."""
        return self.urls or ((self.url,) if self.url else ())

    def describe(self) -> str:
        """The spec as a user reads it (never with a password from the URL)."""
        return {"ct2": f"ct2:{self.path}",
                "libretranslate": f"libretranslate:{redact_userinfo(','.join(self.servers()))}"}.get(
            self.kind, self.kind
        )


@dataclass(frozen=True)
class EngineConfig:
    """The engine per language, and the default for the rest."""

    default: EngineSpec = EngineSpec()
    languages: Mapping[str, EngineSpec] = field(default_factory=dict)
    source: str | None = None  # the file it came from, for messages

    def for_language(self, lang: str) -> EngineSpec:
        return self.languages.get(lang, self.default)


def parse_spec(value: Any, *, base: Path | None = None, where: str = "--engine") -> EngineSpec:
    """A short spec string or a table -> EngineSpec, with one clear error for anything else."""
    if isinstance(value, str):
        kind, _, rest = value.strip().partition(":")
        table: dict[str, Any] = {"engine": kind}
        if kind == "ct2":
            table["path"] = rest
        elif kind == "libretranslate":
            urls = re.split(r",\s*(?=https?://)", rest, flags=re.IGNORECASE)
            table.update({"urls": urls} if len(urls) > 1 else {"url": rest})
        elif rest:
            raise ToolkitError(
                f"{where}: '{redact_userinfo(value)}' is not an engine spec "
                "(argos, ct2:PATH, libretranslate:URL)"
            )
    elif isinstance(value, Mapping):
        table = dict(value)
    else:
        raise ToolkitError(f"{where}: an engine is a string or a table, not {redact_userinfo(repr(value))}")
    unknown = sorted(set(map(str, table)) - set(OPTIONS))
    if unknown:
        raise ToolkitError(f"{where}: unknown engine option(s) {', '.join(unknown)}")
    checked = {name: OPTIONS[name].check(name, item, where) for name, item in table.items()}
    kind = checked.get("engine", "argos")
    if kind not in KINDS:
        raise ToolkitError(f"{where}: unknown engine '{kind}' (choose from {', '.join(KINDS)})")
    spec = EngineSpec(kind=kind)
    if kind == "ct2":
        path = (checked.get("path") or "").strip()
        if not path:
            raise ToolkitError(f"{where}: a ct2 engine needs the model folder, e.g. ct2:models/opus-mt-en-tr")
        full = Path(path).expanduser()
        if base is not None and not full.is_absolute():
            full = base / full
        spec = replace(spec, path=str(full), family=checked.get("family"))
    if kind in ("argos", "ct2"):
        spec = replace(spec, device=checked.get("device"), compute_type=checked.get("compute_type"))
    if kind == "libretranslate":
        urls = _server_urls(checked, where)
        key = checked.get("api_key")
        if key is None:
            key = os.environ.get(checked.get("api_key_env") or DEFAULT_API_KEY_ENV) or None
        spec = replace(spec, url=urls[0], urls=urls if len(urls) > 1 else (), api_key=key)
        for name in ("batch_size", "concurrency", "timeout", "retries"):
            if name in checked:
                spec = replace(spec, **{name: checked[name]})
    return spec


def _server_urls(checked: Mapping[str, Any], where: str) -> tuple[str, ...]:
    """The server URLs of a libretranslate engine: `url`, or `urls` (a pool), not both."""
    if "urls" not in checked:
        return (_server_url(checked.get("url") or "", where),)
    if "url" in checked:
        raise ToolkitError(f"{where}: give url (one server) or urls (a pool), not both")
    urls = tuple(_server_url(url, where, key=f"urls[{n}]") for n, url in enumerate(checked["urls"]))
    for n, url in enumerate(urls):
        if url in urls[:n]:
            raise ToolkitError(f"{where}: urls[{n}] repeats {redact_userinfo(url)!r}")
    return urls


def _server_url(url: str, where: str, *, key: str = "url") -> str:
    """A LibreTranslate base URL: http(s), a host, a valid port, nothing a request cannot send."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        raise ToolkitError(f"{where}: {key} '{redact_userinfo(url)}' is not a valid URL "
                           "(a bad port or host)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        if key != "url":
            raise ToolkitError(f"{where}: {key} must be an http(s) server URL such as "
                               f"http://127.0.0.1:5000, not {redact_userinfo(repr(url))}")
        raise ToolkitError(f"{where}: a libretranslate engine needs the server URL, "
                           "e.g. libretranslate:http://127.0.0.1:5000")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise ToolkitError(f"{where}: {key} {redact_userinfo(url)!r} contains spaces or control characters")
    return url


def _load_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    text = decode_utf8(read_bytes(path, "configuration file"), path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ToolkitError(f"not valid TOML ({exc})", path=path) from None


def _toolkit_table(path: Path, data: dict, prefix: str) -> dict:
    """The toolkit's table of a file, with only keys the toolkit knows."""
    if not isinstance(data, Mapping):
        raise ToolkitError(f"[{prefix.rstrip('.')}] must be a table", path=path)
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise ToolkitError(f"unknown key(s) {', '.join(prefix + k for k in unknown)} "
                           f"(known: {', '.join(prefix + k for k in TOP_LEVEL_KEYS)})", path=path)
    for key, setting in TOP_LEVEL.items():
        if setting is not None and key in data:
            setting.check(prefix + key, data[key], str(path))
    return dict(data)


def _pyproject_table(path: Path, data: dict) -> dict | None:
    tool = data.get("tool", {})
    if not isinstance(tool, Mapping):
        raise ToolkitError("[tool] must be a table", path=path)
    table = tool.get("toolkit")
    return None if table is None else _toolkit_table(path, table, "tool.toolkit.")


def config_file(cwd: Path | None = None) -> tuple[Path, dict] | None:
    """The configuration file in use and its engine table, or None."""
    cwd = cwd or Path.cwd()
    explicit = os.environ.get("TOOLKIT_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ToolkitError("TOOLKIT_CONFIG names a file that does not exist", path=path)
        data = _load_toml(path)
        if path.name == "pyproject.toml":
            return path, _pyproject_table(path, data) or {}
        return path, _toolkit_table(path, data, "")
    local = cwd / "toolkit.toml"
    if local.is_file():
        return local, _toolkit_table(local, _load_toml(local), "")
    if (cwd / "pyproject.toml").is_file():
        data = _pyproject_table(cwd / "pyproject.toml", _load_toml(cwd / "pyproject.toml"))
        if data is not None:
            return cwd / "pyproject.toml", data
    return None


def load_config(overrides: Sequence[str] = (), cwd: Path | None = None) -> EngineConfig:
    """The file's engines (if any), then each `--engine [LANG=]SPEC` on top."""
    default, languages, source = EngineSpec(), {}, None
    found = config_file(cwd)
    if found is not None:
        path, data = found
        source = str(path)
        engines = data.get("engines", {})
        if not isinstance(engines, Mapping):
            raise ToolkitError("[engines] must be a table", path=path)
        for key, value in engines.items():
            spec = parse_spec(value, base=path.parent, where=f"{path}: engines.{key}")
            if key == "default":
                default = spec
            else:
                languages[key] = spec
    for override in overrides:
        lang, sep, value = override.partition("=")
        if sep and lang.strip() and ":" not in lang:
            languages[lang.strip()] = parse_spec(value)
        else:
            default, languages = parse_spec(override), {}
    return EngineConfig(default, languages, source)
