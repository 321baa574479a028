"""A translated article from its catalog: the document's own format and layout, the msgstrs in it.

What cannot be shown (untranslated, or fuzzy unless asked for) falls back to the English source,
and is counted so the caller can say how much of the page is still English. The page declares the
catalog's language (``<html lang>``, a front matter ``lang`` key). A msgstr is text: only the
markup of its msgid stays markup (see `toolkit.formats.document`); `markup_errors` names the
entries whose markup differs from their msgid's, so a caller can refuse to publish the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import polib

from toolkit.formats.document import Document
from toolkit.formats.markup import markup_problems
from toolkit.l10n.plan import block_contexts


class MarkupError(NamedTuple):
    """A catalog entry used on the page whose msgstr's markup differs from its msgid's."""

    line: int  # of the entry in the .po file
    msgid: str
    problem: str


def _used_entries(
    po: polib.POFile, doc: Document, include_fuzzy: bool
) -> dict[int, polib.POEntry | None]:
    """Block index -> the entry whose msgstr the page shows (None: the source text)."""
    contexts = block_contexts(doc)
    exact: dict[tuple[str | None, str], polib.POEntry] = {}
    by_text: dict[str, polib.POEntry] = {}
    for entry in po:
        if not entry.obsolete and not entry.msgid_plural:
            exact.setdefault((entry.msgctxt, entry.msgid), entry)
            by_text.setdefault(entry.msgid, entry)
    used: dict[int, polib.POEntry | None] = {}
    for block in doc.blocks:
        if not block.text:
            continue
        entry = exact.get((contexts[block.index], block.text)) or by_text.get(block.text)
        ok = entry is not None and entry.msgstr and (include_fuzzy or not entry.fuzzy)
        used[block.index] = entry if ok else None
    return used


def render_catalog(
    po: polib.POFile,
    doc: Document,
    *,
    include_fuzzy: bool = False,
    lang: str | None = None,
    alternates: Mapping[str, str] | None = None,
) -> tuple[str, int]:
    """The translated article in the document's own format and layout, and how many blocks fell
    back to the English source (untranslated, or fuzzy unless `include_fuzzy`). The page is
    declared in `lang` [default: the catalog's ``Language``] and, for HTML, links the language
    versions in `alternates` (language -> URL)."""
    used = _used_entries(po, doc, include_fuzzy)
    translations = {i: e.msgstr for i, e in used.items() if e is not None}
    fallbacks = sum(e is None for e in used.values())
    lang = lang or po.metadata.get("Language") or None
    return doc.render(translations, lang=lang, alternates=alternates), fallbacks


def markup_errors(po: polib.POFile, doc: Document, *, include_fuzzy: bool = False) -> list[MarkupError]:
    """The entries shown on the page whose msgstr drops, breaks or adds markup (first problem
    of each), in catalog order."""
    errors = []
    for entry in _used_entries(po, doc, include_fuzzy).values():
        if entry is None:
            continue
        problems = markup_problems(entry.msgid, entry.msgstr)
        if problems:
            errors.append(MarkupError(entry.linenum, entry.msgid, problems[0]))
    return sorted(set(errors), key=lambda e: e.line)
