"""`python -m bench --only forms-package`: the form-choice cost with a package's own masked terms.

The bench row the issue's typical case needs a real Argos package for; here it runs, as a user
would run it, on the fixture en->de package, and the figures it reports must be the pipeline's
own (term outcomes, candidates, one scoring call), not a ratio of nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT, fixture_package


def _run(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bench", "--only", "forms-package", "--repeats", "1",
         "--output", str(tmp_path / "results.json"), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )


def _bench(tmp_path, *args: str) -> dict:
    done = _run(tmp_path, *args)
    assert done.returncode == 0, done.stderr[-2000:]
    (row,) = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["rows"]
    return row


@pytest.mark.slow
def test_the_row_measures_the_pipeline_on_a_given_package(tmp_path):
    row = _bench(tmp_path, "--package", str(fixture_package("de")))
    details = row["details"]
    assert details["lang"] == "de"
    assert row["measured"] > 0 and row["ok"] == (row["measured"] <= 1.10)
    # the outcomes are the article's term occurrences as the pipeline handled them
    assert details["term_occurrences"] >= 30
    assert sum(details["how"].values()) == details["term_occurrences"]
    assert details["masked_share"] == details["how"].get("mask", 0) / details["term_occurrences"]
    # the pseudo-language renders no term itself: its terms are masked and their forms scored,
    # all of a run's candidates in ONE scoring call
    assert details["forms_chosen"] > 0
    assert details["candidates"] > details["forms_chosen"]
    assert details["scoring_calls_per_run"] == 1


@pytest.mark.slow
def test_without_a_package_the_row_says_skipped(tmp_path):
    row = _bench(tmp_path)
    assert row["measured"] is None and row["ok"] is None
    assert "--package" in row["details"]["skipped"]


@pytest.mark.slow
def test_a_file_that_is_no_package_is_one_line_and_exit_1(tmp_path):
    bad = tmp_path / "translate-en_de.argosmodel"
    bad.write_bytes(b"\x00garbage" * 20)
    done = _run(tmp_path, "--package", str(bad))
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"error: {bad}: not an Argos package (.argosmodel must be a "
                                                 "zip archive)"]
    assert not (tmp_path / "results.json").exists()
