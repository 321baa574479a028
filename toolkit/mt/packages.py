"""Argos Translate packages on this machine: list, install (index or file), remove.

`argostranslate.package` owns the package format, the packages folder (shared with `argospm`,
`ARGOS_PACKAGES_DIR`) and the index entries. We add what a newsroom user needs around it:
checks before anything is extracted (`toolkit.mt.package_archive`: zip-slip, zip bombs, metadata),
a download with progress, a timeout and a size cap, and one clear error when the index cannot be
reached.

An install never leaves a half-installed package, and never touches another pair: the archive
is unpacked into a hidden staging folder in the packages folder (on a full disk only that folder
is lost), the model is loaded once from there (a garbage ``model.bin`` or ``sentencepiece.model``
fails the install, not a later translation), and only then is it moved into place, replacing the
package(s) of the same pair. A package whose top folder is another pair's installed folder is
refused. Listing reads every folder's metadata itself and skips what is not a valid package, so
a hidden staging folder, a stray folder or a package with hostile metadata is never shown or used.

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
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from toolkit.errors import ModelNotInstalled, ToolkitError
from toolkit.fileio import atomic_write_bytes
from toolkit.mt.package_archive import (
    MAX_PACKAGE_BYTES,
    check_metadata,
    extract,
    read_archive_metadata,
    top_folder,
    unpacked_size,
)
from toolkit.mt.types import printable

DEFAULT_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
MAX_INDEX_BYTES = 16 * 1024**2  # the real index is ~100 KB
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
    test: bool = False  # a test fixture package ("test": true): any index package replaces it

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
    return sum(f.lstat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def installed_models() -> list[InstalledModel]:
    """Every installed translation package, sorted by pair.

    Hidden folders (an install's staging folder), folders without a readable metadata.json and
    packages whose metadata `check_metadata` refuses are skipped: never listed, never loaded.
    """
    models = []
    for folder in sorted(packages_dir().iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            metadata = check_metadata(json.loads((folder / "metadata.json").read_text(encoding="utf-8")),
                                      folder / "metadata.json")
        except (OSError, ValueError, RecursionError, ToolkitError):
            continue
        models.append(
            InstalledModel(
                from_code=metadata["from_code"],
                to_code=metadata["to_code"],
                version=metadata.get("package_version") or "0",
                path=folder,
                size=_dir_size(folder),
                target_prefix=metadata.get("target_prefix") or "",
                test=metadata.get("test") is True,
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


def load_package(folder: Path, where: str | Path | None = None):
    """An installed (or staged) package as argostranslate reads it, its tokenizer loaded.

    A missing or garbage ``sentencepiece.model`` / ``bpe.model`` is one ToolkitError naming
    `where` (default: the folder), here rather than at the first sentence.
    """
    from argostranslate.package import Package

    where = where or folder
    try:
        package = Package(folder)
    except (OSError, ValueError) as exc:
        raise ToolkitError(f"cannot read the package ({printable(str(exc))})", path=where) from None
    tokenizer = getattr(package, "tokenizer", None)
    if tokenizer is None:
        raise ToolkitError("package has no sentencepiece.model or bpe.model", path=where)
    try:
        tokenizer.encode("Test.")
    except Exception as exc:  # sentencepiece raises RuntimeError/OSError; BPE anything
        name = Path(str(getattr(tokenizer, "model_file", "") or "the tokenizer")).name
        raise ToolkitError(f"{name} does not load ({printable(str(exc))})", path=where) from None
    return package


def check_package_loads(folder: Path, where: str | Path) -> None:
    """Load a package's tokenizer and CTranslate2 model once, as a translation will."""
    load_package(folder, where)
    if not (folder / "model" / "model.bin").is_file():
        raise ToolkitError("package has no model/model.bin", path=where)
    import ctranslate2

    try:
        translator = ctranslate2.Translator(str(folder / "model"), device="cpu", intra_threads=1)
    except Exception as exc:  # RuntimeError, ValueError (a garbage header), MemoryError ...
        raise ToolkitError(f"model/model.bin does not load in CTranslate2 ({printable(str(exc))})",
                           path=where) from None
    del translator


def install_file(path: str | Path) -> InstalledModel:
    """Install a local .argosmodel (offline): checked, unpacked in staging, loaded, moved in."""
    path = Path(path)
    metadata = read_archive_metadata(path)
    pair = (metadata["from_code"], metadata["to_code"])
    top = top_folder(path)
    root = packages_dir()
    installed = installed_models()
    holder = next((m for m in installed if m.path.name == top), None)
    if holder is not None and (holder.from_code, holder.to_code) != pair:
        raise ToolkitError(f"its top folder {top!r} is the installed {holder.pair} package; a "
                           f"{pair[0]}-{pair[1]} package cannot replace it", path=path)
    _check_free_space(root, unpacked_size(path))
    staging = Path(tempfile.mkdtemp(prefix=".install-", dir=root))
    try:
        try:
            folder = extract(path, staging)
        except OSError as exc:
            raise ToolkitError(f"cannot unpack the package into {root} ({exc.strerror or exc}); "
                               "nothing was installed", path=path) from None
        check_package_loads(folder, path)
        old = [m.path for m in installed if (m.from_code, m.to_code) == pair]
        _move_in(folder, root / top, [*old, root / top], staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _installed(*pair)


def _check_free_space(root: Path, needed: int) -> None:
    try:
        free = shutil.disk_usage(root).free
    except OSError:
        return
    if free < needed + 1024**2:
        raise ToolkitError(f"not enough disk space to install the package: it needs "
                           f"{needed / 1024**2:.0f} MiB, {free / 1024**2:.0f} MiB are free", path=root)


def _move_in(folder: Path, target: Path, replaced: list[Path], staging: Path) -> None:
    """Move the packages being replaced into `staging` (removed with it), then `folder` in;
    on failure put them back."""
    moved: list[tuple[Path, Path]] = []
    try:
        for n, old in enumerate(dict.fromkeys(p for p in replaced if p.exists() or p.is_symlink())):
            aside = staging / f".replaced-{n}"
            old.rename(aside)
            moved.append((old, aside))
        folder.rename(target)
    except OSError as exc:
        for old, aside in reversed(moved):
            try:
                aside.rename(old)
            except OSError:
                pass
        raise ToolkitError(f"cannot move the package into place ({exc.strerror or exc})",
                           path=target) from None


def _installed(from_code: str, to_code: str) -> InstalledModel:
    return find_model(from_code, to_code)


def update_index(timeout: float = 30.0) -> Path:
    """Fetch the Argos package index into argostranslate's local copy."""
    settings = _settings()
    url = index_url()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read(MAX_INDEX_BYTES + 1)
        if len(data) > MAX_INDEX_BYTES:
            raise ValueError(f"the index is larger than {MAX_INDEX_BYTES // 1024**2} MiB")
        index = json.loads(data)
        if not isinstance(index, list) or not all(isinstance(entry, dict) for entry in index):
            raise ValueError("index is not a JSON list of packages")
    except (urllib.error.URLError, OSError, ValueError, HTTPException, RecursionError) as exc:
        reason = printable(str(getattr(exc, "reason", exc)))
        raise ToolkitError(
            f"cannot read the Argos package index at {url} ({reason}); check the network "
            "or install a downloaded package with `toolkit models install FILE.argosmodel`"
        ) from None
    local = Path(settings.local_package_index)
    local.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(local, data)
    return local


def available_models(timeout: float = 30.0) -> list[AvailableModel]:
    """Translation packages listed in the Argos index (fetched fresh).

    Entries whose codes or version `check_metadata` refuses are skipped, and only http(s)
    links are kept: nothing from the index reaches a table or a file name unchecked.
    """
    update_index(timeout)
    from argostranslate import package

    out = []
    for pkg in package.get_available_packages():
        if pkg.type != "translate" or not pkg.from_code or not pkg.to_code:
            continue
        try:
            check_metadata({"from_code": pkg.from_code, "to_code": pkg.to_code,
                            "package_version": pkg.package_version or "0"}, index_url())
        except ToolkitError:
            continue
        links = tuple(link for link in (pkg.links if isinstance(pkg.links, list) else [])
                      if isinstance(link, str) and link.startswith(("http://", "https://"))
                      and link.isprintable())
        out.append(
            AvailableModel(
                from_code=pkg.from_code,
                to_code=pkg.to_code,
                version=pkg.package_version or "0",
                links=links,
                name=package.argospm_package_name(pkg),
            )
        )
    return sorted(out, key=lambda m: (m.from_code, m.to_code))


def download(model: AvailableModel, progress: Progress | None = None, timeout: float = 60.0) -> Path:
    """Download a package into argostranslate's download cache, atomically (at most
    MAX_PACKAGE_BYTES: a package is never larger packed than unpacked)."""
    settings = _settings()
    downloads = Path(settings.downloads_dir)
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / f"{model.name}.argosmodel"
    errors = []
    for url in model.links:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                length = (response.headers.get("Content-Length") or "0").strip()
                total = int(length) if length.isascii() and length.isdigit() else 0
                if total > MAX_PACKAGE_BYTES:
                    raise ValueError(f"{total} bytes is more than a package may be")
                fd, tmp = tempfile.mkstemp(dir=downloads, suffix=".part")
                try:
                    with os.fdopen(fd, "wb") as out:
                        done = 0
                        while chunk := response.read(1 << 16):
                            done += len(chunk)
                            if done > MAX_PACKAGE_BYTES:
                                raise ValueError("more bytes than a package may be")
                            out.write(chunk)
                            if progress:
                                progress(done, total)
                    os.replace(tmp, target)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
            return target
        except (urllib.error.URLError, OSError, ValueError, HTTPException) as exc:
            errors.append(f"{url}: {printable(str(getattr(exc, 'reason', exc)))}")
    raise ToolkitError(
        f"could not download {model.name} ({'; '.join(errors) or 'no download link'}); "
        "check the network or install a downloaded file with `toolkit models install FILE`"
    )


def install_from_index(
    from_code: str, to_code: str, progress: Progress | None = None
) -> InstalledModel:
    """Find a pair in the Argos index, download it and install it."""
    newest = newest_in_index(from_code, to_code)
    if newest is None:
        raise ToolkitError(
            f"the Argos index has no {from_code}->{to_code} package "
            "(see `toolkit models available`)"
        )
    path = download(newest, progress)
    try:
        return install_file(path)
    finally:
        path.unlink(missing_ok=True)


def version_key(version: str) -> tuple:
    """Sort key for package versions, as argostranslate compares them (PEP 440); a version
    it cannot parse sorts below every parseable one."""
    import packaging.version

    try:
        return (1, packaging.version.parse(version))
    except packaging.version.InvalidVersion:
        return (0, version)


def newest_in_index(from_code: str, to_code: str) -> AvailableModel | None:
    """The index's newest package for a pair, or None when it has none."""
    candidates = [m for m in available_models() if (m.from_code, m.to_code) == (from_code, to_code)]
    return max(candidates, key=lambda m: version_key(m.version), default=None)


def needs_install(installed: InstalledModel | None, *, force: bool = False,
                  upgrade: bool = False, index_version: str | None = None) -> bool:
    """Whether `models install` installs a pair from the index: when it is missing, forced,
    a test package (never the real model), or with --upgrade when the index has a newer one."""
    if installed is None or force or installed.test:
        return True
    if upgrade and index_version is not None:
        return version_key(index_version) > version_key(installed.version)
    return False


def remove(from_code: str, to_code: str) -> InstalledModel:
    """Uninstall the package for a pair."""
    model = find_model(from_code, to_code)
    _settings()
    from argostranslate import package

    package.uninstall(package.Package(model.path))
    return model

