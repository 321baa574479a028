"""The shipped glossary, the CSV reader/writer, lint and English term finding."""

from __future__ import annotations

import os
import re
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.terms.glossary import (
    LANGUAGES,
    Concept,
    Glossary,
    Rendering,
    columns_for,
    format_glossary,
    load_glossary,
    parse_glossary,
    write_glossary,
)
from toolkit.terms.lint import lint
from toolkit.terms.match import TermMatch, find_terms

from conftest import ARTICLE, GLOSSARY

HEADER = ",".join(columns_for(LANGUAGES))


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY)


# --------------------------------------------------------------------------- shipped glossary


def test_shipped_glossary_loads_and_lints_without_errors(glossary):
    assert glossary.languages == ["el", "ru", "de", "tr"]
    assert 30 <= len(glossary.concepts) <= 45
    errors = [str(i) for i in lint(glossary) if i.severity == "error"]
    assert errors == []


def test_every_concept_has_every_language_proposed(glossary):
    for concept in glossary.concepts:
        assert set(concept.renderings) == set(LANGUAGES), concept.id
        for rendering in concept.renderings.values():
            assert rendering.text.strip(), (concept.id, rendering.lang)
            assert rendering.status == "proposed"
        if concept.dnt:
            assert {r.text for r in concept.renderings.values()} == {concept.term}


REQUIRED_TERMS = [
    ("NATO", "nato"),
    ("Article 5", "article-5"),
    ("Article V", "article-5"),
    ("THAAD", "thaad"),
    ("Terminal High Altitude Area Defense", "thaad"),
    ("Major Non-NATO Ally", "major-non-nato-ally"),
    ("IDF", "idf"),
    ("Israel Defense Forces", "israel-defense-forces"),
    ("Hezbollah", "hezbollah"),
    ("Pentagon", "pentagon"),
    ("Lockheed Martin", "lockheed-martin"),
    ("Raytheon", "raytheon"),
    ("RTX", "rtx"),
    ("collective defence", "collective-defence"),
    ("collective defense", "collective-defence"),
    ("Secretary General", "secretary-general"),
    ("Euro-Atlantic", "euro-atlantic"),
    ("anti-missile system", "anti-missile-system"),
    ("ballistic missile defence", "ballistic-missile-defence"),
    ("counterterrorism", "counterterrorism"),
    ("intelligence sharing", "intelligence-sharing"),
    ("NATO Ministers of Defence", "nato-defence-ministers"),
    ("Iron Dome", "iron-dome"),
    ("air defence", "air-defence"),
    ("Mediterranean Dialogue", "mediterranean-dialogue"),
    ("partnership", "partnership"),
]


@pytest.mark.parametrize(("term", "concept_id"), REQUIRED_TERMS)
def test_required_term_is_covered(glossary, term, concept_id):
    assert [(m.concept_id, m.text) for m in find_terms(glossary, term)] == [(concept_id, term)]


@pytest.mark.parametrize(
    ("concept_id", "el", "ru", "de", "tr"),
    [
        ("nato", "ΝΑΤΟ", "НАТО", "NATO", "NATO"),
        ("article-5", "Άρθρο 5", "Статья 5", "Artikel 5", "5. Madde"),
        ("major-non-nato-ally", "Σημαντικός Σύμμαχος εκτός ΝΑΤΟ", "основной союзник вне НАТО",
         "wichtiger Verbündeter außerhalb der NATO", "NATO Dışı Büyük Müttefik"),
        ("hezbollah", "Χεζμπολάχ", "Хезболла", "Hisbollah", "Hizbullah"),
        ("pentagon", "Πεντάγωνο", "Пентагон", "Pentagon", "Pentagon"),
        ("secretary-general", "Γενικός Γραμματέας", "Генеральный секретарь", "Generalsekretär",
         "Genel Sekreter"),
        ("thaad", "THAAD", "THAAD", "THAAD", "THAAD"),
    ],
)
def test_key_renderings(glossary, concept_id, el, ru, de, tr):
    renderings = glossary.get(concept_id).renderings
    assert [renderings[lang].text for lang in LANGUAGES] == [el, ru, de, tr]


def test_acronyms_are_in_the_right_alphabet(glossary):
    nato = glossary.get("nato").renderings
    assert {ch for ch in nato["el"].text} <= {"Ν", "Α", "Τ", "Ο"}  # Greek capitals
    assert {ch for ch in nato["ru"].text} <= {"Н", "А", "Т", "О"}  # Cyrillic capitals
    assert "NATO" in nato["el"].rejected and "NATO" in nato["ru"].rejected


def test_inflected_forms_listed(glossary):
    assert "Άρθρου 5" in glossary.get("article-5").renderings["el"].inflections
    assert {"Статьи 5", "Статье 5", "Статьёй 5"} <= set(
        glossary.get("article-5").renderings["ru"].inflections
    )
    assert "5. Madde'yi" in glossary.get("article-5").renderings["tr"].inflections
    assert "NATO'nun" in glossary.get("nato").renderings["tr"].inflections
    assert "wichtigen Verbündeten außerhalb der NATO" in glossary.get(
        "major-non-nato-ally"
    ).renderings["de"].inflections


# --------------------------------------------------------------------------- round trip


def test_shipped_file_round_trips_byte_identically(glossary, tmp_path):
    out = tmp_path / "defense.csv"
    write_glossary(glossary, out)
    assert out.read_bytes() == GLOSSARY.read_bytes()
    assert format_glossary(glossary, canonical=True) == GLOSSARY.read_text("utf-8")


HAND_EDITED = (
    "\ufeff" + HEADER.replace(",", ", ", 3) + "\r\n"
    "\r\n"
    'nato,"NATO",North Atlantic Treaty Organization | NATO alliance,No,YES,"a ""quoted"" note,'
    ' with comma",ΝΑΤΟ,,proposed,,,,,НАТО,,approved,Anna,2024-11-02,NATO,"multi\r\nline",'
    "NATO,Nato,proposed,,,,,NATO,NATO'nun,proposed,,,,\r\n"
    "\r\n"
    "a5,Article 5,,no,no,,Άρθρο 5,,proposed,,,,,,,,,,,,Artikel 5,,rejected,,,,,,,,,,,\r\n"
    "\r\n"
)


def test_hand_edited_file_round_trips_and_edits_stay_local(tmp_path):
    src = tmp_path / "g.csv"
    src.write_bytes(HAND_EDITED.encode("utf-8"))
    g = load_glossary(src)
    assert [c.id for c in g.concepts] == ["nato", "a5"]
    nato = g.concepts[0]
    assert nato.variants == ["North Atlantic Treaty Organization", "NATO alliance"]
    assert (nato.dnt, nato.case_sensitive) == (False, True)
    assert nato.note == 'a "quoted" note, with comma'
    assert nato.renderings["ru"].note == "multi\r\nline"
    assert nato.line == 3 and g.concepts[1].line == 6
    assert "ru" not in g.concepts[1].renderings  # all seven ru columns empty

    out = tmp_path / "out.csv"
    write_glossary(g, out)
    assert out.read_bytes() == src.read_bytes()

    g.concepts[1].renderings["de"].status = "proposed"
    g.concepts.append(Concept("new", "Pentagon", renderings={}, case_sensitive=True))
    write_glossary(g, out)
    before = src.read_bytes().decode("utf-8").split("\r\n")
    after = out.read_bytes().decode("utf-8").split("\r\n")
    # only the edited a5 row (file line 6) changed; the new row went after it, before the
    # trailing blank line, and everything else kept its bytes
    assert after[:5] == before[:5] and after[7:] == before[6:]
    assert after[5] == before[5].replace("rejected", "proposed")
    assert after[6] == "new,Pentagon,,no,yes," + "," * 28
    reloaded = load_glossary(out)
    assert reloaded.concepts[1].renderings["de"].status == "proposed"
    assert [c.id for c in reloaded.concepts] == ["nato", "a5", "new"]


def test_forms_column_is_optional_and_round_trips(tmp_path):
    """xx_forms (the approved rendering inflected) is read when present, written only when used,
    right after xx_variants, and its forms count as accepted renderings."""
    src = tmp_path / "g.csv"
    src.write_bytes(HAND_EDITED.encode("utf-8"))
    g = load_glossary(src)
    a5 = g.concepts[1]
    el = a5.renderings["el"]
    assert el.inflections == [] and el.candidates == [el.text]
    el.inflections = ["Άρθρου 5"]
    out = tmp_path / "out.csv"
    write_glossary(g, out)
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[header.index("el_variants") + 1] == "el_forms"
    assert "ru_forms" not in header  # only languages that use it
    reloaded = load_glossary(out).concepts[1].renderings["el"]
    assert reloaded.inflections == ["Άρθρου 5"]
    assert reloaded.candidates == [el.text, "Άρθρου 5"]
    assert "Άρθρου 5" in reloaded.forms
    # the new column rewrites every row, in the file's own line endings and byte-order mark
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode()) and raw.count(b"\r\n") == raw.count(b"\n")
    bad = out.read_text(encoding="utf-8").replace("el_forms", "el_formz", 1)
    (tmp_path / "bad.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ToolkitError, match="unknown column 'el_formz'.*optionally xx_forms"):
        load_glossary(tmp_path / "bad.csv")


@pytest.mark.parametrize(
    "text",
    [
        HEADER,
        HEADER + "\n",
        HEADER + "\n" + "nato,NATO,,no,yes" + "," * 29,
        "\n\n" + HEADER + "\n\n",
    ],
    ids=["header only", "header newline", "no final newline", "blank lines"],
)
def test_edge_layouts_round_trip(tmp_path, text):
    src = tmp_path / "g.csv"
    src.write_bytes(text.encode("utf-8"))
    g = load_glossary(src)
    write_glossary(g, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == text.encode("utf-8")
    g.concepts.append(Concept("new", "Pentagon", case_sensitive=True))
    assert [c.id for c in parse_glossary(format_glossary(g)).concepts][-1] == "new"


def test_version_tracks_content_not_formatting(tmp_path):
    g = parse_glossary(HAND_EDITED)
    canonical = parse_glossary(format_glossary(g, canonical=True))
    assert g.version() == canonical.version()
    assert re.fullmatch(r"[0-9a-f]{12}", g.version())
    g.concepts[0].renderings["el"].variants.append("Βορειοατλαντική Συμμαχία")
    assert g.version() != canonical.version()


def test_write_is_atomic_and_keeps_permissions(glossary, tmp_path):
    out = tmp_path / "g.csv"
    out.write_text("old")
    os.chmod(out, 0o640)
    write_glossary(glossary, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.csv"]  # no temp file left


def test_write_errors_are_toolkit_errors(glossary, tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ToolkitError, match="cannot write file"):
        write_glossary(glossary, tmp_path / "a-file" / "g.csv")
    bad = Glossary([Concept("x", "X", variants=["a|b"])], None, ["el"])
    with pytest.raises(ToolkitError, match="cannot be stored"):
        format_glossary(bad)
    bad = Glossary([Concept("x", "X", renderings={"el": Rendering("el", "Χ", status="ok")})])
    with pytest.raises(ToolkitError, match="bad status"):
        format_glossary(bad)


_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00|\ufeff"), max_size=12
)
_item = _text.map(str.strip).filter(bool)


@st.composite
def _glossaries(draw) -> Glossary:
    concepts = []
    for n in range(draw(st.integers(0, 4))):
        renderings = {}
        for lang in draw(st.lists(st.sampled_from(LANGUAGES), unique=True)):
            renderings[lang] = Rendering(
                lang, draw(_text).strip(), draw(st.lists(_item, max_size=3)),
                draw(st.sampled_from(("proposed", "approved", "rejected"))), draw(_text).strip(),
                draw(st.sampled_from(("", "2024-02-29"))), draw(st.lists(_item, max_size=2)),
                draw(_text).strip(), draw(st.lists(_item, max_size=2)),
            )
        concepts.append(
            Concept(f"c{n}", draw(_item), draw(st.lists(_item, max_size=3)), draw(st.booleans()),
                    draw(st.booleans()), draw(_text).strip(), renderings)
        )
    return Glossary(concepts, None, list(LANGUAGES))


@pytest.mark.slow
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_glossaries())
def test_any_glossary_survives_format_and_parse(g):
    text = format_glossary(g)
    again = parse_glossary(text)
    for concept in again.concepts:
        concept.line = 0
    expected = [
        Concept(c.id, c.term, c.variants, c.dnt, c.case_sensitive, c.note, dict(c.renderings))
        for c in g.concepts
    ]
    assert again.concepts == expected
    assert format_glossary(again) == text


# --------------------------------------------------------------------------- malformed files


def _row(concept_id="nato", **cells) -> str:
    values = dict.fromkeys(columns_for(LANGUAGES), "")
    values.update(id=concept_id, term="NATO", dnt="no", case_sensitive="yes")
    for lang in LANGUAGES:
        values[lang], values[f"{lang}_status"] = "X", "proposed"
    values.update(cells)
    return ",".join(values.values())


MALFORMED = [
    ("missing column", HEADER.replace(",el_note", "") + "\n" + _row() + "\n", 1,
     "missing column 'el_note'"),
    ("unknown column", HEADER + ",colour\n", 1, "unknown column 'colour'"),
    ("bad status", HEADER + "\n" + _row() + "\n\n" + _row("x", ru_status="done") + "\n", 4,
     "ru_status: 'done' status"),
    ("empty status", HEADER + "\n" + _row(de_status="") + "\n", 2, "de_status: empty status"),
    ("bad flag", HEADER + "\n" + _row(dnt="maybe") + "\n", 2, "dnt: expected yes or no"),
    ("bad date", HEADER + "\n" + _row(tr_date="2024-13-01") + "\n", 2, "tr_date"),
    ("duplicate id", HEADER + "\n" + _row() + "\n" + _row("a5") + "\n" + _row() + "\n", 4,
     "duplicate id 'nato' (first defined on line 2)"),
    ("missing id", HEADER + "\n" + _row("") + "\n", 2, "missing id"),
    ("field count", HEADER + "\n" + _row() + ",extra\n", 2, "expected 34 fields, found 35"),
    ("bad quoting", HEADER + '\n"nato,x\n', 2, "malformed CSV"),
    ("empty", "", 1, "empty glossary"),
    ("blank", "\n\n  \n", 1, "empty glossary"),
]


@pytest.mark.parametrize(
    ("name", "text", "line", "message"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_file_names_file_and_line(tmp_path, name, text, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ToolkitError) as info:
        load_glossary(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


def test_non_utf8_bytes_name_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n" + _row() + "\n").encode() + "a5,Άρθρο 5\n".encode("iso-8859-7"))
    with pytest.raises(ToolkitError) as info:
        load_glossary(path)
    assert str(info.value).startswith(f"{path}:3: not valid UTF-8")


def test_missing_file(tmp_path):
    with pytest.raises(ToolkitError, match="not found"):
        load_glossary(tmp_path / "nope.csv")


# --------------------------------------------------------------------------- lint


def _concept(cid, term, variants=(), *, dnt=False, cs=True, line=1, **texts) -> Concept:
    renderings = {lang: Rendering(lang, texts.get(lang, term)) for lang in ("el", "de")}
    for lang, text in texts.items():
        renderings[lang] = Rendering(lang, text)
    return Concept(cid, term, list(variants), dnt, cs, "", renderings, line)


def _codes(*concepts: Concept) -> set[tuple[str, str]]:
    return {(i.severity, i.code) for i in lint(Glossary(list(concepts), None, ["el", "de"]))}


def test_lint_finds_conflicts():
    assert ("error", "duplicate-term") in _codes(
        _concept("a", "NATO", el="ΝΑΤΟ"), _concept("b", "NATO", el="ΝΑΤΟ", line=2)
    )
    assert ("error", "duplicate-term") in _codes(
        _concept("a", "air defence", ["air defense"], cs=False, el="αεράμυνα"),
        _concept("b", "AIR DEFENSE", el="αεράμυνα", line=2),
    )
    # both case-sensitive and spelled differently: no conflict
    assert ("error", "duplicate-term") not in _codes(
        _concept("a", "Ally", el="Σύμμαχος"), _concept("b", "ALLY", el="ΣΥΜΜΑΧΟΣ", line=2)
    )
    assert ("error", "duplicate-id") in _codes(_concept("a", "X"), _concept("a", "Y", line=2))


def test_lint_overlap_is_a_warning_and_containment_is_fine():
    assert _codes(
        _concept("nato", "NATO", el="ΝΑΤΟ"),
        _concept("mnna", "Major Non-NATO Ally", el="Σημαντικός Σύμμαχος εκτός ΝΑΤΟ", line=2),
    ) == set()
    assert ("warning", "overlap") in _codes(
        _concept("a", "air defence", cs=False, el="αεράμυνα"),
        _concept("b", "defence industry", cs=False, el="αμυντική βιομηχανία", line=2),
    )


def test_lint_rendering_problems():
    c = _concept("thaad", "THAAD", dnt=True, el="ΘΑΑΝΤ")
    assert ("error", "dnt-mismatch") in _codes(c)
    c = _concept("nato", "NATO", el="NAΤΟ")  # Latin N, A inside Greek ΤΟ
    assert ("error", "mixed-script") in _codes(c)
    c = _concept("nato", "NATO", el="NATO")
    assert ("warning", "script") in _codes(c)
    c = _concept("x", "X", el="Χ")
    del c.renderings["de"]
    c.renderings["el"].text = ""
    assert {("error", "missing-language"), ("error", "empty-rendering")} <= _codes(c)
    c = _concept("x", "X", el="Χ")
    c.renderings["el"].rejected = ["χ"]
    c.renderings["de"].status = "approved"
    assert {("error", "rejected-accepted"), ("warning", "review-incomplete")} <= _codes(c)


def test_lint_issue_carries_path_and_line(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text(HEADER + "\n" + _row() + "\n" + _row("dup", term="NATO") + "\n", "utf-8")
    issues = [i for i in lint(load_glossary(path)) if i.severity == "error"]
    assert [(i.line, i.code) for i in issues] == [(3, "duplicate-term")]
    assert str(issues[0]).startswith(f"{path}:3: error: dup:")


# --------------------------------------------------------------------------- find_terms


def _spans(glossary, text) -> list[tuple[str, str]]:
    return [(m.concept_id, m.text) for m in find_terms(glossary, text)]


FIND_CASES = [
    # longest match: the designation, not NATO + Ally
    ("Upgrading Israel’s “Major Non-NATO Ally”", [("major-non-nato-ally", "Major Non-NATO Ally")]),
    ("Israel is a major non-NATO ally.", [("major-non-nato-ally", "major non-NATO ally")]),
    ("the meetings of NATO Ministers of Defence in Brussels, NATO’s Secretary General Mark Rutte",
     [("nato-defence-ministers", "NATO Ministers of Defence"), ("nato", "NATO"),
      ("secretary-general", "Secretary General"), ("mark-rutte", "Mark Rutte")]),
    # possessives with ’ and ', outside the span
    ("a shift in NATO’s traditional scope", [("nato", "NATO")]),
    ("NATO's Public Diplomacy Division",
     [("nato", "NATO"), ("public-diplomacy-division", "Public Diplomacy Division")]),
    ("strengthening Israel’s air defences following", [("air-defence", "air defences")]),
    ("the Allies’ position and an Ally", [("ally", "Allies"), ("ally", "Ally")]),
    # plural of a common noun
    ("short-, medium-, and intermediate-range ballistic missiles",
     [("ballistic-missile", "ballistic missiles")]),
    # case rules: acronyms exact, common nouns any case
    ("nato and Nato are not NATO", [("nato", "NATO")]),
    ("COUNTERTERRORISM, Counterterrorism", [("counterterrorism", "COUNTERTERRORISM"),
                                             ("counterterrorism", "Counterterrorism")]),
    ("an ally of the pentagon", []),
    # word boundaries
    ("NATOs, NATOland, Article 50, RTXs, IDFs", []),
    ("NATO-led, (IDF), “THAAD”", [("nato", "NATO"), ("idf", "IDF"), ("thaad", "THAAD")]),
    # variants
    ("obligated under Article V to", [("article-5", "Article V")]),
    ("The Israeli Defense Forces (IDF) operate", [("israel-defense-forces", "Israeli Defense Forces"),
                                                  ("idf", "IDF")]),
    ("a Terminal High-Altitude Area Defense battery",
     [("thaad", "Terminal High-Altitude Area Defense")]),
    ("collective defense obligations", [("collective-defence", "collective defense")]),
    # split across a line break or several spaces inside a paragraph, not across paragraphs
    ("Major Non-NATO\nAlly", [("major-non-nato-ally", "Major Non-NATO\nAlly")]),
    ("Major  Non-NATO \r\n  Ally", [("major-non-nato-ally", "Major  Non-NATO \r\n  Ally")]),
    ("Major Non-\nNATO Ally", [("major-non-nato-ally", "Major Non-\nNATO Ally")]),
    ("Lockheed\n\nMartin", []),
]


@pytest.mark.parametrize(("text", "expected"), FIND_CASES)
def test_find_terms(glossary, text, expected):
    assert _spans(glossary, text) == expected


def test_find_terms_exact_spans(glossary):
    text = "If Israel were to join NATO, the alliance would be obligated under Article 5."
    matches = find_terms(glossary, text)
    assert matches == [
        TermMatch("nato", 23, 27, "NATO"),
        TermMatch("alliance", 33, 41, "alliance"),
        TermMatch("article-5", 67, 76, "Article 5"),
    ]
    for m in matches:
        assert text[m.start : m.end] == m.text
    text = "NATO’s view"
    assert find_terms(glossary, text) == [TermMatch("nato", 0, 4, "NATO")]


def test_every_glossary_term_in_the_article_is_found(glossary):
    article = ARTICLE.read_text("utf-8")
    matches = find_terms(glossary, article)
    covered = [(m.start, m.end) for m in matches]
    missed = []
    for concept in glossary.concepts:
        for form in concept.forms:
            words = r"\s+".join(re.escape(w) for w in form.split())
            flags = 0 if concept.case_sensitive else re.IGNORECASE
            for hit in re.finditer(rf"(?<!\w){words}(?!\w)", article, flags):
                if not any(s <= hit.start() and hit.end() <= e for s, e in covered):
                    missed.append((concept.id, hit.group()))
    assert missed == []
    assert len(matches) >= 60
    concepts = {m.concept_id for m in matches}
    print(f"\n{len(matches)} glossary matches of {len(concepts)} concepts in {ARTICLE.name}")
    assert {"nato", "major-non-nato-ally", "article-5", "thaad", "idf", "hezbollah", "pentagon",
            "lockheed-martin", "raytheon", "rtx", "collective-defence", "secretary-general",
            "euro-atlantic", "counterterrorism", "intelligence-sharing",
            "nato-defence-ministers", "air-defence", "anti-missile-system"} <= concepts


def test_find_terms_is_cached_per_glossary_content(glossary):
    from toolkit.terms.match import _term_matcher

    find_terms(glossary, "NATO")
    hits = _term_matcher.cache_info().hits
    find_terms(glossary, "Article 5")
    assert _term_matcher.cache_info().hits == hits + 1
