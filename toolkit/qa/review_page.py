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
concept's note is the tooltip. Where a translator needs to know why an entry is fuzzy, the cell
also shows the English it was reviewed for (``#| msgid``) against today's as a word diff, the
toolkit's fresh MT suggestion and any reviewed translation it replaced; the translator's own
comment lines are shown too. Obsolete entries (``#~``) are listed after the table, out of the
counts, so a translation of a removed paragraph can still be found. QA findings are passed in as
plain data (see `render_html`), so this module does not depend on the QA checks. Without
JavaScript every column is shown; with it, a toolbar shows or hides languages and blocks that
need no attention. ``report.html#langs=el,de`` opens with only those languages shown, so a link
can be sent to one translator.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import polib

from toolkit.errors import Severity, ToolkitError
from toolkit.fileio import atomic_write_text
from toolkit.formats.po import read_po
from toolkit.l10n.catalog import check_domain
from toolkit.l10n.comments import (
    PREVIOUS_PREFIX,
    SUGGESTION_PREFIX,
    TM_PREFIX,
    comment_items,
    is_machine,
    item_text,
    source_references,
    split_tcomment,
)
from toolkit.langs import language_name
from toolkit.qa.registry import clip
from toolkit.qa.review_assets import CSS, JS

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
    severity: str  # a Severity value ('error' | 'warning'); anything else is shown as information
    message: str


@dataclass
class ReviewCell:
    """One language's translation of one block, with what a reviewer needs to judge it."""

    text: str
    status: str  # REVIEWED | FUZZY | UNTRANSLATED | MISSING
    findings: list[CellFinding] = field(default_factory=list)
    machine: bool = False  # an untouched MT draft (`is_machine`), not a translator's fuzzy work
    memory: str = ""  # what the translation memory gave it ('100% article:12'), if anything
    # the English a fuzzy translation was made for (``#| msgid``), where it differs from today's
    previous_msgid: str | None = None
    suggestion: str = ""  # the toolkit's fresh MT for a changed, reviewed paragraph
    replaced: str = ""  # the reviewed translation that fresh MT replaced (--overwrite-reviewed)
    comments: list[str] = field(default_factory=list)  # the translator's own comment lines


@dataclass
class ObsoleteEntry:
    """A catalog's ``#~`` entry: a translation of text no longer in the article, kept by msgmerge."""

    lang: str
    msgid: str
    msgctxt: str | None
    msgstr: str  # plural forms joined by line breaks
    status: str  # REVIEWED | FUZZY | UNTRANSLATED

    @property
    def reviewed(self) -> bool:
        return self.status == REVIEWED


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
    has every language and nothing a translator wrote is left off the page. Obsolete entries
    are not blocks: see `collect_obsolete`.
    """
    return _blocks(_read_catalogs(po_paths))


def collect_obsolete(po_paths: Sequence[str | Path]) -> list[ObsoleteEntry]:
    """Every catalog's obsolete (``#~``) entries, by catalog in the order given, then file order."""
    return _obsolete(_read_catalogs(po_paths))


_Catalogs = list[tuple[str, polib.POFile]]  # (language, catalog), in the order given


def _read_catalogs(po_paths: Sequence[str | Path]) -> _Catalogs:
    if not po_paths:
        raise ToolkitError("no catalogs to report on")
    catalogs: _Catalogs = []
    for path in po_paths:
        po = read_po(path)
        lang = _language(Path(path), po)
        if any(lang == seen for seen, _ in catalogs):
            raise ToolkitError(f"two catalogs for language {lang!r}", path=path)
        catalogs.append((lang, po))
    return catalogs


def _blocks(catalogs: _Catalogs) -> list[ReviewBlock]:
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


def _obsolete(catalogs: _Catalogs) -> list[ObsoleteEntry]:
    found = []
    for lang, po in catalogs:
        for entry in po.obsolete_entries():
            if entry.msgid:
                text, translated = _translation(entry)
                status = UNTRANSLATED if not translated else FUZZY if entry.fuzzy else REVIEWED
                found.append(ObsoleteEntry(lang, entry.msgid, entry.msgctxt, text, status))
    return found


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


def _translation(entry: polib.POEntry) -> tuple[str, bool]:
    """The msgstr (plural forms joined by line breaks) and whether every form is filled in."""
    if entry.msgid_plural:
        text = "\n".join(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        return text, all(entry.msgstr_plural.values())
    return entry.msgstr, bool(entry.msgstr)


def _cell(entry: polib.POEntry) -> ReviewCell:
    """The entry's translation and status, with what tells a reviewer why it needs a look."""
    text, translated = _translation(entry)
    own, items = split_tcomment(entry.tcomment)
    while own and not own[-1].strip():
        own.pop()
    while own and not own[0].strip():
        own.pop(0)
    changed = entry.previous_msgid
    cell = ReviewCell(
        text,
        UNTRANSLATED,
        previous_msgid=changed if entry.fuzzy and changed is not None and changed != entry.msgid else None,
        suggestion=item_text(_item(items, SUGGESTION_PREFIX)),
        replaced=item_text(_item(items, PREVIOUS_PREFIX)),
        comments=own,
    )
    if not translated:
        return cell
    cell.memory = _item([*items, *comment_items(entry.comment)], TM_PREFIX)  # `#` (older catalogs: `#.`)
    if entry.fuzzy:
        cell.status, cell.machine = FUZZY, is_machine(entry)
    else:
        cell.status = REVIEWED
    return cell


def _item(items: Iterable[str], prefix: str) -> str:
    """The first item with `prefix`, without it ('' if none)."""
    return next((i[len(prefix) :] for i in items if i.startswith(prefix)), "")



# --------------------------------------------------------------------------------------------
# Rendering


def render_html(
    blocks: Sequence[ReviewBlock],
    *,
    glossary: Glossary | None = None,
    findings: Mapping[FindingKey, Iterable[Any]] | None = None,
    title: str,
    obsolete: Sequence[ObsoleteEntry] = (),
) -> str:
    """The complete page as a string.

    `findings` maps ``(lang, msgctxt, msgid)`` to findings for that entry: objects with
    ``check_id``, ``severity`` and ``message`` attributes (such as the QA module's), mappings
    with those keys, or 3-tuples. They are shown with the cell's own `ReviewCell.findings`.
    Findings whose key matches no block (a catalog-wide problem, msgid ``""``) are listed under
    the summary rather than dropped. `obsolete` entries (`collect_obsolete`) are listed after
    the table, by language; they are in no count.
    """
    langs = _languages(blocks)
    extra = {key: [_as_finding(f) for f in items] for key, items in (findings or {}).items()}
    cells: dict[tuple[int, str], list[CellFinding]] = {}
    for i, block in enumerate(blocks):
        for lang, cell in block.translations.items():
            own = [_as_finding(f) for f in cell.findings]
            found = [*own, *extra.pop((lang, block.msgctxt, block.msgid), [])]
            cells[(i, lang)] = sorted(found, key=lambda f: Severity.rank(f.severity))
    orphans = {key: items for key, items in extra.items() if items}

    style = CSS + "".join(
        f".hide-col-{n} .col-{n}{{display:none}}\n" for n in range(1, len(langs) + 1)
    )
    script = JS
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
        _obsolete_html(obsolete, langs),
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
    catalogs = _read_catalogs(po_paths)
    page = render_html(
        _blocks(catalogs), glossary=glossary, findings=findings, title=title, obsolete=_obsolete(catalogs)
    )
    atomic_write_text(out, page)
    return out


# --------------------------------------------------------------------------------------------
# Page parts

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
        severities = dict.fromkeys(Severity, 0)
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
        errors, warnings = severities[Severity.ERROR], severities[Severity.WARNING]
        missing = f' <span class="muted">({counts[MISSING]} missing)</span>' if counts[MISSING] else ""
        rows.append(
            f'<tr class="col-{n}"><th scope="row"><span class="code">{e(lang)}</span> '
            f"{e(language_name(lang))}</th>"
            f'<td class="num">{entries}{missing}</td>'
            f'<td class="num">{counts[REVIEWED]}</td>'
            f'<td class="num">{counts[FUZZY]}</td>'
            f'<td class="num">{counts[UNTRANSLATED]}</td>'
            f'<td class="num{" has-error" if errors else ""}">{errors}</td>'
            f'<td class="num{" has-warning" if warnings else ""}">{warnings}</td>'
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
            where = e(lang) + (f" · {e(clip(msgid, 60))}" if msgid else "") + (
                f" · ctx {e(msgctxt)}" if msgctxt else ""
            )
            parts.extend(_finding_item(f, where) for f in items)
        parts.append("</ul></div>\n")
    parts.append("</section>\n")
    return "".join(parts)


def _finding_item(f: CellFinding, where: str = "") -> str:
    severity = f.severity if f.severity in list(Severity) else "info"
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
            f'<span class="code">{e(lang)}</span> {e(language_name(lang))}</th>'
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
    if cell.memory:
        label = "TM 100%" if cell.memory.startswith("100%") else "TM sentences"
        title = f"From the translation memory: {e(cell.memory)}"
        badge += f' <span class="badge st-mt st-tm" title="{title}">{label}</span>'
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
    body += _notes_html(lang, source, cell)
    return f'<td class="col-{n} cell st-{cell.status}"><div class="meta">{badge}</div>{body}</td>'


def _notes_html(lang: str, source: str, cell: ReviewCell) -> str:
    """Why the entry needs a look, from the catalog: how its English changed since the translation
    was made, the fresh MT for it, the reviewed translation that MT replaced, the translator's notes."""
    e = _esc
    notes: list[tuple[str, str, str]] = []  # (class, label, HTML)
    if cell.previous_msgid is not None:
        was, now = _word_diff(cell.previous_msgid, source)
        label = "English changed since the MT draft" if cell.machine else "English changed since review"
        notes.append((
            "note-diff",
            label,
            f'<div class="diff"><span class="tag">was</span><div class="text was" lang="en">{was}</div>'
            f'<span class="tag">now</span><div class="text now" lang="en">{now}</div></div>',
        ))
    for kind, label, text in (
        ("note-suggestion", "MT suggestion", cell.suggestion),
        ("note-replaced", "Replaced reviewed translation", cell.replaced),
    ):
        if text:
            notes.append((kind, label, f'<div class="text" lang="{e(lang)}">{e(text)}</div>'))
    if cell.comments:
        comment = "\n".join(cell.comments)
        notes.append(("note-comment", "Translator comment", f'<div class="text">{e(comment)}</div>'))
    if not notes:
        return ""
    return (
        '<div class="notes">'
        + "".join(f'<div class="note {kind}"><div class="label">{label}</div>{inner}</div>'
                  for kind, label, inner in notes)
        + "</div>"
    )


_WORD_RE = re.compile(r"\w+|[^\w\s]|\s+")  # every character is in exactly one token


def _word_diff(old: str, new: str) -> tuple[str, str]:
    """`old` with its deleted words in ``<del>`` and `new` with its inserted ones in ``<ins>``, as
    HTML. Each piece of raw text is escaped before it is wrapped, as in `_highlight`."""
    a, b = _WORD_RE.findall(old), _WORD_RE.findall(new)
    was: list[str] = []
    now: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            was.append(_esc(before))
            now.append(_esc(after))
            continue
        was.append(_changed("del", before))
        now.append(_changed("ins", after))
    return "".join(was), "".join(now)


def _changed(tag: str, text: str) -> str:
    """`text` escaped and wrapped in `tag`, the whitespace around its words left outside (a change
    of whitespace alone is wrapped whole, so it still shows)."""
    if not text:
        return ""
    words = text.strip()
    if not words:
        return f"<{tag}>{_esc(text)}</{tag}>"
    start = text.index(words)
    lead, tail = text[:start], text[start + len(words) :]
    return f"{_esc(lead)}<{tag}>{_esc(words)}</{tag}>{_esc(tail)}"


def _obsolete_html(obsolete: Sequence[ObsoleteEntry], langs: list[str]) -> str:
    """The ``#~`` entries after the table, one list per language (hidden with its column)."""
    if not obsolete:
        return ""
    e = _esc
    by_lang: dict[str, list[ObsoleteEntry]] = {}
    for item in obsolete:
        by_lang.setdefault(item.lang, []).append(item)
    parts = [
        '<section class="obsolete" id="obsolete" aria-label="Obsolete entries">'
        "<h2>Obsolete entries (no longer in the article)</h2>\n"
        '<p class="muted">Translations the catalogs keep of text the article no longer has.</p>\n'
    ]
    for lang, items in by_lang.items():
        col = f' class="col-{langs.index(lang) + 1}"' if lang in langs else ""
        parts.append(
            f'<div{col}><h3><span class="code">{e(lang)}</span> {e(language_name(lang))} '
            f'<span class="muted">({len(items)})</span></h3>\n'
            '<table class="obs">\n<thead><tr><th scope="col">English (no longer in the article)</th>'
            '<th scope="col">Translation</th><th scope="col">Status</th></tr></thead>\n<tbody>\n'
        )
        for item in items:
            ctx = ""
            if item.msgctxt:
                ctx = f'<div class="meta"><span class="ctx">ctx {e(item.msgctxt)}</span></div>'
            text = (
                f'<div class="text" lang="{e(lang)}">{e(item.msgstr)}</div>'
                if item.msgstr
                else '<div class="text empty">not translated</div>'
            )
            parts.append(
                f'<tr class="obs-entry"><td>{ctx}<div class="text" lang="en">{e(item.msgid)}</div></td>'
                f"<td>{text}</td>"
                f'<td><span class="badge st-{item.status}">{_STATUS_LABEL[item.status]}</span></td></tr>\n'
            )
        parts.append("</tbody></table></div>\n")
    parts.append("</section>\n")
    return "".join(parts)


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
    from toolkit.terms.match import concept_index, find_terms

    matches = find_terms(glossary, source)
    concepts = concept_index(glossary)
    spans = []
    for match in matches:
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
    from toolkit.terms.match import concept_index
    from toolkit.terms.verify import check_translation

    if lang not in glossary.languages or not translation:
        return [], []
    concepts = concept_index(glossary)
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
