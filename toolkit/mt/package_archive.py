"""What an `.argosmodel` may hold, checked before anything is extracted, and its extraction.

A package is a zip file from the internet or a colleague's USB stick: it is read as hostile.
Before one byte is written, `read_archive_metadata` refuses member paths that climb out
(zip-slip), archives that would unpack to more than `MAX_PACKAGE_BYTES` or compress better than
`MAX_COMPRESSION_RATIO` (zip bombs), damaged members, and metadata that is not what a package
says about itself (`check_metadata`: language codes, version, type). Codes and versions are then
plain ASCII, so they can be shown and used in paths as they are. `extract` writes the members
into a staging folder, never more bytes than each member declares; `toolkit.mt.packages` moves
the folder into place only once the model in it loads.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from toolkit.errors import ToolkitError

# Real Argos packages are 100-300 MB unpacked and compress at most ~1.3:1 (model.bin) to ~10:1
# (vocabularies, the sentence splitter); the caps are far above both.
MAX_PACKAGE_BYTES = 2 * 1024**3  # unpacked size of all members together
MAX_COMPRESSION_RATIO = 100  # unpacked / packed, for each member of RATIO_MIN_BYTES or more
RATIO_MIN_BYTES = 1024**2  # smaller members cannot make a bomb; a README may compress 200:1
MAX_MEMBERS = 10_000
MAX_METADATA_BYTES = 1024**2

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")  # en, pt_BR, zh-Hant
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}")  # 0.1, 1.9, 2.0-beta
FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")  # translate-en_de-0_1
TARGET_PREFIX = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]{1,64}")  # a model token such as __de__


def read_archive_metadata(path: str | Path) -> dict:
    """Validate an .argosmodel before anything is extracted and return its metadata.

    Rejects non-zips, archives without exactly one `*/metadata.json`, members whose path is
    absolute or climbs out with `..` (zip-slip), archives over the size and ratio caps, damaged,
    encrypted or oddly compressed members (every member's CRC is checked, so extraction cannot
    fail half-way on a bad member) and metadata that `check_metadata` refuses.
    """
    path = Path(path)
    if not path.is_file():
        raise ToolkitError("no such package file", path=path)
    if not zipfile.is_zipfile(path):
        raise ToolkitError("not an Argos package (.argosmodel must be a zip archive)", path=path)
    try:
        return _archive_metadata(path)
    # zipfile's errors for damaged archives: BadZipFile (CRC, headers), NotImplementedError
    # (compression), RuntimeError (encryption), EOFError, ValueError (a mangled utf-8 name),
    # OSError (a header pointing past the end)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, ValueError, OSError) as exc:
        raise ToolkitError(f"damaged or unsupported package archive ({exc})", path=path) from None


def top_folder(path: str | Path) -> str:
    """The one top folder of a checked archive (see `read_archive_metadata`)."""
    with zipfile.ZipFile(path) as zf:
        return next(PurePosixPath(n).parts[0] for n in zf.namelist() if PurePosixPath(n).parts)


def _archive_metadata(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [info.filename for info in infos]
        for name in names:
            pure = PurePosixPath(name.replace("\\", "/"))
            if pure.is_absolute() or ".." in pure.parts or (name[1:2] == ":"):
                raise ToolkitError(f"unsafe member path {name!r} in package", path=path)
            if not name.isprintable() or "\\" in name:
                raise ToolkitError(f"unsafe member name {name!r} in package", path=path)
        roots = {PurePosixPath(n).parts[0] for n in names if PurePosixPath(n).parts}  # not "." or "/"
        meta_names = [n for n in names if PurePosixPath(n).parts[1:] == ("metadata.json",)]
        if len(roots) != 1 or len(meta_names) != 1:
            raise ToolkitError(
                "not an Argos package: expected one top folder with metadata.json", path=path
            )
        [root] = roots
        if not FOLDER.fullmatch(root):
            raise ToolkitError(f"package top folder {root!r} is not a plain folder name "
                               "(letters, digits, '.', '_', '-')", path=path)
        _check_sizes(path, infos)
        bad = zf.testzip()
        if bad is not None:
            raise ToolkitError(f"damaged package: member {bad!r} fails its CRC check", path=path)
        if zf.getinfo(meta_names[0]).file_size > MAX_METADATA_BYTES:
            raise ToolkitError("package metadata.json is larger than 1 MiB", path=path)
        try:
            metadata = json.loads(zf.read(meta_names[0]).decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise ToolkitError(f"package metadata.json is not valid JSON ({exc})", path=path) from None
    return check_metadata(metadata, path)


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """The zip-bomb caps, from the sizes the archive declares (extraction holds it to them)."""
    if len(infos) > MAX_MEMBERS:
        raise ToolkitError(f"package has {len(infos)} members (at most {MAX_MEMBERS})", path=path)
    names = [info.filename.rstrip("/") for info in infos]
    if len(set(names)) != len(names):
        raise ToolkitError("package has two members with the same name", path=path)
    total = sum(info.file_size for info in infos)
    if total > MAX_PACKAGE_BYTES:
        raise ToolkitError(f"package would unpack to {_mib(total)} (at most {_mib(MAX_PACKAGE_BYTES)})",
                           path=path)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise ToolkitError(f"package member {info.filename!r} would unpack to {ratio:.0f} times its "
                               f"packed size (at most {MAX_COMPRESSION_RATIO}): a zip bomb?", path=path)


def check_metadata(metadata: Any, where: str | Path) -> dict:
    """A package's metadata.json, or one ToolkitError naming `where` and the field.

    from_code and to_code are language codes, package_version (if given) a version string,
    type (if given) ``translate``, target_prefix (if given) one model token: nothing that could
    climb out of a folder, break a table or reach a terminal as an escape code.
    """
    if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get("to_code"):
        raise ToolkitError("package metadata.json lacks from_code/to_code", path=where)
    for field in ("from_code", "to_code"):
        value = metadata[field]
        if not isinstance(value, str) or not LANGUAGE_CODE.fullmatch(value):
            raise ToolkitError(f"package metadata.json: {field} {value!r} is not a language code "
                               "(like 'en' or 'pt_BR')", path=where)
    if "package_version" in metadata:
        value = metadata["package_version"]
        if not isinstance(value, str) or not VERSION.fullmatch(value):
            raise ToolkitError(f"package metadata.json: package_version {value!r} is not a version "
                               "(like '1.9')", path=where)
    if metadata.get("type", "translate") != "translate":
        raise ToolkitError(f"package metadata.json: type {metadata['type']!r} is not a translation "
                           "package ('translate')", path=where)
    prefix = metadata.get("target_prefix", "")
    if not isinstance(prefix, str) or (prefix and not TARGET_PREFIX.fullmatch(prefix)):
        raise ToolkitError(f"package metadata.json: target_prefix {prefix!r} is not one model token",
                           path=where)
    return metadata


def extract(path: str | Path, staging: Path) -> Path:
    """Unpack a checked archive into `staging` (an empty folder); returns its top folder there.

    Regular files and folders only, each file at most the size its header declares. An OSError
    (a full disk, a member that cannot be written) propagates: the caller removes `staging`.
    """
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            target = staging.joinpath(*PurePosixPath(info.filename).parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as source, open(target, "xb") as out:
                written = 0
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > info.file_size:
                        raise ToolkitError(f"package member {info.filename!r} is larger than it says",
                                           path=path)
                    out.write(chunk)
    return staging / top_folder(path)


def unpacked_size(path: str | Path) -> int:
    """The bytes a checked archive unpacks to (for the free-space check)."""
    with zipfile.ZipFile(path) as zf:
        return sum(info.file_size for info in zf.infolist())


def _mib(size: int) -> str:
    return f"{size / 1024**2:.0f} MiB"
