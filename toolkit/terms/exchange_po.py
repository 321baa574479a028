"""The glossary as a PO file for one language, and a reviewed one read back (`toolkit.terms.exchange`).

PO carries no review status: ``#, fuzzy`` means "not approved" and an emptied ``msgstr`` means
"rejected"; `resolve_fuzzy` turns that into a status against the glossary's rendering.

The forms of the rendering (glossary ``xx_forms``) are an extracted comment ``Inflections (forms
of the approved rendering): a | b``, named apart from ``Accepted forms`` (the variants, shown for
reference only) so that nobody mistakes one list for the other. It is the one comment read back:
edit the forms after the colon (empty them to remove every form); without the line they stay as
they are. A line that a PO library wrapped (polib wraps comments at 78 columns) is read whole.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import polib

from toolkit.errors import ToolkitError
from toolkit.langs import language_name
from toolkit.terms.exchange_entry import (
    MAX_CONTEXTS,
    Entry,
    glossary_language,
    revision,
    selected,
    show_list,
)
from toolkit.terms.glossary import Glossary, Rendering, split_list

if TYPE_CHECKING:
    from toolkit.formats.document import Document

_REVISION_PREFIX = "Revision: "
_INFLECTIONS_PREFIX = "Inflections (forms of the approved rendering):"
# the labels of the extracted comments after the inflections: where a wrapped inflections line ends
_LABELS = ("Accepted forms: ", "Rejected: ", "Status: ", "Context: ", _REVISION_PREFIX, _INFLECTIONS_PREFIX)
_PO_PLACEHOLDERS = ("FULL NAME <EMAIL@ADDRESS>", "FULL NAME")


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def export(
    glossary: Glossary,
    langs: list[str],
    status: str | None,
    contexts: dict[str, list[tuple[str, int]]],
    article: Document | None,
    bom: bool,
) -> bytes:
    """A PO file for one language, ``langs[0]`` (`bom` is for CSV only)."""
    from toolkit.formats.po import dump_po, plural_forms

    lang = langs[0]

    # No wrapping: polib would wrap the translator comment (the note) into new lines.
    po = polib.POFile(wrapwidth=0, encoding="utf-8")
    name = glossary.path.stem if glossary.path else "glossary"
    po.header = (
        f"Review of the {name} glossary for '{lang}'. One entry per concept (msgctxt: its id).\n"
        "Approve: remove the fuzzy flag. Replace: edit the translation (the old one is kept as\n"
        "rejected). Reject without a replacement: empty the translation. The translator comment\n"
        "is the language note and may be edited, and so may the forms after 'Inflections'.\n"
        "Then: toolkit glossary import FILE."
    )
    dates = [
        c.renderings[lang].date for c in glossary.concepts
        if lang in c.renderings and c.renderings[lang].date and selected(c, lang, status)
    ]
    po.metadata = {
        "Project-Id-Version": f"{name} glossary",
        "PO-Revision-Date": f"{max(dates)} 00:00+0000" if dates else "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "",
        "Language-Team": language_name(lang),
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(lang)[1],
    }
    for concept in glossary.concepts:
        if not selected(concept, lang, status):
            continue
        rendering = concept.renderings.get(lang)
        comments = [concept.note] if concept.note else []
        if concept.dnt:
            comments.append(f"Do not translate: keep \u201c{concept.term}\u201d in every language.")
        if concept.variants:
            comments.append(f"English variants: {show_list(concept.variants)}")
        msgstr = ""
        if rendering is not None:
            if rendering.inflections:
                comments.append(f"{_INFLECTIONS_PREFIX} {show_list(rendering.inflections)}")
            if rendering.variants:
                comments.append(f"Accepted forms: {show_list(rendering.variants)}")
            rejected = list(rendering.rejected)
            if rendering.status == "rejected" and rendering.text:
                rejected.insert(0, rendering.text)
            else:
                msgstr = rendering.text
            if rejected:
                comments.append(f"Rejected: {show_list(rejected)}")
            comments.append("Status: " + _review_state(rendering))
        comments += [f"Context: {sentence}" for sentence, _ in contexts.get(concept.id, [])[:MAX_CONTEXTS]]
        comments.append(_REVISION_PREFIX + revision(concept.id, lang, rendering))
        entry = polib.POEntry(
            msgctxt=concept.id,
            msgid=concept.term,
            msgstr=msgstr,
            comment=_lf("\n".join(comments)),
            tcomment=_lf(rendering.note) if rendering is not None else "",
            flags=["fuzzy"] if msgstr and rendering and rendering.status != "approved" else [],
        )
        if article is not None and not re.search(r"\s", article.path):
            lines = sorted({line for _, line in contexts.get(concept.id, [])})
            entry.occurrences = [(article.path, str(line)) for line in lines]
        po.append(entry)
    return dump_po(po).encode("utf-8")


def _review_state(rendering: Rendering) -> str:
    state = rendering.status
    if rendering.reviewer:
        state += f" by {rendering.reviewer}"
    if rendering.date:
        state += f" on {rendering.date}"
    return state


def read_entries(path: Path, glossary: Glossary) -> tuple[list[Entry], str]:
    """The entries, and the reviewer named by the Last-Translator header."""
    from toolkit.formats.po import read_po

    po = read_po(path)
    lang = glossary_language(po.metadata.get("Language", ""), glossary, path, 1)
    entries: list[Entry] = []
    for e in po:
        if e.obsolete:
            continue
        if e.msgid_plural:
            raise ToolkitError("a glossary entry cannot have plural forms", path=path, line=e.linenum)
        entries.append(
            Entry(
                line=e.linenum,
                concept_id=e.msgctxt or "",
                term=e.msgid,
                lang=lang,
                text=e.msgstr.strip(),
                inflections=_inflections(e.comment, path, e.linenum),
                note=e.tcomment,
                fuzzy=e.fuzzy,
                revision=next(
                    (c[len(_REVISION_PREFIX) :].strip() for c in e.comment.split("\n")
                     if c.startswith(_REVISION_PREFIX)),
                    None,
                ),
            )
        )
    return entries, _person(po.metadata.get("Last-Translator", ""))


def _inflections(comment: str, path: Path, line: int) -> list[str] | None:
    """The forms listed in an entry's ``Inflections`` comment (None: no such comment), with the
    lines a PO library wrapped it onto."""
    found: list[str] | None = None
    current: list[str] | None = None
    for text in comment.split("\n"):
        if text.startswith(_INFLECTIONS_PREFIX):
            if found is not None:
                raise ToolkitError(f"two '{_INFLECTIONS_PREFIX}' comments in one entry: keep one",
                                   path=path, line=line)
            found = current = [text[len(_INFLECTIONS_PREFIX):]]
        elif current is not None and not text.startswith(_LABELS):
            current.append(text)
        else:
            current = None
    return None if found is None else split_list(" ".join(found))


def _person(value: str) -> str:
    """'Maria Papadopoulou <maria@example.org>' -> 'Maria Papadopoulou' ('' for the placeholder)."""
    value = value.strip()
    if not value or value in _PO_PLACEHOLDERS:
        return ""
    return re.sub(r"\s*<[^>]*>\s*$", "", value).strip() or value


def resolve_fuzzy(entry: Entry, old: Rendering | None) -> None:
    """PO carries no status: fuzzy means 'not approved', an emptied msgstr means 'rejected'."""
    if entry.text:
        entry.status = "proposed" if entry.fuzzy else "approved"
        return
    entry.text = None
    if old is not None and old.text and old.status != "rejected":
        entry.status = "rejected"
