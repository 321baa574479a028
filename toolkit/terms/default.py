"""Which glossary a command uses, the one shipped inside the package, and the one to enforce.

Every command that takes ``--glossary`` looks in the same three places, first match wins:

1. ``--glossary FILE``: that file; if it does not exist, an error (never another glossary:
   ``glossary import --glossary typo.csv`` must not edit some other file);
2. ``glossary = "FILE"`` in the configuration file (``toolkit.toml`` or ``[tool.toolkit]``, see
   `toolkit.config`), relative to that file; if it does not exist, an error;
3. ``glossaries/defense.csv`` in the current folder.

Nothing falls back to the install or repository folder. The defense glossary ships inside the
package (`SHIPPED_GLOSSARY`) only for ``toolkit glossary init``, which copies it to
``glossaries/defense.csv`` where the newsroom edits it.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.config import TOP_LEVEL, config_file
from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_bytes, read_bytes
from toolkit.terms.glossary import Glossary, load_glossary
from toolkit.terms.lint import cached_lint
from toolkit.terms.termbase import read_termbase

DEFAULT_GLOSSARY = Path("glossaries/defense.csv")
"""Looked up relative to the current folder, when neither --glossary nor toolkit.toml names one."""
SHIPPED_GLOSSARY = Path(__file__).resolve().parent / "data" / "defense.csv"
"""The defense glossary as the package ships it (a copy of the repository's glossaries/defense.csv);
`toolkit glossary init` writes it to ./glossaries/. Never used in place of a missing glossary."""
NO_GLOSSARY_HINT = (
    "give --glossary FILE, set glossary = \"FILE\" in toolkit.toml, "
    f"or run `toolkit glossary init` to create {DEFAULT_GLOSSARY}"
)


def configured_glossary(cwd: Path | None = None) -> Path | None:
    """The ``glossary`` key of the configuration file (relative to that file), or None."""
    found = config_file(cwd)
    if found is None:
        return None
    path, data = found
    value = data.get("glossary")
    if value is None:
        return None
    TOP_LEVEL["glossary"].check("glossary", value, str(path))
    glossary = Path(value.strip()).expanduser()
    return glossary if glossary.is_absolute() else path.parent / glossary


def find_glossary(path: str | Path | None = None) -> Path | None:
    """The glossary file in use (the lookup order above), or None when there is none.

    A ``--glossary`` or toolkit.toml file that does not exist is a ToolkitError, not None.
    """
    if path is not None:
        if not Path(path).is_file():
            raise ToolkitError(f"no glossary file: {path}")
        return Path(path)
    configured = configured_glossary()
    if configured is not None:
        if not configured.is_file():
            raise ToolkitError(f"no glossary file: {configured} (the glossary key of the configuration file)")
        return configured
    return DEFAULT_GLOSSARY if DEFAULT_GLOSSARY.is_file() else None


def default_glossary_path(path: str | Path | None = None) -> Path:
    """The glossary file in use (`find_glossary`); none at all is a ToolkitError with the way out."""
    found = find_glossary(path)
    if found is None:
        raise ToolkitError(f"no glossary here: {NO_GLOSSARY_HINT}")
    return found


def load_default_glossary(path: str | Path | None = None) -> Glossary:
    """The glossary at `default_glossary_path(path)`."""
    return load_glossary(default_glossary_path(path))


def load_enforced_glossary(path: str | Path | None = None) -> Glossary | None:
    """The glossary to enforce: the one `find_glossary(path)` finds.

    None when no file was given or configured and there is no glossaries/defense.csv (the
    caller warns). A glossary with one surface form in two concepts is refused: enforcement
    could only ever pick one.
    """
    found = find_glossary(path)
    if found is None:
        return None
    glossary = read_termbase(found)  # enforcing never writes it back
    # One surface form in two concepts: enforcement could only ever pick one of them.
    for issue in cached_lint(glossary):
        if issue.code == "duplicate-term":
            raise ToolkitError(
                f"{issue.message} (see `toolkit glossary lint`)", path=glossary.path, line=issue.line
            )
    return glossary


def init_glossary(folder: str | Path = ".", *, force: bool = False) -> Path:
    """Copy the shipped glossary to FOLDER/glossaries/defense.csv; an existing one is kept
    (a ToolkitError) unless `force`."""
    target = Path(folder) / DEFAULT_GLOSSARY
    if target.exists() and not force:
        raise ToolkitError("a glossary is already there (--force replaces it)", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, read_bytes(SHIPPED_GLOSSARY, "glossary"))
    return target
