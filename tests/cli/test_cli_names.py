"""One name per concept across commands (old names still work, hidden), `glossary stats
--blocking` exit status, and error messages that name only options that exist."""

from __future__ import annotations

import gettext

import pytest

from conftest import GLOSSARY, invoke, run_cli

PO = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: el\\n"

msgid "Reviewed"
msgstr "Ελεγμένο"

#, fuzzy
msgid "Draft"
msgstr "Πρόχειρο"
'''


def _locales(tmp_path):
    folder = tmp_path / "locales" / "el" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "article.po").write_text(PO, encoding="utf-8")
    return tmp_path / "locales", folder / "article.mo"


@pytest.mark.parametrize(("flags", "draft"), [
    ((), "Draft"), (("--include-fuzzy",), "Πρόχειρο"), (("--use-fuzzy",), "Πρόχειρο"),
])
def test_compile_include_fuzzy_and_its_old_name(tmp_path, flags, draft):
    locales, mo = _locales(tmp_path)
    result = run_cli("compile", "--locales", str(locales), *flags)
    assert result.returncode == 0, result.stderr
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    assert catalog.gettext("Reviewed") == "Ελεγμένο"
    assert catalog.gettext("Draft") == draft


def test_old_name_is_hidden_and_new_name_matches_render():
    compile_help = invoke("compile", "--help").stdout
    render_help = invoke("render", "--help").stdout
    assert "--include-fuzzy" in compile_help and "--include-fuzzy" in render_help
    assert "--use-fuzzy" not in compile_help


def test_glossary_stats_blocking_exit_status(tmp_path):
    blocked = invoke("glossary", "stats", "--blocking", "--glossary", str(GLOSSARY))
    assert blocked.returncode == 1  # the shipped glossary is all proposed
    assert "nato" in blocked.stdout
    approved = tmp_path / "approved.csv"
    approved.write_text(
        GLOSSARY.read_text(encoding="utf-8").replace(",proposed,", ",approved,"), encoding="utf-8"
    )
    clear = invoke("glossary", "stats", "--blocking", "--glossary", str(approved))
    assert clear.returncode == 0, clear.stdout + clear.stderr
    assert invoke("glossary", "stats", "--glossary", str(GLOSSARY)).returncode == 0


def test_unknown_extension_error_names_no_missing_option(tmp_path):
    article = tmp_path / "report.rtf"
    article.write_text("Hello.\n", encoding="utf-8")
    result = run_cli("translate", str(article), "--to", "el", "--no-glossary")
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert "cannot tell the format" in line and "report.rtf" in line
    assert "--format" not in line and ".md" in line


def test_glossary_lint_takes_glossary_like_the_other_commands(tmp_path):
    as_arg = invoke("glossary", "lint", str(GLOSSARY))
    as_option = invoke("glossary", "lint", "--glossary", str(GLOSSARY))
    assert as_arg.returncode == as_option.returncode
    assert as_arg.stdout == as_option.stdout and str(GLOSSARY) in as_option.stdout


@pytest.mark.parametrize("command", [("translate",), ("render",), ("report",), ("glossary", "export"),
                                     ("tm", "export")])
def test_out_has_the_same_short_name_everywhere(command):
    assert "-o" in invoke(*command, "--help").stdout.replace("--out", "")
