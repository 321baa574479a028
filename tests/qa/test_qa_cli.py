"""QA, language detection and the review page through the real CLI on fixture-model catalogs."""

from __future__ import annotations

import json

import pytest

from conftest import ARTICLE, invoke, run_cli


@pytest.fixture(scope="module")
def locales(installed_models, tmp_path_factory):
    root = tmp_path_factory.mktemp("qa")
    result = run_cli(
        "translate", str(ARTICLE), "--out", str(root / "out"), "--locales", str(root / "locales"),
    )
    assert result.returncode == 0, result.stderr
    return root / "locales"


@pytest.mark.slow
def test_qa_flags_the_pseudo_language_as_wrong_language(locales):
    result = run_cli("qa", str(locales), "--json")
    assert result.returncode == 1  # errors found
    reports = json.loads(result.stdout)
    assert sorted(r["lang"] for r in reports) == ["de", "el", "ru", "tr"]
    for report in reports:
        wrong = [f for f in report["findings"] if f["check"] == "wrong-language"]
        assert len(wrong) >= 10, report["lang"]  # it is not Greek/Russian/German/Turkish
        assert all(f["severity"] == "error" and f["line"] for f in wrong)
        # beside the catalog line, where the paragraph is in the article (its #: reference)
        assert all(f["source"].startswith("examples/article.txt:") for f in wrong), wrong[0]
    po = locales / "de" / "LC_MESSAGES" / "article.po"
    text = po.read_text(encoding="utf-8").splitlines()
    finding = next(f for r in reports if r["lang"] == "de" for f in r["findings"])
    entry_lines = text[finding["line"] - 1:]
    reference = next(line for line in entry_lines if line.startswith("#: "))
    assert reference == "#: " + finding["source"]


def test_translate_writes_qa_findings_into_the_catalog(locales):
    po = (locales / "el" / "LC_MESSAGES" / "article.po").read_text(encoding="utf-8")
    assert "# QA: error [wrong-language]" in po


@pytest.mark.slow
def test_qa_table_and_exit_codes(locales, tmp_path):
    table = run_cli("qa", str(locales / "de" / "LC_MESSAGES" / "article.po"))
    assert table.returncode == 1 and "wrong-language" in table.stdout
    clean = tmp_path / "clean.po"
    clean.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "The meeting lasted three hours."\nmsgstr "Das Treffen dauerte drei Stunden."\n',
        encoding="utf-8",
    )
    assert run_cli("qa", str(clean)).returncode == 0


@pytest.mark.slow
def test_detect(tmp_path):
    result = invoke("detect", str(ARTICLE))
    assert result.returncode == 0 and result.stdout.split()[0] == "en"
    greek = tmp_path / "el.txt"
    greek.write_text(
        "Η Συμμαχία του ΝΑΤΟ συνεδρίασε στις Βρυξέλλες για την αεράμυνα της Ευρώπης. "
        "Οι υπουργοί Άμυνας συζήτησαν την ενίσχυση της συνεργασίας με το Ισραήλ.",
        encoding="utf-8",
    )
    assert invoke("detect", str(greek)).stdout.split()[0] == "el"
    refused = run_cli("translate", str(greek), "--to", "de", "--out", str(tmp_path / "o"))
    assert refused.returncode == 1
    assert "looks like 'el'" in refused.stderr and "--from el" in refused.stderr


@pytest.mark.slow
def test_report_for_a_domain(locales, tmp_path):
    out = tmp_path / "review.html"
    result = run_cli("report", "article", "--locales", str(locales), "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    for lang in ("el", "ru", "de", "tr"):
        assert f'lang="{lang}"' in page or f"data-lang=\"{lang}\"" in page
    assert "wrong-language" in page
