"""A translated article from its catalog: the document's own format and layout, the msgstrs in it.

What cannot be shown (untranslated, or fuzzy unless asked for) falls back to the English source,
and is counted so the caller can say how much of the page is still English.
"""

from __future__ import annotations

import polib

from toolkit.formats.document import Document
from toolkit.l10n.plan import block_contexts


def render_catalog(po: polib.POFile, doc: Document, *, include_fuzzy: bool = False) -> tuple[str, int]:
    """The translated article in the document's own format and layout, and how many blocks fell
    back to the English source (untranslated, or fuzzy unless `include_fuzzy`)."""
    contexts = block_contexts(doc)
    exact: dict[tuple[str | None, str], polib.POEntry] = {}
    by_text: dict[str, polib.POEntry] = {}
    for entry in po:
        if not entry.obsolete and not entry.msgid_plural:
            exact.setdefault((entry.msgctxt, entry.msgid), entry)
            by_text.setdefault(entry.msgid, entry)
    translations: dict[int, str] = {}
    fallbacks = 0
    for block in doc.blocks:
        if not block.text:
            continue
        entry = exact.get((contexts[block.index], block.text)) or by_text.get(block.text)
        if entry is not None and entry.msgstr and (include_fuzzy or not entry.fuzzy):
            translations[block.index] = entry.msgstr
        else:
            fallbacks += 1
    return doc.render(translations), fallbacks
