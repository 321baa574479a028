"""The default glossary: which file a command uses when none is given, and the one to enforce.

Every command that takes ``--glossary`` falls back to ``glossaries/defense.csv`` in the current
folder, then to the one shipped with this repository; the rule lives here so they all agree.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.terms.glossary import Glossary, load_glossary
from toolkit.terms.lint import lint

DEFAULT_GLOSSARY = Path("glossaries/defense.csv")
"""Looked up relative to the current folder first."""
REPO_GLOSSARY = Path(__file__).resolve().parents[2] / "glossaries" / "defense.csv"
"""The glossary shipped with the toolkit, when the current folder has none."""


def default_glossary_path(path: str | Path | None = None) -> Path:
    """`path` if it is a file, else glossaries/defense.csv (cwd, then repo); else a ToolkitError."""
    for candidate in (path, DEFAULT_GLOSSARY, REPO_GLOSSARY):
        if candidate is not None and Path(candidate).is_file():
            return Path(candidate)
    raise ToolkitError(f"no glossary file: {path or DEFAULT_GLOSSARY}")


def load_default_glossary(path: str | Path | None = None) -> Glossary:
    """The glossary at `default_glossary_path(path)`."""
    return load_glossary(default_glossary_path(path))


def load_enforced_glossary(path: str | Path | None = None) -> Glossary | None:
    """The glossary to enforce: the given file, else glossaries/defense.csv (cwd, then repo).

    None when no file was given and there is no default glossary (the caller warns). A glossary
    with one surface form in two concepts is refused: enforcement could only ever pick one.
    """
    if path is None and not (DEFAULT_GLOSSARY.is_file() or REPO_GLOSSARY.is_file()):
        return None
    glossary = load_glossary(path if path is not None else default_glossary_path(None))
    # One surface form in two concepts: enforcement could only ever pick one of them.
    for issue in lint(glossary):
        if issue.code == "duplicate-term":
            raise ToolkitError(
                f"{issue.message} (see `toolkit glossary lint`)", path=glossary.path, line=issue.line
            )
    return glossary
