"""Tables that stay whole: at 80 columns no value is cut with "…", and outside a terminal (a
pipe, a log, CI) they are plain text with no box characters or escape codes.

Commands build a `rich.table.Table` as usual and print it with `print_table`. On a terminal
every column folds instead of truncating. Elsewhere the rows are aligned columns when they fit
the width (COLUMNS, else 80), or else one ``header: value`` line per cell, wrapped, with a blank
line between rows, so a long path is still there to copy.
"""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.table import Table
from rich.text import Text

from toolkit.cli.output import console as _stdout

GAP = "  "


def _plain(cell) -> str:
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return Text.from_markup(cell).plain
    return str(cell)


def plain_lines(table: Table, width: int) -> list[str]:
    """The table as plain text lines, none wider than WIDTH unless a word is (it is then split)."""
    headers = [_plain(c.header) for c in table.columns]
    cells = [list(c.cells) for c in table.columns]
    rows = [[_plain(cell) for cell in row] for row in zip(*cells, strict=True)]
    lines: list[str] = []
    if table.title:
        lines += textwrap.wrap(_plain(table.title), width) or [""]
    if not rows:
        return lines
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    fits = all("\n" not in v for r in rows for v in r)
    if fits and sum(widths) + len(GAP) * (len(widths) - 1) <= width:
        right = [c.justify == "right" for c in table.columns]
        for row in [headers, *rows]:
            cells = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(row, widths, right, strict=True)]
            lines.append(GAP.join(cells).rstrip())
        return lines
    label = max(len(h) for h in headers) + 2
    for n, row in enumerate(rows):
        if n:
            lines.append("")
        for header, value in zip(headers, row, strict=True):
            first = f"{header}:".ljust(label)
            for k, part in enumerate(value.splitlines() or [""]):
                lines += textwrap.wrap(part, width, initial_indent=first if k == 0 else " " * label,
                                       subsequent_indent=" " * label, break_on_hyphens=False,
                                       drop_whitespace=True) or [first.rstrip()]
    return lines


def print_table(table: Table, console: Console | None = None) -> None:
    """Print TABLE whole: folded on a terminal, plain text elsewhere."""
    console = console or _stdout
    if console.is_terminal:
        for column in table.columns:
            column.overflow = "fold"
        console.print(table)
        return
    for line in plain_lines(table, console.width):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
