"""Which engine translates which language: `toolkit.toml`, `[tool.toolkit]`, `--engine`.

A newsroom picks the best model per language (Argos for Greek, OPUS-MT for Turkish, ...) once,
in a file beside its articles, and every editor's `toolkit translate` follows it::

    # toolkit.toml (or the same keys under [tool.toolkit] in pyproject.toml)
    [engines]
    default = "argos"                      # every language not named below
    tr = { engine = "ct2", path = "models/opus-mt-tc-big-en-tr" }
    el = "ct2:models/nllb-200-distilled-600M"
    de = { engine = "libretranslate", url = "http://mt.newsroom.lan:5000", api_key_env = "LT_KEY" }

A string is a short spec: ``argos``, ``ct2:PATH`` or ``libretranslate:URL``. Relative paths
are relative to the file. On the command line, ``--engine SPEC`` (all languages) or
``--engine LANG=SPEC`` overrides the file. The file is looked up as ``$TOOLKIT_CONFIG``, else
``toolkit.toml``, else ``pyproject.toml`` with a ``[tool.toolkit]`` table, in the current folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from toolkit.errors import ToolkitError

KINDS = ("argos", "ct2", "libretranslate")
DEFAULT_API_KEY_ENV = "LIBRETRANSLATE_API_KEY"


@dataclass(frozen=True)
class EngineSpec:
    """One engine choice. Options that do not apply to its kind are ignored."""

    kind: str = "argos"
    path: str | None = None  # ct2: the converted model folder
    family: str | None = None  # ct2: marian | nllb | m2m100 (detected from the folder if None)
    url: str | None = None  # libretranslate: the server's base URL
    api_key: str | None = None  # libretranslate: resolved from api_key_env when loaded
    batch_size: int = 32  # libretranslate: sentences per request
    concurrency: int = 2  # libretranslate: requests in flight at once
    timeout: float = 120.0  # libretranslate: seconds per request
    retries: int = 3  # libretranslate: extra tries after a connection error, 429 or 5xx

    def describe(self) -> str:
        return {"ct2": f"ct2:{self.path}", "libretranslate": f"libretranslate:{self.url}"}.get(
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


_OPTIONS = {"engine", "path", "family", "url", "api_key", "api_key_env", "batch_size", "concurrency",
            "timeout", "retries"}


def parse_spec(value: Any, *, base: Path | None = None, where: str = "--engine") -> EngineSpec:
    """A short spec string or a table -> EngineSpec, with one clear error for anything else."""
    if isinstance(value, str):
        kind, _, rest = value.strip().partition(":")
        table: dict[str, Any] = {"engine": kind}
        if kind == "ct2":
            table["path"] = rest
        elif kind == "libretranslate":
            table["url"] = rest
        elif rest:
            raise ToolkitError(
                f"{where}: '{value}' is not an engine spec (argos, ct2:PATH, libretranslate:URL)"
            )
    elif isinstance(value, Mapping):
        table = dict(value)
    else:
        raise ToolkitError(f"{where}: an engine is a string or a table, not {value!r}")
    unknown = sorted(set(table) - _OPTIONS)
    if unknown:
        raise ToolkitError(f"{where}: unknown engine option(s) {', '.join(unknown)}")
    kind = str(table.get("engine", "argos"))
    if kind not in KINDS:
        raise ToolkitError(f"{where}: unknown engine '{kind}' (choose from {', '.join(KINDS)})")
    spec = EngineSpec(kind=kind)
    if kind == "ct2":
        path = str(table.get("path") or "").strip()
        if not path:
            raise ToolkitError(f"{where}: a ct2 engine needs the model folder, e.g. ct2:models/opus-mt-en-tr")
        full = Path(path).expanduser()
        if base is not None and not full.is_absolute():
            full = base / full
        spec = replace(spec, path=str(full), family=table.get("family"))
    if kind == "libretranslate":
        url = str(table.get("url") or "").strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ToolkitError(f"{where}: a libretranslate engine needs the server URL, "
                               "e.g. libretranslate:http://127.0.0.1:5000")
        key = table.get("api_key")
        if key is None:
            key = os.environ.get(str(table.get("api_key_env") or DEFAULT_API_KEY_ENV)) or None
        spec = replace(spec, url=url, api_key=key)
        for name, cast in (("batch_size", int), ("concurrency", int), ("timeout", float), ("retries", int)):
            if name in table:
                try:
                    number = cast(table[name])
                    if cast is int and number != table[name]:
                        raise ValueError
                except (TypeError, ValueError):
                    number = -1
                if number < 0 or (number == 0 and name != "retries"):
                    raise ToolkitError(f"{where}: {name} must be a positive number, not {table[name]!r}")
                spec = replace(spec, **{name: number})
    return spec


def _load_toml(path: Path) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ToolkitError(f"not valid TOML ({exc})", path=path) from None
    except OSError as exc:
        raise ToolkitError(f"cannot read ({exc.strerror})", path=path) from None


def config_file(cwd: Path | None = None) -> tuple[Path, dict] | None:
    """The configuration file in use and its engine table, or None."""
    cwd = cwd or Path.cwd()
    explicit = os.environ.get("TOOLKIT_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ToolkitError("TOOLKIT_CONFIG names a file that does not exist", path=path)
        data = _load_toml(path)
        return path, data.get("tool", {}).get("toolkit", data) if path.name == "pyproject.toml" else data
    if (cwd / "toolkit.toml").is_file():
        return cwd / "toolkit.toml", _load_toml(cwd / "toolkit.toml")
    if (cwd / "pyproject.toml").is_file():
        data = _load_toml(cwd / "pyproject.toml").get("tool", {}).get("toolkit")
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
