"""Generated form proposals: Turkish apostrophe suffixes, Russian cases (pymorphy3), propose_forms."""

from __future__ import annotations

import pytest

from toolkit.errors import ToolkitError
from toolkit.terms.glossary import columns_for, parse_glossary
from toolkit.terms.inflect import propose_forms, russian_case_forms, turkish_case_forms

# --------------------------------------------------------------------------- Turkish


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        # vowel-final reading: buffer n / y
        ("NATO", "NATO'nun NATO'ya NATO'yu NATO'da NATO'dan"),
        ("UNESCO", "UNESCO'nun UNESCO'ya UNESCO'yu UNESCO'da UNESCO'dan"),
        # a pronounceable acronym is read as a word: tad
        ("THAAD", "THAAD'ın THAAD'a THAAD'ı THAAD'da THAAD'dan"),
        # spelled out: a-be-de, i-de-fe, a-be (two letters are always spelled)
        ("ABD", "ABD'nin ABD'ye ABD'yi ABD'de ABD'den"),
        ("IDF", "IDF'nin IDF'ye IDF'yi IDF'de IDF'den"),
        ("AB", "AB'nin AB'ye AB'yi AB'de AB'den"),
        ("CHP", "CHP'nin CHP'ye CHP'yi CHP'de CHP'den"),
        # re-te-iks: spelled, ends in voiceless s -> -te, -ten
        ("RTX", "RTX'in RTX'e RTX'i RTX'te RTX'ten"),
        # read as a word ending in voiceless s
        ("HAMAS", "HAMAS'ın HAMAS'a HAMAS'ı HAMAS'ta HAMAS'tan"),
        # I in an acronym is i (from English); in a word it is Turkish ı
        ("SWIFT", "SWIFT'in SWIFT'e SWIFT'i SWIFT'te SWIFT'ten"),
        ("Irak", "Irak'ın Irak'a Irak'ı Irak'ta Irak'tan"),
        # names: back, front and rounded vowels, voiced and voiceless endings
        ("Pentagon", "Pentagon'un Pentagon'a Pentagon'u Pentagon'da Pentagon'dan"),
        ("Brüksel", "Brüksel'in Brüksel'e Brüksel'i Brüksel'de Brüksel'den"),
        ("Bakhmut", "Bakhmut'un Bakhmut'a Bakhmut'u Bakhmut'ta Bakhmut'tan"),
        ("Erdoğan", "Erdoğan'ın Erdoğan'a Erdoğan'ı Erdoğan'da Erdoğan'dan"),
        ("Kiev", "Kiev'in Kiev'e Kiev'i Kiev'de Kiev'den"),
        ("Köln", "Köln'ün Köln'e Köln'ü Köln'de Köln'den"),
        ("Orbán", "Orbán'ın Orbán'a Orbán'ı Orbán'da Orbán'dan"),
        ("Kennedy", "Kennedy'nin Kennedy'ye Kennedy'yi Kennedy'de Kennedy'den"),
        # several words: the last one decides
        ("Mark Rutte", "Mark Rutte'nin|Mark Rutte'ye|Mark Rutte'yi|Mark Rutte'de|Mark Rutte'den"),
        ("Daily Sabah", "Daily Sabah'ın|Daily Sabah'a|Daily Sabah'ı|Daily Sabah'ta|Daily Sabah'tan"),
        # a number is read out: otuz beş, dört yüz
        ("F-35", "F-35'in F-35'e F-35'i F-35'te F-35'ten"),
        ("S-400", "S-400'ün S-400'e S-400'ü S-400'de S-400'den"),
    ],
)
def test_turkish_case_forms(name, forms):
    assert turkish_case_forms(name) == (forms.split("|") if "|" in forms else forms.split())


@pytest.mark.parametrize("name", ["", "   ", "5.", "Madde 5.", "«»"])
def test_turkish_case_forms_of_nothing_readable_is_empty(name):
    assert turkish_case_forms(name) == []


# --------------------------------------------------------------------------- Russian


def test_russian_noun():
    # genitive = nominative plural (ракеты) and dative = prepositional (ракете) appear once
    assert russian_case_forms("ракета") == ["ракеты", "ракете", "ракету", "ракетой", "ракет"]


def test_russian_adjective_agrees_with_its_noun():
    assert russian_case_forms("баллистическая ракета") == [
        "баллистической ракеты", "баллистической ракете", "баллистическую ракету",
        "баллистической ракетой", "баллистические ракеты", "баллистических ракет",
    ]


def test_russian_animate_accusative_and_a_prepositional_tail_kept():
    assert russian_case_forms("основной союзник вне НАТО") == [
        "основного союзника вне НАТО", "основному союзнику вне НАТО", "основным союзником вне НАТО",
        "основном союзнике вне НАТО", "основные союзники вне НАТО", "основных союзников вне НАТО",
    ]


def test_russian_genitive_tail_kept_and_a_name_has_no_plural():
    assert russian_case_forms("Армия обороны Израиля") == [
        "Армии обороны Израиля", "Армию обороны Израиля", "Армией обороны Израиля",
    ]
    assert russian_case_forms("Ближний Восток") == [
        "Ближнего Востока", "Ближнему Востоку", "Ближним Востоком", "Ближнем Востоке",
    ]


def test_russian_plural_phrase_gets_its_plural_cases():
    assert russian_case_forms("министры обороны НАТО") == [
        "министров обороны НАТО", "министрам обороны НАТО", "министрами обороны НАТО",
        "министрах обороны НАТО",
    ]


def test_russian_spelling_follows_the_rendering():
    # е stays е where the writer does not write ё; ё the dictionary has in an ending stays
    assert russian_case_forms("партнерство")[:2] == ["партнерства", "партнерству"]
    assert "Генеральным секретарём" in russian_case_forms("Генеральный секретарь")


def test_russian_lone_adjective():
    assert russian_case_forms("евроатлантический")[:3] == [
        "евроатлантического", "евроатлантическому", "евроатлантическим",
    ]


@pytest.mark.parametrize(
    "phrase",
    [
        "НАТО",  # indeclinable acronym
        "ПРО",
        "THAAD",  # Latin
        "Lockheed Martin",
        "Марк Рютте",  # Рютте is only guessed: no guess
        "совместные военные учения",  # военные is also a noun: two readings
        "кафе",  # indeclinable noun
        "обсуждать",  # a verb
        "",
    ],
)
def test_russian_no_confident_reading_gives_nothing(phrase):
    assert russian_case_forms(phrase) == []


# --------------------------------------------------------------------------- propose_forms


def small_glossary():
    columns = [*columns_for(["ru", "tr"]), "ru_forms", "tr_forms"]
    rows = [
        # id, term, dnt, ru, ru_status, ru_forms, tr, tr_status, tr_forms
        ("nato", "NATO", "no", "НАТО", "proposed", "", "NATO", "approved", ""),
        ("thaad", "THAAD", "yes", "THAAD", "proposed", "", "THAAD", "proposed", ""),
        ("ballistic-missile", "ballistic missile", "no", "баллистическая ракета", "approved", "",
         "balistik füze", "proposed", ""),
        ("ally", "Ally", "no", "союзник", "proposed", "союзника|союзники", "Müttefik", "proposed", ""),
        ("pentagon", "Pentagon", "no", "Пентагон", "rejected", "", "Pentagon", "proposed", "Pentagon'un"),
    ]
    lines = [",".join(columns)]
    for cid, term, dnt, ru, ru_status, ru_forms, tr, tr_status, tr_forms in rows:
        cell = dict.fromkeys(columns, "")
        cell.update(id=cid, term=term, dnt=dnt, case_sensitive="yes", ru=ru, ru_status=ru_status,
                    ru_forms=ru_forms, tr=tr, tr_status=tr_status, tr_forms=tr_forms)
        lines.append(",".join(cell[c] for c in columns))
    return parse_glossary("\n".join(lines) + "\n")


def test_propose_forms_fills_only_empty_forms():
    glossary = small_glossary()
    proposals = propose_forms(glossary, ["tr", "ru"])
    assert [(p.concept_id, p.lang) for p in proposals] == [
        ("nato", "tr"), ("thaad", "tr"), ("ballistic-missile", "ru"),
    ]
    nato = glossary.get("nato").renderings
    assert nato["tr"].inflections == ["NATO'nun", "NATO'ya", "NATO'yu", "NATO'da", "NATO'dan"]
    assert nato["tr"].status == "approved"  # status as it was
    assert nato["ru"].inflections == []  # НАТО does not decline
    missile = glossary.get("ballistic-missile").renderings
    assert missile["ru"].inflections[0] == "баллистической ракеты"
    assert missile["tr"].inflections == []  # a Turkish common noun: no apostrophe suffixes
    ally = glossary.get("ally").renderings
    assert ally["ru"].inflections == ["союзника", "союзники"]  # a person's forms stay
    assert ally["tr"].inflections == []  # Müttefik is not the English term
    pentagon = glossary.get("pentagon").renderings
    assert pentagon["tr"].inflections == ["Pentagon'un"]
    assert pentagon["ru"].inflections == []  # rejected: never enforced


def test_propose_forms_one_language_only():
    glossary = small_glossary()
    assert {p.lang for p in propose_forms(glossary, ["ru"])} == {"ru"}
    assert glossary.get("nato").renderings["tr"].inflections == []


@pytest.mark.parametrize(("langs", "needle"), [(["el"], "no form generator for 'el'"),
                                               (["xx"], "no form generator")])
def test_propose_forms_refuses_languages_it_cannot_do(langs, needle):
    with pytest.raises(ToolkitError, match=needle):
        propose_forms(small_glossary(), langs)


def test_propose_forms_refuses_a_language_the_glossary_lacks():
    glossary = small_glossary()
    glossary.languages = ["ru"]
    with pytest.raises(ToolkitError, match="no 'tr' columns"):
        propose_forms(glossary, ["tr"])
