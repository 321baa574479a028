"""The workflow keeps each machine draft it writes: real `toolkit translate` runs, then the store.

A run records exactly its fresh drafts (with the `MT:` engine and the glossary fingerprint of their terms),
never an entry it reused or a translator's work; a damaged store stops the run before anything is
written, and a store that cannot take the drafts at the end is only a warning.
"""

from __future__ import annotations

import pytest

from toolkit.errors import ToolkitError, ToolkitWarning
from toolkit.formats.document import parse_document
from toolkit.formats.po import read_po, write_po
from toolkit.l10n.comments import glossary_fingerprint, is_machine, machine_engine
from toolkit.mt.drafts import drafts_path, open_drafts
from toolkit.mt.registry import load_engine
from toolkit.terms.glossary import load_glossary
from toolkit.workflow.localize import localize_document

from conftest import GLOSSARY, run_cli

PARAGRAPHS = [
    "The meeting lasted three hours.",
    "Officials said little.",
    "NATO ministers met in Brussels on Monday.",
    "A final paragraph closes the story.",
]


def write_article(path, paragraphs):
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def recorded(locales):
    with open_drafts(locales) as store:
        return [(d.lang, d.msgctxt, d.msgid, d.text, d.engine, d.glossary) for d in store.iter_drafts()]


def machine_entries(po_path):
    return [(e.msgctxt, e.msgid, e.msgstr, machine_engine(e)) for e in read_po(po_path) if is_machine(e)]


def translate(tmp_path, article, *extra):
    done = run_cli("translate", str(article), "--to", "de", "--locales", str(tmp_path / "locales"),
                   "--out", str(tmp_path / "out"), *extra, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done


def test_a_run_records_exactly_its_fresh_drafts_and_a_rerun_nothing(installed_models, tmp_path):
    locales = tmp_path / "locales"
    article = write_article(tmp_path / "story.txt", PARAGRAPHS)
    translate(tmp_path, article, "--glossary", str(GLOSSARY))
    po_path = locales / "de" / "LC_MESSAGES" / "story.po"
    glossary = load_glossary(GLOSSARY)
    first = recorded(locales)
    assert [row[:5] for row in first] == [("de", *entry) for entry in machine_entries(po_path)]
    assert len(first) == 4 and {row[4] for row in first} == {"argos:en-de@0.1"}
    # each draft with the fingerprint of the glossary entries for its own terms ("": none)
    assert [row[5] for row in first] == [glossary_fingerprint(glossary, row[2], "de") or "" for row in first]
    assert any(row[5] for row in first)

    store = drafts_path(locales).read_bytes()
    translate(tmp_path, article, "--glossary", str(GLOSSARY))  # unchanged: all reused, nothing drafted
    assert drafts_path(locales).read_bytes() == store  # not even rewritten
    assert recorded(locales) == first

    po = read_po(po_path)  # a translator accepts the first draft and rewrites the second
    po.find(PARAGRAPHS[0]).flags = []
    po.find(PARAGRAPHS[1]).msgstr = "Von Hand."
    write_po(po, po_path)
    changed = [PARAGRAPHS[0].replace("three", "four"),  # reviewed: kept fuzzy, a suggestion only
               PARAGRAPHS[1],  # a translator's work: reused
               PARAGRAPHS[2].replace("Monday", "Tuesday"),  # an untouched draft: translated afresh
               PARAGRAPHS[3],  # an untouched draft: reused
               "A new paragraph."]  # new
    translate(tmp_path, write_article(article, changed), "--no-glossary")
    new = recorded(locales)[len(first):]
    assert [(row[2], row[5]) for row in new] == [(changed[2], None), (changed[4], None)]
    entries = {e[1]: e for e in machine_entries(po_path)}
    assert [row[:5] for row in new] == [("de", *entries[row[2]]) for row in new]


def test_a_damaged_drafts_store_stops_the_run_before_anything_is_written(installed_models, tmp_path):
    store = drafts_path(tmp_path / "locales")
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not a database " * 200)
    article = write_article(tmp_path / "story.txt", PARAGRAPHS)
    done = run_cli("translate", str(article), "--to", "de", "--locales", str(tmp_path / "locales"),
                   "--out", str(tmp_path / "out"), "--no-glossary", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {store}: not a usable drafts store (")
    assert done.stderr.count("\n") == 1 and "move the file aside" in done.stderr
    assert not list((tmp_path / "locales").rglob("*.po*"))  # no catalog, no template
    assert store.read_bytes() == b"not a database " * 200
    assert not (tmp_path / "out").exists()


def test_a_store_that_cannot_take_the_drafts_is_a_warning_not_a_failed_run(
    installed_models, tmp_path, monkeypatch
):
    def refuse(locales_dir, drafts, **kwargs):
        raise ToolkitError("cannot use the drafts store (database is locked)", path=drafts_path(locales_dir))

    monkeypatch.setattr("toolkit.workflow.drafts.record_drafts", refuse)
    doc = parse_document("\n\n".join(PARAGRAPHS) + "\n", "txt", "story.txt")
    with pytest.warns(ToolkitWarning) as caught:  # the library warns; the CLI prints it as one line
        reports = localize_document(doc, ["de"], locales_dir=tmp_path / "locales",
                                    engine_loader=lambda src, tgt: load_engine(src, tgt))
    assert len(reports[0].drafts) == 4 and reports[0].po_path.is_file()
    warning = "".join(f"warning: {w.message}\n" for w in caught)
    store = drafts_path(tmp_path / "locales")
    assert warning == (f"warning: {store}: cannot use the drafts store (database is locked): "
                       "the 4 machine drafts of this run are not kept for `toolkit eval`\n")
    assert not store.exists()
