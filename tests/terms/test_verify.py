"""Recognising required renderings in inflected translations, and checking whole texts."""

from __future__ import annotations

import unicodedata

import pytest

from toolkit.errors import ToolkitError
from toolkit.terms.glossary import Concept, Glossary, Rendering, load_glossary
from toolkit.terms.verify import (
    RenderingMatch,
    TermCheck,
    check_translation,
    find_rendering,
    normalize,
)

from conftest import ARTICLE, GLOSSARY


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("lang", "a", "b"),
    [
        ("el", "Άρθρο", "ΑΡΘΡΟ"),
        ("el", "Σύμμαχος", "ΣΥΜΜΑΧΟΣ"),
        ("el", "Σύμμαχος", "συμμαχοσ"),
        ("el", "Ευρωατλαντικός", "ευρωατλαντικοσ"),
        ("el", "Άρθρο", unicodedata.normalize("NFD", "Άρθρο")),
        ("ru", "статьёй", "СТАТЬЕЙ"),
        ("ru", "Ста\u0301тья", "статья"),
        ("de", "außerhalb", "AUSSERHALB"),
        ("tr", "İSRAİL", "israil"),
        ("tr", "DIŞI", "dışı"),
        ("tr", "ISRAIL", "İsrail"),
        ("tr", "NATO’nun", "nato'nun"),
        ("tr", "NATO‘ya", "NATO'YA"),
    ],
)
def test_normalize_equates(lang, a, b):
    assert normalize(a, lang) == normalize(b, lang)


@pytest.mark.parametrize(
    ("lang", "a", "b"),
    [("el", "ΝΑΤΟ", "NATO"), ("ru", "НАТО", "NATO"), ("de", "Artikel 5", "Artikel 50")],
)
def test_normalize_keeps_apart(lang, a, b):
    assert normalize(a, lang) != normalize(b, lang)


# --------------------------------------------------------------------------- find_rendering

# (lang, concept id, translation, the text that must be reported)
INFLECTED = [
    # Greek
    ("el", "article-5", "σύμφωνα με το Άρθρο 5 της Συνθήκης", "Άρθρο 5"),
    ("el", "article-5", "δεσμεύεται από το άρθρο 5", "άρθρο 5"),
    ("el", "article-5", "ΑΡΘΡΟ 5", "ΑΡΘΡΟ 5"),
    ("el", "article-5", "την ενεργοποίηση του Άρθρου 5", "Άρθρου 5"),
    ("el", "article-5", "ΤΟΥ ΑΡΘΡΟΥ 5", "ΑΡΘΡΟΥ 5"),
    ("el", "nato", "η ένταξη στο ΝΑΤΟ.", "ΝΑΤΟ"),
    ("el", "major-non-nato-ally", "το καθεστώς Σημαντικού Συμμάχου εκτός ΝΑΤΟ",
     "Σημαντικού Συμμάχου εκτός ΝΑΤΟ"),
    ("el", "major-non-nato-ally", "ως σημαντικών συμμάχων εκτός ΝΑΤΟ",
     "σημαντικών συμμάχων εκτός ΝΑΤΟ"),
    ("el", "secretary-general", "ο Γενικός Γραμματέας του ΝΑΤΟ", "Γενικός Γραμματέας"),
    ("el", "secretary-general", "δήλωσε στον Γενικό Γραμματέα", "Γενικό Γραμματέα"),
    ("el", "pentagon", "εκπρόσωπος του Πενταγώνου", "Πενταγώνου"),
    ("el", "collective-defence", "τις υποχρεώσεις συλλογικής άμυνας", "συλλογικής άμυνας"),
    ("el", "euro-atlantic", "στην ευρωατλαντική περιοχή", "ευρωατλαντική"),
    ("el", "middle-east", "στη Μέση Ανατολή", "Μέση Ανατολή"),
    ("el", "ballistic-missile", "αναχαιτίζει βαλλιστικούς πυραύλους", "βαλλιστικούς πυραύλους"),
    ("el", "israel-defense-forces", "οι Ισραηλινές Αμυντικές Δυνάμεις (IDF)",
     "Ισραηλινές Αμυντικές Δυνάμεις"),
    # Russian
    ("ru", "article-5", "в соответствии со Статьёй 5", "Статьёй 5"),
    ("ru", "article-5", "по статье 5 договора", "статье 5"),
    ("ru", "article-5", "положения статьи 5", "статьи 5"),
    ("ru", "article-5", "обязательства по статьей 5", "статьей 5"),
    ("ru", "nato", "члены НАТО", "НАТО"),
    ("ru", "major-non-nato-ally", "статус основного союзника вне НАТО",
     "основного союзника вне НАТО"),
    ("ru", "major-non-nato-ally", "стал основным союзником вне НАТО",
     "основным союзником вне НАТО"),
    ("ru", "secretary-general", "заявил Генеральный секретарь", "Генеральный секретарь"),
    ("ru", "secretary-general", "слова генерального секретаря", "генерального секретаря"),
    ("ru", "hezbollah", "столкновения с Хезболлой", "Хезболлой"),
    ("ru", "middle-east", "конфликт на Ближнем Востоке", "Ближнем Востоке"),
    ("ru", "pentagon", "представитель Пентагона", "Пентагона"),
    ("ru", "collective-defence", "обязательства коллективной обороны", "коллективной обороны"),
    ("ru", "nato-defence-ministers", "встреча министров обороны НАТО", "министров обороны НАТО"),
    # German
    ("de", "article-5", "gemäß Artikel 5 des Vertrags", "Artikel 5"),
    ("de", "article-5", "die Anwendung des Artikels 5", "Artikels 5"),
    ("de", "nato", "Mitglieder der NATO", "NATO"),
    ("de", "nato", "der Nato beitreten", "Nato"),
    ("de", "major-non-nato-ally", "den Status eines wichtigen Verbündeten außerhalb der NATO",
     "wichtigen Verbündeten außerhalb der NATO"),
    ("de", "major-non-nato-ally", "als wichtigem Verbündeten ausserhalb der Nato",
     "wichtigem Verbündeten ausserhalb der Nato"),
    ("de", "secretary-general", "sagte NATO-Generalsekretär Mark Rutte", "Generalsekretär"),
    ("de", "secretary-general", "die Worte des Generalsekretärs", "Generalsekretärs"),
    ("de", "middle-east", "im Nahen Osten", "Nahen Osten"),
    ("de", "collective-defence", "Pflichten der kollektiven Verteidigung",
     "kollektiven Verteidigung"),
    ("de", "ballistic-missile", "fängt ballistische Raketen ab", "ballistische Raketen"),
    ("de", "anti-missile-system", "ein modernes Raketenabwehrsystem", "Raketenabwehrsystem"),
    # Turkish
    ("tr", "nato", "NATO'nun tutumu", "NATO'nun"),
    ("tr", "nato", "NATO’ya katılması", "NATO’ya"),
    ("tr", "nato", "NATO’DAN", "NATO’DAN"),
    ("tr", "article-5", "5. Madde'yi işletmek", "5. Madde'yi"),
    ("tr", "article-5", "Antlaşmanın 5. maddesi uyarınca", "5. maddesi"),
    ("tr", "article-5", "5. MADDE'NİN", "5. MADDE'NİN"),
    ("tr", "hezbollah", "Hizbullah'ın saldırıları", "Hizbullah'ın"),
    ("tr", "major-non-nato-ally", "NATO Dışı Büyük Müttefiği olarak", "NATO Dışı Büyük Müttefiği"),
    ("tr", "major-non-nato-ally", "İsrail, NATO dışı büyük müttefik", "NATO dışı büyük müttefik"),
    ("tr", "secretary-general", "NATO Genel Sekreteri Mark Rutte", "Genel Sekreteri"),
    ("tr", "israel-defense-forces", "İSRAİL SAVUNMA KUVVETLERİ açıkladı", "İSRAİL SAVUNMA KUVVETLERİ"),
    ("tr", "middle-east", "Orta Doğu’daki gerginlik", "Orta Doğu’daki"),
    ("tr", "collective-defence", "kolektif savunmanın gereği", "kolektif savunmanın"),
    ("tr", "air-defence", "İsrail'in hava savunmasını güçlendirmek", "hava savunmasını"),
]


@pytest.mark.parametrize(("lang", "concept_id", "translation", "expected"), INFLECTED)
def test_inflected_forms_are_found(glossary, lang, concept_id, translation, expected):
    forms = glossary.get(concept_id).renderings[lang].forms
    match = find_rendering(translation, forms, lang)
    assert match is not None, (lang, concept_id, translation)
    assert match.text == expected
    assert translation[match.start : match.end] == expected


def test_at_least_ten_cases_per_language():
    for lang in ("el", "ru", "de", "tr"):
        assert sum(case[0] == lang for case in INFLECTED) >= 10


# Only the approved rendering is given: the stem pass alone must recognise the inflection.
STEM_ONLY = [
    ("el", "Άρθρο 5", "του άρθρου 5"),
    ("el", "Σημαντικός Σύμμαχος εκτός ΝΑΤΟ", "Σημαντικών Συμμάχων εκτός ΝΑΤΟ"),
    ("el", "Πεντάγωνο", "του Πενταγώνου"),
    ("el", "αντιπυραυλικό σύστημα", "του αντιπυραυλικού συστήματος"),
    ("ru", "Статья 5", "статьёй 5"),
    ("ru", "основной союзник вне НАТО", "основным союзником вне НАТО"),
    ("ru", "противоракетная система", "противоракетную систему"),
    ("de", "Artikel 5", "des Artikels 5"),
    ("de", "wichtiger Verbündeter außerhalb der NATO", "wichtigen Verbündeten außerhalb der NATO"),
    ("de", "NATO-Verteidigungsminister", "die NATO-Verteidigungsministern"),
    ("tr", "5. Madde", "5. Maddesi"),
    ("tr", "NATO Dışı Büyük Müttefik", "NATO Dışı Büyük Müttefiği"),
    ("tr", "istihbarat paylaşımı", "istihbarat paylaşımında"),
    ("tr", "Akdeniz Diyaloğu", "Akdeniz Diyaloğunun"),
]


@pytest.mark.parametrize(("lang", "form", "translation"), STEM_ONLY)
def test_stem_pass(lang, form, translation):
    match = find_rendering(translation, [form], lang)
    assert match is not None and match.how == "stem"
    assert translation.endswith(match.text)


NEGATIVES = [
    ("de", ["Artikel 5"], "gemäß Artikel 50 des Grundgesetzes"),
    ("de", ["Artikel 5"], "Artikel 15"),
    ("de", ["Artikel 5"], "Artikel5"),
    ("el", ["Άρθρο 5"], "σύμφωνα με το Άρθρο 15"),
    ("el", ["Άρθρο 5"], "Άρθρο 6"),
    ("el", ["ΝΑΤΟ"], "το NATO"),  # Latin letters where Greek capitals are required
    ("el", ["ΝΑΤΟ"], "ΝΑΤΟΪΚΟΣ ΝΑΤΟΥΡΑΛΙΣΜΟΣ"),  # inside longer words
    ("ru", ["НАТО"], "члены NATO"),
    ("ru", ["НАТО"], "натовский"),
    ("ru", ["Статья 5"], "статьи 50"),
    ("tr", ["5. Madde"], "15. Madde"),
    ("tr", ["5. Madde"], "5 Madde"),
    ("tr", ["NATO"], "NATOnun"),
    ("de", ["Naher Osten"], "Naher\n\nOsten"),  # a paragraph break is not a space
    ("de", ["Bündnis"], "Bündnispartner"),  # a compound is another word
]


@pytest.mark.parametrize(("lang", "forms", "translation"), NEGATIVES)
def test_negatives(lang, forms, translation):
    assert find_rendering(translation, forms, lang) is None


def test_strictest_pass_wins_and_spans_are_original_offsets():
    text = "άρθρου 5 … ΑΡΘΡΟ 5 … Άρθρο 5"
    match = find_rendering(text, ["Άρθρο 5"], "el")
    assert match == RenderingMatch(text.rindex("Άρθρο 5"), len(text), "Άρθρο 5", "exact")
    nfd = unicodedata.normalize("NFD", "Το Άρθρο  5 ισχύει")
    match = find_rendering(nfd, ["Άρθρο 5"], "el")
    assert match is not None and match.how == "normalized"
    assert nfd[match.start : match.end] == match.text
    assert unicodedata.normalize("NFC", match.text) == "Άρθρο  5"


def test_separators():
    assert find_rendering("NATO-Verteidigungsminister", ["NATO Verteidigungsminister"], "de")
    assert find_rendering("5 Madde", ["5. Madde"], "tr") is None
    assert find_rendering("Artikel\n5", ["Artikel 5"], "de").how == "normalized"


# --------------------------------------------------------------------------- check_translation

SOURCE = (
    "NATO said Israel is a Major Non-NATO Ally. Article 5 applies to NATO members, "
    "and the Pentagon agreed."
)


def _statuses(checks: list[TermCheck]) -> list[tuple[str, str]]:
    return [(c.concept_id, c.status) for c in checks]


def test_check_translation_found(glossary):
    el = ("Το ΝΑΤΟ δήλωσε ότι το Ισραήλ είναι Σημαντικός Σύμμαχος εκτός ΝΑΤΟ. Το Άρθρο 5 ισχύει "
          "για τα μέλη του ΝΑΤΟ και το Πεντάγωνο συμφώνησε.")
    checks = check_translation(glossary, SOURCE, el, "el")
    assert _statuses(checks) == [
        ("nato", "found"), ("major-non-nato-ally", "found"), ("article-5", "found"),
        ("nato", "found"), ("pentagon", "found"),
    ]
    assert checks[1].found == "Σημαντικός Σύμμαχος εκτός ΝΑΤΟ"
    assert checks[1].expected == "Σημαντικός Σύμμαχος εκτός ΝΑΤΟ"
    assert checks[0].source.text == "NATO" and checks[0].target.text == "ΝΑΤΟ"


def test_check_translation_counts_occurrences(glossary):
    # NATO twice in the source; the only other ΝΑΤΟ belongs to the designation
    el = ("Το ΝΑΤΟ δήλωσε ότι το Ισραήλ είναι Σημαντικός Σύμμαχος εκτός ΝΑΤΟ. Το Άρθρο 5 ισχύει "
          "για τα μέλη της Συμμαχίας και το Πεντάγωνο συμφώνησε.")
    checks = check_translation(glossary, SOURCE, el, "el")
    assert _statuses(checks)[3] == ("nato", "missing")
    assert checks[3].found is None and checks[3].expected == "ΝΑΤΟ"


def test_check_translation_forbidden(glossary):
    ru = ("НАТО заявило, что Израиль является основным союзником вне НАТО. Артикул 5 "
          "применяется к членам NATO, и Пентагон согласился.")
    checks = check_translation(glossary, SOURCE, ru, "ru")
    assert _statuses(checks) == [
        ("nato", "found"), ("major-non-nato-ally", "found"), ("article-5", "forbidden"),
        ("nato", "forbidden"), ("pentagon", "found"),
    ]
    assert checks[2].forbidden == "Артикул 5" and checks[2].found is None
    assert checks[3].forbidden == "NATO"


def test_check_translation_turkish(glossary):
    tr = ("NATO, İsrail'in NATO Dışı Büyük Müttefik olduğunu söyledi. 5. Madde NATO üyelerine "
          "uygulanır ve Pentagon'un onayı var.")
    checks = check_translation(glossary, SOURCE, tr, "tr")
    assert all(c.status == "found" for c in checks), _statuses(checks)
    assert checks[-1].found == "Pentagon'un"
    checks = check_translation(glossary, "Article 5", "Makale 5 uygulanır.", "tr")
    assert _statuses(checks) == [("article-5", "forbidden")]


def test_check_translation_dnt_and_missing(glossary):
    source = "The Pentagon confirmed that a THAAD anti-missile system by Lockheed Martin was sent."
    de = "Das Pentagon bestätigte, dass ein THAAD-Raketenabwehrsystem geschickt wurde."
    checks = check_translation(glossary, source, de, "de")
    assert _statuses(checks) == [
        ("pentagon", "found"), ("thaad", "found"), ("anti-missile-system", "found"),
        ("lockheed-martin", "missing"),
    ]
    long_form = "Terminal High Altitude Area Defense batteries"
    checks = check_translation(glossary, long_form, "Terminal High Altitude Area Defense", "el")
    assert _statuses(checks) == [("thaad", "found")]  # do-not-translate keeps the English


def test_check_translation_rules():
    g = Glossary(
        [Concept("x", "widget", renderings={"de": Rendering("de", "Widget", status="rejected")})],
        None,
        ["de"],
    )
    assert check_translation(g, "a widget", "ein Dings", "de") == []  # nothing to enforce
    with pytest.raises(ToolkitError, match="no 'fr' column"):
        check_translation(g, "a widget", "un truc", "fr")


def test_check_translation_article(glossary):
    article = ARTICLE.read_text("utf-8")
    checks = check_translation(glossary, article, article, "de")
    names = {c.concept_id for c in checks if c.status == "found"}
    # English copy "translated" to itself: only the identical renderings are found
    assert {"nato", "thaad", "pentagon", "lockheed-martin", "raytheon", "rtx"} <= names
    assert "article-5" not in names and "secretary-general" not in names


# --------------------------------------------------------------------------- rejected renderings


def _replaced(path, lang: str, new: str, old: str):
    """The shipped glossary after a reviewer replaced `old` by `new` (old one rejected) in `lang`,
    the old rendering's inflected variants left behind."""
    glossary = load_glossary(path)
    rendering = glossary.get("article-5").renderings[lang]
    assert rendering.text == old
    rendering.text, rendering.rejected = new, [old]
    return glossary


REPLACED = [  # lang, new rendering, old (now rejected), translations and the verdict
    ("el", "Άρθρο 5 της Συνθήκης", "Άρθρο 5", [
        ("Το Άρθρο 5 ισχύει.", "forbidden", "Άρθρο 5"),
        ("Η ρήτρα του Άρθρου 5 ισχύει.", "forbidden", "Άρθρου 5"),  # a leftover variant of the old one
        ("Το Άρθρο 5 της Συνθήκης ισχύει.", "found", "Άρθρο 5 της Συνθήκης"),  # contains the rejected
        ("Η ρήτρα του Άρθρου 5 της Συνθήκης ισχύει.", "found", "Άρθρου 5 της Συνθήκης"),
    ]),
    ("de", "Artikel 5 des Nordatlantikvertrags", "Artikel 5", [
        ("Der Artikel 5 gilt.", "forbidden", "Artikel 5"),
        ("Die Klausel des Artikels 5 gilt.", "forbidden", "Artikels 5"),  # its inflected variant
        ("Artikel 5 des Nordatlantikvertrags gilt.", "found", "Artikel 5 des Nordatlantikvertrags"),
    ]),
]


@pytest.mark.parametrize(("lang", "new", "old", "cases"), REPLACED, ids=[r[0] for r in REPLACED])
def test_a_rejected_rendering_and_its_forms_are_forbidden(lang, new, old, cases):
    from toolkit.qa.checks import check_entry

    glossary = _replaced(GLOSSARY, lang, new, old)
    for translation, status, text in cases:
        [check] = check_translation(glossary, "Article 5 applies.", translation, lang)
        assert (check.status, check.found or check.forbidden) == (status, text), translation
        findings = [f for f in check_entry("Article 5 applies.", translation, lang, glossary=glossary)
                    if f.check_id == "glossary"]
        assert bool(findings) == (status == "forbidden"), translation
        if findings:
            assert f"rendered as rejected '{text}'" in findings[0].message


def test_a_form_both_accepted_and_rejected_is_forbidden(glossary_file):
    glossary = load_glossary(glossary_file)
    rendering = glossary.get("article-5").renderings["ru"]
    rendering.rejected.append("статье 5")  # also one of its variants
    [check] = check_translation(glossary, "Article 5 applies.", "Согласно статье 5.", "ru")
    assert (check.status, check.forbidden) == ("forbidden", "статье 5")


@pytest.mark.slow
def test_glossary_check_reports_the_rejected_rendering(glossary_file, tmp_path):
    from toolkit.terms.glossary import write_glossary

    from conftest import run_cli

    write_glossary(_replaced(glossary_file, "el", "Άρθρο 5 της Συνθήκης", "Άρθρο 5"), glossary_file)
    (tmp_path / "en.txt").write_text("Article 5 applies.\n", encoding="utf-8")
    (tmp_path / "el.txt").write_text("Το Άρθρο 5 ισχύει.\n", encoding="utf-8")
    result = run_cli("glossary", "check", str(tmp_path / "el.txt"), "--lang", "el", "--source",
                     str(tmp_path / "en.txt"), "--glossary", str(glossary_file))
    assert result.returncode == 1
    assert "forbidden" in result.stdout and "0 found, 1 missing or forbidden" in result.stdout
