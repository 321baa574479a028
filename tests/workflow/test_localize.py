"""End to end: article -> catalogs with the real fixture models, and the translator's re-run."""

from __future__ import annotations

import gettext
import subprocess

import polib
import pytest

from toolkit.errors import ModelNotInstalled, ToolkitError
from toolkit.formats.document import parse_document, read_document
from toolkit.formats.po import read_po
from toolkit.l10n.compile import compile_catalog
from toolkit.l10n.translate import mt_text
from toolkit.mt.argos import ArgosEngine
from toolkit.mt.cache import CachedEngine, TranslationCache
from toolkit.mt.packages import find_model
from toolkit.terms.glossary import load_glossary
from toolkit.workflow.localize import localize_document, localize_documents

from conftest import ARTICLE, ROOT, run_cli
from pseudo import expected_translation

ARTICLE_V1 = """Alliance news

NATO ministers met in Brussels on Monday.

The meeting lasted three hours. Officials said little.

A final paragraph closes the story.
"""


class Counting:
    """The real engine, counting model calls and the sentences sent to the model."""

    def __init__(self, engine):
        self.engine = engine
        self.sentences: list[str] = []

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def translate(self, sentences, **kwargs):
        self.sentences += list(sentences)
        return self.engine.translate(sentences, **kwargs)


@pytest.fixture
def loader(installed_models, tmp_path):
    """Real engines behind the real persistent cache (a fresh one per test)."""
    engines = {}
    cache = TranslationCache(tmp_path / "cache.sqlite3")

    def load(src, tgt):
        if tgt not in engines:
            engines[tgt] = Counting(ArgosEngine(find_model(src, tgt), threads=2))
        return CachedEngine(engines[tgt], cache)

    load.engines = engines
    return load


def msgfmt_check(path):
    result = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_article_to_catalogs(loader, tmp_path):
    doc = read_document(ARTICLE)
    glossary = load_glossary(ROOT / "glossaries" / "defense.csv")
    reports = localize_document(
        doc, ["el", "de"], locales_dir=tmp_path, out_dir=tmp_path / "out", engine_loader=loader,
        glossary=glossary,
    )
    msgfmt_check(tmp_path / "article.pot")
    for report in reports:
        msgfmt_check(report.po_path)
        po = polib.pofile(str(report.po_path))
        assert len(po) == len(doc.blocks)
        assert all(e.fuzzy and e.msgstr for e in po)
        assert any(f"MT: argos:en-{report.lang}@" in e.tcomment for e in po)
        assert any("Term: NATO" in e.tcomment for e in po)
        assert po[0].occurrences[0] == ("examples/article.txt", "1")  # relative to the project folder
        assert po.metadata["Language"] == report.lang and "Plural-Forms" in po.metadata
    el = polib.pofile(str(tmp_path / "el" / "LC_MESSAGES" / "article.po"))
    assert "ΝΑΤΟ" in "".join(e.msgstr for e in el)


@pytest.mark.slow
def test_translator_workflow_rerun(loader, tmp_path):
    src = tmp_path / "story.txt"
    src.write_text(ARTICLE_V1, encoding="utf-8")
    localize_document(read_document(src), ["de"], locales_dir=tmp_path / "loc", engine_loader=loader)
    po_file = tmp_path / "loc" / "de" / "LC_MESSAGES" / "story.po"
    po = polib.pofile(str(po_file))
    # the translator reviews two entries
    po[0].msgstr = "Bündnisnachrichten"
    po[0].flags.remove("fuzzy")
    po[2].msgstr = "Das Treffen dauerte drei Stunden. Die Beamten sagten wenig."
    po[2].flags.remove("fuzzy")
    po.save(str(po_file))
    reviewed_bytes = po[0].msgstr.encode()

    # unchanged article: no model call, no model even loaded
    loader.engines.clear()
    localize_document(read_document(src), ["de"], locales_dir=tmp_path / "loc", engine_loader=loader)
    assert loader.engines == {}

    # edit: paragraph 3 (reviewed) changes one sentence, paragraph 4 deleted, a new one added
    v2 = ARTICLE_V1.replace("Officials said little.", "Officials said nothing at all.")
    v2 = v2.replace("A final paragraph closes the story.\n", "THAAD batteries were discussed.\n")
    src.write_text(v2, encoding="utf-8")
    reports = localize_document(
        read_document(src), ["de"], locales_dir=tmp_path / "loc", engine_loader=loader
    )
    msgfmt_check(po_file)
    assert reports[0].plan == {
        "keep": 2, "review-changed": 1, "translate": 1, "obsolete": 1, "replaced": 0, "refreshed": 0
    }
    # the model saw exactly the new and the changed sentence: the unchanged sentence of the
    # changed paragraph came from the translation cache, untouched paragraphs were not asked for
    assert loader.engines["de"].sentences == [
        "Officials said nothing at all.",
        "THAAD batteries were discussed.",
    ]

    po = polib.pofile(str(po_file))
    by_id = {e.msgid: e for e in po if not e.obsolete}
    assert by_id["Alliance news"].msgstr.encode() == reviewed_bytes and not by_id["Alliance news"].fuzzy
    changed = by_id["The meeting lasted three hours. Officials said nothing at all."]
    assert changed.fuzzy and changed.msgstr.startswith("Das Treffen dauerte")
    assert changed.previous_msgid == "The meeting lasted three hours. Officials said little."
    assert "Suggestion (MT)" in changed.tcomment
    new = by_id["THAAD batteries were discussed."]
    assert new.fuzzy and new.msgstr == expected_translation(mt_text(new.msgid))
    assert [e.msgid for e in po.obsolete_entries()] == ["A final paragraph closes the story."]


@pytest.mark.slow
def test_compile_and_read_back_with_gettext(loader, tmp_path):
    src = tmp_path / "story.txt"
    src.write_text(ARTICLE_V1, encoding="utf-8")
    localize_document(read_document(src), ["de"], locales_dir=tmp_path / "loc", engine_loader=loader)
    po_file = tmp_path / "loc" / "de" / "LC_MESSAGES" / "story.po"
    po = read_po(po_file)
    po[0].msgstr = "Bündnisnachrichten"
    po[0].flags.remove("fuzzy")
    po.save(str(po_file))
    result = run_cli("compile", "--locales", str(tmp_path / "loc"))
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "loc" / "de" / "LC_MESSAGES" / "story.mo", "rb") as fh:
        tr = gettext.GNUTranslations(fh)
    assert tr.gettext("Alliance news") == "Bündnisnachrichten"
    assert tr.gettext("A final paragraph closes the story.") == "A final paragraph closes the story."
    fuzzy = compile_catalog(po_file, tmp_path / "all.mo", use_fuzzy=True)
    with open(fuzzy, "rb") as fh:
        assert gettext.GNUTranslations(fh).gettext("A final paragraph closes the story.") != (
            "A final paragraph closes the story."
        )


@pytest.mark.slow
def test_render_command_rebuilds_the_article(loader, tmp_path):
    src = tmp_path / "story.txt"
    src.write_text(ARTICLE_V1, encoding="utf-8")
    localize_document(read_document(src), ["de"], locales_dir=tmp_path / "loc", engine_loader=loader)
    po_file = tmp_path / "loc" / "de" / "LC_MESSAGES" / "story.po"
    result = run_cli("render", str(po_file), "--out", str(tmp_path / "de.txt"), "--include-fuzzy")
    assert result.returncode == 0, result.stderr
    rendered = parse_document((tmp_path / "de.txt").read_text(encoding="utf-8"), "txt")
    assert len(rendered.blocks) == 4
    assert rendered.blocks[1].text == expected_translation("NATO ministers met in Brussels on Monday.")
    plain = run_cli("render", str(po_file), "--out", str(tmp_path / "src.txt"))
    assert "4 blocks left in the source language" in plain.stdout
    assert (tmp_path / "src.txt").read_text(encoding="utf-8") == ARTICLE_V1


def test_progress_moves_while_the_model_decodes(installed_models, tmp_path):
    """Per language, the progress callback hears how many sentences are done after every chunk
    the model finishes (a small token budget makes several chunks of one call)."""
    import re

    docs = []
    for i in range(3):
        path = tmp_path / f"story{i}.txt"
        sentences = [f"Officials in city {i} met {n} times on Monday." for n in range(6)]
        path.write_text(f"Story {i} headline\n\n" + " ".join(sentences) + "\n", encoding="utf-8")
        docs.append(read_document(path))
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    heard: list[tuple[str, str]] = []
    localize_documents(
        docs, ["de"], locales_dir=tmp_path / "loc", progress=lambda lang, stage: heard.append((lang, stage)),
        engine_loader=lambda src, tgt: CachedEngine(ArgosEngine(find_model(src, tgt), threads=2,
                                                                token_budget=16), cache),
    )
    said = [stage for _, stage in heard]
    counts = [int(m.group(1)) for stage in said if (m := re.match(r"translating \((\d+) sentences, ", stage))]
    assert len(counts) > 2 and counts == sorted(counts)
    assert counts[-1] == 3 * 7  # every sentence, heard of chunk by chunk
    assert heard[-3:] == [("de", "article")] * 3  # each article written, after its translation


@pytest.mark.slow
def test_many_articles_share_one_model_call_per_language(loader, tmp_path):
    docs = []
    for i in range(3):
        path = tmp_path / f"story{i}.txt"
        text = f"Story {i} headline\n\nNATO ministers met {i + 2} times this year.\n"
        path.write_text(text, encoding="utf-8")
        docs.append(read_document(path))
    reports = localize_documents(docs, ["de", "el"], locales_dir=tmp_path / "loc", engine_loader=loader)
    for lang in ("de", "el"):
        assert loader.engines[lang].calls == 1  # all three articles in one translate_batch call
    for i, per_lang in enumerate(reports):
        assert [r.lang for r in per_lang] == ["de", "el"]
        for r in per_lang:
            assert r.po_path == tmp_path / "loc" / r.lang / "LC_MESSAGES" / f"story{i}.po"
            msgfmt_check(r.po_path)
            po = polib.pofile(str(r.po_path))
            assert po[1].msgstr == expected_translation(f"NATO ministers met {i + 2} times this year.")


@pytest.mark.slow
def test_translate_batch_command(installed_models, tmp_path):
    for i in range(3):
        text = f"# Title {i}\n\nThe *minister* spoke {i} times.\n"
        (tmp_path / f"a{i}.md").write_text(text, encoding="utf-8")
    result = run_cli(
        "translate-batch", str(tmp_path / "*.md"), "--to", "de", "--out", str(tmp_path / "out"),
        "--locales", str(tmp_path / "loc"), "--no-glossary", "--no-cache",
    )
    assert result.returncode == 0, result.stderr
    assert "model calls per language: {'de': 1}" in result.stdout
    for i in range(3):
        assert (tmp_path / "loc" / "de" / "LC_MESSAGES" / f"a{i}.po").is_file()
        out = (tmp_path / "out" / f"a{i}.de.md").read_text(encoding="utf-8")
        assert out.startswith("# ") and "*" in out  # Markdown structure and emphasis kept


@pytest.mark.slow
def test_four_languages_hold_one_model_at_a_time_and_write_only_after_all(loader, tmp_path):
    """Memory: a language's model is in memory only while its batch runs (bench: peak RSS)."""
    seen = []

    class Watching(Counting):
        def translate(self, sentences, **kwargs):
            loaded = {lang for lang, e in loader.engines.items() if e.translator.model_is_loaded}
            seen.append((self.lang, loaded, sorted(p.name for p in tmp_path.rglob("*.po*"))))
            return super().translate(sentences, **kwargs)

    def load(src, tgt):
        engine = loader(src, tgt)
        if not isinstance(loader.engines[tgt], Watching):
            watched = Watching(loader.engines[tgt].engine)
            watched.lang = tgt
            loader.engines[tgt] = watched
            engine.engine = watched
        return engine

    doc = read_document(ARTICLE)
    localize_document(doc, ["el", "ru", "de", "tr"], locales_dir=tmp_path / "loc", engine_loader=load)
    langs = [lang for lang, _, _ in seen]
    assert sorted(set(langs)) == ["de", "el", "ru", "tr"]
    for lang, loaded, written in seen:
        assert loaded <= {lang}  # nothing else loaded (the model itself reloads inside the call)
        assert written == []  # no catalog is written before every language is translated
    assert not any(e.translator.model_is_loaded for e in loader.engines.values())
    assert len(list((tmp_path / "loc").rglob("*.po"))) == 4


@pytest.mark.slow
def test_skip_missing_skips_only_a_missing_model_not_a_failing_engine(loader, tmp_path):
    """`--skip-missing` is for languages without an installed model; a LibreTranslate server that
    is down is an error like any other, even with it."""
    doc = parse_document(ARTICLE_V1, "txt", "story.txt")

    def down(src, tgt):
        if tgt == "fr":
            raise ToolkitError("LibreTranslate at http://127.0.0.1:9 is unreachable (connection refused)")
        return loader(src, tgt)

    with pytest.raises(ToolkitError, match="is unreachable") as caught:
        localize_document(doc, ["de", "fr"], locales_dir=tmp_path / "loc", engine_loader=down,
                          skip_missing=True)
    assert not isinstance(caught.value, ModelNotInstalled)
    assert not (tmp_path / "loc").exists() or not list((tmp_path / "loc").rglob("*.po*"))

    def missing(src, tgt):
        if tgt == "fr":
            raise ModelNotInstalled(f"no model installed for {src}->{tgt}")
        return loader(src, tgt)

    de, fr = localize_document(doc, ["de", "fr"], locales_dir=tmp_path / "loc", engine_loader=missing,
                               skip_missing=True)
    assert not de.missing_model and de.result is not None
    assert fr.missing_model and fr.result is None
    entries = [e for e in read_po(fr.po_path) if not e.obsolete]
    assert entries and all(e.msgstr == "" for e in entries)
    with pytest.raises(ModelNotInstalled, match="no model installed for en->fr"):
        localize_document(doc, ["fr"], locales_dir=tmp_path / "loc2", engine_loader=missing)


def test_find_model_says_no_model_installed(installed_models):
    with pytest.raises(ModelNotInstalled, match="no model installed for en->xx"):
        find_model("en", "xx")


def test_an_interrupted_batch_resumes_without_redecoding_what_it_kept(installed_models, tmp_path):
    """Ctrl-C half-way through an archive's model call: the chunks decoded before it are in the
    cache, nothing is written; the next run sends the model only the rest (issue #18)."""
    sentences = [f"Officials in city {i} met {n} times on Monday." for i in range(4) for n in range(8)]
    docs = []
    for i in range(4):
        path = tmp_path / f"story{i}.txt"
        path.write_text(" ".join(sentences[i * 8:(i + 1) * 8]) + "\n", encoding="utf-8")
        docs.append(read_document(path))

    class Interrupting:
        """The real translator; Ctrl-C arrives during its third sub-batch."""

        def __init__(self, real):
            self.real, self.batches, self.decoded = real, 0, 0

        def translate_batch(self, source, *args, **kwargs):
            self.batches += 1
            if self.batches == 3:
                raise KeyboardInterrupt
            self.decoded += len(source)
            return self.real.translate_batch(source, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(self.real, name)

    def engine():
        return ArgosEngine(find_model("en", "de"), threads=2, token_budget=16)

    cache = TranslationCache(tmp_path / "cache.sqlite3")
    first = engine()
    first.translator = Interrupting(first.translator)
    with pytest.raises(KeyboardInterrupt):
        localize_documents(docs, ["de"], locales_dir=tmp_path / "loc",
                           engine_loader=lambda src, tgt: CachedEngine(first, cache))
    assert not (tmp_path / "loc" / "de").exists()  # nothing half written
    assert 0 < first.translator.decoded < len(sentences)

    again = Counting(engine())
    localize_documents(docs, ["de"], locales_dir=tmp_path / "loc",
                       engine_loader=lambda src, tgt: CachedEngine(again, cache))
    assert len(again.sentences) == len(sentences) - first.translator.decoded  # only the rest
    # the same catalogs as one uninterrupted run
    localize_documents(docs, ["de"], locales_dir=tmp_path / "fresh",
                       engine_loader=lambda src, tgt: engine())
    for i in range(4):
        resumed, fresh = (polib.pofile(str(tmp_path / d / "de" / "LC_MESSAGES" / f"story{i}.po"))
                          for d in ("loc", "fresh"))
        assert [(e.msgid, e.msgstr) for e in resumed] == [(e.msgid, e.msgstr) for e in fresh]
