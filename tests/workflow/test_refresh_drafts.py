"""Machine drafts follow the engine and the glossary (issue #20): switch an engine, change a
rendering, re-run, and exactly the affected unreviewed drafts are made again; human work never.

Everything through the real CLI, the fixture Argos packages and the fixture CTranslate2 model.
"""

from __future__ import annotations

import csv
import shutil

import polib
import pytest

from toolkit.config import EngineSpec
from toolkit.l10n.comments import GLOSSARY_PREFIX, glossary_fingerprint, machine_engine
from toolkit.l10n.plan import DraftPolicy, Refresh
from toolkit.mt.registry import engine_id
from toolkit.terms.glossary import load_glossary

from conftest import ROOT, run_cli

MARIAN = ROOT / "tests" / "fixtures" / "ct2" / "marian-en-xx"
ALLIANCE = "NATO met in Brussels on Monday."
CLAUSE = "Article 5 was not invoked."
PLAIN = "The talks will continue next week."


def _set_rendering(path, concept_id: str, lang: str, text: str) -> None:
    """What `toolkit glossary import` or a terminologist's edit does to one rendering."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0])
    for row in rows:
        if row["id"] == concept_id:
            row[lang], row[f"{lang}_variants"] = text, ""
            if f"{lang}_forms" in row:  # the forms were those of the old rendering
                row[f"{lang}_forms"] = ""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _catalog(ws, lang):
    return polib.pofile(str(ws / "locales" / lang / "LC_MESSAGES" / "article.po"))


def _engines(ws, lang) -> dict[str, str | None]:
    return {e.msgid: machine_engine(e) if e.fuzzy else "reviewed" for e in _catalog(ws, lang)}


def _entries(ws, lang) -> list[tuple]:
    return [(e.msgid, e.msgstr, e.flags, machine_engine(e) if e.fuzzy else None) for e in _catalog(ws, lang)]


def _review(ws, lang, msgid, msgstr) -> None:
    po = _catalog(ws, lang)
    entry = po.find(msgid)
    entry.msgstr, entry.flags = msgstr, []
    po.save()


@pytest.fixture
def workspace(installed_models, tmp_path):
    (tmp_path / "article.txt").write_text(f"{ALLIANCE}\n\n{CLAUSE}\n\n{PLAIN}\n", encoding="utf-8")
    shutil.copy(ROOT / "glossaries" / "defense.csv", tmp_path / "terms.csv")
    return tmp_path


def translate(ws, *extra):
    done = run_cli("translate", "article.txt", "--to", "de,tr", "--glossary", "terms.csv", "--no-cache",
                   "--no-tm", "--locales", "locales", "--out", "out", *extra, cwd=ws)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_switch_engine_change_rendering_rerun_refreshes_exactly_the_affected_drafts(workspace) -> None:
    ws = workspace
    translate(ws)
    argos_de = machine_engine(_catalog(ws, "de").find(ALLIANCE))
    assert argos_de == "argos:en-de@0.1"
    _review(ws, "de", PLAIN, "Die Gespräche gehen nächste Woche weiter.")
    _review(ws, "tr", ALLIANCE, "NATO pazartesi günü Brüksel'de toplandı.")

    # 1. German moves to the CTranslate2 model: its two drafts are redone, the review stays
    tr_before = _entries(ws, "tr")
    out = translate(ws, "--engine", f"de=ct2:{MARIAN}")
    assert "refreshed machine drafts: de 2 (another engine made them)" in out
    marian = engine_id("en", "de", EngineSpec(kind="ct2", path=str(MARIAN)))
    assert marian is not None and marian.startswith("ct2:marian:marian-en-xx:en-de@")
    assert _engines(ws, "de") == {ALLIANCE: marian, CLAUSE: marian, PLAIN: "reviewed"}
    assert _catalog(ws, "de").find(PLAIN).msgstr == "Die Gespräche gehen nächste Woche weiter."
    assert _entries(ws, "tr") == tr_before  # its engine stayed

    # 2. nothing changed: nothing is redone, not a byte moves
    def files():
        return {lang: (ws / f"locales/{lang}/LC_MESSAGES/article.po").read_bytes() for lang in ("de", "tr")}

    before = files()
    out = translate(ws, "--engine", f"de=ct2:{MARIAN}")
    assert "refreshed" not in out
    assert files() == before

    # 3. the terminologist changes Article 5 in German and Turkish: only drafts with that term
    old_clause = {lang: _catalog(ws, lang).find(CLAUSE).tcomment for lang in ("de", "tr")}
    _set_rendering(ws / "terms.csv", "article-5", "de", "Art. 5")
    _set_rendering(ws / "terms.csv", "article-5", "tr", "Madde 5")
    out = translate(ws, "--engine", f"de=ct2:{MARIAN}")
    assert "refreshed machine drafts: de 1 (their glossary entries changed); " \
           "tr 1 (their glossary entries changed)" in out
    for lang, rendering in (("de", "Art. 5"), ("tr", "Madde 5")):
        clause = _catalog(ws, lang).find(CLAUSE)
        assert clause.tcomment != old_clause[lang]
        assert f"Term: Article 5 -> {rendering}" in clause.tcomment
        glossary = load_glossary(ws / "terms.csv")
        assert f"{GLOSSARY_PREFIX}{glossary_fingerprint(glossary, CLAUSE, lang)}" in clause.tcomment
    assert _engines(ws, "de")[ALLIANCE] == marian and _engines(ws, "tr")[ALLIANCE] == "reviewed"

    # 4. --refresh-drafts redoes every draft, and still no reviewed translation
    out = translate(ws, "--engine", f"de=ct2:{MARIAN}", "--refresh-drafts")
    assert "refreshed machine drafts: de 2 (--refresh-drafts); tr 2 (--refresh-drafts)" in out
    assert _catalog(ws, "de").find(PLAIN).msgstr == "Die Gespräche gehen nächste Woche weiter."
    assert _catalog(ws, "tr").find(ALLIANCE).msgstr == "NATO pazartesi günü Brüksel'de toplandı."


def test_an_edited_draft_is_human_work_and_never_refreshed(workspace) -> None:
    ws = workspace
    translate(ws)
    po = _catalog(ws, "de")
    entry = po.find(CLAUSE)
    entry.msgstr += " (geprüft)"  # improved, left fuzzy until the translator is done
    po.save()
    out = translate(ws, "--engine", f"de=ct2:{MARIAN}", "--refresh-drafts")
    assert _catalog(ws, "de").find(CLAUSE).msgstr.endswith(" (geprüft)")
    assert "de 2 (--refresh-drafts)" in out  # the other two drafts


def test_draft_policy_reasons(workspace) -> None:
    glossary = load_glossary(ROOT / "glossaries" / "defense.csv")
    draft = polib.POEntry(msgid=CLAUSE, msgstr="x", flags=["fuzzy"], tcomment="MT: argos:en-de@0.1")
    assert DraftPolicy("de", "argos:en-de@0.1").outdated(draft, CLAUSE) is None
    assert DraftPolicy("de", "argos:en-de@0.2").outdated(draft, CLAUSE) == Refresh.ENGINE
    assert DraftPolicy("de", None, refresh_all=True).outdated(draft, CLAUSE) == Refresh.FORCED
    # made without a glossary (no Term: line), the text has a term now
    assert DraftPolicy("de", None, glossary).outdated(draft, CLAUSE) == Refresh.GLOSSARY
    # a draft written before MT-Glossary existed, with its Term: lines, is left alone
    draft.tcomment += "\nTerm: Article 5 -> Artikel 5 (mask)"
    assert DraftPolicy("de", None, glossary).outdated(draft, CLAUSE) is None
    draft.tcomment += f"\n{GLOSSARY_PREFIX}{glossary_fingerprint(glossary, CLAUSE, 'de')}"
    assert DraftPolicy("de", None, glossary).outdated(draft, CLAUSE) is None
    assert DraftPolicy("tr", None, glossary).outdated(draft, CLAUSE) == Refresh.GLOSSARY
    # approving the rendering changes nothing enforcement uses: the draft stays; rejecting it does not
    glossary.get("article-5").renderings["de"].status = "approved"
    assert DraftPolicy("de", None, glossary).outdated(draft, CLAUSE) is None
    glossary.get("article-5").renderings["de"].status = "rejected"
    assert DraftPolicy("de", None, glossary).outdated(draft, CLAUSE) == Refresh.GLOSSARY
    assert glossary_fingerprint(glossary, PLAIN, "de") is None  # no term: nothing to compare
    reviewed = polib.POEntry(msgid=CLAUSE, msgstr="x", tcomment="MT: argos:en-de@0.1")
    assert DraftPolicy("de", "other", refresh_all=True).outdated(reviewed, CLAUSE) is None


def test_an_engine_is_identified_without_loading_it_as_loading_names_it(installed_models) -> None:
    from toolkit.mt.registry import load_engine

    ct2 = EngineSpec(kind="ct2", path=str(MARIAN))
    assert engine_id("en", "de") == load_engine("en", "de").model_id == "argos:en-de@0.1"
    assert engine_id("en", "de", ct2) == load_engine("en", "de", spec=ct2).model_id
    assert engine_id("en", "xx") is None  # nothing installed: nothing to compare
    assert engine_id("en", "de", EngineSpec(kind="ct2", path="/nonexistent")) is None
    server = EngineSpec(kind="libretranslate", url="http://user:secret@lt.example:5000/")
    assert engine_id("en", "de", server) == "libretranslate:http://***@lt.example:5000:en-de"  # no secret
