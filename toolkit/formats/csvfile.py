"""CSV records as rows of strings, with the file line of each record, and spreadsheet-safe cells.

The glossary (``toolkit.terms.glossary``) and the translators' CSV export/import
(``toolkit.terms.exchange``) both read RFC 4180 CSV and must name the file line of a problem, and
a record may span several lines (a quoted value with line breaks). This module knows nothing of
glossaries: it deals in lines and rows of strings.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import ToolkitError

FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@")
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """The lines of `text`, each with its line end (``\\r\\n``, ``\\n`` or ``\\r``) kept."""
    return _LINE_RE.findall(text)


def csv_rows(
    lines: list[str], path: Path | None, delimiter: str = ","
) -> Iterator[tuple[int, int, list[str]]]:
    """(first line index, end line index, fields) per CSV record; a record may span lines.

    Malformed quoting is a ToolkitError naming the file and line.
    """
    reader = csv.reader(iter(lines), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ToolkitError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
        yield start, reader.line_num, row


def guard_formula(value: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection); a leading
    apostrophe makes it text. A value that itself starts with one gets one more, so that
    `unguard_formula` can always remove exactly one."""
    return "'" + value if value.startswith((*FORMULA_START, "'")) else value


def unguard_formula(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith((*FORMULA_START, "'")) else value
