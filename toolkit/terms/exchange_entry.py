"""What one entry of a reviewed glossary export says, whatever its format (PO, CSV or TBX).

The readers of the three formats (``exchange_po``, ``exchange_csv``, ``exchange_tbx``) turn a file
into `Entry` records and `toolkit.terms.exchange` applies them; the exporters stamp each rendering
with its `revision` so that an import can tell that the glossary moved on since the export.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.langs import primary_language
from toolkit.terms.glossary import Concept, Glossary, Rendering

MAX_CONTEXTS = 3  # article sentences shown per term


@dataclass
class Entry:
    """What one file entry says about one concept in one language (None: not said)."""

    line: int
    concept_id: str
    term: str
    lang: str
    text: str | None = None
    status: str | None = None
    variants: list[str] | None = None
    inflections: list[str] | None = None  # the forms of the rendering (glossary ``xx_forms``)
    rejected: list[str] | None = None
    note: str | None = None
    reviewer: str | None = None
    date: str | None = None
    fuzzy: bool | None = None  # PO only: the status is derived from the flag and msgstr
    revision: str | None = None  # `revision` of the rendering when it was exported
    # concept fields, used only to add an unknown term (add_new)
    dnt: bool | None = None
    concept_note: str | None = None
    english_variants: list[str] | None = None
    part_of_speech: str | None = None  # TBX only


def revision(concept_id: str, lang: str, rendering: Rendering | None) -> str:
    """A short hash of a rendering as exported: an import can tell that the glossary has moved on
    since (another review landed) and refuse to overwrite it with the file's stale values.

    Inflections count only when there are some, so renderings without them keep the revision
    they had before exports carried forms (files exported then still import)."""
    values = [concept_id, lang]
    if rendering is not None:
        values += [rendering.text, *rendering.variants, "|", rendering.status, rendering.reviewer,
                   rendering.date, *rendering.rejected, "|", rendering.note]
        if rendering.inflections:
            values += ["|", *rendering.inflections]
    return hashlib.sha256("\x1f".join(values).encode("utf-8")).hexdigest()[:12]


def selected(concept: Concept, lang: str, status: str | None) -> bool:
    """Whether an export limited to renderings in `status` (None: all) includes this one."""
    rendering = concept.renderings.get(lang)
    return status is None or (rendering is not None and rendering.status == status)


def show_list(items: Iterable[str]) -> str:
    """A list of forms as shown to people (PO comments, import diffs)."""
    return " | ".join(items)


def glossary_language(code: str, glossary: Glossary, path: Path, line: int | None) -> str:
    """'el', 'el_GR', 'el-GR' -> 'el', if the glossary has that language."""
    lang = primary_language(code)
    if lang not in glossary.languages:
        problem = f"'{code}' is not a glossary language" if code.strip() else "no language given"
        raise ToolkitError(
            f"{problem} (have: {', '.join(glossary.languages)})",
            path=path,
            line=line,
        )
    return lang
