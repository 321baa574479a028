"""The persistent sentence cache: hits never reach the model, and keys never mix models."""

from __future__ import annotations

import pytest

from toolkit.mt.argos import ArgosEngine
from toolkit.mt.cache import CachedEngine, TranslationCache
from toolkit.mt.packages import find_model

from conftest import ARTICLE, run_cli
from pseudo import expected_translation

SENTENCES = [
    "NATO ministers met in Brussels.",
    "The talks lasted two days.",
    "NATO ministers met in Brussels.",
]


@pytest.fixture
def engine(installed_models):
    return ArgosEngine(find_model("en", "de"), threads=2)


@pytest.mark.slow
def test_second_run_makes_no_model_call(engine, tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3")
    cached = CachedEngine(engine, cache)
    first = cached.translate(SENTENCES)
    assert engine.calls == 1
    assert cache.misses == 2  # the repeated sentence is translated once
    assert [t.text for t in first] == [expected_translation(s) for s in SENTENCES]

    again = CachedEngine(engine, TranslationCache(tmp_path / "c.sqlite3"))  # a new process, same file
    second = again.translate(SENTENCES)
    assert engine.calls == 1 and again.cache.hits == 3
    assert second == first


@pytest.mark.slow
def test_keys_separate_models_and_hypothesis_counts(installed_models, tmp_path):
    cache = TranslationCache(tmp_path / "c.sqlite3")
    de = CachedEngine(ArgosEngine(find_model("en", "de"), threads=2), cache)
    el = CachedEngine(ArgosEngine(find_model("en", "el"), threads=2), cache)
    de.translate(SENTENCES[:1])
    el.translate(SENTENCES[:1])
    de.translate(SENTENCES[:1], num_hypotheses=4)
    assert (de.calls, el.calls) == (2, 1)
    assert len(cache) == 3


@pytest.mark.slow
def test_cache_commands(installed_models, tmp_path):
    env = {"TOOLKIT_CACHE": str(tmp_path / "c.sqlite3")}
    run = run_cli(
        "translate", str(ARTICLE), "--to", "de", "--out", str(tmp_path / "o"),
        "--locales", str(tmp_path / "l"), env=env,
    )
    assert run.returncode == 0, run.stderr
    info = run_cli("cache", "info", env=env)
    count = int(info.stdout.split(": ")[-1].split()[0])
    assert count >= 51
    cleared = run_cli("cache", "clear", env=env)
    assert f"removed {count} cached translations" in cleared.stdout
    assert "0 cached" in run_cli("cache", "info", env=env).stdout
