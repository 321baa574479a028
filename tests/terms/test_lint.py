"""Lint at NATOTerm size: the overlap check uses an index (same warnings as the pairwise loop it
replaced), the result is cached per glossary file version, and lint folds case as the matcher."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import Severity
from toolkit.terms.glossary import Concept, Glossary, Rendering, load_glossary
from toolkit.terms.lint import LintIssue, _partial_overlap, cached_lint, lint

from conftest import GLOSSARY


def _pairwise_overlaps(glossary: Glossary) -> list[str]:
    """The overlap check as it was: every pair of concepts (the oracle)."""
    issues = []
    words = [(c, [re.findall(r"\w+", f.casefold()) for f in c.forms]) for c in glossary.concepts]
    for i, (first, first_forms) in enumerate(words):
        for second, second_forms in words[i + 1:]:
            clash = _partial_overlap(first_forms, second_forms)
            if clash:
                issues.append(
                    f"{second.id}: '{clash[1]}' and '{clash[0]}' of '{first.id}' share "
                    f"'{clash[2]}', so text containing both is matched only as the longer one")
    return issues


def _overlaps(glossary: Glossary) -> list[str]:
    return [i.message for i in lint(glossary) if i.code == "overlap"]


def _glossary(forms: list[list[str]]) -> Glossary:
    concepts = [Concept(f"c{i}", f[0], f[1:], renderings={"de": Rendering("de", "x")})
                for i, f in enumerate(forms)]
    return Glossary(concepts, None, ["de"])


_WORD = st.sampled_from(["air", "defence", "industry", "missile", "nato", "ally"])
_FORM = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_FORM, min_size=1, max_size=3), min_size=1, max_size=8))
def test_overlaps_as_the_pairwise_check_found_them(forms):
    glossary = _glossary(forms)
    assert _overlaps(glossary) == _pairwise_overlaps(glossary)


def test_overlaps_of_the_shipped_glossary():
    glossary = load_glossary(GLOSSARY)
    assert _overlaps(glossary) == _pairwise_overlaps(glossary)


@pytest.mark.slow
def test_lint_of_a_large_glossary_is_not_pairwise():
    def seconds(n):
        # every concept overlaps the next one ('wI vI' / 'vI wI+1'): n warnings, n^2 pairs
        glossary = _glossary([[f"w{i} v{i}", f"v{i} w{i + 1}"] for i in range(n)])
        t0 = time.perf_counter()
        assert len(_overlaps(glossary)) == n - 1
        return time.perf_counter() - t0

    small, big = seconds(1000), seconds(10_000)
    assert big < 30 * small + 0.5  # linear: ~10x; the pairwise loop took ~100x


# -- the cache -----------------------------------------------------------------------------------


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "newsroom-toolkit"


def _dup_glossary(tmp_path):
    path = tmp_path / "g.csv"
    shutil.copy(GLOSSARY, path)
    text = path.read_text("utf-8").splitlines(keepends=True)
    row = text[1].split(",", 1)[1]
    path.write_text("".join(text) + "nato-again," + row, "utf-8")
    return path


def test_cached_lint_is_lint_and_runs_once_per_version(tmp_path, cache_home, monkeypatch):
    path = _dup_glossary(tmp_path)
    expected = [str(i) for i in lint(load_glossary(path))]
    assert any("duplicate-term" in line for line in expected)
    assert [str(i) for i in cached_lint(load_glossary(path))] == expected
    files = list(cache_home.glob("lint-*.json"))
    assert len(files) == 1

    import toolkit.terms.lint as lint_module

    def fail(glossary):
        raise AssertionError("linted again")

    monkeypatch.setattr(lint_module, "lint", fail)
    again = cached_lint(load_glossary(path))
    assert [str(i) for i in again] == expected
    assert all(isinstance(i, LintIssue) and isinstance(i.severity, Severity) for i in again)
    # the same content elsewhere: the issues name the file they were asked for
    other = tmp_path / "copy.csv"
    shutil.copy(path, other)
    assert [str(i) for i in cached_lint(load_glossary(other))] == [
        line.replace(str(path), str(other)) for line in expected
    ]
    # a changed file is another version: linted (here: the stand-in raises)
    path.write_text(path.read_text("utf-8") + "\n", "utf-8")
    with pytest.raises(AssertionError, match="linted again"):
        cached_lint(load_glossary(path))


def test_the_lint_is_of_the_version_read_not_of_the_file_now(tmp_path, cache_home):
    """A glossary edited on disk between the read and the lint: the lint (and the cache entry it
    leaves) belongs to the version in memory, so the next run, reading the edited file, still
    gets the edited file's own issues."""
    edit = tmp_path / "edit"
    edit.mkdir()
    path = tmp_path / "g.csv"
    shutil.copy(GLOSSARY, path)
    clean = [str(i) for i in lint(load_glossary(path))]
    read = load_glossary(path)
    path.write_bytes(_dup_glossary(edit).read_bytes())  # the edit lands after the read
    assert [str(i) for i in cached_lint(read)] == clean
    edited = [str(i) for i in cached_lint(load_glossary(path))]
    assert edited == [str(i) for i in lint(load_glossary(path))]
    assert any("duplicate-term" in line for line in edited)


@pytest.mark.parametrize("garbage", [b"{not json", b"\xff\xfe", b"[]", b'{"schema": 1}',
                                     b'{"schema": 1, "rules": "x", "sha256": "y", "issues": 5}'])
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path, cache_home, garbage):
    path = _dup_glossary(tmp_path)
    expected = [str(i) for i in cached_lint(load_glossary(path))]
    (cache_file,) = cache_home.glob("lint-*.json")
    cache_file.write_bytes(garbage)
    assert [str(i) for i in cached_lint(load_glossary(path))] == expected
    entry = json.loads(cache_file.read_text("utf-8"))
    assert len(entry["issues"]) == len(expected)
    # entries of the right shape but wrong types are not trusted either
    entry["issues"][0][0] = "three"
    cache_file.write_text(json.dumps(entry), "utf-8")
    assert [str(i) for i in cached_lint(load_glossary(path))] == expected


def test_an_unwritable_cache_only_costs_the_lint(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = _dup_glossary(tmp_path)
    assert [str(i) for i in cached_lint(load_glossary(path))] == [
        str(i) for i in lint(load_glossary(path))
    ]


def test_a_glossary_without_a_file_is_linted_directly(cache_home):
    glossary = _glossary([["a b"], ["b c"]])
    assert [i.code for i in cached_lint(glossary)] == ["overlap"]
    assert not cache_home.exists()


# -- case folding as the matcher ------------------------------------------------------------------


def test_lint_and_the_matcher_fold_case_alike():
    def codes(*terms):
        concepts = [Concept(f"c{i}", t, renderings={"de": Rendering("de", "x")}, line=i + 1)
                    for i, t in enumerate(terms)]
        return [i.code for i in lint(Glossary(concepts, None, ["de"]))]

    for pair in [("İstanbul", "ISTANBUL"), ("Straße", "STRASSE"), ("anti-missile", "anti\u2011missile"),
                 ("Ally", "allies")]:
        assert set(codes(*pair)) == {"duplicate-term"}, pair


def test_forms_left_over_from_an_earlier_rendering_are_a_warning():
    """A rendering changed, its forms not: masking would put the old rendering's forms back."""
    def warned(text: str, inflections: list[str]) -> list[str]:
        rendering = Rendering("el", text, inflections=inflections)
        glossary = Glossary([Concept("m", "ballistic missile", renderings={"el": rendering})], None, ["el"])
        return [i.message for i in lint(glossary) if i.code == "form-unrelated"]

    # accents and case do not hide a stem: πύραυλος / πυραύλων, Άρθρο / ΑΡΘΡΟΥ
    assert warned("βαλλιστικός πύραυλος", ["βαλλιστικών πυραύλων", "ΒΑΛΛΙΣΤΙΚΟΙ ΠΥΡΑΥΛΟΙ"]) == []
    assert warned("Άρθρο 5", ["Άρθρου 5"]) == []
    assert len(warned("5. Madde", ["Artikels 5", "5. Madde'yi"])) == 1  # a number is no stem
    assert warned("Rakete", ["Flugkörpers"]) == [
        "m: el form 'Flugkörpers' shares no word stem with the rendering 'Rakete': forms left over "
        "from an earlier rendering?"]


def test_the_shipped_forms_are_all_related_to_their_renderings():
    assert [i.message for i in lint(load_glossary(GLOSSARY)) if i.code == "form-unrelated"] == []
