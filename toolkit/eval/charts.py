"""The figures of an evaluation as inline SVG bar charts, on one self-contained HTML page.

People compare engines by looking: one horizontal bar chart per figure, engines grouped by
language, the best engine of each language in a stronger colour (highest chrF++, lowest TER...).
The page is opened from disk or a CI artifact, so it loads nothing and runs nothing: the SVG is
inline, there is no script at all, the only stylesheet is allowed by its SHA-256 hash in a
Content-Security-Policy ``<meta>``, colours and sizes are SVG attributes or classes (never a
``style=`` attribute, which the policy blocks), and every piece of text (engine ids, file names,
notes) is HTML-escaped. The same figures always give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence
from pathlib import Path

from toolkit.eval.figures import Figures, Measure, Row, table
from toolkit.fileio import atomic_write_text

WIDTH = 760
LABEL_WIDTH = 340  # engine labels, left of the bars
VALUE_WIDTH = 70  # the value, right of the longest bar
BAR_HEIGHT = 16
ROW_HEIGHT = 22
GROUP_HEIGHT = 20  # a language's heading row
TOP = 8
LABEL_CHARS = 46  # longer engine ids are shortened (the full id is the bar's tooltip)

CSS = """
body{margin:0;padding:16px 20px;color:#1f2328;background:#fff;font:14px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 4px}h3{font-size:14px;margin:16px 0 2px}
.sub,.note{color:#656d76}.note{margin:2px 0}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 8px}
th{background:#f6f8fa;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:8px 24px;margin-top:12px}
figure{margin:0}figcaption{font-weight:600}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;fill:#1f2328}
svg .lang{font-weight:600}svg .value{fill:#656d76}
svg .bar{fill:#9ec5fe}svg .bar.best{fill:#0969da}svg .axis{stroke:#d0d7de}
"""


def csp_source(text: str) -> str:
    """The CSP source expression that allows exactly this inline stylesheet."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, width: int = LABEL_CHARS) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _best(measure: Measure, rows: Sequence[Row]) -> set[int]:
    """Positions of each language's best value (all tied for best; none when all are equal)."""
    best: set[int] = set()
    for lang in dict.fromkeys(r.lang for r in rows):
        mine = [(i, r.values.get(measure.key)) for i, r in enumerate(rows) if r.lang == lang]
        known = [(i, v) for i, v in mine if v is not None]
        if len(known) < 2:
            continue
        top = max(v for _, v in known) if measure.higher_is_better else min(v for _, v in known)
        if any(v != top for _, v in known):
            best |= {i for i, v in known if v == top}
    return best


def bar_chart(measure: Measure, rows: Sequence[Row]) -> str:
    """One horizontal bar chart of `measure` over `rows` (grouped by language, in row order)."""
    values = [r.values.get(measure.key) for r in rows]
    known = [float(v) for v in values if v is not None]
    top = max([measure.scale_max or 0.0, *known]) if known else 1.0
    best = _best(measure, rows)
    bar_area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    parts: list[str] = []
    y = TOP
    lang = None
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        if row.lang != lang:
            lang = row.lang
            parts.append(f'<text class="lang" x="0" y="{y + 14}">{_esc(lang)}</text>')
            y += GROUP_HEIGHT
        shown = measure.format(value)
        parts.append(f'<text x="12" y="{y + 13}">{_esc(_short(row.engine))}</text>')
        if value is not None:
            length = round(measure.bar_length(float(value), top) * bar_area, 1)
            cls = "bar best" if i in best else "bar"
            parts.append(
                f'<rect class="{cls}" x="{LABEL_WIDTH}" y="{y + 2}" width="{length}" height="{BAR_HEIGHT}">'
                f"<title>{_esc(f'{row.lang} · {row.engine}: {measure.label} {shown}')}</title></rect>"
            )
        else:
            length = 0.0
        x = LABEL_WIDTH + length + 6
        parts.append(f'<text class="value" x="{x:.1f}" y="{y + 14}">{_esc(shown)}</text>')
        y += ROW_HEIGHT
    height = y + TOP
    axis = f'<line class="axis" x1="{LABEL_WIDTH}" y1="{TOP}" x2="{LABEL_WIDTH}" y2="{y}"/>'
    better = "higher is better" if measure.higher_is_better else "lower is better"
    label = f"{measure.label} ({better})"
    return (
        f'<figure><figcaption>{_esc(label)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}"><title>{_esc(label)}</title>{axis}{"".join(parts)}</svg></figure>\n'
    )


def charts(figures: Figures) -> str:
    """Every measure that has at least one value, as a bar chart."""
    rows = figures.rows()
    return "".join(
        bar_chart(m, rows)
        for m in figures.measures()
        if m.chart and any(r.values.get(m.key) is not None for r in rows)
    )


def _table_html(figures: Figures) -> str:
    head, body = table(figures)
    out = ["<table><thead><tr>", *(f"<th>{_esc(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for line in body:
        cells = [f'<td class="{"num" if i >= 2 else "name"}">{_esc(cell)}</td>'
                 for i, cell in enumerate(line)]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>\n")
    return "".join(out)


def render_eval_page(results: Sequence[Figures], *, title: str = "Which engine for which language") -> str:
    """The complete page as a string: per result, its table, its notes and its charts."""
    csp = (f"default-src 'none'; style-src {csp_source(CSS)}; img-src 'none'; font-src 'none'; "
           "connect-src 'none'; base-uri 'none'; form-action 'none'")
    out = [
        "<!DOCTYPE html>\n",
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{_esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        f"<h1>{_esc(title)}</h1>\n",
    ]
    for result in results:
        out.append(f"<section>\n<h2>{_esc(result.title)}</h2>\n")
        out.append(f'<p class="sub">{_esc(result.subject)}</p>\n')
        if result.rows():
            out.append(_table_html(result))
        out += [f'<p class="note">{_esc(note)}</p>\n' for note in result.notes]
        out.append(f'<div class="charts">\n{charts(result)}</div>\n</section>\n')
    out.append("</body>\n</html>\n")
    return "".join(out)


def write_eval_page(path: str | Path, results: Figures | Sequence[Figures], *,
                    title: str = "Which engine for which language") -> Path:
    """Render and write the page atomically (a browser never sees half a file)."""
    items = [results] if not isinstance(results, Sequence) else list(results)
    path = Path(path)
    atomic_write_text(path, render_eval_page(items, title=title))
    return path
