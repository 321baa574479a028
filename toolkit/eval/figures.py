"""The figures of an evaluation as one vocabulary for its table, its JSON and its charts.

Both modes (post-edit, reference) report a row per language and engine with named values; each
`Measure` says how a value is labelled, shown and compared, so the text table, the HTML table and
the bar charts are drawn from the same list and a new figure needs no change in any of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from toolkit.eval.metrics import METRICS, Metric

MISSING = "–"  # shown for a figure that could not be computed (nothing to score, no glossary column)


@dataclass(frozen=True)
class Measure:
    """One figure: its key in `Row.values`, its heading, and how it is shown and compared."""

    key: str
    label: str
    higher_is_better: bool = True
    percent: bool = False  # a share in [0, 1], shown as a percentage
    digits: int = 1
    unit: str = ""  # appended to the shown value (" s")
    scale_max: float | None = None  # the bar scale's end (100 for sacrebleu scores); None: the top value
    chart: bool = True  # drawn as a bar chart (counts are only in the table)

    def format(self, value: float | int | None) -> str:
        if value is None:
            return MISSING
        if isinstance(value, int) and not self.percent:
            return str(value)
        shown = value * 100 if self.percent else value
        return f"{shown:.{self.digits}f}{'%' if self.percent else self.unit}"

    def bar_length(self, value: float, top: float) -> float:
        """The value on a 0..1 bar scale, `top` being the largest value charted."""
        if self.percent:
            return max(0.0, min(1.0, value))
        return max(0.0, value / top) if top > 0 else 0.0


@dataclass(frozen=True)
class Row:
    """The figures of one engine for one language."""

    lang: str
    engine: str
    values: Mapping[str, float | int | None]


class Figures(Protocol):
    """What a report gives the table, the JSON and the charts (`PostEditReport`, `ReferenceReport`)."""

    title: str
    notes: list[str]

    @property
    def subject(self) -> str:
        """One line saying what was evaluated (files, folder, dates)."""
        ...

    def measures(self) -> list[Measure]: ...

    def rows(self) -> list[Row]: ...


def metric_measures(metrics: Mapping[str, Metric] = METRICS, labels: Mapping[str, str] | None = None
                    ) -> list[Measure]:
    """One Measure per registered metric (`labels` may rename one, e.g. TER as HTER)."""
    labels = labels or {}
    return [Measure(m.key, labels.get(m.key, m.label), m.higher_is_better, scale_max=100.0)
            for m in metrics.values()]


COMET = Measure("comet", "COMET", True, digits=4, scale_max=1.0)


def table(figures: Figures) -> tuple[list[str], list[list[str]]]:
    """Headings and one line of shown values per row: language, engine, then every measure."""
    measures = figures.measures()
    head = ["language", "engine", *(m.label for m in measures)]
    body = [[row.lang, row.engine, *(m.format(row.values.get(m.key)) for m in measures)]
            for row in figures.rows()]
    return head, body


def format_table(figures: Figures) -> str:
    """The table as aligned plain text (numbers right-aligned), for a terminal or a log."""
    head, body = table(figures)
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)]) + "\n"


def format_report(figures: Figures) -> str:
    """What a terminal shows: the title, what was evaluated, the table (if any row) and the notes."""
    out = f"{figures.title}\n{figures.subject}\n"
    if figures.rows():
        out += "\n" + format_table(figures)
    if figures.notes:
        out += "\n" + "".join(f"note: {note}\n" for note in figures.notes)
    return out
