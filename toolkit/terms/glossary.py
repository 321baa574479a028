"""The canonical terminology glossary: one CSV file, one concept per line.

Why CSV and not TBX
-------------------
The glossary is edited by journalists and translators, reviewed in pull requests and merged by
git. A CSV row per concept keeps every change a one-line diff ("ru reviewer approved Article 5"),
opens in any spreadsheet, and needs no schema knowledge. TBX (ISO 30042) is the right format for
*exchanging* terminology with CAT tools, but it spreads one concept over dozens of XML lines,
makes diffs noisy and invites merge conflicts, so it is an export target, not the source of truth.

File format (``glossaries/README.md`` documents the same columns for editors)
------------------------------------------------------------------------------
UTF-8 (a BOM is tolerated and kept), comma-separated, RFC 4180 quoting, a header row naming the
columns (any order; unknown columns are an error so typos cannot silently drop data). Lists use
``|`` between items. Blank lines are ignored. Columns per concept:

``id``              stable key (letters, digits, ``-_.``); PO msgctxt, TBX ids and caches use it
``term``            the English term as it is normally written
``variants``        other English surface forms: abbreviations, long forms, spellings
                    (``Article V``, ``Terminal High Altitude Area Defense``, ``defense``)
``dnt``             ``yes``/``no``: do not translate (brands, systems); every rendering must
                    equal ``term``
``case_sensitive``  ``yes``/``no``: ``yes`` for acronyms and names; ``no`` marks a common noun,
                    which also matches capitalised and regular-plural forms
``note``            guidance for translators about the concept (TBX: its definition)
``part_of_speech``  optional column: ``noun``, ``properNoun``, ``verb``, ``adjective``,
                    ``adverb`` or ``other`` (TBX-Basic's picklist), or empty

and for every language ``xx`` (the header decides which; the shipped file has el, ru, de, tr):

``xx``              the approved rendering (what MT output is checked against)
``xx_variants``     accepted alternatives (``Nato``, ``Βορειοατλαντική Συμμαχία``) and their
                    inflections; QA accepts them, masking never puts them in
``xx_status``       ``proposed`` | ``approved`` | ``rejected`` (review state of ``xx``)
``xx_reviewer``     who reviewed it
``xx_date``         review date, ``YYYY-MM-DD``
``xx_rejected``     renderings reviewers rejected; finding one in a translation is an error
``xx_note``         language-specific guidance
``xx_forms``        optional column: the approved rendering inflected (``Άρθρου 5``); a masked
                    term comes back in the one the engine scores best in its sentence

A language whose seven columns are all empty has no rendering yet (``lint`` reports it).

Round trip
----------
``write_glossary`` reproduces a file read by ``load_glossary`` byte for byte: rows whose content
did not change are written back from their original text (quoting, spacing, line endings, blank
lines, BOM); changed or new rows are written in the canonical form (minimal quoting, ``\\n``
unless the file uses ``\\r\\n``). Importers and exporters therefore produce minimal diffs.

Finding the terms in English text is `toolkit.terms.match`; checking a glossary for ambiguities
and review gaps is `toolkit.terms.lint`.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Protocol

from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_bytes, decode_utf8, read_bytes
from toolkit.formats.csvfile import csv_rows, split_lines

LANGUAGES: tuple[str, ...] = ("el", "ru", "de", "tr")
STATUSES: tuple[str, ...] = ("proposed", "approved", "rejected")
CONCEPT_COLUMNS: tuple[str, ...] = ("id", "term", "variants", "dnt", "case_sensitive", "note")
RENDERING_SUFFIXES: tuple[str, ...] = (
    "", "_variants", "_status", "_reviewer", "_date", "_rejected", "_note",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("part_of_speech",)  # after `note` when a glossary has it
# after xx_variants when any rendering has one: the grammatical forms of the approved rendering
OPTIONAL_RENDERING_SUFFIXES: tuple[str, ...] = ("_forms",)
PARTS_OF_SPEECH: tuple[str, ...] = ("noun", "properNoun", "verb", "adjective", "adverb", "other")
LIST_SEPARATOR = "|"

_YES, _NO = "yes", "no"
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LANG_RE = re.compile(r"[a-z]{2,3}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def columns_for(languages: Iterable[str]) -> tuple[str, ...]:
    """The canonical column order for a glossary covering `languages`."""
    cols = list(CONCEPT_COLUMNS)
    for lang in languages:
        cols.extend(lang + suffix for suffix in RENDERING_SUFFIXES)
    return tuple(cols)


@dataclass
class Rendering:
    """How one concept is written in one language, and where its review stands."""

    lang: str
    text: str
    variants: list[str] = field(default_factory=list)
    status: str = "proposed"
    reviewer: str = ""
    date: str = ""
    rejected: list[str] = field(default_factory=list)
    note: str = ""
    # xx_forms: the approved rendering inflected (genitive, plural...), for a masked term to come
    # back in the form its sentence needs (toolkit.terms.form_choice)
    inflections: list[str] = field(default_factory=list)

    @property
    def forms(self) -> list[str]:
        """Every accepted form: the approved rendering first, its inflections, its variants."""
        return _unique_nonempty([self.text, *self.inflections, *self.variants])

    @property
    def candidates(self) -> list[str]:
        """What a masked term may come back as: the rendering, then its inflections."""
        return _unique_nonempty([self.text, *self.inflections])


@dataclass
class _Origin:
    """The original text of a row, reused on write while the row's content is unchanged.

    Its values (the row as `format_glossary` would write it) are worked out from the fields
    read only when a write asks: a translate run that reads a 20,000-row termbase never does."""

    prefix: str  # blank lines before the row
    text: str
    row: list[str]
    columns: tuple[str, ...]
    languages: list[str]

    @cached_property
    def values(self) -> tuple[str, ...]:
        return _row_values(_parse_row(self.row, self.columns, self.languages, None, 0), self.columns)


@dataclass
class Concept:
    """One glossary entry: an English term, its variants and its renderings per language."""

    id: str
    term: str
    variants: list[str] = field(default_factory=list)
    dnt: bool = False
    case_sensitive: bool = False
    note: str = ""
    renderings: dict[str, Rendering] = field(default_factory=dict)
    line: int = 0
    part_of_speech: str = ""  # one of PARTS_OF_SPEECH, or "" (not said)
    _origin: _Origin | None = field(default=None, repr=False, compare=False)

    @property
    def forms(self) -> list[str]:
        """Every English surface form: the term first, then its variants."""
        return _unique_nonempty([self.term, *self.variants])


@dataclass
class _Layout:
    """What a loaded file looked like outside its rows, so writing it back changes nothing."""

    columns: tuple[str, ...]
    languages: list[str]
    header: str  # blank lines before the header plus the header row, verbatim
    trailer: str  # blank lines after the last row
    newline: str
    bom: bool


class Reserve(Protocol):
    """The concepts of a lazily read termbase not built yet (`toolkit.terms.termbase`)."""

    size: int

    def take(self, words: Iterable[str] | None) -> list[Concept] | None:
        """Every concept built so far, in file order, after building those indexed under
        `words` (None: all); None when none was new."""
        ...


@dataclass
class Glossary:
    """All concepts of one glossary file, in file order."""

    concepts: list[Concept] = field(default_factory=list)
    path: Path | None = None
    languages: list[str] = field(default_factory=lambda: list(LANGUAGES))
    _layout: _Layout | None = field(default=None, repr=False, compare=False)
    # A termbase read for a run keeps its concepts here until a text needs them
    # (`toolkit.terms.termbase`; `toolkit.terms.match.cover` asks): most of a 20,000-concept
    # termbase never occurs in the articles of one run.
    _reserve: Reserve | None = field(default=None, repr=False, compare=False)
    # SHA-256 of the file's bytes this was read from (None: made in memory): the lint cache's key
    # (`toolkit.terms.lint.cached_lint`), so it lints the version in memory, not the file again
    sha256: str | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        """How many concepts the file holds, built or still in reserve."""
        return self._reserve.size if self._reserve is not None else len(self.concepts)

    @property
    def lazy(self) -> bool:
        """Whether some concepts may still be in reserve (`concepts` holds those built)."""
        return self._reserve is not None and len(self.concepts) < self._reserve.size

    def take(self, words: Iterable[str] | None) -> int:
        """Build the reserved concepts with a form whose first ASCII word is one of `words`
        (all of them: None) into `concepts`, file order kept; how many were new. `concepts`
        becomes a new list, so a matcher made for the old one is made again."""
        if self._reserve is None:
            return 0
        before = len(self.concepts)
        concepts = self._reserve.take(words)
        if concepts is not None:
            self.concepts = concepts
        return len(self.concepts) - before

    def complete(self) -> Glossary:
        """This glossary with every concept built (for code that looks at all of them: lint)."""
        if self.lazy:
            self.take(None)
        return self

    def version(self) -> str:
        """A short hash of the content (not the formatting), for cache keys."""
        text = format_glossary(self.complete(), canonical=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def get(self, concept_id: str) -> Concept | None:
        for concept in self.complete().concepts:
            if concept.id == concept_id:
                return concept
        return None


# --------------------------------------------------------------------------- reading


def load_glossary(path: str | Path) -> Glossary:
    """Read and validate a glossary file; any problem raises ToolkitError with file and line.

    A run that only reads a glossary (translate, QA) uses `toolkit.terms.termbase.read_termbase`,
    which keeps a NATOTerm-size termbase parsed and indexed between runs."""
    path = Path(path)
    data = read_bytes(path, "glossary file", missing="glossary file not found")
    with no_gc():
        glossary = parse_glossary(decode_utf8(data, path), path)
    glossary.sha256 = hashlib.sha256(data).hexdigest()
    return glossary


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/newsroom-toolkit``: parsed glossaries and their lint results."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsroom-toolkit"


@contextmanager
def no_gc():
    """A termbase is 100,000 small objects made at once: the cyclic collector would walk the
    growing heap again and again (half the time of a 20,000-concept load). They hold no cycles."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def parse_glossary(text: str, path: str | Path | None = None) -> Glossary:
    """Parse glossary CSV text (as read from a file); `path` is only used in messages."""
    where = Path(path) if path is not None else None
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    empty = ToolkitError(
        "empty glossary: expected a header row (" + ",".join(columns_for(LANGUAGES)[:6]) + ",el,...)",
        path=where,
        line=1,
    )
    if not text.strip():
        raise empty
    lines = split_lines(text)
    pending = ""
    header: tuple[str, ...] | None = None
    languages: list[str] = []
    header_text = ""
    concepts: list[Concept] = []
    first_line: dict[str, int] = {}
    for start, end, row in csv_rows(lines, where):
        raw = "".join(lines[start:end])
        if len(row) <= 1 and not "".join(row).strip():
            pending += raw
            continue
        if header is None:
            header, languages = _parse_header(row, where, start + 1)
            header_text, pending = pending + raw, ""
            continue
        concept = _parse_row(row, header, languages, where, start + 1)
        if concept.id in first_line:
            raise ToolkitError(
                f"duplicate id '{concept.id}' (first defined on line {first_line[concept.id]})",
                path=where,
                line=concept.line,
            )
        first_line[concept.id] = concept.line
        concept._origin = _Origin(pending, raw, row, header, languages)
        pending = ""
        concepts.append(concept)
    if header is None:  # only blank rows, such as '""' (not blank text, but no header either)
        raise empty
    newline = "\r\n" if header_text.endswith("\r\n") else "\n"
    layout = _Layout(header, list(languages), header_text, pending, newline, bom)
    return Glossary(concepts, where, list(languages), layout)


def _parse_header(
    row: list[str], path: Path | None, line: int
) -> tuple[tuple[str, ...], list[str]]:
    columns = tuple(cell.strip() for cell in row)
    seen: set[str] = set()
    languages: list[str] = []
    for col in columns:
        if col in seen:
            raise ToolkitError(f"column '{col}' appears twice in the header", path=path, line=line)
        seen.add(col)
        lang = _language_of(col)
        if lang is None and col not in CONCEPT_COLUMNS and col not in OPTIONAL_COLUMNS:
            raise ToolkitError(
                f"unknown column '{col}' (expected {', '.join(CONCEPT_COLUMNS)}, optionally"
                f" {', '.join(OPTIONAL_COLUMNS)}, and per language"
                " xx, xx_variants, xx_status, xx_reviewer, xx_date, xx_rejected, xx_note,"
                " optionally xx_forms)",
                path=path,
                line=line,
            )
        if lang is not None and lang not in languages:
            languages.append(lang)
    for col in columns_for(languages):
        if col not in seen:
            raise ToolkitError(f"missing column '{col}' in the header", path=path, line=line)
    return columns, languages


def _language_of(column: str) -> str | None:
    if column in CONCEPT_COLUMNS or column in OPTIONAL_COLUMNS:
        return None
    for suffix in (*RENDERING_SUFFIXES[1:], *OPTIONAL_RENDERING_SUFFIXES):
        if column.endswith(suffix) and _LANG_RE.fullmatch(column[: -len(suffix)]):
            return column[: -len(suffix)]
    return column if _LANG_RE.fullmatch(column) else None


def _parse_row(
    row: list[str], columns: tuple[str, ...], languages: list[str], path: Path | None, line: int
) -> Concept:
    if len(row) != len(columns):
        raise ToolkitError(
            f"expected {len(columns)} fields, found {len(row)}"
            " (a comma inside a value needs double quotes around the value)",
            path=path,
            line=line,
        )
    cell = {col: value.strip() for col, value in zip(columns, row, strict=True)}

    def fail(message: str) -> ToolkitError:
        return ToolkitError(message, path=path, line=line)

    concept_id = cell["id"]
    if not concept_id:
        raise fail("missing id")
    if not valid_id(concept_id):
        raise fail(f"bad id '{concept_id}': use letters, digits, '-', '_' or '.'")
    if not cell["term"]:
        raise fail(f"concept '{concept_id}' has an empty term")
    concept = Concept(
        id=concept_id,
        term=cell["term"],
        variants=split_list(cell["variants"]),
        dnt=_parse_flag(cell["dnt"], "dnt", fail),
        case_sensitive=_parse_flag(cell["case_sensitive"], "case_sensitive", fail),
        note=cell["note"],
        line=line,
        part_of_speech=_part_of_speech(cell.get("part_of_speech", ""), fail),
    )
    for lang in languages:
        values = [cell[lang + suffix] for suffix in RENDERING_SUFFIXES]
        inflections = split_list(cell.get(lang + "_forms", ""))
        if not any(values) and not inflections:
            continue
        text, variants, status, reviewer, when, rejected, note = values
        if status.lower() not in STATUSES:
            shown = f"'{status}'" if status else "empty"
            raise fail(f"{lang}_status: {shown} status, expected proposed, approved or rejected")
        if when and not valid_date(when):
            raise fail(f"{lang}_date: '{when}' is not a date, expected YYYY-MM-DD")
        concept.renderings[lang] = Rendering(
            lang, text, split_list(variants), status.lower(), reviewer, when, split_list(rejected), note,
            inflections,
        )
    return concept


def _part_of_speech(value: str, fail) -> str:
    """A part_of_speech cell as TBX-Basic spells it (any case in the file), or ""."""
    if not value:
        return ""
    known = {pos.lower(): pos for pos in PARTS_OF_SPEECH}
    if value.lower() not in known:
        raise fail(f"part_of_speech: '{value}', expected one of {', '.join(PARTS_OF_SPEECH)} or empty")
    return known[value.lower()]


def _parse_flag(value: str, column: str, fail) -> bool:
    lowered = value.lower()
    if lowered == _YES:
        return True
    if lowered == _NO:
        return False
    raise fail(f"{column}: expected yes or no, found '{value}'")


def valid_id(value: str) -> bool:
    """A usable concept id: letters, digits, '-', '_' or '.', not starting with a punctuation mark."""
    return _ID_RE.fullmatch(value) is not None


def valid_date(value: str) -> bool:
    """A real calendar date written YYYY-MM-DD (review dates)."""
    if not _DATE_RE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def split_list(value: str) -> list[str]:
    """The items of a `|`-separated cell, stripped, empty ones dropped."""
    if LIST_SEPARATOR not in value:  # most cells: empty, or one item
        return [value.strip()] if value.strip() else []
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def _unique_nonempty(items: Iterable[str]) -> list[str]:
    """The items in first-seen order, repeats and empty strings dropped (a list of forms)."""
    return list(dict.fromkeys(item for item in items if item))


# --------------------------------------------------------------------------- writing


def format_glossary(glossary: Glossary, *, canonical: bool = False) -> str:
    """The file text for `glossary`; unchanged rows keep their original text unless `canonical`."""
    _check_writable(glossary)
    layout = None if canonical else glossary._layout
    if layout is not None and layout.languages != glossary.languages:
        layout = None  # columns changed: every row must be rewritten anyway
    if layout and not set(_columns(glossary)) <= set(layout.columns):
        layout = None  # an optional column came into use (part_of_speech, xx_forms): write it
    columns = layout.columns if layout else _columns(glossary)
    # rows rewritten for new columns still keep the file's line endings and byte-order mark
    saved = None if canonical else glossary._layout
    newline = saved.newline if saved else "\n"
    pieces: list[str] = ["\ufeff" if saved and saved.bom else ""]
    pieces.append(layout.header if layout else _format_row(columns, newline))
    for concept in glossary.concepts:
        values = _row_values(concept, columns)
        origin = concept._origin
        if layout and origin is not None and origin.values == values:
            piece = origin.prefix + origin.text
        else:
            piece = (origin.prefix if layout and origin else "") + _format_row(values, newline)
        if not pieces[-1].endswith(("\n", "\r")):
            pieces.append(newline)
        pieces.append(piece)
    if layout and layout.trailer:
        if not pieces[-1].endswith(("\n", "\r")):
            pieces.append(newline)
        pieces.append(layout.trailer)
    return "".join(pieces)


def write_glossary(glossary: Glossary, path: str | Path) -> None:
    """Write atomically (temp file in the same directory, fsync, rename) so readers never see
    half a glossary and a crash leaves the old file intact."""
    atomic_write_bytes(path, format_glossary(glossary).encode("utf-8"))


def _check_writable(glossary: Glossary) -> None:
    """Refuse to write what `load_glossary` would reject, so a written file always loads."""
    seen: set[str] = set()
    for concept in glossary.concepts:

        def fail(message: str, concept: Concept = concept) -> ToolkitError:
            return ToolkitError(f"concept '{concept.id}': {message}", path=glossary.path,
                                line=concept.line or None)

        if not valid_id(concept.id):
            raise fail("bad id")
        if concept.id in seen:
            raise fail("duplicate id")
        seen.add(concept.id)
        if not concept.term.strip():
            raise fail("empty term")
        lists = [concept.variants]
        for lang, rendering in concept.renderings.items():
            if lang not in glossary.languages:
                raise fail(f"rendering for '{lang}', which is not a glossary language")
            if rendering.status not in STATUSES:
                raise fail(f"{lang}: bad status '{rendering.status}'")
            if rendering.date and not valid_date(rendering.date):
                raise fail(f"{lang}: bad date '{rendering.date}'")
            lists += [rendering.variants, rendering.rejected, rendering.inflections]
        if concept.part_of_speech and concept.part_of_speech not in PARTS_OF_SPEECH:
            raise fail(f"bad part of speech '{concept.part_of_speech}'")
        for items in lists:
            for item in items:
                if LIST_SEPARATOR in item or item != item.strip() or not item:
                    raise fail(f"list item {item!r} cannot be stored (contains '|' or blanks)")


def _columns(glossary: Glossary) -> tuple[str, ...]:
    """The canonical columns: `columns_for` its languages, with part_of_speech if one is set."""
    columns = columns_for(glossary.languages)
    if any(c.part_of_speech for c in glossary.concepts):
        at = columns.index("note") + 1
        columns = (*columns[:at], "part_of_speech", *columns[at:])
    for lang in glossary.languages:
        if any(lang in c.renderings and c.renderings[lang].inflections for c in glossary.concepts):
            at = columns.index(lang + "_variants") + 1
            columns = (*columns[:at], lang + "_forms", *columns[at:])
    return columns


def _row_values(concept: Concept, columns: tuple[str, ...]) -> tuple[str, ...]:
    cell = {
        "id": concept.id,
        "term": concept.term,
        "variants": LIST_SEPARATOR.join(concept.variants),
        "dnt": _YES if concept.dnt else _NO,
        "case_sensitive": _YES if concept.case_sensitive else _NO,
        "note": concept.note,
        "part_of_speech": concept.part_of_speech,
    }
    for lang, r in concept.renderings.items():
        values = (r.text, LIST_SEPARATOR.join(r.variants), r.status, r.reviewer, r.date,
                  LIST_SEPARATOR.join(r.rejected), r.note)
        cell.update(zip((lang + s for s in RENDERING_SUFFIXES), values, strict=True))
        cell[lang + "_forms"] = LIST_SEPARATOR.join(r.inflections)
    return tuple(cell.get(col, "") for col in columns)


def _format_row(values: Iterable[str], newline: str) -> str:
    return ",".join(_format_field(v) for v in values) + newline


def _format_field(value: str) -> str:
    if any(ch in value for ch in ',"\r\n') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value
