"""Argos Translate packages on this machine: list, install (index or file), remove.

`argostranslate.package` owns the package format, the packages folder (shared with `argospm`,
`ARGOS_PACKAGES_DIR`) and the index entries. We add what a newsroom user needs around it:
checks before anything is extracted (zip-slip, missing metadata), a download with progress and a
timeout, and one clear error when the index cannot be reached.

argostranslate reads its settings from the environment once, at import; tests and users may
change `ARGOS_PACKAGES_DIR` / `ARGOS_PACKAGE_INDEX` later, so every function here re-reads them.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from toolkit.errors import ModelNotInstalled, ToolkitError
from toolkit.fileio import atomic_write_bytes

DEFAULT_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
Progress = Callable[[int, int], None]  # (bytes done, bytes total or 0)


@dataclass(frozen=True)
class InstalledModel:
    """An installed Argos package, as the engine and the `models list` table need it."""

    from_code: str
    to_code: str
    version: str
    path: Path
    size: int
    target_prefix: str = ""

    @property
    def pair(self) -> str:
        return f"{self.from_code}-{self.to_code}"

    @property
    def model_id(self) -> str:
        """Stable identifier recorded in catalogs and cache keys."""
        return f"argos:{self.pair}@{self.version}"


@dataclass(frozen=True)
class AvailableModel:
    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]
    name: str


def _settings():
    """argostranslate.settings, re-synchronised with the current environment."""
    from argostranslate import settings

    packages_dir = Path(os.environ.get("ARGOS_PACKAGES_DIR") or settings.package_data_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    settings.package_data_dir = packages_dir
    settings.package_dirs = [packages_dir]
    return settings


def packages_dir() -> Path:
    """The folder Argos packages are installed into (shared with argospm)."""
    return _settings().package_data_dir


def index_url() -> str:
    base = os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_INDEX
    return base if base.endswith(".json") else base.rstrip("/") + "/index.json"


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def installed_models() -> list[InstalledModel]:
    """Every installed translation package, sorted by pair."""
    _settings()
    from argostranslate import package

    models = []
    for pkg in package.get_installed_packages([packages_dir()]):
        if pkg.type != "translate" or not pkg.from_code or not pkg.to_code:
            continue
        models.append(
            InstalledModel(
                from_code=pkg.from_code,
                to_code=pkg.to_code,
                version=pkg.package_version or "0",
                path=Path(pkg.package_path),
                size=_dir_size(Path(pkg.package_path)),
                target_prefix=pkg.target_prefix or "",
            )
        )
    return sorted(models, key=lambda m: (m.pair, m.version))


def find_model(from_code: str, to_code: str) -> InstalledModel:
    """The installed package for a pair, or an error that says how to install it."""
    models = installed_models()
    matches = [m for m in models if (m.from_code, m.to_code) == (from_code, to_code)]
    if not matches:
        have = ", ".join(m.pair for m in models) or "none"
        raise ModelNotInstalled(
            f"no model installed for {from_code}->{to_code}: run `toolkit models install "
            f"{from_code} {to_code}` (or `toolkit models install FILE.argosmodel` offline); "
            f"installed pairs: {have}"
        )
    return matches[-1]


def read_archive_metadata(path: str | Path) -> dict:
    """Validate an .argosmodel before anything is extracted and return its metadata.

    Rejects non-zips, archives without exactly one `*/metadata.json`, members whose path is
    absolute or climbs out with `..` (zip-slip), and damaged, encrypted or oddly compressed
    members (every member's CRC is checked, so extraction cannot fail half-way).
    """
    path = Path(path)
    if not path.is_file():
        raise ToolkitError("no such package file", path=path)
    if not zipfile.is_zipfile(path):
        raise ToolkitError("not an Argos package (.argosmodel must be a zip archive)", path=path)
    try:
        return _archive_metadata(path)
    # zipfile's errors for damaged archives: BadZipFile (CRC, headers), NotImplementedError
    # (compression), RuntimeError (encryption), EOFError, ValueError (a mangled utf-8 name)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, ValueError) as exc:
        raise ToolkitError(f"damaged or unsupported package archive ({exc})", path=path) from None


def _archive_metadata(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for name in names:
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or (name[1:2] == ":"):
                raise ToolkitError(f"unsafe member path {name!r} in package", path=path)
        roots = {PurePosixPath(n).parts[0] for n in names if PurePosixPath(n).parts}  # not "." or "/"
        meta_names = [n for n in names if PurePosixPath(n).parts[1:] == ("metadata.json",)]
        if len(roots) != 1 or len(meta_names) != 1:
            raise ToolkitError(
                "not an Argos package: expected one top folder with metadata.json", path=path
            )
        bad = zf.testzip()
        if bad is not None:
            raise ToolkitError(f"damaged package: member {bad!r} fails its CRC check", path=path)
        try:
            metadata = json.loads(zf.read(meta_names[0]).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ToolkitError(f"package metadata.json is not valid JSON ({exc})", path=path) from None
    if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get("to_code"):
        raise ToolkitError("package metadata.json lacks from_code/to_code", path=path)
    return metadata


def install_file(path: str | Path) -> InstalledModel:
    """Install a local .argosmodel (offline) through argostranslate.package."""
    metadata = read_archive_metadata(path)
    settings = _settings()
    from argostranslate import package

    with zipfile.ZipFile(path) as zf:
        top = next(PurePosixPath(n).parts[0] for n in zf.namelist() if PurePosixPath(n).parts)
    target = Path(settings.package_data_dir) / top
    if target.exists():  # reinstall / upgrade: replace, don't merge old files with new ones
        shutil.rmtree(target)
    package.install_from_path(Path(path))
    return _installed(metadata["from_code"], metadata["to_code"])


def _installed(from_code: str, to_code: str) -> InstalledModel:
    return find_model(from_code, to_code)


def update_index(timeout: float = 30.0) -> Path:
    """Fetch the Argos package index into argostranslate's local copy."""
    settings = _settings()
    url = index_url()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
        index = json.loads(data)
        if not isinstance(index, list):
            raise ValueError("index is not a JSON list")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ToolkitError(
            f"cannot read the Argos package index at {url} ({reason}); check the network "
            "or install a downloaded package with `toolkit models install FILE.argosmodel`"
        ) from None
    local = Path(settings.local_package_index)
    local.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(local, data)
    return local


def available_models(timeout: float = 30.0) -> list[AvailableModel]:
    """Translation packages listed in the Argos index (fetched fresh)."""
    update_index(timeout)
    from argostranslate import package

    out = []
    for pkg in package.get_available_packages():
        if pkg.type != "translate" or not pkg.from_code or not pkg.to_code:
            continue
        out.append(
            AvailableModel(
                from_code=pkg.from_code,
                to_code=pkg.to_code,
                version=pkg.package_version or "0",
                links=tuple(pkg.links),
                name=package.argospm_package_name(pkg),
            )
        )
    return sorted(out, key=lambda m: (m.from_code, m.to_code))


def download(model: AvailableModel, progress: Progress | None = None, timeout: float = 60.0) -> Path:
    """Download a package into argostranslate's download cache, atomically."""
    settings = _settings()
    downloads = Path(settings.downloads_dir)
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / f"{model.name}.argosmodel"
    errors = []
    for url in model.links:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0)
                fd, tmp = tempfile.mkstemp(dir=downloads, suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out:
                        done = 0
                        while chunk := response.read(1 << 16):
                            out.write(chunk)
                            done += len(chunk)
                            if progress:
                                progress(done, total)
                    os.replace(tmp, target)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
            return target
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{url}: {getattr(exc, 'reason', exc)}")
    raise ToolkitError(
        f"could not download {model.name} ({'; '.join(errors) or 'no download link'}); "
        "check the network or install a downloaded file with `toolkit models install FILE`"
    )


def install_from_index(
    from_code: str, to_code: str, progress: Progress | None = None
) -> InstalledModel:
    """Find a pair in the Argos index, download it and install it."""
    candidates = [
        m for m in available_models() if (m.from_code, m.to_code) == (from_code, to_code)
    ]
    if not candidates:
        raise ToolkitError(
            f"the Argos index has no {from_code}->{to_code} package "
            "(see `toolkit models available`)"
        )
    path = download(candidates[-1], progress)
    try:
        return install_file(path)
    finally:
        path.unlink(missing_ok=True)


def remove(from_code: str, to_code: str) -> InstalledModel:
    """Uninstall the package for a pair."""
    model = find_model(from_code, to_code)
    _settings()
    from argostranslate import package

    package.uninstall(package.Package(model.path))
    return model

