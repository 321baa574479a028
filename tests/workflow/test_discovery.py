"""What the CLI asks the library to find: articles, catalogs, the default glossary; and
`translate ARTICLE...` / its alias `translate-batch`."""

from __future__ import annotations

import shutil

import polib
import pytest

from toolkit.errors import ToolkitError
from toolkit.l10n.discover import catalog_paths, catalog_source, locale_catalogs
from toolkit.l10n.publish import compile_locales
from toolkit.terms.default import SHIPPED_GLOSSARY, default_glossary_path, load_enforced_glossary
from toolkit.workflow.articles import discover_articles

from conftest import ROOT, run_cli


def _articles(folder, names=("b.md", "a.txt", "c.html", "notes.pdf")):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("The minister spoke.\n", encoding="utf-8")
    return folder


def test_discover_articles_folders_patterns_and_files(tmp_path):
    folder = _articles(tmp_path / "in")
    assert [p.name for p in discover_articles([folder])] == ["a.txt", "b.md", "c.html"]  # no .pdf
    assert [p.name for p in discover_articles([str(folder / "*.md"), str(folder / "a.txt")])] == [
        "b.md", "a.txt",
    ]
    missing = tmp_path / "gone.txt"
    assert discover_articles([missing]) == [missing]  # reading it names it (see test_cli)
    with pytest.raises(ToolkitError, match="no articles match"):
        discover_articles([str(tmp_path / "*.rst")])
    with pytest.raises(ToolkitError, match="no articles"):
        discover_articles([_articles(tmp_path / "empty", ())])


def test_catalog_discovery_and_compile(tmp_path):
    locales = tmp_path / "locales"
    for lang in ("el", "de"):
        po = polib.POFile()
        po.metadata = {"Language": lang, "Content-Type": "text/plain; charset=UTF-8"}
        po.append(polib.POEntry(msgid="Hello.", msgstr="Hallo.", occurrences=[("story.md", "1")]))
        (locales / lang / "LC_MESSAGES").mkdir(parents=True)
        po.save(str(locales / lang / "LC_MESSAGES" / "story.po"))
    found = locale_catalogs(locales)
    assert [p.parent.parent.name for p in found] == ["de", "el"]
    assert catalog_paths([locales]) == found and catalog_paths([found[0]]) == [found[0]]
    assert str(catalog_source(polib.pofile(str(found[0])), found[0])) == "story.md"
    with pytest.raises(ToolkitError, match="no such file"):
        catalog_paths([tmp_path / "nope"])
    with pytest.raises(ToolkitError, match="no catalogs under"):
        locale_catalogs(tmp_path / "nope")

    (locales / "el" / "LC_MESSAGES" / "story.po").write_text('msgid "x\n', encoding="utf-8")
    with pytest.raises(ToolkitError):
        compile_locales(locales)
    assert not list(locales.rglob("*.mo"))  # one broken catalog: nothing written
    (locales / "el" / "LC_MESSAGES" / "story.po").unlink()
    assert compile_locales(locales) == [locales / "de" / "LC_MESSAGES" / "story.mo"]


def test_default_glossary(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ToolkitError, match="no glossary here"):  # nothing here: no fallback (#20)
        default_glossary_path()
    (tmp_path / "glossaries").mkdir()
    shutil.copy(SHIPPED_GLOSSARY, tmp_path / "glossaries" / "defense.csv")
    assert default_glossary_path().resolve() == (tmp_path / "glossaries" / "defense.csv").resolve()
    assert load_enforced_glossary().concepts


@pytest.mark.slow
def test_translate_takes_several_articles_like_translate_batch(installed_models, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        text = f"# Title {i}\n\nThe *minister* spoke {i} times.\n"
        (folder / f"a{i}.md").write_text(text, encoding="utf-8")
    outputs = {}
    for command in ("translate", "translate-batch"):
        root = tmp_path / command
        result = run_cli(
            command, str(folder / "a0.md"), str(folder / "a1.md"), "--to", "de", "--out", str(root / "out"),
            "--locales", str(root / "loc"), "--no-glossary", "--no-cache",
        )
        assert result.returncode == 0, result.stderr
        assert "2 articles -> de" in result.stdout and "model calls per language: {'de': " in result.stdout
        outputs[command] = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.po"))
    assert outputs["translate"] == outputs["translate-batch"] == [
        "loc/de/LC_MESSAGES/a0.po", "loc/de/LC_MESSAGES/a1.po",
    ]
    refused = run_cli("translate", str(folder), "--domain", "x", "--to", "de", cwd=ROOT)
    assert refused.returncode == 1 and "--domain is for one article" in refused.stderr
