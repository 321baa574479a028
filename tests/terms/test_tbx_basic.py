"""The TBX export as Weblate and memoQ import it (TBX-Basic), read back with Translate Toolkit field
by field, and the same fields read back by `toolkit glossary import`."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.terms.exchange import export_glossary, import_glossary
from toolkit.terms.glossary import load_glossary

tbx = pytest.importorskip("translate.storage.tbx")


@pytest.fixture
def reviewed(glossary_file: Path):
    """The shipped glossary with one rendering of each review state, a reviewer and a date, and a
    part of speech for two concepts."""
    glossary = load_glossary(glossary_file)
    article = glossary.get("article-5")
    article.part_of_speech = "noun"
    el = article.renderings["el"]
    el.status, el.reviewer, el.date = "approved", "Eleni P.", "2024-11-05"
    glossary.get("nato").part_of_speech = "properNoun"
    glossary.get("hezbollah").renderings["el"].status = "rejected"
    return glossary


def _unit(data: bytes, concept_id: str, lang: str):
    store = tbx.tbxfile.parsestring(data, sourcelanguage="en", targetlanguage=lang)
    return next(u for u in store.units if u.getid() == concept_id)


def _notes(notes, scope: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for note in notes:
        if note.scope == scope:
            out.setdefault(f"{note.origin}/{note.category}", []).append(note.text)
    return out


def test_every_field_reads_back_with_translate_toolkit(reviewed):
    data = export_glossary(reviewed, "tbx", "all")
    concept = reviewed.get("article-5")
    unit = _unit(data, "article-5", "el")

    # The concept note is the definition (Weblate's explanation of the source term).
    assert _notes(unit.get_common_notes(source=True), "concept") == {"definition/definition": [concept.note]}
    assert unit.getnotes("definition") == concept.note
    # The language note is a translator note (Weblate's explanation of the translation).
    el = concept.renderings["el"]
    assert _notes(unit.get_common_notes(), "language") == {"translator/None": [el.note]}
    assert el.note in unit.getnotes("translator").splitlines()  # (all languages of the unit)

    # administrativeStatus: the approved rendering is preferred; its forms and variants admitted.
    terms = unit.get_target_terms("el")
    assert el.inflections and el.variants
    assert [t.text for t in terms] == [el.text, *el.inflections, *el.variants]
    assert [t.administrative_status for t in terms] == ["preferredTerm-admn-sts"] + [
        "admittedTerm-admn-sts"] * (len(el.inflections) + len(el.variants))
    forms = set(el.inflections)
    for term in terms:  # part of speech on every term, and no processStatus once approved
        expected = {"pos/partOfSpeech": ["noun"]}
        if term.text in forms:  # a form of the rendering is marked as such
            expected["pos/termType"] = ["variant"]
        assert _notes(term.notes, "term") == expected
    assert all(_notes(t.notes, "term") == {"pos/partOfSpeech": ["noun"]} for t in unit.get_source_terms())

    # Reviewer and date: the rendering's transacGrp.
    tig = next(t for t in unit.xmlelement.iter("tig") if t.get("id") == terms[0].id)
    group = tig.find("transacGrp")
    transac = group.find("transac")
    assert transac.get("type") == "transactionType" and transac.text == "modification"
    assert group.find("date").text == "2024-11-05"
    responsible = group.find("transacNote")
    assert responsible.get("type") == "responsibility" and responsible.text == "Eleni P."

    # A proposed rendering is not an accepted variant: admitted, and provisionally processed.
    proposed = _unit(data, "article-5", "ru").get_target_terms("ru")
    assert proposed[0].administrative_status == "admittedTerm-admn-sts"
    assert _notes(proposed[0].notes, "term") == {
        "pos/partOfSpeech": ["noun"], "pos/processStatus": ["provisionallyProcessed"]}
    assert all("pos/processStatus" not in _notes(t.notes, "term") for t in proposed[1:])
    assert proposed[-1].text == "Артикул 5" and proposed[-1].deprecated  # a rejected rendering

    # A rejected rendering is deprecated; NATO is a proper noun; a concept without a part of
    # speech has none.
    hezbollah = _unit(data, "hezbollah", "el").get_target_terms("el")
    assert hezbollah[0].administrative_status == "deprecatedTerm-admn-sts"
    assert _notes(_unit(data, "nato", "el").get_source_terms()[0].notes, "term")["pos/partOfSpeech"] == [
        "properNoun"]
    assert not any(n.category == "partOfSpeech" for n in hezbollah[0].notes)


def test_a_do_not_translate_concept_says_so_in_a_note(reviewed):
    thaad = reviewed.get("thaad")
    assert thaad.dnt
    unit = _unit(export_glossary(reviewed, "tbx", "de"), "thaad", "de")
    notes = _notes(unit.get_common_notes(source=True), "concept")
    assert notes["developer/None"] == ["Do not translate: every language keeps the English term."]


def test_the_import_reads_every_field_back(reviewed, tmp_path):
    path = tmp_path / "all.tbx"
    path.write_bytes(export_glossary(reviewed, "tbx", "all"))
    result = import_glossary(reviewed, path)
    assert result.changes == [] and result.added == []  # statuses, notes, reviewer, date: unchanged

    # A term the glossary lacks comes in with its definition, note and part of speech.
    text = path.read_text(encoding="utf-8")
    start = text.index('<termEntry id="article-5">')
    entry = text[start:text.index("</termEntry>", start) + len("</termEntry>")]
    new = entry.replace('id="article-5"', 'id="article-6"').replace("Article 5", "Article 6").replace(
        "Article V", "Article VI").replace("Article Five", "Article Six")
    new = new.replace(' id="r', ' id="x')  # new XML ids (the old ones are unique in the file)
    path.write_text(text.replace(entry, entry + "\n" + new), encoding="utf-8")
    added = import_glossary(reviewed, path, add_new=True, reviewer="lead")
    assert added.added == ["article-6"]
    concept = added.glossary.get("article-6")
    assert concept.note == reviewed.get("article-5").note  # from descrip type="definition"
    assert concept.part_of_speech == "noun"
    assert concept.renderings["el"].note == reviewed.get("article-5").renderings["el"].note


def test_a_plain_note_is_still_read_as_the_definition(reviewed, tmp_path):
    """Exports written before definitions (and tools that write a plain <note>) still import."""
    data = export_glossary(reviewed, "tbx", "el").decode()
    old = data.replace('<descrip type="definition">', "<note>", 1).replace("</descrip>", "</note>", 1)
    old = old.replace('<note from="translator">', "<note>")
    path = tmp_path / "old.tbx"
    path.write_text(old, encoding="utf-8")
    assert import_glossary(reviewed, path).changes == []


def test_inflections_read_back_with_translate_toolkit_apart_from_the_variants(reviewed, tmp_path):
    """Forms of the rendering (xx_forms) are admitted terms with termType variant: Translate Toolkit
    keeps the marker (a term note) and writes it back, and our import maps it back to the forms."""
    el = reviewed.get("article-5").renderings["el"]
    el.variants, el.inflections = ["Άρθρο V"], ["Άρθρου 5", "Άρθρα 5"]
    data = export_glossary(reviewed, "tbx", "all")
    store = tbx.tbxfile.parsestring(data, sourcelanguage="en", targetlanguage="el")
    unit = next(u for u in store.units if u.getid() == "article-5")
    assert unit.target == "Άρθρο 5"
    terms = unit.get_target_terms("el")
    assert [t.text for t in terms] == ["Άρθρο 5", "Άρθρου 5", "Άρθρα 5", "Άρθρο V"]
    assert [t.administrative_status for t in terms[1:]] == ["admittedTerm-admn-sts"] * 3
    assert [_notes(t.notes, "term") for t in terms[1:]] == [
        {"pos/partOfSpeech": ["noun"], "pos/termType": ["variant"]},
        {"pos/partOfSpeech": ["noun"], "pos/termType": ["variant"]},
        {"pos/partOfSpeech": ["noun"]},  # a variant has no termType
    ]
    for tig in unit.xmlelement.iter("tig"):  # TBX-Basic order: the term, then its termNotes
        assert tig[0].tag == "term"
        notes = [i for i, child in enumerate(tig) if child.tag == "termNote"]
        assert notes == list(range(1, len(notes) + 1))

    path = tmp_path / "tt.tbx"
    path.write_bytes(bytes(store))  # written back by Translate Toolkit
    result = import_glossary(reviewed, path)
    assert result.changes == [] and result.warnings == []
    assert result.glossary.get("article-5").renderings["el"] == el
