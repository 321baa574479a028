"""Which glossary a command uses: --glossary, toolkit.toml, ./glossaries/defense.csv, and nothing
else; the shipped glossary inside the package and `toolkit glossary init`."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from toolkit.errors import ToolkitError
from toolkit.terms.default import (
    DEFAULT_GLOSSARY,
    SHIPPED_GLOSSARY,
    default_glossary_path,
    find_glossary,
    load_enforced_glossary,
)

from conftest import GLOSSARY, LANGS, ROOT, invoke, run_cli


def test_the_package_ships_the_repository_glossary():
    """One glossary: the package copy is glossaries/defense.csv byte for byte."""
    assert SHIPPED_GLOSSARY.read_bytes() == GLOSSARY.read_bytes(), (
        "glossaries/defense.csv changed: copy it to toolkit/terms/data/defense.csv"
    )


@pytest.mark.slow
def test_a_built_package_contains_the_glossary(tmp_path):
    """What `pip install .` installs: setuptools' build of the package holds data/defense.csv."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "toolkit", tmp_path / "toolkit", ignore=shutil.ignore_patterns("__pycache__"))
    code = ("import sys; from setuptools import setup; "
            "sys.argv = ['setup.py', '-q', 'build_py', '-d', 'out']; setup()")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    built = tmp_path / "out" / "toolkit" / "terms" / "data" / "defense.csv"
    assert built.read_bytes() == GLOSSARY.read_bytes()


def test_lookup_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOOLKIT_CONFIG", raising=False)
    assert find_glossary() is None  # nothing here: no fallback to the install or repository
    assert load_enforced_glossary() is None
    with pytest.raises(ToolkitError, match="toolkit glossary init"):
        default_glossary_path()

    (tmp_path / "glossaries").mkdir()
    shutil.copy(GLOSSARY, tmp_path / DEFAULT_GLOSSARY)
    assert find_glossary() == DEFAULT_GLOSSARY
    assert load_enforced_glossary().concepts

    with pytest.raises(ToolkitError, match="no glossary file: typo.csv"):
        find_glossary("typo.csv")  # a named file that is missing is never replaced by another

    other = tmp_path / "terms" / "house.csv"
    other.parent.mkdir()
    shutil.copy(GLOSSARY, other)
    (tmp_path / "toolkit.toml").write_text('glossary = "terms/house.csv"\n', encoding="utf-8")
    assert find_glossary() == other  # the configured one wins over ./glossaries
    assert find_glossary(DEFAULT_GLOSSARY) == DEFAULT_GLOSSARY  # --glossary wins over both

    (tmp_path / "toolkit.toml").write_text('glossary = "terms/typo.csv"\n', encoding="utf-8")
    with pytest.raises(ToolkitError, match="no glossary file: .*typo.csv"):
        find_glossary()
    (tmp_path / "toolkit.toml").write_text("glossary = 5\n", encoding="utf-8")
    with pytest.raises(ToolkitError, match="glossary must be a file name"):
        find_glossary()

    (tmp_path / "toolkit.toml").unlink()
    pyproject = '[tool.toolkit]\nglossary = "terms/house.csv"\n'
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    assert find_glossary() == other


@pytest.mark.slow
def test_a_missing_glossary_is_an_error_not_the_repository_one(tmp_path):
    """`--glossary typo.csv` used to fall back to the repository's glossary and import edited it."""
    (tmp_path / "glossaries").mkdir()
    shutil.copy(GLOSSARY, tmp_path / DEFAULT_GLOSSARY)
    review = tmp_path / "review.csv"
    assert run_cli("glossary", "export", "--lang", "el", "-o", str(review), cwd=tmp_path).returncode == 0
    approved = review.read_text(encoding="utf-8").replace(",proposed,", ",approved,")
    review.write_text(approved, encoding="utf-8")
    repository, local = GLOSSARY.read_bytes(), (tmp_path / DEFAULT_GLOSSARY).read_bytes()
    result = run_cli("glossary", "import", str(review), "--reviewer", "x", "--glossary", "typo.csv",
                     cwd=tmp_path)
    assert result.returncode == 1 and "no glossary file: typo.csv" in result.stderr
    assert GLOSSARY.read_bytes() == repository and (tmp_path / DEFAULT_GLOSSARY).read_bytes() == local

    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (("glossary", "lint"), ("glossary", "stats"),
                 ("glossary", "extract", str(ROOT / "README.md"))):
        result = invoke(*args, cwd=empty)
        assert result.returncode == 1, args
        assert "no glossary here" in result.stderr and "toolkit glossary init" in result.stderr


def test_glossary_init_copies_the_shipped_glossary(tmp_path):
    result = invoke("glossary", "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / DEFAULT_GLOSSARY).read_bytes() == SHIPPED_GLOSSARY.read_bytes()
    (tmp_path / DEFAULT_GLOSSARY).write_text("edited", encoding="utf-8")
    again = invoke("glossary", "init", cwd=tmp_path)
    assert again.returncode == 1 and "already there (--force replaces it)" in again.stderr
    assert (tmp_path / DEFAULT_GLOSSARY).read_text(encoding="utf-8") == "edited"  # kept
    assert invoke("glossary", "init", "--force", cwd=tmp_path).returncode == 0
    assert (tmp_path / DEFAULT_GLOSSARY).read_bytes() == SHIPPED_GLOSSARY.read_bytes()
    lint = invoke("glossary", "lint", cwd=tmp_path)
    assert lint.returncode == 0 and "glossaries/defense.csv: 0 errors" in lint.stdout


@pytest.mark.slow
def test_translate_says_which_glossary_it_used(tmp_path, empty_packages_dir):
    (tmp_path / "story.txt").write_text("NATO ministers met.\n", encoding="utf-8")
    args = ("translate", "story.txt", "--to", "de", "--from", "en", "--skip-missing", "--no-cache")
    none = run_cli(*args, cwd=tmp_path)
    assert none.returncode == 0, none.stderr
    assert "glossary: none" in none.stdout and "toolkit glossary init" in none.stdout
    assert "glossary" not in none.stderr  # stderr keeps to warnings and the one error line
    assert invoke("glossary", "init", cwd=tmp_path).returncode == 0
    used = run_cli(*args, cwd=tmp_path)
    assert used.returncode == 0, used.stderr
    assert "glossary: glossaries/defense.csv" in used.stdout
    assert "glossary: none" in run_cli(*args, "--no-glossary", cwd=tmp_path).stdout


def test_a_full_name_and_its_abbreviation_are_two_concepts(installed_models, tmp_path):
    """'The Israeli Defense Forces (IDF)' once gave the full name twice ('... (Israelische
    Verteidigungsstreitkräfte)'): the abbreviation is its own concept with its own rendering."""
    import re

    import polib

    from toolkit.terms.glossary import load_glossary

    (tmp_path / "idf.txt").write_text("The Israeli Defense Forces (IDF) operate in Gaza.\n", encoding="utf-8")
    done = run_cli("translate", "idf.txt", "--glossary", str(GLOSSARY), "--no-cache", "--no-tm",
                   "--locales", "loc", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    expected = {
        "el": ("Ισραηλινές Αμυντικές Δυνάμεις", "IDF"), "ru": ("Армия обороны Израиля", "ЦАХАЛ"),
        "de": ("Israelische Verteidigungsstreitkräfte", "IDF"), "tr": ("İsrail Savunma Kuvvetleri", "IDF"),
    }
    glossary = load_glossary(GLOSSARY)

    def any_form(concept_id: str, lang: str, base: str) -> str:
        """A pattern for the rendering in whichever of its forms (xx_forms) the model's score chose."""
        forms = glossary.get(concept_id).renderings[lang].candidates
        assert forms[0] == base
        return "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))

    for lang, (name, abbreviation) in expected.items():
        [entry] = polib.pofile(str(tmp_path / "loc" / lang / "LC_MESSAGES" / "idf.po"))
        assert len(re.findall(any_form("israel-defense-forces", lang, name), entry.msgstr)) == 1, (
            lang, entry.msgstr)
        assert re.search(rf"\(({any_form('idf', lang, abbreviation)})\)", entry.msgstr), (lang, entry.msgstr)
        assert f"Term: IDF -> {abbreviation}" in entry.tcomment


# Renderings with no other grammatical form: acronyms and names kept as written, indeclinable
# Greek and Russian names (το ΝΑΤΟ, του ΝΑΤΟ; в НАТО), German feminine singular-only nouns whose
# cases all look alike (die/der Abschreckung), the Turkish adjective Avrupa-Atlantik. Everything
# else in the shipped glossary must list its forms: a masked term can only come back in one.
NO_OTHER_FORMS = {
    "el": {"ΝΑΤΟ", "THAAD", "Iron Dome", "IDF", "Χεζμπολάχ", "Χαμάς", "Lockheed Martin", "Raytheon",
           "RTX", "Μαρκ Ρούτε", "Τζο Μπάιντεν", "Daily Sabah", "Brussels Morning"},
    "ru": {"НАТО", "THAAD", "Iron Dome", "ХАМАС", "Lockheed Martin", "Raytheon", "RTX", "Daily Sabah",
           "Brussels Morning"},
    "de": {"NATO", "THAAD", "Iron Dome", "IDF", "Hisbollah", "Hamas", "RTX", "Daily Sabah",
           "Brussels Morning", "Abwehr ballistischer Flugkörper", "Terrorismusbekämpfung",
           "Luftverteidigung", "Partnerschaft für den Frieden", "Abteilung Public Diplomacy",
           "Cybersicherheit", "Rüstungskontrolle", "Abschreckung", "Krisenbewältigung"},
    "tr": {"Avrupa-Atlantik"},
}


def test_every_shipped_rendering_has_its_forms_apart_from_its_variants():
    """xx_forms holds the grammatical forms of the approved rendering (the candidates a masked
    term comes back as), xx_variants the accepted alternatives: the two never overlap."""
    from toolkit.terms.glossary import load_glossary

    glossary = load_glossary(GLOSSARY)
    assert glossary.languages == list(LANGS)
    renderings = {(lang, c.renderings[lang].text): c.id for c in glossary.concepts for lang in LANGS}
    without = set()
    for concept in glossary.concepts:
        for lang in LANGS:
            rendering = concept.renderings[lang]
            forms = rendering.inflections
            if rendering.text in NO_OTHER_FORMS[lang]:
                assert not forms, (concept.id, lang, forms)  # listed as having none: it has none
                without.add((lang, rendering.text))
                continue
            assert forms, f"{concept.id}: no {lang}_forms for '{rendering.text}'"
            assert rendering.text not in forms, (concept.id, lang)  # the base form is implied
            assert len(set(forms)) == len(forms), (concept.id, lang)
            for form in forms:
                assert form not in rendering.variants, (concept.id, lang, form)
                other = renderings.get((lang, form))
                assert other in (None, concept.id), f"{concept.id}: {lang} '{form}' renders {other}"
    assert without == {(lang, text) for lang, texts in NO_OTHER_FORMS.items() for text in texts}


def test_shipped_forms_are_the_inflections_once_listed_as_variants():
    """The inflections that used to sit among the variants are forms now."""
    from toolkit.terms.glossary import load_glossary

    glossary = load_glossary(GLOSSARY)
    article = glossary.get("article-5").renderings
    assert "Άρθρου 5" in article["el"].inflections and "Άρθρου 5" not in article["el"].variants
    assert {"Статьи 5", "Статье 5", "Статью 5", "Статьёй 5"} <= set(article["ru"].inflections)
    assert "Artikels 5" in article["de"].inflections and article["de"].variants == ["Artikel V"]
    assert "5. Madde'yi" in article["tr"].inflections and article["tr"].variants == ["Madde 5"]
    nato = glossary.get("nato").renderings
    assert nato["tr"].inflections == ["NATO'nun", "NATO'ya", "NATO'yu", "NATO'da", "NATO'dan"]
    assert nato["el"].inflections == [] and "Βορειοατλαντική Συμμαχία" in nato["el"].variants
    missile = glossary.get("ballistic-missile").renderings["el"]
    assert missile.inflections == ["βαλλιστικού πυραύλου", "βαλλιστικό πύραυλο", "βαλλιστικοί πύραυλοι",
                                   "βαλλιστικών πυραύλων", "βαλλιστικούς πυραύλους"]
    # singular-only nouns get no invented plural (pymorphy3 proposes one)
    assert "коллективные обороны" not in glossary.get("collective-defence").renderings["ru"].inflections
