"""The one exception type the toolkit raises for anything a user can fix.

The CLI turns it into a single line on stderr and a non-zero exit; library callers catch it.
"""

from __future__ import annotations

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
