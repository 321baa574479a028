"""The `toolkit` command line, invoked for real in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from toolkit import __version__
from toolkit.formats.document import read_document
from toolkit.l10n.translate import mt_text
from toolkit.segment import join, segment_block

from conftest import ARTICLE, ROOT, find_row, invoke, run_cli
from pseudo import expected_translation

SUBCOMMANDS = [
    ("translate",),
    ("models",),
    ("models", "list"),
    ("models", "available"),
    ("models", "install"),
    ("models", "remove"),
    ("models", "convert"),
    ("models", "engines"),
    ("glossary",),
    ("glossary", "init"),
    ("glossary", "lint"),
    ("glossary", "propose-forms"),
    ("glossary", "check"),
    ("glossary", "export"),
    ("glossary", "import"),
    ("glossary", "extract"),
    ("glossary", "stats"),
    ("translate-batch",),
    ("compile",),
    ("detect",),
    ("qa",),
    ("report",),
    ("render",),
    ("eval",),
    ("cache",),
    ("cache", "info"),
    ("cache", "clear"),
    ("tm",),
    ("tm", "stats"),
    ("tm", "search"),
    ("tm", "import"),
    ("tm", "export"),
]


def test_version():
    result = invoke("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"toolkit {__version__}"


def test_the_list_above_is_every_command():
    import typer

    from toolkit.cli.app import app

    def walk(command, path=()):
        yield path
        for name, sub in getattr(command, "commands", {}).items():  # a group: its subcommands
            yield from walk(sub, (*path, name))

    assert set(walk(typer.main.get_command(app))) - {()} == set(SUBCOMMANDS)


@pytest.mark.parametrize("args", SUBCOMMANDS)
def test_every_command_explains_itself(args):
    result = invoke(*args, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout and len(result.stdout.splitlines()) > 4


def test_help_imports_neither_ctranslate2_nor_argostranslate():
    code = (
        "import sys, json\n"
        "sys.argv = ['toolkit', '--help']\n"
        "from toolkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('ctranslate2', 'argostranslate', 'sentencepiece', 'onnxruntime'))\n"
        "print(json.dumps(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


@pytest.mark.slow
def test_translate_example_article_gives_the_rule_output(installed_models, tmp_path):
    result = run_cli(
        "translate", str(ARTICLE), "--to", "de", "--out", str(tmp_path), "--locales", str(tmp_path / "loc"),
        "--no-glossary",  # the bare rule; glossary enforcement on the article is tested in test_terms
    )
    assert result.returncode == 0, result.stderr
    out = (tmp_path / "article.de.txt").read_text(encoding="utf-8")
    source = ARTICLE.read_text(encoding="utf-8")
    src_pars, out_pars = source.split("\n\n"), out.split("\n\n")
    assert len(out_pars) == len(src_pars) == 22
    for src, got in zip(src_pars, out_pars, strict=True):
        # the rule, sentence by sentence, with the paragraph's own spacing and line breaks
        segments = segment_block(src)
        assert got == join(src, segments, [expected_translation(mt_text(s.text)) for s in segments])
        assert got.count("\n") == src.count("\n")
    assert "de" in result.stdout and "sentences" in result.stdout


@pytest.mark.slow
def test_translate_four_languages_summary(installed_models, tmp_path):
    result = run_cli("translate", str(ARTICLE), "--out", str(tmp_path), "--locales", str(tmp_path / "loc"))
    assert result.returncode == 0, result.stderr
    blocks = read_document(ARTICLE).blocks
    assert f"{len(blocks)} paragraphs" in result.stdout
    for lang in ("el", "ru", "de", "tr"):
        assert (tmp_path / f"article.{lang}.txt").is_file()
        assert (tmp_path / "loc" / lang / "LC_MESSAGES" / "article.po").is_file()
        # lang | reused | translated | sentences | seconds | terms ok | n-best | masked | flagged
        row = find_row(result.stdout, lang)
        assert row[2:4] == [str(len(blocks)), "51"]
        assert sum(int(n) for n in row[5:9]) > 40  # glossary term occurrences in the article


def _one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.slow
def test_missing_model_names_the_install_command(empty_packages_dir, tmp_path):
    result = run_cli(
        "translate", str(ARTICLE), "--to", "tr", "--out", str(tmp_path), "--locales", str(tmp_path / "loc"),
        env={"ARGOS_PACKAGES_DIR": str(empty_packages_dir)},
    )
    assert "toolkit models install en tr" in _one_line_error(result)
    written = [p for p in tmp_path.rglob("*") if empty_packages_dir not in (p, *p.parents)]
    assert written == []  # nothing written, not even a lock or a folder: models are checked first


@pytest.mark.slow
def test_missing_file(tmp_path):
    line = _one_line_error(run_cli("translate", str(tmp_path / "nope.txt"), "--to", "de"))
    assert "nope.txt" in line


@pytest.mark.slow
def test_non_utf8_file(tmp_path):
    bad = tmp_path / "legacy.txt"
    bad.write_bytes("Η Ελλάδα και το ΝΑΤΟ.".encode("cp1253"))
    line = _one_line_error(
        run_cli("translate", str(bad), "--to", "de", "--out", str(tmp_path), "--locales", str(tmp_path))
    )
    assert "legacy.txt" in line
