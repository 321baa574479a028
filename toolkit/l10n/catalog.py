"""Gettext catalogs for an article: the ``.pot`` template and one ``.po`` per language, with
msgmerge semantics, minus its surprises.

One entry per `Block` (headings, captions and attribute values included), in document order; its
comments follow the conventions of `toolkit.l10n.comments`::

    #. MT: argos:en-de@1.0
    #. MT-Checksum: 3f1c9a0b7d2e
    #: examples/article.txt:6
    #, fuzzy
    msgid "Greece (Brussels Morning), ..."
    msgstr "Griechenland (Brussels Morning), ..."

Identical text in one article is one entry with a ``#:`` reference per block. Only when asked
(``context_duplicates``, ``toolkit translate --context-duplicates``) is every copy an entry of its
own, under ``msgctxt`` ``copy-<n>`` (n counts the copies of that text, from 1), so each copy can be
translated on its own and a paragraph inserted elsewhere does not rename it. Machine output
is always ``fuzzy``: the flag means "no human has approved this", and only a translator removes it.
No entry ever carries ``python-format`` (an article's ``%`` is not a placeholder).

Updating is a plan/apply pair: `toolkit.l10n.plan.plan_update` decides before any model call,
`build_catalog` applies it. A reviewed msgstr (any human translation, fuzzy or not) is never
replaced: an exact match keeps it byte for byte; a changed paragraph keeps it, becomes fuzzy,
shows the text it was made for as ``#| msgid`` and gets the fresh MT as a translator comment
``# Suggestion (MT): ...``. A changed paragraph that only had an MT draft gets fresh MT. Old
entries nothing matched become obsolete ``#~`` entries; old obsolete entries stay. Translator
comments (``#``) of reused entries are kept. Once an entry is reviewed its MT lines are dropped:
the translation is the translator's.

``PO-Revision-Date`` only moves when a translation, flag or obsolete entry changed, so re-running
on an unchanged article rewrites the file byte for byte. Dates come from ``now``, else from
``SOURCE_DATE_EPOCH``, else the clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import polib

import toolkit
from toolkit.errors import ToolkitError
from toolkit.formats.document import Block, Document
from toolkit.formats.po import TEMPLATE_DATE, WRAPWIDTH, check_lang, plural_forms
from toolkit.l10n.comments import (
    IN_TCOMMENT,
    MT_ITEMS,
    NOTE_PREFIX,
    PREVIOUS_PREFIX,
    SUGGESTION_PREFIX,
    comment_items,
    compose_tcomment,
    format_items,
    is_human,
    machine_items,
    note_items,
    order_items,
    previous_items,
    split_tcomment,
    suggestion_items,
)
from toolkit.l10n.plan import Action, BlockPlan, CatalogPlan, entry_groups

if TYPE_CHECKING:
    from toolkit.l10n.translate import BlockResult
    from toolkit.terms.glossary import Glossary

_PLACEHOLDERS = (TEMPLATE_DATE, "FULL NAME <EMAIL@ADDRESS>", "LANGUAGE <LL@li.org>", "EMAIL@ADDRESS")
# Header fields `build_catalog` owns; every other field of an old header is kept as it was
# (Project-Id-Version, Last-Translator, Language-Team: what a translator or Poedit set).
_OWNED_FIELDS = (
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
    "X-Generator",
)


# --------------------------------------------------------------------------------------------
# Paths


def check_domain(domain: str) -> str:
    """A gettext domain becomes a file name under locales/: it must not be able to leave it."""
    bad = (
        not isinstance(domain, str)
        or not domain
        or domain.startswith(".")
        or ".." in domain
        or any(c in domain for c in "/\\:")
        or any(ord(c) < 32 or ord(c) == 127 for c in domain)
        or domain != domain.strip()
    )
    if bad:
        raise ToolkitError(
            f"invalid gettext domain {domain!r}: use a plain file name such as 'article' "
            "(no '/', '\\', ':', '..' or leading '.')"
        )
    return domain


def po_path(locales_dir: str | Path, lang: str, domain: str) -> Path:
    """``locales/<lang>/LC_MESSAGES/<domain>.po``, the layout gettext and Babel expect."""
    return Path(locales_dir) / check_lang(lang) / "LC_MESSAGES" / f"{check_domain(domain)}.po"


def pot_path(locales_dir: str | Path, domain: str) -> Path:
    """``locales/<domain>.pot``."""
    return Path(locales_dir) / f"{check_domain(domain)}.pot"


# --------------------------------------------------------------------------------------------
# Building


def build_template(
    doc: Document,
    domain: str,
    *,
    glossary: Glossary | None = None,
    old: polib.POFile | None = None,
    now: datetime | None = None,
    context_duplicates: bool = False,
) -> polib.POFile:
    """The .pot: every entry (`toolkit.l10n.plan.entry_groups`) with an empty msgstr, its
    language-independent glossary notes as ``#.`` (what msgmerge gives every .po), and the
    placeholder header msginit expects.

    ``POT-Creation-Date`` stays that of the `old` template when no entry changed, so an
    unchanged re-run rewrites neither the .pot nor (it follows the template) the .po files."""
    check_domain(domain)
    po = polib.POFile(wrapwidth=WRAPWIDTH, encoding="utf-8")
    where = reference_path(doc.path)
    po.header = f"Translation template for {where} (gettext domain {domain!r}).\nMade by toolkit."
    po.metadata_is_fuzzy = True
    po.metadata = {
        "Project-Id-Version": domain,
        "POT-Creation-Date": _timestamp(now),
        "PO-Revision-Date": TEMPLATE_DATE,
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"toolkit {toolkit.__version__}",
    }
    for msgctxt, blocks in entry_groups(doc, context_duplicates=context_duplicates):
        po.append(
            polib.POEntry(
                msgctxt=msgctxt,
                msgid=blocks[0].text,
                occurrences=_occurrences(doc, blocks),
                comment=format_items(note_items(glossary, blocks[0])),
            )
        )
    if old is not None and old.metadata.get("POT-Creation-Date") and _same_entries(old, po):
        po.metadata["POT-Creation-Date"] = old.metadata["POT-Creation-Date"]
    return po


def _occurrences(doc: Document, blocks: Iterable[Block]) -> list[tuple[str, str]]:
    """One ``#:`` reference per block that shows the entry."""
    where = reference_path(doc.path)
    return [(where, str(block.line)) for block in blocks]


def _same_entries(a: polib.POFile, b: polib.POFile) -> bool:
    def key(po: polib.POFile) -> list[tuple]:
        return [(e.msgctxt, e.msgid, e.comment, e.occurrences) for e in po if not e.obsolete]

    return key(a) == key(b)


def reference_path(path: str | Path) -> str:
    """A ``#:`` file name: relative to the project folder (the current one) when the article is
    inside it, with ``/`` separators, so catalogs do not depend on where the project lives."""
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            pass
    return p.as_posix()


def build_catalog(
    doc: Document,
    lang: str,
    plan: CatalogPlan,
    results: Mapping[int, BlockResult],
    *,
    model_id: str | None,
    domain: str,
    glossary: Glossary | None = None,
    template: polib.POFile | None = None,
    now: datetime | None = None,
) -> polib.POFile:
    """Apply a plan: the new catalog for `lang`, given MT `results` by block index.

    ``POT-Creation-Date`` is the `template`'s (the .pot written in the same run), else the old
    catalog's, else now.

    `results` only needs the blocks of `plan.needs_mt()`; a block without one (no model
    installed) gets an empty msgstr rather than a stale or invented one. The header keeps the
    fields of the old header `plan_update` saw.
    """
    check_lang(lang)
    check_domain(domain)
    entries = [_entry(p, doc, lang, results.get(p.block.index), model_id, glossary) for p in plan.blocks]
    old = plan.header
    changed = old is None or _changed(plan, entries)
    po = polib.POFile(wrapwidth=WRAPWIDTH, encoding="utf-8")
    po.header = plan.header_comment or _default_comment(doc, lang, domain)
    pot_date = template.metadata.get("POT-Creation-Date") if template is not None else None
    po.metadata = _po_metadata(lang, domain, old or {}, _timestamp(now), changed, pot_date)
    po.extend(entries)
    po.extend(_obsolete_entries(plan.obsolete))
    return po


def _entry(
    plan: BlockPlan,
    doc: Document,
    lang: str,
    result: BlockResult | None,
    model_id: str | None,
    glossary: Glossary | None,
) -> polib.POEntry:
    block, old = plan.block, plan.old
    entry = polib.POEntry(
        msgctxt=plan.msgctxt, msgid=block.text, occurrences=_occurrences(doc, plan.all_blocks)
    )
    # `#.`: the template's notes; `#`: the translator's lines, then this language's items
    own, items = split_tcomment(old.tcomment) if old is not None else ([], [])
    old_dot = comment_items(old.comment) if old is not None else []
    # catalogs written before had the machine items (not the glossary notes) in `#.`: move them
    items += [i for i in old_dot if i.startswith(IN_TCOMMENT) and not i.startswith(NOTE_PREFIX)]
    shared = [i for i in old_dot if not i.startswith(IN_TCOMMENT) or i.startswith(NOTE_PREFIX)]
    if plan.action != Action.KEEP:  # a new translation: the old one's items are history
        shared = []
    if glossary is not None:
        shared = [i for i in shared if not i.startswith(NOTE_PREFIX)] + note_items(glossary, block)
        items = [i for i in items if not i.startswith(NOTE_PREFIX)] + note_items(glossary, block, lang)
    entry.comment = format_items(shared)
    if plan.action == Action.KEEP:
        assert old is not None
        entry.msgstr = old.msgstr
        entry.flags = _own_flags(old.flags)
        if not entry.fuzzy:  # reviewed: what the model did (and suggested, and replaced) is history
            items = [i for i in items if not i.startswith((*MT_ITEMS, SUGGESTION_PREFIX, PREVIOUS_PREFIX))]
            entry.comment = format_items(i for i in shared if not i.startswith(MT_ITEMS))
        entry.tcomment = compose_tcomment(own, items)
        if entry.fuzzy:
            entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
        return entry
    items = [i for i in items if not i.startswith((*MT_ITEMS, SUGGESTION_PREFIX))]
    mt = _mt_text(block.text, result)
    if plan.action == Action.REVIEW_CHANGED:
        assert old is not None
        entry.msgstr = old.msgstr
        entry.flags = ["fuzzy", *(f for f in _own_flags(old.flags) if f != "fuzzy")]
        # `#|` shows the text the translation was made for: still the older one if it was pending.
        if old.fuzzy and old.previous_msgid is not None:
            entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
        else:
            entry.previous_msgctxt, entry.previous_msgid = old.msgctxt, old.msgid
        entry.tcomment = compose_tcomment(own, [*items, *suggestion_items(mt)])
        return entry
    if old is not None and old.msgstr and is_human(old):  # --overwrite-reviewed: keep it in view
        items = [i for i in items if not i.startswith(PREVIOUS_PREFIX)] + previous_items(old.msgstr)
    if mt:
        entry.msgstr = mt
        entry.flags = ["fuzzy"]
        assert result is not None
        items += machine_items(model_id, mt, result, glossary, lang)
    entry.tcomment = compose_tcomment(own, items)
    return entry


def annotate(po: polib.POFile, plan: CatalogPlan, items: Mapping[int, Sequence[str]]) -> None:
    """Add extracted-comment items (e.g. QA findings) to the fresh MT entries of blocks.

    Only blocks translated in this run are touched: a reviewed or reused entry keeps its
    comments as they are.
    """
    fresh = {p.block.index: p for p in plan.blocks if p.action == Action.TRANSLATE}
    for index, new in items.items():
        bp = fresh.get(index)
        entry = po.find(bp.block.text, msgctxt=bp.msgctxt) if bp and new else None
        if entry is not None:
            own, lines = split_tcomment(entry.tcomment)
            entry.tcomment = compose_tcomment(own, [*lines, *(i for i in new if i.startswith(IN_TCOMMENT))])
            shared = [*comment_items(entry.comment), *(i for i in new if not i.startswith(IN_TCOMMENT))]
            entry.comment = format_items(order_items(shared))


def _own_flags(flags: Iterable[str]) -> list[str]:
    """Old flags minus format flags: article text has no printf placeholders for msgfmt to check."""
    return [f for f in flags if not f.endswith("-format")]


def _mt_text(msgid: str, result: BlockResult | None) -> str:
    """The model's text for a block, with leading/trailing newlines matching the msgid (msgfmt)."""
    if result is None or not result.text.strip():
        return ""
    text = result.text
    if msgid.startswith("\n") != text.startswith("\n"):
        text = "\n" + text if msgid.startswith("\n") else text.lstrip("\n")
    if msgid.endswith("\n") != text.endswith("\n"):
        text = text + "\n" if msgid.endswith("\n") else text.rstrip("\n")
    return text


def _obsolete_entries(entries: Iterable[polib.POEntry]) -> list[polib.POEntry]:
    """Old entries no block uses any more, as ``#~`` entries; exact repeats are written once."""
    out, seen = [], set()
    for old in entries:
        key = (old.msgctxt, old.msgid, old.msgid_plural, old.msgstr, tuple(sorted(old.msgstr_plural.items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(
            polib.POEntry(
                msgctxt=old.msgctxt,
                msgid=old.msgid,
                msgid_plural=old.msgid_plural,
                msgstr=old.msgstr,
                msgstr_plural=dict(old.msgstr_plural),
                flags=_own_flags(old.flags),
                tcomment=old.tcomment,
                comment=old.comment,
                obsolete=True,
            )
        )
    return out


def _changed(plan: CatalogPlan, entries: Sequence[polib.POEntry]) -> bool:
    """Whether any translation, flag or entry differs from the old catalog (PO-Revision-Date)."""
    for p, new in zip(plan.blocks, entries, strict=True):
        old = p.old
        if old is None or old.obsolete:
            return True
        before = (old.msgctxt, old.msgid, old.msgstr, old.fuzzy, old.previous_msgid if old.fuzzy else None)
        if before != (new.msgctxt, new.msgid, new.msgstr, new.fuzzy, new.previous_msgid):
            return True
    return any(not old.obsolete for old in plan.obsolete)


def _timestamp(now: datetime | None) -> str:
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if epoch.isdigit():
            now = datetime.fromtimestamp(int(epoch), timezone.utc)
        else:
            now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.strftime("%Y-%m-%d %H:%M%z")


def _po_metadata(
    lang: str, domain: str, old: Mapping[str, str], stamp: str, changed: bool, pot_date: str | None
) -> dict[str, str]:
    forms = plural_forms(lang)[1]
    revised = old.get("PO-Revision-Date", "")
    metadata = {
        "Project-Id-Version": domain,
        "POT-Creation-Date": pot_date or old.get("POT-Creation-Date") or stamp,
        "PO-Revision-Date": revised if revised and not changed and revised != TEMPLATE_DATE else stamp,
        "Last-Translator": "",
        "Language-Team": "",
    }
    # Fields a translator (or their editor) set are theirs: Last-Translator, Language-Team, X-...
    # Template placeholders (a catalog started from the .pot) are nobody's.
    metadata.update(
        {k: v for k, v in old.items() if k not in _OWNED_FIELDS and v not in _PLACEHOLDERS}
    )
    metadata.update(
        {
            "Language": lang,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": forms,
            "X-Generator": f"toolkit {toolkit.__version__}",
        }
    )
    return metadata


def _default_comment(doc: Document, lang: str, domain: str) -> str:
    try:
        from babel import Locale

        name = f"{Locale.parse(lang.replace('-', '_')).english_name} ({lang})"
    except Exception:  # any unknown or odd code: the code itself is name enough
        name = lang
    return (
        f"{name} translation of {reference_path(doc.path)} (gettext domain {domain!r}).\n"
        "Machine translations and changed paragraphs are marked fuzzy: review them and remove\n"
        "the flag. toolkit never overwrites a translation a person made."
    )
