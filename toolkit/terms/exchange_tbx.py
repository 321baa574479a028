"""The glossary as TBX-Basic for CAT tools, and a reviewed TBX read back (`toolkit.terms.exchange`).

Maps concepts and renderings to the records of `toolkit.formats.tbx` and back: one termEntry per
concept (the concept note as its ``descrip type="definition"``), the English langSet first, and
per language the language note as ``note from="translator"`` (what Weblate reads as the
explanation), the rendering as the first tig with its review state as administrativeStatus
(a proposed one also ``processStatus`` provisionallyProcessed, so that it differs from an
accepted variant) and reviewer and date as its transacGrp, then the forms of the rendering, then
the variants (admittedTerm) and the rejected renderings (deprecatedTerm). Every tig carries the
concept's part of speech when the glossary gives one.

Inflections (glossary ``xx_forms``: the rendering inflected, ``Άρθρου 5`` for ``Άρθρο 5``) are one
tig each, right after the rendering: ``admittedTerm-admn-sts`` (an accepted form, as a variant is)
and ``termNote type="termType"`` ``variant``, which marks them apart from the variants::

    <tig>
      <term>Άρθρου 5</term>
      <termNote type="administrativeStatus">admittedTerm-admn-sts</termNote>
      <termNote type="termType">variant</termNote>
    </tig>

Why termType: it is a TBX-Basic data category with ``variant`` in its picklist ("one of the
alternate forms of a term"), so validators accept it and readers keep it (Translate Toolkit as a
term note of category termType); TBX-Basic has no category for a grammatical case, and
grammaticalNumber would describe plurals only. The reading back is unambiguous because our
variants never carry a termType: a tig after the rendering with termType ``variant`` is an
inflection, any other tig (other termType values included) is a variant or a rejected rendering
as before. An inflection must not be the first tig (that is the rendering) nor deprecated (a
rejected form belongs with the rejected renderings): either is an error with file and line.
Removing an inflection's tig removes the form; a tool that drops the termType notes turns the
forms into variants, which the import diff shows. `toolkit.formats.tbx` writes and reads the
note (`Term.term_type`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError
from toolkit.formats.tbx import (
    PROVISIONAL,
    AdminStatus,
    LangSet,
    Note,
    Term,
    TermEntry,
    Transaction,
    read_tbx,
    write_tbx,
)
from toolkit.terms.exchange_entry import MAX_CONTEXTS, Entry, glossary_language, revision, selected
from toolkit.terms.glossary import Concept, Glossary, Rendering, valid_date

if TYPE_CHECKING:
    from toolkit.formats.document import Document

_SOURCE_LANG = "en"
_TBX_STATUS = {
    "approved": AdminStatus.PREFERRED,
    "proposed": AdminStatus.ADMITTED,
    "rejected": AdminStatus.DEPRECATED,
}
_GLOSSARY_STATUS = {
    AdminStatus.PREFERRED: "approved",
    AdminStatus.ADMITTED: "proposed",
    AdminStatus.DEPRECATED: "rejected",
    AdminStatus.SUPERSEDED: "rejected",
}
_DNT_NOTE = "Do not translate: every language keeps the English term."
_DNT_FROM = "developer"  # the note's `from`: Weblate shows it beside the term
_TRANSLATOR = "translator"  # `from` of a language note: Weblate's explanation of the translation
_REVISION_ID = re.compile(r"r[0-9a-f]{12}")
_INFLECTION = "variant"  # the termType of an inflection (TBX-Basic picklist value)


# --------------------------------------------------------------------------- export


def export(
    glossary: Glossary,
    langs: list[str],
    status: str | None,
    contexts: dict[str, list[tuple[str, int]]],
    article: Document | None,
    bom: bool,
) -> bytes:
    """One TBX file for `langs` (`article` only gives the contexts, `bom` is for CSV only)."""
    name = glossary.path.stem if glossary.path else "glossary"
    entries = []
    for concept in glossary.concepts:
        chosen = [lang for lang in langs if selected(concept, lang, status)]
        if chosen:
            entries.append(_term_entry(concept, chosen, contexts.get(concept.id, [])))
    return write_tbx(
        entries,
        title=f"{name} glossary ({', '.join(langs)})",
        description=[
            f"Exported by toolkit from {glossary.path or 'the canonical glossary'}; the termEntry"
            " id is the concept id.",
            "Review: the first term of a language is its rendering. Set its administrativeStatus"
            " to preferredTerm-admn-sts to approve, deprecatedTerm-admn-sts to reject, or edit"
            " the term to replace it (the old one is kept as rejected). Further terms are the"
            " rendering's inflected forms (admittedTerm with termType variant), accepted variants"
            " (admittedTerm) and rejected renderings (deprecatedTerm).",
        ],
        source_lang=_SOURCE_LANG,
    )


def _term_entry(concept: Concept, langs: list[str], contexts: list[tuple[str, int]]) -> TermEntry:
    """The concept's termEntry."""
    notes = [Note(_DNT_NOTE, _DNT_FROM)] if concept.dnt else []
    pos = concept.part_of_speech or None
    english = [
        Term(
            form,
            AdminStatus.PREFERRED if i == 0 else AdminStatus.ADMITTED,
            contexts=[sentence for sentence, _ in contexts[:MAX_CONTEXTS]] if i == 0 else [],
            part_of_speech=pos,
        )
        for i, form in enumerate([concept.term, *concept.variants])
    ]
    langsets = [LangSet(_SOURCE_LANG, english)]
    for lang in langs:
        rendering = concept.renderings.get(lang)
        if rendering is not None:
            langsets.append(_langset(concept.id, rendering, pos))
    return TermEntry(concept.id, notes, langsets, [concept.note] if concept.note else [])


def _langset(concept_id: str, r: Rendering, pos: str | None) -> LangSet:
    transactions = []
    if r.reviewer or r.date:
        transactions.append(Transaction("modification", r.date or None, r.reviewer or None))
    first = Term(
        r.text,
        _TBX_STATUS[r.status],
        id="r" + revision(concept_id, r.lang, r),  # an XML ID, so unique
        transactions=transactions,
        part_of_speech=pos,
        process_status=PROVISIONAL if r.status == "proposed" else None,
    )
    terms = [first]
    terms += [Term(item, AdminStatus.ADMITTED, part_of_speech=pos, term_type=_INFLECTION)
              for item in r.inflections]
    terms += [Term(item, AdminStatus.ADMITTED, part_of_speech=pos) for item in r.variants]
    terms += [Term(item, AdminStatus.DEPRECATED, part_of_speech=pos) for item in r.rejected]
    return LangSet(r.lang, terms, [Note(r.note, _TRANSLATOR)] if r.note else [])


# --------------------------------------------------------------------------- import


def read_entries(path: Path, glossary: Glossary) -> tuple[list[Entry], str]:
    """The entries (the reviewer, if any, is per rendering: '' for the whole file)."""
    entries: list[Entry] = []
    for term_entry in read_tbx(path):  # it refuses what is not TBX-Basic, with the line
        entries.extend(_entries(term_entry, glossary, path))
    return entries, ""


def _status(term: Term) -> str | None:
    return _GLOSSARY_STATUS[term.status] if term.status is not None else None


def _entries(term_entry: TermEntry, glossary: Glossary, path: Path) -> list[Entry]:
    """One entry per target langSet; the English langSet gives the term (for unknown concepts)."""

    def fail(message: str, line: int) -> ToolkitError:
        return ToolkitError(message, path=path, line=line)

    concept_id = term_entry.id
    dnt = any(n.text == _DNT_NOTE for n in term_entry.notes)
    # The definition; a plain note is read as one too (what this toolkit wrote before TBX-Basic
    # definitions, and what some tools write).
    concept_note = "\n".join([*term_entry.definitions,
                              *(n.text for n in term_entry.notes if n.text != _DNT_NOTE)])
    term, english_variants, part_of_speech = "", [], None
    langsets: dict[str, LangSet] = {}
    for langset in term_entry.langsets:
        if langset.lang.lower().split("-")[0].split("_")[0] == _SOURCE_LANG:
            forms = [t.text for t in langset.terms]
            term, english_variants = (forms[0] if forms else ""), forms[1:]
            part_of_speech = langset.terms[0].part_of_speech if langset.terms else None
            continue
        lang = glossary_language(langset.lang, glossary, path, langset.line)
        if lang in langsets:
            raise fail(f"two <langSet xml:lang=\"{lang}\"> in one termEntry (first on line"
                       f" {langsets[lang].line})", langset.line)
        langsets[lang] = langset
    entries = []
    for lang, langset in langsets.items():
        note = "\n".join([*langset.definitions, *(n.text for n in langset.notes)])
        if not langset.terms:
            entries.append(Entry(langset.line, concept_id, term, lang, note=note))
            continue
        first = langset.terms[0]
        inflected = [(t.term_type or "").lower() == _INFLECTION for t in langset.terms]
        if inflected[0]:
            raise fail(f"the first term of a language is its rendering, not an inflection: remove its"
                       f" termType {_INFLECTION}, or move the rendering first", first.line)
        variants, inflections, rejected = [], [], []
        for other, inflection in zip(langset.terms[1:], inflected[1:], strict=True):
            form_status = _status(other)
            if form_status == "approved":
                raise fail("only the first term of a language (its rendering) can be preferredTerm;"
                           " make this one the first, or mark it admittedTerm", other.line)
            if not inflection:
                (rejected if form_status == "rejected" else variants).append(other.text)
                continue
            if form_status == "rejected":
                raise fail(f"an inflection (termType {_INFLECTION}) is an accepted form: mark it"
                           " admittedTerm, or remove its termType to list it as rejected", other.line)
            if not other.text:
                raise fail(f"an inflection (termType {_INFLECTION}) with an empty term", other.line)
            inflections.append(other.text)
        reviewer, when = None, None
        for transaction in first.transactions:
            if transaction.date is not None:
                value = transaction.date
                if not valid_date(value[:10]):
                    raise fail(f"date '{value}' is not a date, expected YYYY-MM-DD", transaction.date_line)
                when = value[:10]
            if transaction.responsible is not None:
                reviewer = transaction.responsible
        entries.append(
            Entry(
                line=first.line,
                concept_id=concept_id,
                term=term,
                lang=lang,
                text=first.text,
                status=_status(first),
                variants=variants,
                inflections=inflections,
                rejected=rejected,
                note=note,
                reviewer=reviewer,
                date=when,
                dnt=dnt,
                concept_note=concept_note,
                english_variants=english_variants,
                part_of_speech=part_of_speech,
                revision=first.id[1:] if _REVISION_ID.fullmatch(first.id) else None,
            )
        )
    return entries
