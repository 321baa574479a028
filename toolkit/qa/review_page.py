"""One self-contained HTML page for reviewing an article's translations side by side.

Translators and editors open the page from disk (often from a CI artifact), so it has to work
offline and be safe to open whatever the catalogs contain:

* everything is inline (CSS, JS); the page loads nothing, not even a font or an icon, and a
  Content-Security-Policy ``<meta>`` allows only the page's own ``<style>`` and ``<script>``,
  by SHA-256 hash (no nonce, so the same catalogs always give the same bytes);
* every piece of text from a catalog, glossary or QA finding is HTML-escaped. Highlighting
  splits the *raw* text at the span offsets, escapes each piece and only then wraps the
  highlighted ones, so a span can never cut an entity or smuggle markup in. The CSP is a second
  line of defence, not the first.

Per block the page shows the English source with its glossary terms marked (`find_terms`), and
for each language the translation with the terms' renderings marked (`check_translation`): an
accepted rendering, a rejected one, or a note that an expected rendering is missing. The
concept's note is the tooltip. QA findings are passed in as plain data (see `render_html`), so
this module does not depend on the QA checks. Without JavaScript every column is shown; with it,
a toolbar shows or hides languages and blocks that need no attention. ``report.html#langs=el,de``
opens with only those languages shown, so a link can be sent to one translator.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import polib

from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_text
from toolkit.l10n.catalog import check_domain, is_machine, read_po, source_references

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary

REVIEWED = "reviewed"
FUZZY = "fuzzy"
UNTRANSLATED = "untranslated"
MISSING = "missing"  # the catalog has no entry for this text: it was not updated for this article

FindingKey = tuple[str, "str | None", str]  # (lang, msgctxt, msgid)


class CellFinding(NamedTuple):
    """One QA finding as shown on the page; anything with these three fields can be passed in."""

    check_id: str
    severity: str  # 'error' | 'warning' | anything else is shown as information
    message: str


@dataclass
class ReviewCell:
    """One language's translation of one block, with what a reviewer needs to judge it."""

    text: str
    status: str  # REVIEWED | FUZZY | UNTRANSLATED | MISSING
    findings: list[CellFinding] = field(default_factory=list)
    machine: bool = False  # an untouched MT draft (`is_machine`), not a translator's fuzzy work


@dataclass
class ReviewBlock:
    """One catalog entry (one block of the article) across all languages."""

    msgid: str
    msgctxt: str | None
    reference: str  # 'examples/article.txt:3', several joined with ', '
    translations: dict[str, ReviewCell] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Collecting


def catalogs_for_domain(locales_dir: str | Path, domain: str) -> list[Path]:
    """``locales/*/LC_MESSAGES/<domain>.po``, sorted by language, so columns have a stable order."""
    locales_dir = Path(locales_dir)
    check_domain(domain)
    if not locales_dir.is_dir():
        raise ToolkitError("no such locales directory", path=locales_dir)
    paths = sorted(
        (p for p in locales_dir.glob(f"*/LC_MESSAGES/{domain}.po") if p.is_file()),
        key=lambda p: p.parent.parent.name,
    )
    if not paths:
        raise ToolkitError(f"no catalogs for domain {domain!r} (expected <lang>/LC_MESSAGES/{domain}.po)",
                           path=locales_dir)
    return paths


def collect(po_paths: Sequence[str | Path]) -> list[ReviewBlock]:
    """Blocks in the first catalog's order, one cell per catalog in the order given.

    Entries only some catalogs have (a catalog not updated for the current article) are added
    after the first catalog's, and the catalogs without them get a MISSING cell, so every block
    has every language and nothing a translator wrote is left off the page.
    """
    if not po_paths:
        raise ToolkitError("no catalogs to report on")
    catalogs: list[tuple[str, polib.POFile]] = []
    for path in po_paths:
        po = read_po(path)
        lang = _language(Path(path), po)
        if any(lang == seen for seen, _ in catalogs):
            raise ToolkitError(f"two catalogs for language {lang!r}", path=path)
        catalogs.append((lang, po))

    blocks: dict[tuple[str | None, str], ReviewBlock] = {}
    for _, po in catalogs:
        for entry in _entries(po):
            key = (entry.msgctxt, entry.msgid)
            if key not in blocks:
                blocks[key] = ReviewBlock(entry.msgid, entry.msgctxt, _reference(entry))
    for lang, po in catalogs:
        by_key = {(e.msgctxt, e.msgid): e for e in _entries(po)}
        for key, block in blocks.items():
            entry = by_key.get(key)
            block.translations[lang] = _cell(entry) if entry else ReviewCell("", MISSING)
    return list(blocks.values())


def _language(path: Path, po: polib.POFile) -> str:
    """The header's Language, else the ``<lang>/LC_MESSAGES`` directory, else the file name."""
    lang = po.metadata.get("Language", "").strip()
    if lang:
        return lang
    if path.parent.name == "LC_MESSAGES" and path.parent.parent.name:
        return path.parent.parent.name
    return path.stem


def _entries(po: polib.POFile) -> Iterable[polib.POEntry]:
    return (e for e in po if not e.obsolete and e.msgid)


def _reference(entry: polib.POEntry) -> str:
    return ", ".join(f"{file}:{line}" if line else file for file, line in source_references(entry))


def _cell(entry: polib.POEntry) -> ReviewCell:
    if entry.msgid_plural:
        text = "\n".join(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        translated = all(entry.msgstr_plural.values())
    else:
        text, translated = entry.msgstr, bool(entry.msgstr)
    if not translated:
        return ReviewCell(text, UNTRANSLATED)
    if entry.fuzzy:
        return ReviewCell(text, FUZZY, machine=is_machine(entry))
    return ReviewCell(text, REVIEWED)


# --------------------------------------------------------------------------------------------
# Rendering


def render_html(
    blocks: Sequence[ReviewBlock],
    *,
    glossary: Glossary | None = None,
    findings: Mapping[FindingKey, Iterable[Any]] | None = None,
    title: str,
) -> str:
    """The complete page as a string.

    `findings` maps ``(lang, msgctxt, msgid)`` to findings for that entry: objects with
    ``check_id``, ``severity`` and ``message`` attributes (such as the QA module's), mappings
    with those keys, or 3-tuples. They are shown with the cell's own `ReviewCell.findings`.
    Findings whose key matches no block (a catalog-wide problem, msgid ``""``) are listed under
    the summary rather than dropped.
    """
    langs = _languages(blocks)
    extra = {key: [_as_finding(f) for f in items] for key, items in (findings or {}).items()}
    cells: dict[tuple[int, str], list[CellFinding]] = {}
    for i, block in enumerate(blocks):
        for lang, cell in block.translations.items():
            own = [_as_finding(f) for f in cell.findings]
            found = [*own, *extra.pop((lang, block.msgctxt, block.msgid), [])]
            cells[(i, lang)] = sorted(found, key=lambda f: _SEVERITY_ORDER.get(f.severity, 2))
    orphans = {key: items for key, items in extra.items() if items}

    style = _CSS + "".join(
        f".hide-col-{n} .col-{n}{{display:none}}\n" for n in range(1, len(langs) + 1)
    )
    script = _JS
    csp = (
        "default-src 'none'; "
        f"style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
        "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    e = _esc
    out = [
        "<!DOCTYPE html>\n",
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n',  # no '"' or '&' in it
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="referrer" content="no-referrer">\n',
        f"<title>{e(title)}</title>\n",
        f"<script>{script}</script>\n",
        f"<style>{style}</style>\n",
        "</head>\n<body>\n",
        f'<header class="page-head"><h1>{e(title)}</h1>\n',
        f'<p class="sub">{len(blocks)} blocks · {len(langs)} languages'
        f"{' · glossary ' + e(glossary.path.name) if glossary and glossary.path else ''}</p>\n",
        "</header>\n",
        _summary(blocks, langs, cells, orphans),
        '<nav class="toolbar" id="toolbar" aria-label="Filters">'
        '<span class="tb-label">Languages</span><span id="lang-filter" class="tb-group"></span>'
        '<span id="attention-filter" class="tb-group"></span>'
        '<span class="legend"><mark class="term">term</mark> glossary term · '
        '<mark class="term found">rendering</mark> accepted · '
        '<mark class="term forbidden">rendering</mark> rejected</span></nav>\n',
        _table(blocks, langs, cells, glossary),
        "</body>\n</html>\n",
    ]
    return "".join(out)


def write_report(
    po_paths: Sequence[str | Path],
    out: str | Path,
    *,
    glossary: Glossary | None = None,
    findings: Mapping[FindingKey, Iterable[Any]] | None = None,
    title: str | None = None,
) -> Path:
    """Collect, render and write the page atomically (a browser never sees half a file)."""
    out = Path(out)
    if title is None:
        title = f"Translation review: {Path(po_paths[0]).stem}" if po_paths else "Translation review"
    page = render_html(collect(po_paths), glossary=glossary, findings=findings, title=title)
    atomic_write_text(out, page)
    return out


# --------------------------------------------------------------------------------------------
# Page parts

_SEVERITY_ORDER = {"error": 0, "warning": 1}
_STATUS_LABEL = {REVIEWED: "reviewed", FUZZY: "fuzzy", UNTRANSLATED: "untranslated", MISSING: "missing"}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def _languages(blocks: Sequence[ReviewBlock]) -> list[str]:
    langs: dict[str, None] = {}
    for block in blocks:
        langs.update(dict.fromkeys(block.translations))
    return list(langs)


def _language_name(lang: str) -> str:
    """'Greek' for 'el'; the code itself if Babel does not know it."""
    try:
        from babel import Locale

        return Locale.parse(lang.replace("-", "_")).english_name or lang
    except Exception:  # Babel raises several types for unknown or malformed codes
        return lang


def _as_finding(item: Any) -> CellFinding:
    try:
        if isinstance(item, Mapping):
            values = (item["check_id"], item["severity"], item["message"])
        elif hasattr(item, "check_id"):
            values = (item.check_id, item.severity, item.message)
        else:
            check_id, severity, message = item
            values = (check_id, severity, message)
    except (KeyError, AttributeError, TypeError, ValueError):
        raise ToolkitError(f"not a finding (need check_id, severity, message): {item!r}") from None
    check_id, severity, message = (str(v) for v in values)
    return CellFinding(check_id, severity.lower(), message)


def _summary(
    blocks: Sequence[ReviewBlock],
    langs: list[str],
    cells: Mapping[tuple[int, str], list[CellFinding]],
    orphans: Mapping[FindingKey, list[CellFinding]],
) -> str:
    e = _esc
    rows = []
    for n, lang in enumerate(langs, start=1):
        counts = {REVIEWED: 0, FUZZY: 0, UNTRANSLATED: 0, MISSING: 0}
        severities = {"error": 0, "warning": 0}
        for i, block in enumerate(blocks):
            cell = block.translations.get(lang)
            if cell is None:
                continue
            counts[cell.status] = counts.get(cell.status, 0) + 1
            for f in cells[(i, lang)]:
                if f.severity in severities:
                    severities[f.severity] += 1
        for (olang, _, _), items in orphans.items():
            for f in items:
                if olang == lang and f.severity in severities:
                    severities[f.severity] += 1
        entries = len(blocks) - counts[MISSING]
        missing = f' <span class="muted">({counts[MISSING]} missing)</span>' if counts[MISSING] else ""
        rows.append(
            f'<tr class="col-{n}"><th scope="row"><span class="code">{e(lang)}</span> '
            f"{e(_language_name(lang))}</th>"
            f'<td class="num">{entries}{missing}</td>'
            f'<td class="num">{counts[REVIEWED]}</td>'
            f'<td class="num">{counts[FUZZY]}</td>'
            f'<td class="num">{counts[UNTRANSLATED]}</td>'
            f'<td class="num{" has-error" if severities["error"] else ""}">{severities["error"]}</td>'
            f'<td class="num{" has-warning" if severities["warning"] else ""}">{severities["warning"]}</td>'
            f'<td><progress max="{max(entries, 1)}" value="{counts[REVIEWED]}" '
            f'aria-label="{e(lang)} reviewed"></progress></td></tr>\n'
        )
    parts = [
        '<section class="summary" aria-label="Summary"><table class="sum">\n<thead><tr>'
        '<th scope="col">Language</th><th scope="col">Entries</th><th scope="col">Reviewed</th>'
        '<th scope="col">Fuzzy</th><th scope="col">Untranslated</th><th scope="col">Errors</th>'
        '<th scope="col">Warnings</th><th scope="col">Progress</th></tr></thead>\n<tbody>\n',
        *rows,
        "</tbody></table>\n",
    ]
    if orphans:
        parts.append('<div class="orphans"><h2>Catalog findings</h2><ul class="findings">\n')
        for (lang, msgctxt, msgid), items in orphans.items():
            where = e(lang) + (f" · {e(_clip(msgid))}" if msgid else "") + (
                f" · ctx {e(msgctxt)}" if msgctxt else ""
            )
            parts.extend(_finding_item(f, where) for f in items)
        parts.append("</ul></div>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _finding_item(f: CellFinding, where: str = "") -> str:
    severity = f.severity if f.severity in _SEVERITY_ORDER else "info"
    prefix = f'<span class="where">{where}</span> ' if where else ""
    return (
        f'<li class="sev-{severity}">{prefix}<span class="check">{_esc(f.check_id)}</span> '
        f"{_esc(f.message)}</li>\n"
    )


def _table(
    blocks: Sequence[ReviewBlock],
    langs: list[str],
    cells: Mapping[tuple[int, str], list[CellFinding]],
    glossary: Glossary | None,
) -> str:
    e = _esc
    head = ['<th scope="col" class="col-src">Source <span class="code">en</span></th>']
    for n, lang in enumerate(langs, start=1):
        head.append(
            f'<th scope="col" class="col-{n}" data-col="{n}" data-lang="{e(lang)}">'
            f'<span class="code">{e(lang)}</span> {e(_language_name(lang))}</th>'
        )
    parts = [
        '<main><table class="review">\n<thead><tr>',
        *head,
        "</tr></thead>\n<tbody>\n",
    ]
    for i, block in enumerate(blocks):
        attention = any(
            cell.status != REVIEWED or cells[(i, lang)] for lang, cell in block.translations.items()
        )
        meta = [f'<a class="anchor" href="#b{i + 1}">¶{i + 1}</a>']
        if block.reference:
            meta.append(f'<span class="ref">{e(block.reference)}</span>')
        if block.msgctxt:
            meta.append(f'<span class="ctx">ctx {e(block.msgctxt)}</span>')
        source_spans = _source_spans(glossary, block.msgid) if glossary else []
        row = [
            f'<tr id="b{i + 1}" class="{"attention" if attention else "ok"}">',
            f'<td class="col-src"><div class="meta">{" · ".join(meta)}</div>'
            f'<div class="text" lang="en">{_highlight(block.msgid, source_spans)}</div></td>',
        ]
        for n, lang in enumerate(langs, start=1):
            cell = block.translations.get(lang) or ReviewCell("", MISSING)
            row.append(_cell_html(n, lang, block.msgid, cell, cells.get((i, lang), []), glossary))
        row.append("</tr>\n")
        parts.extend(row)
    parts.append("</tbody></table></main>\n")
    return "".join(parts)


def _cell_html(
    n: int, lang: str, source: str, cell: ReviewCell, found: list[CellFinding], glossary: Glossary | None
) -> str:
    e = _esc
    badge = f'<span class="badge st-{cell.status}">{_STATUS_LABEL.get(cell.status, e(cell.status))}</span>'
    if cell.machine:
        badge += ' <span class="badge st-mt" title="Machine draft nobody has edited yet">MT draft</span>'
    if cell.status == MISSING:
        body = '<div class="text empty">not in this catalog</div>'
    elif cell.status == UNTRANSLATED and not cell.text:
        body = '<div class="text empty">not translated</div>'
    else:
        spans, absent = _target_spans(glossary, source, cell.text, lang) if glossary else ([], [])
        body = f'<div class="text" lang="{e(lang)}">{_highlight(cell.text, spans)}</div>'
        if absent:
            body += '<div class="term-missing">Glossary: ' + ", ".join(absent) + " not found</div>"
    if found:
        body += '<ul class="findings">\n' + "".join(_finding_item(f) for f in found) + "</ul>"
    return f'<td class="col-{n} cell st-{cell.status}"><div class="meta">{badge}</div>{body}</td>'


# --------------------------------------------------------------------------------------------
# Highlighting

Span = tuple[int, int, str, str]  # start, end, CSS classes, tooltip


def _highlight(text: str, spans: Iterable[Span]) -> str:
    """Escape `text`, wrapping each span in ``<mark>``: split raw, escape each piece, then wrap.

    Spans must lie inside the text; overlapping ones after the first are ignored.
    """
    out: list[str] = []
    pos = 0
    for start, end, classes, tooltip in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos or not 0 <= start < end <= len(text):
            continue
        out.append(_esc(text[pos:start]))
        out.append(f'<mark class="{_esc(classes)}" title="{_esc(tooltip)}">{_esc(text[start:end])}</mark>')
        pos = end
    out.append(_esc(text[pos:]))
    return "".join(out)


def _source_spans(glossary: Glossary, source: str) -> list[Span]:
    from toolkit.terms.glossary import find_terms

    concepts = {c.id: c for c in glossary.concepts}
    spans = []
    for match in find_terms(glossary, source):
        concept = concepts.get(match.concept_id)
        tip = concept.term if concept else match.concept_id
        if concept and concept.note:
            tip += f": {concept.note}"
        spans.append((match.start, match.end, "term", tip))
    return spans


def _target_spans(
    glossary: Glossary, source: str, translation: str, lang: str
) -> tuple[list[Span], list[str]]:
    """Marked renderings in the translation, and the escaped expected renderings not found."""
    from toolkit.terms.verify import check_translation

    if lang not in glossary.languages or not translation:
        return [], []
    concepts = {c.id: c for c in glossary.concepts}
    spans: list[Span] = []
    absent: list[str] = []
    for check in check_translation(glossary, source, translation, lang):
        concept = concepts.get(check.concept_id)
        rendering = concept.renderings.get(lang) if concept else None
        notes = [n for n in (concept.note if concept else "", rendering.note if rendering else "") if n]
        if check.status == "missing" or check.target is None:
            tip = f"{check.term} → {check.expected}" + "".join(f"\n{n}" for n in notes)
            absent.append(f'<span class="expected" title="{_esc(tip)}">{_esc(check.expected)}</span>')
            continue
        if check.status == "forbidden":
            tip = f"Rejected rendering of {check.term}; use {check.expected}"
            classes = "term forbidden"
        else:
            tip = f"{check.term} → {check.expected}"
            if rendering is not None and rendering.status != "approved":
                tip += f" ({rendering.status})"
            classes = "term found"
        tip += "".join(f"\n{n}" for n in notes)
        spans.append((check.target.start, check.target.end, classes, tip))
    return spans, list(dict.fromkeys(absent))


# --------------------------------------------------------------------------------------------
# Inline assets. The CSP hashes these exact strings: never add style="" attributes or inline
# event handlers (onclick=...), which the policy blocks.

_CSS = """
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#fff;--head:#f6f8fa;--term:#fff3b0;
--found:#d3f4dc;--found-line:#1a7f37;--bad:#cf222e;--bad-bg:#ffebe9;--warn:#9a6700;--warn-bg:#fff8c5;
--info-bg:#ddf4ff;--info:#0969da}
*{box-sizing:border-box}
body{margin:0;color:var(--fg);background:var(--bg);font:14px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif}
.page-head{padding:16px 20px 4px}
h1{font-size:20px;margin:0}
h2{font-size:14px;margin:12px 0 4px}
.sub,.muted{color:var(--muted)}
.sub{margin:2px 0 0}
.summary{padding:8px 20px 12px}
table.sum{border-collapse:collapse;min-width:640px}
table.sum th,table.sum td{border-bottom:1px solid var(--line);padding:4px 12px;text-align:left}
table.sum thead th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;
letter-spacing:.03em}
table.sum td.num{text-align:right;font-variant-numeric:tabular-nums}
td.has-error{color:var(--bad);font-weight:600}
td.has-warning{color:var(--warn);font-weight:600}
progress{width:120px;vertical-align:middle}
.code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--head);
border:1px solid var(--line);border-radius:4px;padding:0 4px}
.toolbar{position:sticky;top:0;z-index:3;display:flex;flex-wrap:nowrap;gap:8px;align-items:center;
height:44px;padding:0 20px;overflow-x:auto;background:var(--head);border-top:1px solid var(--line);
border-bottom:1px solid var(--line);white-space:nowrap}
.tb-label{font-weight:600;color:var(--muted)}
.tb-group{display:inline-flex;gap:4px;align-items:center}
.toolbar button{font:inherit;font-size:13px;padding:2px 10px;border:1px solid var(--line);
border-radius:14px;background:#fff;color:var(--muted);cursor:pointer}
.toolbar button[aria-pressed=true]{background:#0969da;border-color:#0969da;color:#fff}
.toolbar label{display:inline-flex;gap:4px;align-items:center;margin-left:12px;cursor:pointer}
.legend{margin-left:auto;color:var(--muted);font-size:12px}
main{padding:0 20px 40px}
table.review{width:100%;border-collapse:separate;border-spacing:0;table-layout:fixed}
table.review thead th{position:sticky;top:44px;z-index:2;background:var(--bg);text-align:left;
padding:8px 10px;border-bottom:2px solid var(--line);font-weight:600}
table.review td{vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line);
overflow-wrap:anywhere}
table.review td+td,table.review th+th{border-left:1px solid var(--line)}
td.col-src{background:#fbfcfd}
tr:target td{background:#fffbe6}
tr[id]{scroll-margin-top:100px}
.text{white-space:pre-wrap}
.text.empty{color:var(--muted);font-style:italic}
.meta{font-size:12px;color:var(--muted);margin-bottom:4px;display:flex;gap:6px;flex-wrap:wrap;
align-items:center}
.meta .ref,.meta .ctx{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
a.anchor{color:var(--muted);text-decoration:none;font-weight:600}
a.anchor:hover{text-decoration:underline}
.badge{display:inline-block;font-size:11px;font-weight:600;line-height:18px;padding:0 7px;
border-radius:9px;border:1px solid transparent;text-transform:uppercase;letter-spacing:.03em}
.badge.st-reviewed{background:#dafbe1;color:#116329;border-color:#aceebb}
.badge.st-fuzzy{background:var(--warn-bg);color:var(--warn);border-color:#eed888}
.badge.st-untranslated{background:var(--bad-bg);color:var(--bad);border-color:#ffcecb}
.badge.st-missing{background:var(--head);color:var(--muted);border-color:var(--line)}
.badge.st-mt{background:var(--info-bg);color:var(--info);border-color:#b6e3ff;text-transform:none}
mark.term{background:var(--term);color:inherit;border-radius:3px;padding:0 1px;cursor:help;
border-bottom:2px solid #d4a72c}
mark.term.found{background:var(--found);border-bottom-color:var(--found-line)}
mark.term.forbidden{background:var(--bad-bg);border-bottom-color:var(--bad)}
.term-missing{margin-top:4px;font-size:12px;color:var(--warn)}
.term-missing .expected{border-bottom:1px dashed var(--warn);cursor:help}
ul.findings{list-style:none;margin:6px 0 0;padding:0}
ul.findings li{font-size:12px;margin-top:3px;padding:2px 6px;border-left:3px solid;border-radius:2px}
li.sev-error{color:var(--bad);background:var(--bad-bg);border-color:var(--bad)}
li.sev-warning{color:var(--warn);background:var(--warn-bg);border-color:#d4a72c}
li.sev-info{color:var(--info);background:var(--info-bg);border-color:var(--info)}
.check{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:600}
.where{color:var(--fg)}
.orphans{max-width:900px}
.attention-only tr.ok{display:none}
"""

_JS = """
(function () {
  "use strict";
  var root = document.documentElement, errors = [];
  // Problems are recorded in the data-page-errors attribute of the root element, for headless checks.
  function record(what) {
    errors.push(what);
    root.setAttribute("data-page-errors", errors.join(" | "));
  }
  window.addEventListener("error", function (e) { record("error: " + e.message); });
  document.addEventListener("securitypolicyviolation", function (e) {
    record("csp: " + e.violatedDirective + " " + (e.blockedURI || ""));
  });

  function init() {
    var heads = document.querySelectorAll("table.review thead th[data-col]");
    var bar = document.getElementById("lang-filter");
    var wanted = null, m = /(?:^#|&)langs=([^&]*)/.exec(location.hash);
    if (m) { wanted = decodeURIComponent(m[1]).split(","); }
    var buttons = [];

    function remember() {
      var shown = buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
        .map(function (b) { return b.getAttribute("data-lang"); });
      try { history.replaceState(null, "", "#langs=" + shown.join(",")); } catch (err) { /* file: */ }
    }
    function show(button, on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      root.classList.toggle("hide-col-" + button.getAttribute("data-col"), !on);
    }
    Array.prototype.forEach.call(heads, function (th) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "lang-toggle";
      b.setAttribute("data-col", th.getAttribute("data-col"));
      b.setAttribute("data-lang", th.getAttribute("data-lang"));
      b.title = th.textContent;
      b.textContent = th.getAttribute("data-lang");
      b.addEventListener("click", function () {
        show(b, b.getAttribute("aria-pressed") !== "true");
        remember();
      });
      bar.appendChild(b);
      buttons.push(b);
      show(b, !wanted || wanted.indexOf(th.getAttribute("data-lang")) >= 0);
    });

    var label = document.createElement("label"), box = document.createElement("input");
    box.type = "checkbox";
    box.id = "attention-only";
    box.addEventListener("change", function () { root.classList.toggle("attention-only", box.checked); });
    label.appendChild(box);
    label.appendChild(document.createTextNode("Only blocks needing attention"));
    document.getElementById("attention-filter").appendChild(label);
    root.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
"""
