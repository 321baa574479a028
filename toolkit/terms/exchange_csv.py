"""The glossary as a CSV sheet for translators, and a reviewed sheet read back (`toolkit.terms.exchange`).

One row per concept and language. Excel's semicolon or tab separated saves are read too; cells
are guarded against formula injection on export and unguarded on import
(`toolkit.formats.csvfile`).

When a rendering of the exported languages has forms (glossary ``xx_forms``), a ``forms`` column
follows ``variants``: the rendering inflected, kept apart from the accepted variants. Like
``xx_forms`` in the glossary it is there only then, so the sheets of a glossary without forms keep
the columns they always had. A sheet without the column (one exported before forms existed)
leaves the forms alone; a translator may add the column to fill forms in.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError
from toolkit.fileio import decode_utf8, read_bytes
from toolkit.formats.csvfile import csv_rows, guard_formula, split_lines, unguard_formula
from toolkit.terms.exchange_entry import MAX_CONTEXTS, Entry, glossary_language, revision, selected
from toolkit.terms.glossary import LIST_SEPARATOR, STATUSES, Glossary, Rendering, split_list, valid_date

if TYPE_CHECKING:
    from toolkit.formats.document import Document

CSV_COLUMNS: tuple[str, ...] = (
    "id", "lang", "term", "dnt", "note", "rendering", "variants", "status", "reviewer", "date",
    "rejected", "translator_note", "context", "revision",
)
_CSV_READ_ONLY = frozenset({"dnt", "note", "context", "revision"})  # may be deleted from the sheet
FORMS_COLUMN = "forms"  # after `variants` when the exported renderings have forms


def export(
    glossary: Glossary,
    langs: list[str],
    status: str | None,
    contexts: dict[str, list[tuple[str, int]]],
    article: Document | None,
    bom: bool,
) -> bytes:
    """One row per concept and language (`article` only gives the contexts)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    with_forms = any(
        lang in c.renderings and c.renderings[lang].inflections for c in glossary.concepts for lang in langs
    )
    columns = _columns(with_forms)
    writer.writerow(columns)
    for concept in glossary.concepts:
        for lang in langs:
            if not selected(concept, lang, status):
                continue
            r = concept.renderings.get(lang) or Rendering(lang, "", status="")
            cell = {
                "id": concept.id, "lang": lang, "term": concept.term, "dnt": "yes" if concept.dnt else "no",
                "note": concept.note, "rendering": r.text, "variants": LIST_SEPARATOR.join(r.variants),
                FORMS_COLUMN: LIST_SEPARATOR.join(r.inflections), "status": r.status, "reviewer": r.reviewer,
                "date": r.date, "rejected": LIST_SEPARATOR.join(r.rejected), "translator_note": r.note,
                "context": "\n".join(s for s, _ in contexts.get(concept.id, [])[:MAX_CONTEXTS]),
                "revision": revision(concept.id, lang, concept.renderings.get(lang)),
            }
            writer.writerow([guard_formula(cell[col]) for col in columns])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def read_entries(path: Path, glossary: Glossary) -> tuple[list[Entry], str]:
    """The entries (a CSV names no reviewer for the whole file: '')."""
    text = decode_utf8(read_bytes(path), path, advice="save as 'CSV UTF-8'")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = split_lines(text)
    if not lines or not text.strip():
        raise ToolkitError("empty CSV: expected a header row (" + ",".join(CSV_COLUMNS) + ")",
                           path=path, line=1)
    first = next(line for line in lines if line.strip())
    delimiter = max((",", ";", "\t"), key=first.count)  # Excel saves with ';' in many locales
    header: list[str] | None = None
    entries: list[Entry] = []
    for start, _end, row in csv_rows(lines, path, delimiter):
        line = start + 1
        if not "".join(row).strip():
            continue
        if header is None:
            header = _csv_header(row, path, line)
            continue
        if len(row) != len(header):
            raise ToolkitError(
                f"expected {len(header)} fields, found {len(row)} (a value containing the separator"
                " needs double quotes)",
                path=path,
                line=line,
            )
        cell = {col: unguard_formula(value.strip()) for col, value in zip(header, row, strict=True)}
        entries.append(_csv_entry(cell, glossary, path, line))
    if header is None:
        raise ToolkitError("no header row", path=path, line=1)
    return entries, ""


def _columns(with_forms: bool) -> tuple[str, ...]:
    """The sheet's columns: `CSV_COLUMNS`, with `FORMS_COLUMN` after ``variants`` if `with_forms`."""
    if not with_forms:
        return CSV_COLUMNS
    at = CSV_COLUMNS.index("variants") + 1
    return (*CSV_COLUMNS[:at], FORMS_COLUMN, *CSV_COLUMNS[at:])


def _csv_header(row: list[str], path: Path, line: int) -> list[str]:
    header = [col.strip().lstrip("\ufeff").lower() for col in row]
    seen: set[str] = set()
    for col in header:
        if col not in CSV_COLUMNS and col != FORMS_COLUMN:
            raise ToolkitError(f"unknown column '{col}' (expected {', '.join(_columns(True))})",
                               path=path, line=line)
        if col in seen:
            raise ToolkitError(f"column '{col}' appears twice", path=path, line=line)
        seen.add(col)
    for col in CSV_COLUMNS:
        if col not in seen and col not in _CSV_READ_ONLY:
            raise ToolkitError(f"missing column '{col}'", path=path, line=line)
    return header


def _csv_entry(cell: dict[str, str], glossary: Glossary, path: Path, line: int) -> Entry:
    lang = glossary_language(cell["lang"], glossary, path, line)
    status = cell["status"].lower()
    concept = glossary.get(cell["id"]) if cell["id"] else None
    if status and status not in STATUSES:
        raise ToolkitError(f"status '{cell['status']}': expected proposed, approved or rejected",
                           path=path, line=line)
    if not status and concept is not None and lang in concept.renderings:
        raise ToolkitError("status is empty: expected proposed, approved or rejected", path=path, line=line)
    if cell["date"] and not valid_date(cell["date"]):
        raise ToolkitError(f"date '{cell['date']}' is not a date, expected YYYY-MM-DD", path=path, line=line)
    dnt = cell.get("dnt", "").lower()
    if dnt not in ("", "yes", "no"):
        raise ToolkitError(f"dnt: expected yes or no, found '{cell['dnt']}'", path=path, line=line)
    rendering = concept.renderings.get(lang) if concept is not None else None
    reviewed = rendering is not None or bool(cell["rendering"])
    return Entry(
        line=line,
        concept_id=cell["id"],
        term=cell["term"],
        lang=lang,
        text=cell["rendering"] or None,
        status=status or None,
        variants=split_list(cell["variants"]) if reviewed else None,
        # not only when `reviewed`: forms without a rendering are an error, not silently dropped
        inflections=split_list(cell[FORMS_COLUMN]) if FORMS_COLUMN in cell else None,
        rejected=split_list(cell["rejected"]) if reviewed else None,
        note=cell["translator_note"] if reviewed else None,
        reviewer=cell["reviewer"] if reviewed else None,
        date=cell["date"] if reviewed else None,
        dnt=dnt == "yes",
        concept_note=cell.get("note"),
        revision=cell.get("revision") or None,
    )
