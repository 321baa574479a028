"""A NATOTerm-size glossary read for a run: parsed once per version into an indexed SQLite copy,
its concepts built only when a text needs them, and never a term missed for that."""

from __future__ import annotations

import sqlite3

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.terms import termbase
from toolkit.terms.glossary import Concept, Glossary, Rendering, load_glossary, write_glossary
from toolkit.terms.lint import cached_lint, lint
from toolkit.terms.match import cover, find_terms
from toolkit.terms.termbase import CACHE_MIN_CONCEPTS, read_termbase

from conftest import GLOSSARY, run_cli

# Forms that test each rule of the matcher the index must not lose: plurals of the last word
# (Sentry/Sentries, bus/buses, defence/defences), digits, hyphens, a leading apostrophe, non-ASCII
# letters (Straße = STRASSE, İstanbul = ISTANBUL), case-sensitive acronyms.
_TRICKY = [("Sentry", False), ("missile defence", False), ("bus", False), ("box", False),
           ("F-35", True), ("Article 10", False), ("'s-Hertogenbosch", True), ("Straße", False),
           ("İstanbul", False), ("Türkiye", True), ("SHAPE", True), ("anti-ship missile", False),
           ("Patriot PAC-3", True), ("air policing", False), ("Rapid Reaction Corps", False),
           ("Tornado", False)]


def _termbase(path, extra: int = CACHE_MIN_CONCEPTS):
    """The shipped glossary, the tricky forms, and generated concepts: `extra` in all."""
    glossary = load_glossary(GLOSSARY)
    for i, (term, case_sensitive) in enumerate(_TRICKY):
        glossary.concepts.append(Concept(f"tricky-{i}", term, case_sensitive=case_sensitive,
                                         renderings={"de": Rendering("de", f"T{i}")}))
    for i in range(extra - len(glossary.concepts)):
        glossary.concepts.append(Concept(
            f"gen-{i}", f"zyx{i} {'missile' if i % 3 else 'system'}", variants=[f"ZX{i}"],
            case_sensitive=i % 2 == 1,
            renderings={"de": Rendering("de", f"Zyx{i}", inflections=[f"Zyx{i}s"])}))
    glossary._layout = None
    write_glossary(glossary, path)
    return path


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "newsroom-toolkit"


def test_a_termbase_is_parsed_once_per_version_and_read_lazily(tmp_path, cache_home, monkeypatch):
    """The second read opens the copy: no parse, no concept built, the same concepts on demand;
    a damaged copy or an edited file is parsed again; a small glossary gets no copy."""
    path = _termbase(tmp_path / "big.csv")
    parsed = load_glossary(path)
    first = read_termbase(path)
    assert not first.lazy and first.concepts == parsed.concepts  # parsed: the copy written
    [copy] = cache_home.glob("glossary-*.sqlite3")
    calls = []
    with monkeypatch.context() as patch:
        patch.setattr(termbase, "parse_glossary", lambda *a: calls.append(a) or parsed)
        again = read_termbase(path)
        assert calls == [] and again.lazy and again.concepts == [] and again.size == len(parsed.concepts)
        assert (again.languages, again.path) == (parsed.languages, path)
        assert again.complete().concepts == parsed.concepts and not again.lazy
        copy.write_bytes(b"not a database at all")  # damaged
        assert read_termbase(path) is parsed and len(calls) == 1
    text = path.read_text(encoding="utf-8").replace("Zyx7,", "Zyx sieben,")
    path.write_text(text, encoding="utf-8")
    read_termbase(path)
    edited = read_termbase(path)
    assert edited.lazy and edited.get("gen-7").renderings["de"].text == "Zyx sieben"
    small = tmp_path / "small.csv"
    write_glossary(Glossary(parsed.concepts[:5], languages=parsed.languages), small)
    assert not read_termbase(small).lazy
    # the edited file's copy replaced the first one; none for the small glossary
    assert [p.name for p in cache_home.glob("glossary-*.sqlite3")] != [copy.name]
    assert len(list(cache_home.glob("glossary-*.sqlite3"))) == 1


def test_copies_of_other_files_stay_and_old_json_copies_go(tmp_path, cache_home):
    first, second = _termbase(tmp_path / "a.csv"), _termbase(tmp_path / "b.csv", extra=1001)
    cache_home.mkdir(parents=True)
    legacy = cache_home / "glossary-0123456789abcdef0123456789abcdef.json"
    legacy.write_text("{}")
    read_termbase(first)
    read_termbase(second)
    assert len(list(cache_home.glob("glossary-*.sqlite3"))) == 2 and not legacy.exists()
    assert read_termbase(first).lazy and read_termbase(second).lazy


def test_a_run_builds_only_the_concepts_its_text_may_hold(tmp_path, cache_home):
    path = _termbase(tmp_path / "big.csv", extra=5000)
    read_termbase(path)
    lazy = read_termbase(path)
    text = "NATO's Allies discussed THAAD and Article 5 in İstanbul."
    found = [m.concept_id for m in find_terms(lazy, text)]
    assert found == [m.concept_id for m in find_terms(load_glossary(path), text)]
    assert len(found) == 5 and len(lazy.concepts) < 30 < lazy.size == 5000
    assert cover(lazy, [text]) == 0  # covered already: nothing new, the matcher is kept


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """A termbase file, its whole parse and the copy's path (built once for the property test)."""
    folder = tmp_path_factory.mktemp("termbase")
    path = _termbase(folder / "big.csv")
    return path, load_glossary(path)


_WORDS = [*(t for t, _ in _TRICKY), "Sentries", "Tornados", "alliances", "Allies", "SHAPE’s",
          "Article 100", "buses", "boxes", "defences", "NATO’s", "ISTANBUL", "STRASSE",
          "anti\u2011ship missiles", "F-\n35", "article\n  5", "ZX12", "zyx12 system",
          "zyx13 missiles", "THAAD", "IDF", "the", "of", "(", ")", ",", "'", "nato.int", "Article 50",
          "allied", "ally-ship", "ﬁghter", "K", "ſ", "\u0345NATO", "i\u0307stanbul"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", "", "-", "\n", "'s ", ". "]), min_size=12, max_size=12))
def test_a_lazy_termbase_finds_exactly_what_the_whole_one_finds(both, tmp_path, monkeypatch, words, gaps):
    """Each text read by a fresh lazy termbase: the index never leaves a matching concept out."""
    path, whole = both
    monkeypatch.setenv("XDG_CACHE_HOME", str(path.parent / "xdg"))
    read_termbase(path)  # writes the copy the first time
    lazy = read_termbase(path)
    assert lazy.lazy
    text = "".join(w + g for w, g in zip(words, gaps, strict=False))
    assert find_terms(lazy, text) == find_terms(whole, text)


def test_lint_of_a_lazy_termbase_is_the_lint_of_the_whole(tmp_path, cache_home):
    path = _termbase(tmp_path / "big.csv")
    read_termbase(path)
    for cached in cache_home.glob("lint-*.json"):
        cached.unlink()
    lazy = read_termbase(path)
    assert lazy.lazy
    assert cached_lint(lazy) == lint(load_glossary(path))


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path, monkeypatch):
    path = _termbase(tmp_path / "big.csv")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder can be made in it
    assert read_termbase(path).concepts == load_glossary(path).concepts
    assert not read_termbase(path).lazy


def test_a_damaged_row_of_the_copy_is_one_error_naming_it(tmp_path, cache_home):
    path = _termbase(tmp_path / "big.csv")
    read_termbase(path)
    [copy] = cache_home.glob("glossary-*.sqlite3")
    db = sqlite3.connect(copy)
    db.execute("UPDATE concepts SET row = '[1, 2' WHERE row LIKE '%\"NATO\"%'")
    db.commit()
    db.close()
    lazy = read_termbase(path)
    with pytest.raises(ToolkitError) as caught:
        find_terms(lazy, "NATO met.")
    assert "damaged parsed glossary copy" in str(caught.value) and str(copy) in str(caught.value)


@pytest.mark.slow
def test_translate_with_a_termbase_read_lazily_writes_what_a_full_parse_writes(installed_models, tmp_path):
    """The real CLI twice on the example article: first run parses the termbase (and writes the
    copy), second reads it lazily; the catalogs' entries, comments and flags are the same."""
    glossary = _termbase(tmp_path / "big.csv")
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    catalogs = []
    for run in ("parsed", "lazy"):
        out = tmp_path / run
        done = run_cli("translate", "examples/article.txt", "--to", "de", "--glossary", str(glossary),
                       "--out", str(out / "out"), "--locales", str(out / "loc"),
                       env={**env, "TOOLKIT_CACHE": str(out / "cache.sqlite3")})
        assert done.returncode == 0, done.stderr
        po = polib.pofile(str(out / "loc" / "de" / "LC_MESSAGES" / "article.po"))
        catalogs.append([(e.msgctxt, e.msgid, e.msgstr, e.comment, e.tcomment, e.flags) for e in po])
    assert list((tmp_path / "xdg" / "newsroom-toolkit").glob("glossary-*.sqlite3"))
    assert catalogs[0] == catalogs[1] and sum("Term:" in c[4] for c in catalogs[0]) >= 10
