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
    assert stats.returncode == 0 and "42" in stats.stdout  # 42 el renderings still proposed


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


SMALL_GLOSSARY = (
    "id,term,variants,dnt,case_sensitive,note,"
    "ru,ru_variants,ru_forms,ru_status,ru_reviewer,ru_date,ru_rejected,ru_note,"
    "tr,tr_variants,tr_status,tr_reviewer,tr_date,tr_rejected,tr_note\n"
    "nato,NATO,,no,yes,,НАТО,,,proposed,,,,,NATO,,approved,Ayşe,2024-11-05,,\n"
    "thaad,THAAD,,yes,yes,,THAAD,,,proposed,,,,,THAAD,,proposed,,,,\n"
    "ballistic-missile,ballistic missile,,no,no,,баллистическая ракета,,,proposed,,,,,"
    "balistik füze,,proposed,,,,\n"
    "ally,Ally,,no,yes,,союзник,,союзника|союзники,approved,Olga,2024-11-05,,,Müttefik,,proposed,,,,\n"
)


def test_propose_forms_fills_empty_forms_and_writes_a_loadable_glossary(tmp_path):
    from toolkit.terms.glossary import load_glossary

    path = tmp_path / "small.csv"
    path.write_text(SMALL_GLOSSARY, encoding="utf-8")

    dry = run_cli("glossary", "propose-forms", str(path), "--lang", "tr,ru", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "review" in dry.stdout and "NATO'nun" in dry.stdout and "баллистической ракеты" in dry.stdout
    assert "nothing written" in dry.stdout
    assert path.read_text(encoding="utf-8") == SMALL_GLOSSARY  # a dry run writes nothing

    real = run_cli("glossary", "propose-forms", "--glossary", str(path), "--lang", "tr,ru")
    assert real.returncode == 0, real.stderr
    assert "3 renderings with proposed forms to review" in real.stdout
    glossary = load_glossary(path)  # what was written parses back
    assert "tr_forms" in path.read_text(encoding="utf-8").splitlines()[0]  # the new column
    nato = glossary.get("nato").renderings
    assert nato["tr"].inflections == ["NATO'nun", "NATO'ya", "NATO'yu", "NATO'da", "NATO'dan"]
    assert (nato["tr"].status, nato["tr"].reviewer) == ("approved", "Ayşe")  # status left as it is
    assert glossary.get("thaad").renderings["tr"].inflections[0] == "THAAD'ın"
    assert glossary.get("ballistic-missile").renderings["ru"].inflections[:2] == [
        "баллистической ракеты", "баллистической ракете",
    ]
    assert glossary.get("ballistic-missile").renderings["ru"].status == "proposed"
    assert glossary.get("ally").renderings["ru"].inflections == ["союзника", "союзники"]  # untouched

    again = run_cli("glossary", "propose-forms", str(path))  # default --lang tr,ru
    assert again.returncode == 0, again.stderr
    assert "0 renderings" in again.stdout  # nothing left empty that it can fill


def test_propose_forms_uses_the_default_glossary(tmp_path):
    (tmp_path / "glossaries").mkdir()
    default = tmp_path / "glossaries" / "defense.csv"
    default.write_text(SMALL_GLOSSARY, encoding="utf-8")
    result = run_cli("glossary", "propose-forms", "--lang", "tr", "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "THAAD'dan" in result.stdout and "баллистической" not in result.stdout
    bad = run_cli("glossary", "propose-forms", "--lang", "el", cwd=tmp_path)
    assert bad.returncode != 0 and "no form generator for 'el'" in bad.stdout + bad.stderr
    assert default.read_text(encoding="utf-8") == SMALL_GLOSSARY
