"""The one exception type the toolkit raises for anything a user can fix, and how bad a problem is.

The CLI turns a ToolkitError into a single line on stderr and a non-zero exit; library callers
catch it. Problems that are reported rather than raised (QA findings, glossary lint issues) carry
a `Severity`, defined here once so every layer uses the same two values.
"""

from __future__ import annotations

import warnings
from enum import Enum
from pathlib import Path


class ToolkitError(Exception):
    """A problem the user can act on. `str()` is the one line shown to them."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path if self.line is None else f"{self.path}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class ModelNotInstalled(ToolkitError):
    """No translation model is installed for a language pair: ``--skip-missing`` skips the language.

    Any other engine error (a LibreTranslate server that is down, a broken model folder) is not
    "no model" and always stops the run.
    """


class ToolkitWarning(UserWarning):
    """Something the run worked around (no cache, drafts not kept): the CLI shows it as one
    `warning:` line on stderr; library callers get Python's warnings machinery."""


def warn(message: str) -> None:
    """Report a worked-around problem without printing: nothing below the CLI writes to a terminal."""
    warnings.warn(message, ToolkitWarning, stacklevel=2)


class Severity(str, Enum):
    """How bad a reported problem is: errors fail `toolkit qa` and the lint; warnings are for a reviewer.

    Members equal (and print as) their strings, so JSON, tables and catalogs show 'error'/'warning'.
    """

    ERROR = "error"
    WARNING = "warning"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def rank(cls, value: str) -> int:
        """Sort key, most severe first; anything that is not a severity sorts after all of them."""
        try:
            return list(cls).index(cls(value))
        except ValueError:
            return len(cls)
