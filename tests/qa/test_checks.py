"""Quality checks on realistic news translations: clean ones pass, typical MT failures are caught."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.qa.catalog_report import CatalogReport, check_catalog
from toolkit.qa.checks import CHECKS, SEVERITIES, check_entry
from toolkit.qa.langid import Detection, detect_language
from toolkit.qa.langid import detect_language as detect_article_language
from toolkit.qa.registry import Finding
from toolkit.terms.glossary import Glossary, load_glossary

from conftest import GLOSSARY


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


def ids(findings: list[Finding]) -> list[str]:
    return [f.check_id for f in findings]


# --------------------------------------------------------------------------- clean translations

MINISTERS = "NATO defence ministers met in Brussels on October 1, 2024, and agreed to buy 180 missiles."
IRON_DOME = "Israel's Iron Dome intercepted most of the rockets fired from Gaza on Saturday, the IDF said."
THAAD = "Lockheed Martin said it would deliver 1,000 THAAD interceptors worth $3.5 billion by 2026."
ARTICLE_5 = "Will the alliance invoke Article 5?"
RUTTE = (
    "Mark Rutte spoke to reporters in Brussels. He said the Allies would increase air defence "
    "spending by 20% next year."
)
QUOTE = 'Rutte said: "We will defend every inch of Allied territory."'

CLEAN = [
    (MINISTERS, "el", "Οι υπουργοί Άμυνας του ΝΑΤΟ συναντήθηκαν στις Βρυξέλλες την 1η Οκτωβρίου 2024 "
     "και συμφώνησαν να αγοράσουν 180 πυραύλους."),
    (MINISTERS, "ru", "Министры обороны НАТО встретились в Брюсселе 1 октября 2024 года и договорились "
     "закупить 180 ракет."),
    (MINISTERS, "de", "Die NATO-Verteidigungsminister trafen sich am 1. Oktober 2024 in Brüssel und "
     "vereinbarten den Kauf von 180 Raketen."),
    (MINISTERS, "tr", "NATO Savunma Bakanları 1 Ekim 2024'te Brüksel'de bir araya geldi ve 180 füze satın "
     "almayı kabul etti."),
    (IRON_DOME, "el", "Το Iron Dome του Ισραήλ αναχαίτισε τις περισσότερες ρουκέτες που εκτοξεύθηκαν από τη "
     "Γάζα το Σάββατο, ανακοίνωσαν οι Ισραηλινές Αμυντικές Δυνάμεις."),
    (IRON_DOME, "ru", "Израильская система Iron Dome перехватила большинство ракет, выпущенных из сектора "
     "Газа в субботу, сообщила Армия обороны Израиля."),
    (IRON_DOME, "de", "Israels Iron Dome hat am Samstag die meisten der aus dem Gazastreifen abgefeuerten "
     "Raketen abgefangen, teilten die Israelischen Verteidigungsstreitkräfte mit."),
    (IRON_DOME, "tr", "İsrail Savunma Kuvvetleri, İsrail'in Iron Dome sisteminin cumartesi günü Gazze'den "
     "atılan roketlerin çoğunu önlediğini açıkladı."),
    (THAAD, "el", "Η Lockheed Martin ανακοίνωσε ότι θα παραδώσει 1.000 αναχαιτιστικά THAAD αξίας 3,5 "
     "δισεκατομμυρίων δολαρίων έως το 2026."),
    (THAAD, "ru", "Компания Lockheed Martin заявила, что к 2026 году поставит 1 000 перехватчиков THAAD "
     "на сумму 3,5 млрд долларов."),
    (THAAD, "de", "Lockheed Martin teilte mit, bis 2026 insgesamt 1.000 THAAD-Abfangraketen im Wert von "
     "3,5 Milliarden Dollar zu liefern."),
    (THAAD, "tr", "Lockheed Martin, 2026 yılına kadar 3,5 milyar dolar değerinde 1.000 THAAD önleyici "
     "füzesi teslim edeceğini açıkladı."),
    (ARTICLE_5, "el", "Θα επικαλεστεί η Συμμαχία το Άρθρο 5;"),
    (ARTICLE_5, "ru", "Прибегнет ли альянс к статье 5?"),
    (ARTICLE_5, "de", "Wird das Bündnis Artikel 5 aktivieren?"),
    (ARTICLE_5, "tr", "İttifak 5. Madde'yi devreye sokacak mı?"),
    (RUTTE, "el", "Ο Μαρκ Ρούτε μίλησε σε δημοσιογράφους στις Βρυξέλλες. Δήλωσε ότι οι Σύμμαχοι θα "
     "αυξήσουν τις δαπάνες για την αεράμυνα κατά 20% το επόμενο έτος."),
    (RUTTE, "ru", "Марк Рютте выступил перед журналистами в Брюсселе. Он заявил, что союзники увеличат "
     "расходы на противовоздушную оборону на 20% в следующем году."),
    (RUTTE, "de", "Mark Rutte sprach in Brüssel mit Journalisten. Er sagte, die Verbündeten würden ihre "
     "Ausgaben für die Luftverteidigung im nächsten Jahr um 20 % erhöhen."),
    (RUTTE, "tr", "Mark Rutte, Brüksel'de gazetecilere konuştu. Müttefiklerin gelecek yıl hava savunması "
     "harcamalarını yüzde 20 artıracağını söyledi."),
    (QUOTE, "el", "Ο Ρούτε δήλωσε: «Θα υπερασπιστούμε κάθε σπιθαμή του συμμαχικού εδάφους»."),
    (QUOTE, "ru", "Рютте заявил: «Мы будем защищать каждый дюйм территории союзников»."),
    (QUOTE, "de", "Rutte sagte: „Wir werden jeden Zentimeter des Bündnisgebiets verteidigen.“"),
    (QUOTE, "tr", 'Rutte, "Müttefik topraklarının her santimini savunacağız" dedi.'),
]


@pytest.mark.parametrize(("source", "lang", "translation"), CLEAN)
def test_correct_translations_have_no_findings(glossary, source, lang, translation):
    assert check_entry(source, translation, lang, glossary=glossary) == []


# --------------------------------------------------------------------------- broken translations
# (source, lang, translation, check that must fire, text its message must contain)

BROKEN = [
    # glossary: Latin NATO in Russian is a rejected rendering; Greek without ΝΑΤΟ misses it
    ("NATO will hold its next summit in The Hague.", "ru",
     "NATO проведёт следующий саммит в Гааге.", "glossary", "rejected 'NATO'"),
    ("NATO will hold its next summit in The Hague.", "el",
     "Η επόμενη σύνοδος κορυφής θα πραγματοποιηθεί στη Χάγη.", "glossary", "'NATO' missing"),
    (ARTICLE_5, "de", "Wird das Bündnis den Artikel 50 aktivieren?", "glossary", "Artikel 5"),
    # dnt: Argos lower-cases brand names, or transliterates them
    (THAAD, "de", "Lockheed martin teilte mit, bis 2026 insgesamt 1.000 THAAD-Abfangraketen im Wert von "
     "3,5 Milliarden Dollar zu liefern.", "dnt", "'Lockheed martin'"),
    (THAAD, "ru", "Компания Локхид Мартин заявила, что к 2026 году поставит 1 000 перехватчиков THAAD "
     "на сумму 3,5 млрд долларов.", "dnt", "'Lockheed Martin' missing"),
    (IRON_DOME, "el", "Ο Σιδερένιος Θόλος του Ισραήλ αναχαίτισε τις περισσότερες ρουκέτες που εκτοξεύθηκαν "
     "από τη Γάζα το Σάββατο, ανακοίνωσαν οι Ισραηλινές Αμυντικές Δυνάμεις.", "dnt", "Iron Dome"),
    # numbers: a missing number, a changed one, a wrong month
    (MINISTERS, "el", "Οι υπουργοί Άμυνας του ΝΑΤΟ συναντήθηκαν στις Βρυξέλλες την 1η Οκτωβρίου 2024 "
     "και συμφώνησαν να αγοράσουν πυραύλους.", "numbers", "missing 180"),
    (MINISTERS, "de", "Die NATO-Verteidigungsminister trafen sich am 1. Oktober 2024 in Brüssel und "
     "vereinbarten den Kauf von 181 Raketen.", "numbers", "not in the source 181"),
    (MINISTERS, "ru", "Министры обороны НАТО встретились в Брюсселе 1 сентября 2024 года и договорились "
     "закупить 180 ракет.", "numbers", "октября"),
    (THAAD, "tr", "Lockheed Martin, 2026 yılına kadar 35 milyar dolar değerinde 1.000 THAAD önleyici "
     "füzesi teslim edeceğini açıkladı.", "numbers", "missing 3.5"),
    # untranslated: English left as it was
    (IRON_DOME, "tr", IRON_DOME, "untranslated", "identical"),
    (IRON_DOME, "de", "", "untranslated", "empty"),
    # wrong-language: Greek output in the Russian catalog, English output for German
    (IRON_DOME, "ru", CLEAN[4][2], "wrong-language", "'el'"),
    (RUTTE, "de", "Mark Rutte spoke with journalists in Brussels. He said the Allies would raise air "
     "defence spending by 20% next year.", "wrong-language", "'en'"),
    # repetition: loops, back to back or filling the output
    (ARTICLE_5, "el", "Θα επικαλεστεί η Συμμαχία Συμμαχία Συμμαχία Συμμαχία το Άρθρο 5;",
     "repetition", "'συμμαχία' repeated 4 times"),
    (MINISTERS, "ru", "Министры обороны НАТО встретились в Брюсселе 1 октября 2024 года и договорились "
     "закупить 180 ракет ракет и ракет и ракет и ракет и ракет.", "repetition", "MT loop"),
    ("The attack on Israel was condemned by the Allies.", "de",
     "Der Angriff auf Israel, der Angriff auf Gaza, der Angriff auf den Libanon, der Angriff auf die "
     "Verbündeten.", "repetition", "der angriff auf"),
    # typing slips: a doubled word, a double space, a lost line break in a multi-line block
    (ARTICLE_5, "de", "Wird das das Bündnis Artikel 5 aktivieren?", "doubled-word", "'das das'"),
    (MINISTERS, "el", "Οι υπουργοί Άμυνας του ΝΑΤΟ συναντήθηκαν στις Βρυξέλλες την 1η Οκτωβρίου 2024  "
     "και συμφώνησαν να αγοράσουν 180 πυραύλους.", "double-space", "2 spaces after '2024'"),
    ("NATO Press Office\nBoulevard Léopold III\n1110 Brussels", "de",
     "NATO-Pressestelle Boulevard Léopold III\n1110 Brüssel", "line-breaks",
     "1 line break(s), the source has 2"),
    # acronyms: dropped by MT, outside the glossary; a code with digits mangled
    ("The MPSOTC trained 40 officers.", "de", "Das Zentrum bildete 40 Offiziere aus.", "acronyms",
     "'MPSOTC'"),
    ("Greece bought M1A2 tanks and the U.S. approved it.", "tr",
     "Yunanistan M1 tankları satın aldı ve ABD bunu onayladı.", "acronyms", "'M1A2'"),
    # length: far too short (but complete), far too long
    (RUTTE, "tr", "Rutte konuştu. Müttefikler harcamaları yüzde 20 artıracak.",
     "length", "expected 0.7–1.6"),
    (ARTICLE_5, "de", "Wird das Bündnis, also die Nordatlantische Vertragsorganisation mit ihren "
     "zweiunddreißig Mitgliedstaaten, nun tatsächlich Artikel 5 aktivieren?", "length", "for 'de'"),
    # sentences: two sentences merged into one
    (RUTTE, "de", "Mark Rutte sprach in Brüssel mit Journalisten und sagte, die Verbündeten würden ihre "
     "Ausgaben für die Luftverteidigung im nächsten Jahr um 20 % erhöhen.", "sentences", "2 sentence(s)"),
    # end-punctuation: lost final period; a question that became a statement
    (MINISTERS, "tr", "NATO Savunma Bakanları 1 Ekim 2024'te Brüksel'de bir araya geldi ve 180 füze satın "
     "almayı kabul etti", "end-punctuation", "lost the final '.'"),
    (ARTICLE_5, "ru", "Альянс прибегнет к статье 5.", "end-punctuation", "'?'"),
    # brackets: unbalanced « in Russian, a parenthesis never closed in German
    (QUOTE, "ru", "Рютте заявил: «Мы будем защищать каждый дюйм территории союзников.", "brackets", "« »"),
    ("The Terminal High Altitude Area Defense (THAAD) system arrived in Israel.", "de",
     "Das System Terminal High Altitude Area Defense (THAAD ist in Israel eingetroffen.", "brackets", "( )"),
    (QUOTE, "de", 'Rutte sagte: „Wir werden jeden Zentimeter des Bündnisgebiets verteidigen."', "brackets",
     "„ “ ” (1 marks)"),
    # markup: a dropped </a>, an e-mail address mangled by the model
    ('Write to <a href="mailto:desk@example.org">the desk</a> today.', "de",
     'Schreiben Sie heute <a href="mailto:desk@example.org">der Redaktion.', "markup", "'</a>'"),
    ("Corrections: corrections@example.org.", "tr", "Düzeltmeler: Tuersiz@ersroadlehis.esü.", "markup",
     "missing 'corrections@example.org'"),
    # truncated: the model stopped at its limit, or the output stops mid-sentence
    (MINISTERS, "el", "Οι υπουργοί Άμυνας του ΝΑΤΟ συναντήθηκαν", "truncated", "mid-sentence"),
    # placeholder: a whole one, a repeated one, a lone bracket, whoever wrote it
    ("NATO ministers met in Brussels.", "de", "Die ⟦0⟧-Minister trafen sich in Brüssel.", "placeholder",
     "'⟦0⟧'"),
    ("NATO ministers met in Brussels.", "de", "Die NATO-Minister trafen sich in ZXAQ ⟦ Brüssel.",
     "placeholder", "'ZXAQ', '⟦'"),
]


@pytest.mark.parametrize(("source", "lang", "translation", "check", "text"), BROKEN)
def test_broken_translations_are_caught(glossary, source, lang, translation, check, text):
    findings = check_entry(source, translation, lang, glossary=glossary)
    hits = [f for f in findings if f.check_id == check]
    assert hits, findings
    assert any(text in f.message for f in hits), hits
    assert all(f.severity == SEVERITIES[check] for f in hits)
    assert all("\n" not in f.message for f in findings)


def test_truncated_flag_from_the_engine_is_an_error():
    findings = check_entry(ARTICLE_5, CLEAN[15][2], "tr", truncated=True)
    assert findings == [Finding("truncated", "error", findings[0].message)]


def test_truncation_is_reported_once_not_as_its_symptoms(glossary):
    findings = check_entry(MINISTERS, "Οι υπουργοί Άμυνας του ΝΑΤΟ συναντήθηκαν", "el", glossary=glossary)
    assert "truncated" in ids(findings)
    assert not {"length", "end-punctuation", "sentences", "brackets"} & set(ids(findings))
    assert "numbers" in ids(findings)  # what was lost is still worth naming


# --------------------------------------------------------------------------- negatives per check


@pytest.mark.parametrize(
    ("source", "lang", "translation", "check"),
    [
        # glossary and dnt: inflected and suffixed renderings are fine; no glossary, no check
        ("The alliance's Article 5 protects every Ally.", "ru",
         "Статья 5 альянса защищает каждого союзника.", "glossary"),
        ("Raytheon and Lockheed Martin won the contract.", "tr",
         "Sözleşmeyi Raytheon ve Lockheed Martin kazandı.", "dnt"),
        ("Shares of Lockheed Martin rose on Monday.", "de",
         "Die Aktien von Lockheed Martin stiegen am Montag.", "dnt"),
        ("Lockheed Martin's chief executive visited Ankara.", "tr",
         "Lockheed Martin'in CEO'su Ankara'yı ziyaret etti.", "dnt"),
        # numbers: English separators kept, a range, a time, percentages before the number
        ("The contract is worth $1,200 million.", "de",
         "Der Vertrag hat einen Wert von 1,200 Millionen Dollar.", "numbers"),
        ("Exercises ran from 2019-2021 and began at 07:30.", "el",
         "Οι ασκήσεις διήρκεσαν από το 2019 έως το 2021 και ξεκινούσαν στις 7.30.", "numbers"),
        ("Turnout rose to 54.5% in May 2023.", "tr", "Katılım Mayıs 2023'te %54,5'e yükseldi.", "numbers"),
        ("Voting ends on 1 March 2025.", "ru", "Голосование завершится 1 марта 2025 года.", "numbers"),
        ("The talks were held in May 2024.", "ru", "Переговоры прошли в мае 2024 года.", "numbers"),
        # untranslated: names and short headings may stay as they are
        ("Lockheed Martin", "de", "Lockheed Martin", "untranslated"),
        ("Daily Sabah", "tr", "Daily Sabah", "untranslated"),
        # wrong-language: a byline is too short to judge; Greek with Latin names is still Greek
        ("By Jane Smith, Reuters", "ru", "By Jane Smith, Reuters", "wrong-language"),
        (THAAD, "el", CLEAN[8][2], "wrong-language"),
        # repetition: the source repeats too
        ('"No, no, no," the minister said.', "el", "«Όχι, όχι, όχι», είπε ο υπουργός.", "repetition"),
        # typing slips: the source doubles a word too, three times is repetition's, breaks kept
        ("He said that that plan had had support.", "de", "Er sagte, dass dieser Plan Unterstützung hatte.",
         "doubled-word"),
        ('"No, no," the minister said.', "de", "„Nein, nein“, sagte der Minister.", "doubled-word"),
        ("The the the plan.", "de", "Der Plan plan plan.", "doubled-word"),
        ("Two  spaces  here.", "de", "Zwei  Leerzeichen  hier.", "double-space"),
        ("NATO Press Office\n1110 Brussels", "de", "NATO-Pressestelle\r\n1110 Brüssel", "line-breaks"),
        # acronyms: kept with a suffix, spelled locally, a code in another script, glossary terms,
        # roman numerals, a headline in capitals
        ("The MPSOTC opened.", "tr", "MPSOTC'nin merkezi açıldı.", "acronyms"),
        ("The U.S. and the UK agreed.", "el", "Οι ΗΠΑ και το Ηνωμένο Βασίλειο ΗΒ συμφώνησαν.", "acronyms"),
        ("Turkey bought the S-400 system.", "ru", "Турция купила систему С-400.", "acronyms"),
        ("NATO ministers met.", "el", "Οι υπουργοί του ΝΑΤΟ συναντήθηκαν.", "acronyms"),
        ("Pope Leo XIV spoke.", "de", "Papst Leo sprach.", "acronyms"),
        ("NATO LEADERS MEET IN THE HAGUE", "de", "NATO-Führer treffen sich in Den Haag", "acronyms"),
        # length: short sources are not judged by ratio
        ("NATO summit", "de", "Gipfeltreffen der NATO-Staats- und Regierungschefs", "length"),
        # sentences: abbreviations and ordinals of the target language do not end sentences
        ("The ministers, e.g. from Germany, met on October 1 in Brussels.", "de",
         "Die Minister, z. B. aus Deutschland, trafen sich am 1. Oktober in Brüssel.", "sentences"),
        ("In 2019, the Secretary General visited Ankara. The visit lasted two days.", "ru",
         "В 2019 г. Генеральный секретарь посетил Анкару. Визит продлился два дня.", "sentences"),
        ("Gen. A. Yilmaz met Mr. Rutte in Ankara.", "tr", "Gen. A. Yılmaz, Ankara'da Rutte ile görüştü.",
         "sentences"),
        ("Will NATO act? The answer came quickly.", "el",
         "Θα δράσει το ΝΑΤΟ; Η απάντηση ήρθε γρήγορα.", "sentences"),
        # end-punctuation: closing quotes after the mark, headings without one
        (QUOTE, "de", CLEAN[22][2], "end-punctuation"),
        ("NATO summit in The Hague", "tr", "Lahey'de NATO zirvesi.", "end-punctuation"),
        # brackets: quotes change convention; a paragraph of a multi-paragraph quote; apostrophes
        (QUOTE, "el", CLEAN[20][2], "brackets"),
        ('"We will not stand by while our Allies are attacked.', "el",
         "«Δεν θα μείνουμε αδρανείς όσο οι Σύμμαχοί μας δέχονται επίθεση.", "brackets"),
        ("The Allies' plans for NATO's eastern flank were approved.", "tr",
         "Müttefiklerin NATO'nun doğu kanadına ilişkin planları onaylandı.", "brackets"),
        ("The minister said Greece was ready to help all of them.", "el",
         "Ο υπουργός είπε ότι η Ελλάδα είναι έτοιμη να βοηθήσει απ’ όλες τις πλευρές.", "brackets"),
        # placeholder: look-alikes the source holds itself are not placeholders
        ("Press <1> to vote, then ⟦0⟧.", "de", "Drücken Sie <1> zum Abstimmen, dann ⟦0⟧.", "placeholder"),
        # truncated: a short translation that is complete
        ("Defence ministers from the 32 Allies met in Brussels on Thursday.", "tr",
         "32 müttefikin bakanları toplandı.", "truncated"),
    ],
)
def test_check_does_not_fire(glossary, source, lang, translation, check):
    assert check not in ids(check_entry(source, translation, lang, glossary=glossary))


def test_without_a_glossary_terms_are_not_checked():
    findings = check_entry("NATO will hold its next summit in The Hague.",
                           "NATO проведёт следующий саммит в Гааге.", "ru")
    assert findings == []


def test_glossary_without_the_language_is_a_toolkit_error(glossary):
    with pytest.raises(ToolkitError, match="no 'fr' column"):
        check_entry("NATO met.", "L'OTAN s'est réunie.", "fr", glossary=glossary)


def test_language_subtags_are_ignored(glossary):
    assert check_entry(CLEAN[2][0], CLEAN[2][2], "de_AT", glossary=glossary) == []


NEWSY = st.text(alphabet=list("NATO ΝΑΤΟ НАТО Iron Dome Oct 1,000 3.5 «»„“\"'()[]?!.…;: \n"), max_size=80)


@settings(max_examples=150, deadline=None)
@given(
    source=NEWSY,
    translation=NEWSY | st.text(max_size=80),
    lang=st.sampled_from(["el", "ru", "de", "tr"]),
    truncated=st.booleans(),
)
def test_any_text_gives_one_line_findings(glossary, source, translation, lang, truncated):
    for finding in check_entry(source, translation, lang, glossary=glossary, truncated=truncated):
        assert finding.check_id in CHECKS
        assert finding.severity == SEVERITIES[finding.check_id]
        assert finding.message and "\n" not in finding.message


def test_every_check_is_documented():
    assert set(CHECKS) == set(SEVERITIES)
    assert set(SEVERITIES.values()) == {"error", "warning"}
    assert all("\n" not in text for text in CHECKS.values())
    fired = {check for *_, check, _ in BROKEN}
    assert fired == set(CHECKS)


# --------------------------------------------------------------------------- language identification

SAMPLES = {
    "en": "NATO defence ministers met in Brussels on Thursday. They agreed to send more air defence "
          "systems to Ukraine before the winter.",
    "el": "Οι υπουργοί Άμυνας του ΝΑΤΟ συναντήθηκαν στις Βρυξέλλες την Πέμπτη. Συμφώνησαν να στείλουν "
          "περισσότερα συστήματα αεράμυνας στην Ουκρανία πριν από τον χειμώνα.",
    "ru": "Министры обороны НАТО встретились в Брюсселе в четверг. Они договорились направить Украине "
          "больше систем противовоздушной обороны до наступления зимы.",
    "de": "Die NATO-Verteidigungsminister trafen sich am Donnerstag in Brüssel. Sie vereinbarten, vor dem "
          "Winter mehr Luftverteidigungssysteme in die Ukraine zu schicken.",
    "tr": "NATO Savunma Bakanları perşembe günü Brüksel'de bir araya geldi. Kıştan önce Ukrayna'ya daha "
          "fazla hava savunma sistemi göndermeyi kabul ettiler.",
}


@pytest.mark.parametrize(("lang", "text"), SAMPLES.items())
def test_detect_language_is_correct_and_deterministic(lang, text):
    first, second = detect_language(text), detect_language(text)
    assert first == second
    assert isinstance(first, Detection)
    assert first.lang == lang
    assert first.probability >= 0.8


MORE_SAMPLES = [
    "Це речення українською мовою про НАТО та союзників у Брюсселі.",  # uk: close to ru
    "Министрите на отбраната на НАТО се срещнаха в Брюксел в четвъртък.",  # bg
    "De ministers van Defensie van de NAVO kwamen donderdag bijeen in Brussel.",  # nl: close to de
    "Les ministres de la Défense de l'OTAN se sont réunis jeudi à Bruxelles.",
    "Los ministros de Defensa de la OTAN se reunieron el jueves en Bruselas.",
    "NATO:s försvarsministrar möttes i Bryssel på torsdagen.",
    "Ministrowie obrony NATO spotkali się w czwartek w Brukseli.",
    "NATO",  # one n-gram family only
    "ΝΑΤΟ NATO НАТО 2024",  # three scripts at once
]


@pytest.mark.slow
@pytest.mark.parametrize("text", [*SAMPLES.values(), *MORE_SAMPLES])
def test_compact_profiles_detect_exactly_like_langdetect(text):
    """The sparse table is a storage change only: every probability equals langdetect's own."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from toolkit.qa.langid import compact_factory

    theirs = DetectorFactory()
    theirs.load_profile(PROFILES_DIRECTORY)
    ours = compact_factory()
    assert ours.langlist == theirs.langlist
    for factory in (theirs, ours):
        factory.set_seed(0)
    a, b = theirs.create(), ours.create()
    a.append(text)
    b.append(text)
    assert [(x.lang, x.prob) for x in b.get_probabilities()] == [
        (x.lang, x.prob) for x in a.get_probabilities()
    ]


@pytest.mark.slow
def test_compact_profiles_are_a_fraction_of_langdetects():
    """Memory, not time: the profile table must stay well under langdetect's ~75 MB of lists."""
    import sys

    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    from toolkit.qa.langid import compact_factory

    def size(table, values):
        return sys.getsizeof(table) + sum(sys.getsizeof(v) for v in values)

    theirs = DetectorFactory()
    theirs.load_profile(PROFILES_DIRECTORY)
    ours = compact_factory().word_lang_prob_map
    assert ours.keys() == theirs.word_lang_prob_map.keys()
    their_bytes = size(theirs.word_lang_prob_map, theirs.word_lang_prob_map.values())
    our_bytes = size(ours, dict.values(ours))
    assert our_bytes * 4 < their_bytes


@pytest.mark.parametrize(
    "text",
    ["", "NATO summit", "By Jane Smith, Reuters", "Brussels, 1 October 2024", "2024 180 3,5 1.000 20 %"],
)
def test_detect_language_refuses_short_texts(text):
    assert detect_language(text) is None


def test_detect_article_language_judges_the_whole_text():
    article = "NATO allies meet\n\nBy Jane Smith\n\n" + SAMPLES["en"] + "\n\n" + RUTTE
    assert detect_article_language(article).lang == "en"
    assert detect_article_language("\n\n".join([SAMPLES["de"], CLEAN[18][2]])).lang == "de"
    assert detect_article_language("Lockheed Martin") is None


# --------------------------------------------------------------------------- catalogs


def write_catalog(path: Path, lang: str) -> str:
    po = polib.POFile(wrapwidth=78)
    po.metadata = {
        "Project-Id-Version": "article",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    po.append(polib.POEntry(  # a good machine draft
        msgid=MINISTERS, msgstr=CLEAN[1][2], flags=["fuzzy"], comment="MT: argos:en-ru@1.9",
        occurrences=[("article.txt", "3")],
    ))
    po.append(polib.POEntry(  # a human translation with Latin NATO and a lost number
        msgid="NATO ordered 180 interceptors.", msgstr="NATO заказало перехватчики.",
        occurrences=[("article.txt", "5")],
    ))
    po.append(polib.POEntry(msgid=ARTICLE_5, msgstr="", occurrences=[("article.txt", "7")]))
    po.append(polib.POEntry(  # a draft the model cut off
        msgid=RUTTE, msgstr="Марк Рютте выступил перед журналистами в Брюсселе. Он заявил, что союзники "
        "увеличат расходы на противовоздушную оборону на 20% в следующем году.", flags=["fuzzy"],
        comment="MT: argos:en-ru@1.9\nFLAGGED: truncated: the model hit its output length limit",
        occurrences=[("article.txt", "9")],
    ))
    po.append(polib.POEntry(msgid="Old paragraph that was removed.", msgstr="NATO NATO NATO", obsolete=True))
    po.save(str(path))
    return path.read_text(encoding="utf-8")


def entry_start(text: str, msgid_start: str) -> int:
    """The 1-based line where the entry whose msgid starts with `msgid_start` begins (its first comment)."""
    lines = text.split("\n")
    quoted = '"' + msgid_start
    index = next(i for i, line in enumerate(lines) if line.removeprefix("msgid ").startswith(quoted))
    while index > 0 and lines[index - 1].strip():
        index -= 1
    return index + 1


def test_check_catalog_reports_entries_with_their_lines(tmp_path, glossary):
    path = tmp_path / "ru.po"
    text = write_catalog(path, "ru")
    report = check_catalog(path, glossary=glossary)
    assert isinstance(report, CatalogReport)
    assert (report.path, report.lang) == (str(path), "ru")
    msgids = [MINISTERS, "NATO ordered 180 interceptors.", ARTICLE_5, RUTTE]
    assert [e.msgid for e in report.entries] == msgids
    good, broken, empty, cut = report.entries
    assert good.fuzzy and good.findings == [] and good.line == entry_start(text, "NATO defence")
    assert not broken.fuzzy and broken.line == entry_start(text, "NATO ordered")
    assert set(ids(broken.findings)) == {"glossary", "numbers"}
    assert [(f.check_id, f.severity) for f in empty.findings] == [("untranslated", "warning")]
    assert ids(cut.findings) == ["truncated"]
    assert report.errors() == 3 and report.warnings() == 1


def test_check_catalog_without_language_header(tmp_path):
    path = tmp_path / "x.po"
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n'
    path.write_text(header + '\nmsgid "a"\nmsgstr "b"\n', encoding="utf-8")
    with pytest.raises(ToolkitError, match="Language"):
        check_catalog(path)


def test_malformed_catalog_is_a_toolkit_error(tmp_path):
    path = tmp_path / "bad.po"
    path.write_text('msgid ""\nmsgstr "Language: el\\n"\n\nmsgid "NATO met.\nmsgstr "Το ΝΑΤΟ συνεδρίασε."\n',
                    encoding="utf-8")
    with pytest.raises(ToolkitError) as info:
        check_catalog(path)
    assert info.value.path == str(path) and info.value.line == 4


PAGE_EN = ('See <a href="https://www.nato.int/NATO/pentagon">the NATO page</a> and '
           '<img src="/img/THAAD-battery.jpg" alt="A battery"> at NATO.int or pentagon.mil, '
           'write to press@thaad.com. Israel&#8217;s view.')
PAGE_EL = ('Δείτε <a href="https://www.nato.int/NATO/pentagon">τη σελίδα του ΝΑΤΟ</a> και '
           '<img src="/img/THAAD-battery.jpg" alt="Μια συστοιχία"> στο NATO.int ή pentagon.mil, '
           'γράψτε στο press@thaad.com. Η άποψη του Ισραήλ.')


def test_terms_and_numbers_inside_links_domains_and_references_are_no_false_alarms(glossary):
    """Seen on ordinary pages: NATO in a link destination or a domain, THAAD in an image URL and
    an address, &#8217; read as the number 8217 (issue #14)."""
    from toolkit.terms.match import find_terms

    assert [m.text for m in find_terms(glossary, PAGE_EN)] == ["NATO"]  # the link text only
    assert check_entry(PAGE_EN, PAGE_EL, "el", glossary=glossary) == []
    # still caught where a reader sees them: the rendering and a number of the prose
    bad = PAGE_EL.replace("του ΝΑΤΟ", "του NATO").replace("Η άποψη", "Η άποψη του 2024")
    found = {(f.check_id, f.message) for f in check_entry(PAGE_EN, bad, "el", glossary=glossary)}
    assert ("glossary", "'NATO' rendered as rejected 'NATO': expected 'ΝΑΤΟ'") in found
    assert ("numbers", "numbers differ: not in the source 2024") in found
    # a reference to a character is text; one that stands for markup is still markup
    kept = check_entry("Israel&#8217;s &amp; ours", "Το Ισραήλ’ & δικό μας", "el")
    assert [(f.check_id, f.message) for f in kept] == [("markup", "missing '&amp;'")]
    assert [f.check_id for f in check_entry("Israel&#8217;s view", "Η άποψη του Ισραήλ", "el")] == []
