"""The translation memory: catalogs and imports in, exact/fuzzy/concordance lookups out."""

from __future__ import annotations

import os
import sqlite3
from collections import Counter

import polib
import pytest
from rapidfuzz import fuzz

from toolkit.errors import ToolkitError
from toolkit.formats.document import read_document
from toolkit.formats.tmx import TmxUnit, read_tmx, write_tmx
from toolkit.l10n import memory as memory_module
from toolkit.l10n.align import align, split_sentences
from toolkit.l10n.memory import MatchKind, SourceKind, open_memory
from toolkit.l10n.memory_index import length_band, words
from toolkit.l10n.repair import Substitution, repair, repair_numbers
from toolkit.workflow.localize import localize_document

from conftest import ROOT
from pseudo import expected_translation

HEADER = {
    "Project-Id-Version": "article",
    "Language": "el",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}
PARAGRAPH = "NATO fired 180 missiles at the target on October 1. Nobody was hurt."
PARAGRAPH_EL = "Το ΝΑΤΟ εκτόξευσε 180 πυραύλους στον στόχο την 1η Οκτωβρίου. Κανείς δεν τραυματίστηκε."


def write_catalog(locales, lang, domain, entries, *, mtime_ago: float | None = None):
    """A catalog built with polib: entries are (msgid, msgstr) or polib.POEntry."""
    po = polib.POFile(wrapwidth=78)
    po.metadata = {**HEADER, "Language": lang, "Project-Id-Version": domain}
    for e in entries:
        po.append(e if isinstance(e, polib.POEntry) else polib.POEntry(msgid=e[0], msgstr=e[1]))
    path = locales / lang / "LC_MESSAGES" / f"{domain}.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    if mtime_ago is not None:
        past = os.stat(path).st_mtime - mtime_ago
        os.utime(path, (past, past))
    return path


def machine_draft(msgid, msgstr):
    return polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"], comment="MT: argos:en-el@1.0")


def msgid_line(path, msgid):
    """The line an entry starts on (its first comment line), as every toolkit message counts it."""
    lines = path.read_text(encoding="utf-8").split("\n")
    n = next(n for n, line in enumerate(lines, start=1) if line == f'msgid "{msgid}"')
    while n > 1 and lines[n - 2].startswith(("#", "msgctxt")):
        n -= 1
    return n


# --------------------------------------------------------------------------- real catalogs


STORY = """Alliance news

NATO ministers met in Brussels on Monday.

The meeting lasted three hours. Officials said little.

A final paragraph closes the story.
"""


def test_reviewed_translations_of_a_real_catalog_are_the_memory(installed_models, tmp_path):
    src = tmp_path / "story.txt"
    src.write_text(STORY, encoding="utf-8")
    locales = tmp_path / "loc"
    localize_document(read_document(src), ["el"], locales_dir=locales)
    po_path = locales / "el" / "LC_MESSAGES" / "story.po"

    with open_memory(locales) as memory:  # only machine drafts so far: nothing approved
        assert memory.stats().units == 0
        assert memory.lookup_paragraph("NATO ministers met in Brussels on Monday.", "el") == []

    # the translator reviews two entries: clears the fuzzy flag; edits one msgstr, keeps the other
    po = polib.pofile(str(po_path))
    by_id = {e.msgid: e for e in po}
    kept = by_id["NATO ministers met in Brussels on Monday."]
    kept.flags.remove("fuzzy")
    edited = by_id["The meeting lasted three hours. Officials said little."]
    edited.msgstr = "Η συνάντηση κράτησε τρεις ώρες. Οι αξιωματούχοι είπαν λίγα."
    edited.flags.remove("fuzzy")
    po.save(str(po_path))

    with open_memory(locales) as memory:
        assert memory.last_refresh.read == ["el/LC_MESSAGES/story.po"]
        [match] = memory.lookup_paragraph("NATO ministers  met in Brussels\non Monday.", "el")
        assert match.kind is MatchKind.PARAGRAPH and match.kind == "paragraph"
        assert match.target == expected_translation("NATO ministers met in Brussels on Monday.")
        assert match.where == f"story:{msgid_line(po_path, kept.msgid)}"
        assert match.origin is SourceKind.CATALOG
        # the edited paragraph, and its two sentences aligned out of it
        assert memory.lookup_paragraph(edited.msgid, "el")[0].target == edited.msgstr
        [sentence] = memory.lookup_sentence("Officials said little.", "el")
        assert sentence.target == "Οι αξιωματούχοι είπαν λίγα."
        assert sentence.where == f"story:{msgid_line(po_path, edited.msgid)}"
        # machine drafts nobody approved are not in the memory
        assert memory.lookup_paragraph("A final paragraph closes the story.", "el") == []
        assert memory.lookup_paragraph("Alliance news", "el") == []
        assert memory.stats().by_language() == {"el": 4}
    assert (locales / ".toolkit" / "memory.sqlite3").is_file()


def test_what_counts_as_reviewed(tmp_path):
    locales = tmp_path / "loc"
    write_catalog(locales, "el", "article", [
        ("Approved.", "Εγκρίθηκε."),
        machine_draft("A draft.", "Ένα προσχέδιο."),
        # a translator improved a draft and left it fuzzy: human work (is_human)
        polib.POEntry(msgid="Improved.", msgstr="Βελτιώθηκε.", flags=["fuzzy"],
                      comment="MT: argos:en-el@1.0\nMT-Checksum: 000000000000"),
        # a reviewed translation kept for a changed paragraph: made for the previous English
        polib.POEntry(msgid="Changed text.", msgstr="Παλιό κείμενο.", flags=["fuzzy"],
                      previous_msgid="Old text."),
        polib.POEntry(msgid="Gone.", msgstr="Έφυγε.", obsolete=True),
        ("Untranslated.", ""),
    ])
    with open_memory(locales) as memory:
        found = {m.source for m in memory.fuzzy("x", "el")}
        assert found == set()
        assert [m.target for m in memory.lookup_paragraph("Approved.", "el")] == ["Εγκρίθηκε."]
        assert [m.target for m in memory.lookup_paragraph("Improved.", "el")] == ["Βελτιώθηκε."]
        for absent in ("A draft.", "Changed text.", "Old text.", "Gone.", "Untranslated."):
            assert memory.lookup_paragraph(absent, "el") == [], absent
        assert memory.stats().units == 2


# --------------------------------------------------------------------------- refresh


def test_refresh_rereads_only_the_changed_catalog_and_forgets_deleted_translations(tmp_path):
    locales = tmp_path / "loc"
    a = write_catalog(locales, "el", "a", [("First story.", "Πρώτη ιστορία."),
                                           ("Second line.", "Δεύτερη γραμμή.")], mtime_ago=60)
    write_catalog(locales, "el", "b", [("Other story.", "Άλλη ιστορία.")], mtime_ago=60)
    write_catalog(locales, "de", "a", [("First story.", "Erste Geschichte.")], mtime_ago=60)
    memory = open_memory(locales)
    assert sorted(memory.last_refresh.read) == ["de/LC_MESSAGES/a.po", "el/LC_MESSAGES/a.po",
                                                "el/LC_MESSAGES/b.po"]

    again = memory.refresh()
    assert again.read == [] and again.unchanged == 3

    # the translator edits one msgstr and deletes another
    po = polib.pofile(str(a))
    po.find("First story.").msgstr = "Η πρώτη ιστορία."
    po.find("Second line.").msgstr = ""
    po.save(str(a))
    report = memory.refresh()
    assert report.read == ["el/LC_MESSAGES/a.po"] and report.unchanged == 2
    assert [m.target for m in memory.lookup_paragraph("First story.", "el")] == ["Η πρώτη ιστορία."]
    assert memory.lookup_paragraph("Second line.", "el") == []
    assert memory.fuzzy("Second line!", "el") == []
    assert [m.target for m in memory.lookup_paragraph("First story.", "de")] == ["Erste Geschichte."]

    # a deleted catalog takes its units with it
    (locales / "el" / "LC_MESSAGES" / "b.po").unlink()
    report = memory.refresh()
    assert report.removed == ["el/LC_MESSAGES/b.po"]
    assert memory.lookup_paragraph("Other story.", "el") == []
    assert_index_consistent(memory)
    memory.close()


def assert_index_consistent(memory):
    """Every unit's words are posted, nothing else is, and every count is right."""
    db = memory.index.db
    expected = {(grp, w, uid, len(key)) for uid, grp, key in db.execute("SELECT id, grp, key FROM units")
                for w in words(key)}
    posted = set(db.execute("SELECT v.grp, v.token, p.unit_id, p.length FROM postings p"
                            " JOIN vocab v ON v.id = p.token_id"))
    assert posted == expected
    df = {(g, t): n for g, t, n in db.execute("SELECT grp, token, df FROM vocab") if n}
    assert df == Counter((g, w) for g, w, _, _ in expected)


def test_unchanged_stat_is_trusted_and_same_content_is_not_reparsed(tmp_path, monkeypatch):
    locales = tmp_path / "loc"
    path = write_catalog(locales, "el", "a", [("First story.", "Πρώτη ιστορία.")], mtime_ago=60)
    memory = open_memory(locales)

    def fail(*args, **kwargs):
        raise AssertionError("read although nothing changed")

    monkeypatch.setattr(memory_module, "read_bytes", fail)
    monkeypatch.setattr(memory_module, "_catalog_units", fail)
    assert memory.refresh().unchanged == 1  # size and mtime as before: not even hashed
    monkeypatch.undo()

    # touched (a new mtime), same bytes: hashed, not parsed
    os.utime(path, (os.stat(path).st_mtime - 30, os.stat(path).st_mtime - 30))
    monkeypatch.setattr(memory_module, "_catalog_units", fail)
    report = memory.refresh()
    assert report.unchanged == 1 and report.read == []
    monkeypatch.undo()
    memory.close()


def test_a_broken_catalog_loses_its_units_and_is_reported_until_fixed(tmp_path):
    locales = tmp_path / "loc"
    path = write_catalog(locales, "el", "a", [("First story.", "Πρώτη ιστορία.")])
    memory = open_memory(locales)
    good = path.read_bytes()
    path.write_bytes(good.replace(b'msgid "First story."', b'msgid "First story.'))
    report = memory.refresh()
    assert len(report.errors) == 1 and "a.po:" in report.errors[0]
    assert memory.lookup_paragraph("First story.", "el") == []
    assert len(memory.refresh().errors) == 1  # still broken: still reported
    path.write_bytes(good)
    report = memory.refresh()
    assert report.errors == [] and report.read == ["el/LC_MESSAGES/a.po"]
    assert memory.lookup_paragraph("First story.", "el")[0].target == "Πρώτη ιστορία."
    memory.close()


# --------------------------------------------------------------------------- alignment


def test_target_sentences_greek_question_marks_cyrillic_initials_and_abbreviations():
    assert split_sentences("Τι συνέβη; Κανείς δεν ξέρει. Ο κ. Παπαδόπουλος είπε «όχι».", "el") == [
        "Τι συνέβη;", "Κανείς δεν ξέρει.", "Ο κ. Παπαδόπουλος είπε «όχι».",
    ]
    assert split_sentences("Что случилось? А. С. Пушкин жил на ул. Ленина. Это всё.", "ru") == [
        "Что случилось?", "А. С. Пушкин жил на ул. Ленина.", "Это всё.",
    ]
    assert split_sentences("Dr. Müller kam am 3. Oktober. Ä. B. Schmidt nicht.", "de_AT") == [
        "Dr. Müller kam am 3. Oktober.", "Ä. B. Schmidt nicht.",
    ]
    assert split_sentences("Bu iyi. İstanbul büyük.", "tr") == ["Bu iyi.", "İstanbul büyük."]


def test_alignment_accepted_and_refused():
    ok = align("What happened? Nobody knows. Mr. Smith said no in 2019.",
               "Τι συνέβη; Κανείς δεν ξέρει. Ο κ. Σμιθ είπε όχι το 2019.", "el")
    assert ok.reason is None and ok.sentences == 3
    assert ok.pairs == [("What happened?", "Τι συνέβη;"), ("Nobody knows.", "Κανείς δεν ξέρει."),
                        ("Mr. Smith said no in 2019.", "Ο κ. Σμιθ είπε όχι το 2019.")]
    # one sentence: the paragraph pair is the sentence pair
    assert align("Nobody knows.", "Κανείς δεν ξέρει.", "el").pairs == []
    merged = align("What happened? Nobody knows.", "Τι συνέβη και κανείς δεν ξέρει.", "el")
    assert merged.pairs == [] and merged.reason == "2 sentences in English, 1 in the translation"
    numbers = align("It cost 1,000 euros. It was 2019.", "Κόστισε 1.000 ευρώ. Ήταν το 2018.", "el")
    assert numbers.pairs == [] and numbers.reason == "sentence 2: the numbers differ"
    swapped = align("Yes. The talks in Brussels went on for many long hours again.",
                    "Οι συνομιλίες στις Βρυξέλλες κράτησαν πολλές ώρες ξανά. Ναι.", "el")
    assert swapped.pairs == [] and "implausible length" in swapped.reason
    # separators differ, values agree
    assert align("It cost 1,000 euros. It was 3.5 km.", "Κόστισε 1.000 ευρώ. Ήταν 3,5 χλμ.", "el").pairs


def test_sentence_pairs_of_an_import_are_found_and_refused_ones_are_not(tmp_path):
    locales = tmp_path / "loc"
    tmx = tmp_path / "mem.tmx"
    write_tmx(tmx, [
        TmxUnit(PARAGRAPH, PARAGRAPH_EL, "en", "el"),
        TmxUnit("First part. Second part.", "Πρώτο και δεύτερο μέρος.", "en", "el"),
    ])
    with open_memory(locales) as memory:
        assert memory.import_file(tmx) == 4  # 2 paragraphs + 2 sentences of the first
        assert memory.lookup_sentence("Nobody was hurt.", "el")[0].target == "Κανείς δεν τραυματίστηκε."
        assert memory.lookup_sentence("Second part.", "el") == []
        assert memory.lookup_paragraph("First part. Second part.", "el")[0].where == "mem.tmx:13"


# --------------------------------------------------------------------------- fuzzy and repair


def sentences_memory(tmp_path, units):
    tmx = tmp_path / "fuzzy.tmx"
    write_tmx(tmx, [TmxUnit(s, t, "en", lang) for s, t, lang in units])
    memory = open_memory(tmp_path / "loc")
    memory.import_file(tmx)
    return memory


def test_fuzzy_scores_order_threshold_and_limit(tmp_path):
    base = "The ministers of defence met in Brussels on Monday to discuss the alliance."
    variants = [
        base,
        "The ministers of defence met in Brussels on Tuesday to discuss the alliance.",
        "The ministers of finance met in Brussels on Monday to discuss the alliance.",
        "The ministers of defence met in Paris on Monday to discuss the budget.",
        "Unrelated words about cooking pasta with tomatoes and basil leaves tonight.",
    ]
    memory = sentences_memory(tmp_path, [(v, f"ΕΛ {i}", "el") for i, v in enumerate(variants)]
                              + [(base, "DE 0", "de")])
    query = "The ministers of defence met in Brussels on Monday to discuss the Alliance."
    matches = memory.fuzzy(query, "el")
    expected = sorted(((fuzz.ratio(query, v), f"ΕΛ {i}") for i, v in enumerate(variants)), reverse=True)
    assert [(m.score, m.target) for m in matches] == expected[:3]
    for m in matches:
        assert m.kind is MatchKind.FUZZY and m.lang == "el" and m.where.startswith("fuzzy.tmx:")
        assert m.score == pytest.approx(fuzz.ratio(query, m.source))
    assert matches[0].score > matches[1].score >= matches[2].score >= 75
    everything = memory.fuzzy(query, "el", limit=10)
    assert {m.target for m in everything} == {"ΕΛ 0", "ΕΛ 1", "ΕΛ 2", "ΕΛ 3"}  # not the pasta
    strict = memory.fuzzy(query, "el", limit=10, threshold=95)
    assert [(m.score, m.target) for m in strict] == [x for x in expected if x[0] >= 95]
    assert 0 < len(strict) < 3
    assert [m.target for m in memory.fuzzy(query, "de")] == ["DE 0"]
    assert memory.fuzzy(query, "ru") == []
    for bad in (0, 101):
        with pytest.raises(ToolkitError, match="threshold"):
            memory.fuzzy(query, "el", threshold=bad)
    memory.close()


def test_length_band_is_exact_for_the_ratio():
    lo, hi = length_band(100, 75)
    assert (lo, hi) == (60, 166)
    # the best ratio a text of each length can reach against 100 characters
    assert fuzz.ratio("a" * 100, "a" * lo) >= 75 > fuzz.ratio("a" * 100, "a" * (lo - 1))
    assert fuzz.ratio("a" * 100, "a" * hi) >= 75 > fuzz.ratio("a" * 100, "a" * (hi + 1))


def test_a_match_that_differs_only_in_numbers_offers_the_repaired_translation(tmp_path):
    memory = sentences_memory(tmp_path, [(PARAGRAPH, PARAGRAPH_EL, "el")])
    [match] = memory.fuzzy("NATO fired 200 missiles at the target on October 1. Nobody was hurt.", "el")
    assert match.score < 100 and match.repair is not None
    assert match.repair.text == PARAGRAPH_EL.replace("180", "200")
    assert match.repair.substitutions == (Substitution("180", "200"),)
    assert match.repair.describe() == "numbers: 180 -> 200"
    [other] = memory.fuzzy("NATO fired 200 rockets at the target on October 1. Nobody was hurt.", "el")
    assert other.repair is None  # a word differs too: for the translator
    [exact] = memory.fuzzy(PARAGRAPH, "el")
    assert exact.score == 100 and exact.repair is None
    memory.close()


def test_number_repair_rules():
    # the target's own separators are kept
    fixed = repair_numbers("It cost 2,500 euros in 2024.", "It cost 1,000 euros in 2019.",
                           "Κόστισε 1.000 ευρώ το 2019.")
    assert fixed.text == "Κόστισε 2.500 ευρώ το 2024."
    assert fixed.substitutions == (Substitution("1.000", "2.500"), Substitution("2019", "2024"))
    # swapped numbers
    assert repair("From 3 to 5.", "From 5 to 3.", "Από 5 έως 3.").text == "Από 3 έως 5."
    # refused: one old number becoming two new ones, another shape, a target that lacks it
    assert repair_numbers("5 and 6 votes.", "5 and 5 votes.", "5 και 5 ψήφοι.") is None
    assert repair_numbers("It was 5.5 km.", "It was 5 km.", "Ήταν 5 χλμ.") is None
    assert repair_numbers("In 2024.", "In 2019.", "Πέρσι.") is None
    assert repair_numbers("In 2019 again.", "In 2019.", "Το 2019.") is None  # words differ
    assert repair_numbers("In 2019.", "In 2019.", "Το 2019.") is None  # nothing to repair


def test_term_repair_rules():
    from toolkit.terms.glossary import Concept, Glossary, Rendering, load_glossary

    glossary = load_glossary(ROOT / "glossaries" / "defense.csv")
    old_en = "Hezbollah fired rockets at Israel in 2024."
    old_el = "Η Χεζμπολάχ εκτόξευσε ρουκέτες κατά του Ισραήλ το 2024."
    # a term and a number: both substituted, and said
    fixed = repair("Hamas fired rockets at Israel in 2023.", old_en, old_el, glossary=glossary, lang="el")
    assert fixed.text == "Η Χαμάς εκτόξευσε ρουκέτες κατά του Ισραήλ το 2023."
    assert fixed.describe() == "terms: Χεζμπολάχ -> Χαμάς; numbers: 2024 -> 2023"
    # a term only; a do-not-translate name comes back as itself
    only = repair("Lockheed Martin builds THAAD.", "Raytheon builds THAAD.",
                  "Η Raytheon κατασκευάζει το THAAD.", glossary=glossary, lang="el")
    assert (only.text, only.kind) == ("Η Lockheed Martin κατασκευάζει το THAAD.", "terms")
    # without the glossary it is not a repair but another text
    assert repair("Hamas fired rockets at Israel in 2024.", old_en, old_el) is None
    # refused: another word changed too; the old rendering not in the translation (paraphrased);
    # one old concept becoming two new ones
    other_word = "Hamas fired missiles at Israel in 2024."
    assert repair(other_word, old_en, old_el, glossary=glossary, lang="el") is None
    assert repair("Hamas fired rockets at Israel in 2024.", old_en, "Η οργάνωση εκτόξευσε ρουκέτες το 2024.",
                  glossary=glossary, lang="el") is None
    assert repair("Hamas and Raytheon.", "Hezbollah and Hezbollah.", "Χεζμπολάχ και Χεζμπολάχ.",
                  glossary=glossary, lang="el") is None
    # the new concept in the same form as the old one: an old genitive becomes the new genitive
    def concept(cid, term, base, genitive):
        return Concept(cid, term, renderings={"el": Rendering("el", base, inflections=[genitive])})

    forms = Glossary(concepts=[concept("a5", "Article 5", "Άρθρο 5", "Άρθρου 5"),
                               concept("a4", "Article 4", "Άρθρο 4", "Άρθρου 4")], languages=["el"])
    genitive = repair("The wording of Article 4.", "The wording of Article 5.",
                      "Η διατύπωση του Άρθρου 5.", glossary=forms, lang="el")
    assert genitive.text == "Η διατύπωση του Άρθρου 4."
    assert genitive.describe() == "terms: Άρθρου 5 -> Άρθρου 4"


def test_fuzzy_lookup_in_a_big_memory_finds_what_a_full_scan_finds(tmp_path):
    import random

    rng = random.Random(7)
    words = [f"w{i}" for i in range(3000)]
    units = [(" ".join(rng.choice(words) for _ in range(rng.randint(8, 20))) + ".", f"T{i}", "el")
             for i in range(3000)]
    query_base = units[123][0].split()
    query_base[2] = "changed"
    query = " ".join(query_base)
    memory = sentences_memory(tmp_path, units)
    expected = sorted((fuzz.ratio(query, s), t) for s, t, _ in units if fuzz.ratio(query, s) >= 75)[::-1]
    got = memory.fuzzy(query, "el", limit=5)
    assert [(m.score, m.target) for m in got] == expected[:5] and got
    memory.close()


# --------------------------------------------------------------------------- concordance, stats


def test_concordance_search_and_stats(tmp_path):
    locales = tmp_path / "loc"
    write_catalog(locales, "el", "article", [(PARAGRAPH, PARAGRAPH_EL)])
    tmx = tmp_path / "trados.tmx"
    write_tmx(tmx, [TmxUnit("NATO’s summit ended.", "Η σύνοδος του ΝΑΤΟ έληξε.", "en", "el-GR"),
                    TmxUnit("The NATOS word.", "Λέξη.", "en", "el")])
    with open_memory(locales) as memory:
        memory.import_file(tmx)
        hits = memory.search("nato", "el")
        assert [h.source for h in hits] == ["NATO fired 180 missiles at the target on October 1.",
                                            PARAGRAPH, "NATO’s summit ended."]
        assert all(h.kind is MatchKind.CONCORDANCE for h in hits)
        assert hits[2].where == "trados.tmx:5" and hits[2].lang == "el_GR"
        assert memory.search("nato fired 180", "el")[0].where.startswith("article:")
        assert memory.search("missile", "el") == []  # whole words
        stats = memory.stats()
        assert stats.by_language() == {"el": 4, "el_GR": 1}
        assert stats.by_source() == {"el/LC_MESSAGES/article.po": 3, "trados.tmx": 2}
        [row] = [r for r in stats.rows if r.name == "el/LC_MESSAGES/article.po"]
        assert (row.lang, row.origin, row.paragraphs, row.sentences) == ("el", "catalog", 1, 2)


def test_region_tags_answer_their_language_but_not_another_region(tmp_path):
    memory = sentences_memory(tmp_path, [("Good morning.", "Bom dia (BR).", "pt-BR"),
                                         ("Good morning.", "Bom dia (PT).", "pt_PT"),
                                         ("Good morning.", "Καλημέρα.", "el-GR")])
    assert {m.target for m in memory.lookup_paragraph("Good morning.", "pt")} == {"Bom dia (BR).",
                                                                                  "Bom dia (PT)."}
    assert [m.target for m in memory.lookup_paragraph("Good morning.", "pt_BR")] == ["Bom dia (BR)."]
    assert [m.target for m in memory.lookup_sentence("Good morning.", "el")] == ["Καλημέρα."]
    memory.close()


# --------------------------------------------------------------------------- import and export


def test_imports_survive_refresh_and_a_reimport_replaces(tmp_path):
    locales = tmp_path / "loc"
    write_catalog(locales, "el", "article", [("Catalog text.", "Κείμενο καταλόγου.")])
    tmx = tmp_path / "memoq.tmx"
    write_tmx(tmx, [TmxUnit("Imported text.", "Εισαγόμενο κείμενο.", "en", "el")])
    memory = open_memory(locales)
    memory.import_file(tmx)
    write_catalog(locales, "el", "article", [("Catalog text.", "Νέο κείμενο.")])
    assert memory.refresh().read == ["el/LC_MESSAGES/article.po"]
    assert memory.lookup_paragraph("Imported text.", "el")[0].origin is SourceKind.IMPORT
    write_tmx(tmx, [TmxUnit("Imported again.", "Ξανά.", "en", "el")])
    memory.import_file(tmx)
    assert memory.lookup_paragraph("Imported text.", "el") == []
    assert memory.lookup_paragraph("Imported again.", "el")[0].where == "memoq.tmx:5"
    assert_index_consistent(memory)
    memory.close()


def test_po_import_takes_translated_non_fuzzy_entries(tmp_path):
    po = polib.POFile()
    po.metadata = {**HEADER, "Language": "el_GR"}
    po.append(polib.POEntry(msgid="Approved.", msgstr="Εγκρίθηκε.", tcomment="from Weblate"))
    po.append(polib.POEntry(msgid="Needs work.", msgstr="Θέλει δουλειά.", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Empty.", msgstr=""))
    po.save(str(tmp_path / "weblate.po"))
    with open_memory(tmp_path / "loc") as memory:
        assert memory.import_file(tmp_path / "weblate.po") == 1
        [m] = memory.lookup_paragraph("Approved.", "el")
        assert (m.target, m.lang, m.note) == ("Εγκρίθηκε.", "el_GR", "from Weblate")
        assert m.where == f"weblate.po:{msgid_line(tmp_path / 'weblate.po', 'Approved.')}"


def test_tmx_export_is_read_by_translate_toolkit(tmp_path):
    from translate.storage import tmx as tt_tmx

    locales = tmp_path / "loc"
    write_catalog(locales, "el", "article", [(PARAGRAPH, PARAGRAPH_EL), ("A & B <c>", "Α & Β <γ>")])
    write_catalog(locales, "pt_BR", "article", [("Good morning.", "Bom dia.")])
    with open_memory(locales) as memory:
        assert memory.export_tmx(tmp_path / "all.tmx") == 3
        assert memory.export_tmx(tmp_path / "el.tmx", "el", sentences=True) == 4
    store = tt_tmx.tmxfile.parsefile(str(tmp_path / "all.tmx"))
    pairs = {(u.source, u.target) for u in store.units}
    assert pairs == {(PARAGRAPH, PARAGRAPH_EL), ("A & B <c>", "Α & Β <γ>"), ("Good morning.", "Bom dia.")}
    assert store.getsourcelanguage() == "en"
    ours = read_tmx(tmp_path / "el.tmx")
    assert {u.target_lang for u in ours} == {"el"}
    assert ("Nobody was hurt.", "Κανείς δεν τραυματίστηκε.") in {(u.source, u.target) for u in ours}
    assert dict(ours[0].properties)["x-toolkit-where"].startswith("article:")

    # and what Translate Toolkit writes (with its <!DOCTYPE tmx SYSTEM "tmx14.dtd">), the memory imports
    store = tt_tmx.tmxfile(sourcelanguage="en", targetlanguage="de")
    store.addsourceunit("Hello world.").target = "Hallo Welt."
    (tmp_path / "tt.tmx").write_bytes(bytes(store))
    with open_memory(tmp_path / "loc2") as memory:
        assert memory.import_file(tmp_path / "tt.tmx") == 1
        assert memory.lookup_paragraph("Hello world.", "de")[0].target == "Hallo Welt."


def test_tmx_round_trip_keeps_text_notes_and_properties(tmp_path):
    units = [TmxUnit("Line one\nline two & <b>\r", "Γραμμή\tένα", "en", "el", "note 1\nnote 2",
                     (("x-client", "BM"), ("x-where", "a:1")))]
    write_tmx(tmp_path / "r.tmx", units)
    [back] = read_tmx(tmp_path / "r.tmx")
    assert (back.source, back.target, back.note, back.properties) == (
        units[0].source, units[0].target, units[0].note, units[0].properties)
    assert back.line == 5


def test_tmx_inline_codes_and_other_encodings(tmp_path):
    text = ('<?xml version="1.0" encoding="{enc}"?>\n<tmx version="1.4"><header srclang="EN-US"/>'
            '<body>\n<tu><tuv xml:lang="en-US"><seg>Press <bpt i="1">&lt;b&gt;</bpt>Ok<ept i="1">'
            '&lt;/b&gt;</ept> <hi>now</hi>.</seg></tuv>\n<tuv xml:lang="el"><seg>Πατήστε Ok τώρα.</seg>'
            '</tuv><tuv xml:lang="de"><seg></seg></tuv></tu></body></tmx>')
    for enc, codec in (("UTF-8", "utf-8"), ("UTF-16", "utf-16"), ("ISO-8859-7", "iso-8859-7")):
        (tmp_path / "x.tmx").write_bytes(text.format(enc=enc).encode(codec))
        [unit] = read_tmx(tmp_path / "x.tmx")
        assert (unit.source, unit.target, unit.target_lang, unit.line) == (
            "Press Ok now.", "Πατήστε Ok τώρα.", "el", 3)


BAD_TMX = {
    "empty": (b"", "x.tmx:1: empty file"),
    "blank": (b"  \n\n", "x.tmx:1: empty file"),
    "dtd": (b'<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd" [<!ELEMENT tmx ANY>]>\n<tmx/>',
            "x.tmx:2: refusing a TMX file with a DTD"),
    "entities": (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<tmx>&a;</tmx>',
                 "x.tmx:2: refusing a TMX file with a DTD"),
    "encoding": ('<tmx version="1.4"><header srclang="en"/>\n<body><tu><tuv xml:lang="en"><seg>Caf\u00e9'
                 '</seg></tuv></tu></body></tmx>').encode("latin-1"),
    "no xml:lang": (b'<tmx version="1.4"><header srclang="en"/><body>\n<tu>\n<tuv><seg>a</seg></tuv>'
                    b'</tu></body></tmx>', "x.tmx:3: a <tuv> without xml:lang"),
    "srclang": (b'<tmx version="1.4">\n<header srclang="de-DE"/><body/></tmx>',
                "x.tmx:2: the source language is 'de-DE'"),
    "tu srclang": (b'<tmx version="1.4"><header srclang="en"/><body>\n<tu srclang="fr"><tuv xml:lang="fr">'
                   b'<seg>a</seg></tuv></tu></body></tmx>', "x.tmx:2: the source language is 'fr'"),
    "no source tuv": (b'<tmx version="1.4"><header srclang="en"/><body>\n<tu><tuv xml:lang="el">'
                      b'<seg>a</seg></tuv></tu></body></tmx>', "x.tmx:2: no <tuv> in the source language"),
    "not tmx": (b"<martif/>", "x.tmx:1: not a TMX file"),
    "broken": (b'<tmx version="1.4">\n<header srclang="en">\n</tmx>', "x.tmx:3: broken XML"),
    "unknown encoding": (b'<?xml version="1.0" encoding="x-klingon"?><tmx/>',
                         "x.tmx:1: unknown encoding 'x-klingon'"),
}
BAD_TMX["encoding"] = (BAD_TMX["encoding"], "x.tmx:2: not valid UTF-8 (byte 0xe9)")


@pytest.mark.parametrize("case", sorted(BAD_TMX))
def test_bad_tmx_is_one_line_naming_file_and_line_and_imports_nothing(tmp_path, case):
    data, message = BAD_TMX[case]
    locales = tmp_path / "loc"
    write_tmx(tmp_path / "keep.tmx", [TmxUnit("Kept.", "Κρατήθηκε.", "en", "el")])
    (tmp_path / "x.tmx").write_bytes(data)
    with open_memory(locales) as memory:
        memory.import_file(tmp_path / "keep.tmx")
        before = memory.stats()
        with pytest.raises(ToolkitError) as err:
            memory.import_file(tmp_path / "x.tmx")
        assert str(err.value).startswith(f"{tmp_path}/{message}")
        assert "\n" not in str(err.value)
        assert memory.stats() == before


def test_an_import_fails_whole_even_on_its_last_unit(tmp_path, monkeypatch):
    units = [TmxUnit(f"Sentence {i} here.", f"Πρόταση {i}.", "en", "el") for i in range(50)]
    write_tmx(tmp_path / "m.tmx", units)
    data = (tmp_path / "m.tmx").read_bytes()
    cut = data.rindex(b' xml:lang="el"')
    (tmp_path / "m.tmx").write_bytes(data[:cut] + data[cut + len(b' xml:lang="el"'):])
    with open_memory(tmp_path / "loc") as memory:
        with pytest.raises(ToolkitError, match="without xml:lang"):
            memory.import_file(tmp_path / "m.tmx")
        assert memory.stats().units == 0
        write_tmx(tmp_path / "m.tmx", units[:-1] + [TmxUnit("Bad language.", "x", "en", "not a code!")])
        with pytest.raises(ToolkitError, match="invalid language code"):
            memory.import_file(tmp_path / "m.tmx")
        assert memory.stats().units == 0

        # a failure inside the sqlite transaction rolls back the new units and the old ones' removal
        write_tmx(tmp_path / "m.tmx", units[:10])
        memory.import_file(tmp_path / "m.tmx")
        before = memory.stats()
        original = memory.index.add_units

        def add_then_fail(*args):
            original(*args)
            raise OSError("disk full")

        monkeypatch.setattr(memory.index, "add_units", add_then_fail)
        write_tmx(tmp_path / "m.tmx", units)
        with pytest.raises(OSError):
            memory.import_file(tmp_path / "m.tmx")
        assert memory.stats() == before
        assert memory.lookup_paragraph("Sentence 3 here.", "el")[0].target == "Πρόταση 3."


def test_po_import_refuses_plurals_naming_the_line_and_needs_a_language(tmp_path):
    po = polib.POFile()
    po.metadata = dict(HEADER)
    po.append(polib.POEntry(msgid="One.", msgstr="Ένα."))
    po.append(polib.POEntry(msgid="%d file", msgid_plural="%d files", msgstr_plural={0: "α", 1: "β"}))
    po.save(str(tmp_path / "plural.po"))
    line = msgid_line(tmp_path / "plural.po", "%d file")
    with open_memory(tmp_path / "loc") as memory:
        with pytest.raises(ToolkitError) as err:
            memory.import_file(tmp_path / "plural.po")
        assert str(err.value).startswith(f"{tmp_path / 'plural.po'}:{line}: a plural entry")
        assert memory.stats().units == 0
        po = polib.POFile()
        po.metadata = {k: v for k, v in HEADER.items() if k != "Language"}
        po.append(polib.POEntry(msgid="One.", msgstr="Ένα."))
        po.save(str(tmp_path / "nolang.po"))
        with pytest.raises(ToolkitError, match="no Language header"):
            memory.import_file(tmp_path / "nolang.po")
        assert memory.import_file(tmp_path / "nolang.po", lang="el") == 1
        assert_index_consistent(memory)
        with pytest.raises(ToolkitError, match="expected a .tmx or .po file"):
            memory.import_file(tmp_path / "x.csv")


def test_an_index_from_another_schema_is_refused(tmp_path):
    open_memory(tmp_path / "loc").close()
    db = sqlite3.connect(tmp_path / "loc" / ".toolkit" / "memory.sqlite3")
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    with pytest.raises(ToolkitError, match="schema 99"):
        open_memory(tmp_path / "loc")


def test_a_file_that_is_not_an_index_is_one_line(tmp_path):
    index = tmp_path / "loc" / ".toolkit" / "memory.sqlite3"
    index.parent.mkdir(parents=True)
    index.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ToolkitError, match="cannot open the translation memory index") as err:
        open_memory(tmp_path / "loc")
    assert "\n" not in str(err.value) and str(index) in str(err.value)
