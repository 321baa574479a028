"""An archive run through the real CLI: chunk by chunk, a line per article, and a run killed
half-way resumes without redoing the articles it finished (issue #18)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import polib
import pytest

from conftest import ROOT, run_cli

ARTICLES = 100
_WORDS = ("minister officials army talks border troops ceasefire missile defence alliance summit "
          "capital forces report council treaty envoy drones radar ships").split()


def _archive(folder, count=ARTICLES):
    """`count` short unique articles (a headline and two paragraphs each)."""
    folder.mkdir()
    for a in range(count):
        sentences = [f"The {_WORDS[(a + s) % len(_WORDS)]} met the {_WORDS[(a * 7 + s) % len(_WORDS)]} "
                     f"on day {a}-{s}." for s in range(6)]
        text = f"Story {a} of the archive\n\n{' '.join(sentences[:3])}\n\n{' '.join(sentences[3:])}\n"
        (folder / f"story-{a:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def _args(tmp_path, run: str):
    return ["translate", str(tmp_path / "archive"), "--to", "de", "--no-tm",
            "--locales", str(tmp_path / run / "locales"), "--out", str(tmp_path / run / "out")]


def _entries(locales, name):
    po = polib.pofile(str(locales / "de" / "LC_MESSAGES" / f"{name}.po"))
    return [(e.msgid, e.msgstr, e.flags, e.comment, e.tcomment) for e in po]


@pytest.mark.slow
def test_a_killed_100_article_run_resumes_without_redoing_finished_articles(installed_models, tmp_path):
    _archive(tmp_path / "archive")
    env = {**os.environ, "COLUMNS": "200", "TOOLKIT_CACHE": str(tmp_path / "cache-a.sqlite3")}
    run = subprocess.Popen([sys.executable, "-m", "toolkit", *_args(tmp_path, "run")], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines, deadline = [], time.monotonic() + 240
    for line in run.stderr:  # not a terminal: one plain line per article written
        lines.append(line.rstrip("\n"))
        if line.startswith("[20/100]") or time.monotonic() > deadline:
            break
    run.kill()  # SIGKILL: no clean-up of any kind
    run.wait(timeout=30)
    assert lines and lines[-1].startswith("[20/100]"), lines[-5:]
    line = re.compile(r"^\[(\d+)/100\] (\S+story-\d{3}\.txt): (\d+) sentences, [\d.]+/s, ETA (\S+)$")
    told = [m for text in lines if (m := line.match(text))]
    assert [int(m.group(1)) for m in told] == list(range(1, 21))
    assert all(m.group(3) != "0" for m in told)

    locales = tmp_path / "run" / "locales"
    written = sorted(p.stem for p in (locales / "de" / "LC_MESSAGES").glob("*.po"))
    assert len(written) < ARTICLES  # stopped half-way: the rest was never written
    finished = [f"story-{a:03d}" for a in range(20)]
    assert set(finished) <= set(written)
    stamps = {name: (locales / "de" / "LC_MESSAGES" / f"{name}.po").stat().st_mtime_ns for name in finished}

    resumed = run_cli(*_args(tmp_path, "run"), env={"TOOLKIT_CACHE": env["TOOLKIT_CACHE"]})
    assert resumed.returncode == 0, resumed.stderr
    rows = {m.group(1): (int(m.group(2)), int(m.group(3)))  # article -> (reused, translated)
            for m in re.finditer(r"(story-\d{3})\.txt\s+\d+\s+(\d+)\s+(\d+)", resumed.stdout)}
    assert len(rows) == ARTICLES
    for name in finished:  # done articles are not redone: reused whole, nothing to the model
        assert rows[name][1] == 0 and rows[name][0] == 3, (name, rows[name])
        assert (locales / "de" / "LC_MESSAGES" / f"{name}.po").stat().st_mtime_ns == stamps[name]
    assert all(rows[f"story-{a:03d}"][1] == 3 for a in range(len(written), ARTICLES))
    assert re.search(r"\[100/100\] \S+story-099\.txt: ", resumed.stderr)

    # the same catalogs as a run that was never interrupted (its own cache, nothing shared)
    whole = run_cli(*_args(tmp_path, "whole"), env={"TOOLKIT_CACHE": str(tmp_path / "cache-b.sqlite3")})
    assert whole.returncode == 0, whole.stderr
    calls = re.search(r"model calls per language: \{'de': (\d+)\} \(5 chunks of articles\)", whole.stdout)
    assert calls and int(calls.group(1)) <= 2 * 5  # at most two per chunk (n-best, then masks)
    for a in (0, 19, 20, 57, 99):
        name = f"story-{a:03d}"
        assert _entries(locales, name) == _entries(tmp_path / "whole" / "locales", name), name
        assert (tmp_path / "run" / "out" / f"{name}.de.txt").read_bytes() == (
            tmp_path / "whole" / "out" / f"{name}.de.txt").read_bytes()


def test_chunks_are_bounded_by_words_and_by_articles():
    from toolkit.workflow.localize import CHUNK_ARTICLES, CHUNK_WORDS, _chunks

    assert _chunks([100] * 45) == [range(0, 20), range(20, 40), range(40, 45)]
    assert CHUNK_ARTICLES == 20
    half = CHUNK_WORDS // 2
    chunks = _chunks([half, half, 1, CHUNK_WORDS * 3, 5])
    assert chunks == [range(0, 2), range(2, 3), range(3, 4), range(4, 5)]  # a long one alone
    assert _chunks([0] * 3) == [range(0, 3)]  # nothing to translate: one chunk, written at once
    assert _chunks([]) == [range(0, 0)]
