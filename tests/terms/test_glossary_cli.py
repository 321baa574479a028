"""The glossary review loop through the real CLI: export, a translator's edit, import."""

from __future__ import annotations

import shutil

import polib
import pytest

from conftest import ARTICLE, GLOSSARY, invoke, run_cli


@pytest.mark.slow
def test_export_edit_import_loop(tmp_path):
    canon = tmp_path / "defense.csv"
    shutil.copy(GLOSSARY, canon)
    po_file = tmp_path / "el.po"
    exported = run_cli(
        "glossary", "export", "--lang", "el", "-o", str(po_file), "--glossary", str(canon),
        "--article", str(ARTICLE),
    )
    assert exported.returncode == 0, exported.stderr

    po = polib.pofile(str(po_file))
    nato = next(e for e in po if e.msgid == "NATO")
    nato.flags.remove("fuzzy")  # the translator approves ΝΑΤΟ
    po.save(str(po_file))

    dry = run_cli("glossary", "import", str(po_file), "--reviewer", "Eleni", "--dry-run",
                  "--glossary", str(canon))
    assert dry.returncode == 0, dry.stderr
    assert "nato [el]" in dry.stdout and "approved" in dry.stdout
    assert canon.read_bytes() == GLOSSARY.read_bytes()  # a dry run writes nothing

    real = run_cli("glossary", "import", str(po_file), "--reviewer", "Eleni", "--glossary", str(canon))
    assert real.returncode == 0, real.stderr
    row = next(line for line in canon.read_text(encoding="utf-8").splitlines() if line.startswith("nato,"))
    assert ",approved,Eleni," in row
    stats = invoke("glossary", "stats", "--glossary", str(canon))
    assert stats.returncode == 0 and "41" in stats.stdout  # 41 el renderings still proposed


@pytest.mark.slow
def test_unchanged_round_trip_is_byte_identical(tmp_path):
    canon = tmp_path / "defense.csv"
    shutil.copy(GLOSSARY, canon)
    for fmt in ("po", "csv", "tbx"):
        out = tmp_path / f"export.{fmt}"
        lang = "all" if fmt == "tbx" else "ru"
        exported = run_cli("glossary", "export", "--lang", lang, "-o", str(out), "--glossary", str(canon))
        assert exported.returncode == 0, exported.stderr
        result = run_cli("glossary", "import", str(out), "--reviewer", "x", "--glossary", str(canon))
        assert result.returncode == 0, result.stderr
        assert canon.read_bytes() == GLOSSARY.read_bytes(), fmt


def test_extract_proposes_missing_terms():
    result = run_cli("glossary", "extract", str(ARTICLE))
    assert result.returncode == 0, result.stderr
    assert "Angelos Kaskanis" in result.stdout and "acronym" in result.stdout


def test_stats_blocking_exits_1_while_something_blocks(glossary_file):
    from toolkit.terms.glossary import load_glossary, write_glossary

    blocked = invoke("glossary", "stats", "--blocking", "--glossary", str(glossary_file))
    assert blocked.returncode == 1 and "el: nato, article-5" in blocked.stdout
    glossary = load_glossary(glossary_file)
    for concept in glossary.concepts:
        for rendering in concept.renderings.values():
            rendering.status, rendering.reviewer, rendering.date = "approved", "lead", "2024-11-05"
    write_glossary(glossary, glossary_file)
    done = invoke("glossary", "stats", "--blocking", "--glossary", str(glossary_file))
    assert done.returncode == 0, done.stdout
    assert "el: -" in done.stdout
