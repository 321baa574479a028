"""Finding catalogs on disk: the .po files of a locales folder or of paths a user gave, and the
source article a catalog was made from (its ``#:`` references).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError

if TYPE_CHECKING:
    import polib

DEFAULT_LOCALES = Path("locales")
"""Where catalogs are when no folder is given."""


def locale_catalogs(locales_dir: str | Path) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/*.po`` under `locales_dir`, sorted; none is an error."""
    pos = sorted(Path(locales_dir).glob("*/LC_MESSAGES/*.po"))
    if not pos:
        raise ToolkitError(f"no catalogs under {locales_dir}/<lang>/LC_MESSAGES/")
    return pos


def catalog_paths(paths: Sequence[str | Path] = ()) -> list[Path]:
    """The catalogs named by `paths` [default: locales]: a .po file as given, a folder as its
    ``<lang>/LC_MESSAGES/*.po`` (or, if it has none, every .po below it); none is an error."""
    out: list[Path] = []
    for path in map(Path, paths or [DEFAULT_LOCALES]):
        if path.is_dir():
            out += sorted(path.glob("*/LC_MESSAGES/*.po")) or sorted(path.glob("**/*.po"))
        elif path.exists():
            out.append(path)
        else:
            raise ToolkitError("no such file or folder", path=path)
    if not out:
        raise ToolkitError("no .po catalogs found", path=paths[0] if paths else DEFAULT_LOCALES)
    return out


def catalog_source(catalog: polib.POFile, path: str | Path) -> Path:
    """The source article of `catalog` (read from `path`): its first ``#:`` reference."""
    from toolkit.l10n.comments import source_references

    refs = [source_references(entry) for entry in catalog if entry.occurrences]
    if not refs:
        raise ToolkitError("the catalog has no #: source reference; pass --source", path=path)
    return Path(refs[0][0][0])
