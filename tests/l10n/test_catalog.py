"""Gettext catalogs (toolkit.l10n.catalog): build, the translator's update workflow, compile, render.

No model here: machine output is plain `BlockResult` data, as `translate_blocks` would return it.
Every .po/.pot written is checked with the real `msgfmt -c` and `msgcat` and loaded by polib and Babel.
"""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

import polib
import pytest
from babel.messages.pofile import read_po as babel_read_po
from gettext_tools import assert_msgcat_clean
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.formats.document import Document, read_document
from toolkit.formats.po import read_po, write_po
from toolkit.l10n.catalog import build_catalog, build_template, po_path, pot_path
from toolkit.l10n.compile import compile_catalog
from toolkit.l10n.plan import KEEP, REVIEW_CHANGED, TRANSLATE, plan_update
from toolkit.l10n.render import render_catalog
from toolkit.l10n.translate import BlockResult
from toolkit.terms.enforce import SentenceOutcome as SentenceResult
from toolkit.terms.enforce import TermOutcome

from conftest import DOCS, ROOT

MODEL = "argos:en-de@1.0"
DAY1 = datetime(2024, 11, 4, 9, 30, tzinfo=timezone.utc)
DAY2 = datetime(2024, 11, 5, 16, 0, tzinfo=timezone.utc)
DAY3 = datetime(2024, 11, 6, 8, 15, tzinfo=timezone.utc)

HEADING = "NATO and Israel"
KEPT = "Greece (Brussels Morning) reports that NATO values its partnership with Israel."
REVIEWED = "The alliance has focused on the North Atlantic region for decades."
DRAFT = "Israel has worked closely with NATO in areas like counterterrorism and cybersecurity."
DEAR = "Dear reader,"
DELETED = "About Us"
V1 = [HEADING, KEPT, DEAR, REVIEWED, DRAFT, DEAR, DELETED]

REVIEWED_V2 = "The alliance has focused on the North Atlantic region for seven decades."
DRAFT_V2 = "Israel has worked closely with NATO in areas like counterterrorism and cyber defence."
ADDED = "Washington's support for Israel is facing growing criticism."
V2 = [HEADING, KEPT, DEAR, REVIEWED_V2, DRAFT_V2, DEAR, ADDED]

# What a (good) German model would say; anything else gets a visible stand-in.
GERMAN = {
    HEADING: "NATO und Israel",
    KEPT: "Griechenland (Brussels Morning) berichtet, dass die NATO ihre Partnerschaft mit Israel schätzt.",
    DEAR: "Liebe Leserin, lieber Leser,",
    REVIEWED: "Das Bündnis hat sich jahrzehntelang auf den Nordatlantikraum konzentriert.",
    REVIEWED_V2: "Das Bündnis konzentriert sich seit sieben Jahrzehnten auf den Nordatlantik.",
    DRAFT: "Israel hat eng mit der NATO in Bereichen wie Terrorismusbekämpfung und Cybersicherheit "
    "zusammengearbeitet.",
    DRAFT_V2: "Israel hat eng mit der NATO in Bereichen wie Terrorismusbekämpfung und Cyberabwehr "
    "zusammengearbeitet.",
    DELETED: "Über uns",
    ADDED: "Washingtons Unterstützung für Israel stößt auf wachsende Kritik.",
}
# What the translator wrote when reviewing.
HUMAN = {
    KEPT: "Griechenland (Brussels Morning): Die NATO schätzt ihre Partnerschaft mit Israel.",
    REVIEWED: "Seit Jahrzehnten konzentriert sich das Bündnis auf den Nordatlantik.",
    DELETED: "Über uns",
}


def fake_mt(text: str) -> str:
    return GERMAN.get(text, f"[de] {text}")


def results_for(blocks, translate=fake_mt) -> dict[int, BlockResult]:
    """Plain-data MT results, one sentence per block, as translate_blocks would return them."""
    out = {}
    for block in blocks:
        text = translate(block.text)
        out[block.index] = BlockResult(block.index, block.text, text, [SentenceResult(block.text, text)])
    return out


def article(tmp_path: Path, paragraphs: list[str], newline: str = "\n") -> Document:
    path = tmp_path / "article.txt"
    path.write_bytes((newline * 2).join(paragraphs).encode("utf-8") + newline.encode())
    return read_document(path)


# --- checking what we write ---------------------------------------------------------------------


def msgfmt(path: Path, *, strict: bool = True) -> None:
    """`msgfmt -c` must accept the file; for a .po not even a warning is acceptable."""
    exe = shutil.which("msgfmt")
    if exe is None:
        pytest.fail("msgfmt not found: install gettext (apt-get install gettext)")
    proc = subprocess.run([exe, "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    if strict:
        assert proc.stderr == "", proc.stderr


def write_checked(po: polib.POFile, path: Path, *, strict: bool = True) -> polib.POFile:
    """write_po, then msgfmt, polib and Babel must all read it; returns read_po's result."""
    write_po(po, path)
    msgfmt(path, strict=strict)
    assert_msgcat_clean(path)  # wrapped as GNU gettext (and so Poedit, Weblate) writes it
    assert len(polib.pofile(str(path))) == len(po)
    babel_read_po(io.BytesIO(path.read_bytes()), abort_invalid=True)
    return read_po(path)


def entry(po: polib.POFile, msgid: str, msgctxt: str | None = None) -> polib.POEntry:
    found = [e for e in po if e.msgid == msgid and e.msgctxt == msgctxt and not e.obsolete]
    assert len(found) == 1, (msgid, msgctxt, [(e.msgctxt, e.msgid) for e in po])
    return found[0]


def first_catalog(tmp_path: Path, *, context_duplicates: bool = False) -> tuple[Document, Path]:
    """Version 1 of the article, machine translated into a fresh de catalog."""
    doc = article(tmp_path, V1)
    plan = plan_update(doc, None, context_duplicates=context_duplicates)
    if context_duplicates:
        assert [p.action for p in plan.blocks] == [TRANSLATE] * len(V1)
        assert plan.needs_mt() == doc.blocks
    else:  # the second "Dear reader," is the first's entry: translated once
        assert [p.action for p in plan.blocks] == [TRANSLATE] * (len(V1) - 1)
        assert plan.needs_mt() == [b for b in doc.blocks if b.index != 5]
    results = results_for(plan.needs_mt())
    po = build_catalog(doc, "de", plan, results, model_id=MODEL, domain="article", now=DAY1)
    path = po_path(tmp_path / "locales", "de", "article")
    write_checked(po, path)
    return doc, path


def translator_reviews(path: Path) -> None:
    """A translator's editor (polib here) approves three entries and comments on one."""
    po = polib.pofile(str(path))
    for e in po:
        if e.msgid in HUMAN:
            e.msgstr = HUMAN[e.msgid]
            e.flags.remove("fuzzy")
        if e.msgid == REVIEWED:
            e.tcomment = "Checked against the print edition."
    po.metadata["Last-Translator"] = "Anna Schmidt <anna@example.org>"
    po.metadata["Language-Team"] = "German <de@example.org>"
    po.save(str(path))
    msgfmt(path)


# --- building ----------------------------------------------------------------------------------


def test_first_catalog_is_fuzzy_mt_with_references_and_headers(tmp_path):
    doc, path = first_catalog(tmp_path)
    assert path == tmp_path / "locales" / "de" / "LC_MESSAGES" / "article.po"
    po = read_po(path)
    assert [(e.msgctxt, e.msgid) for e in po] == [
        (None, HEADING),
        (None, KEPT),
        (None, DEAR),  # twice in the article, one entry: translated once
        (None, REVIEWED),
        (None, DRAFT),
        (None, DELETED),
    ]
    firsts = [b for b in doc.blocks if b.index != 5]
    for block, e in zip(firsts, po, strict=True):
        lines = [b.line for b in doc.blocks if b.text == block.text]
        assert e.occurrences == [(doc.path, str(line)) for line in lines]
        assert e.msgstr == GERMAN[block.text]
        assert e.flags == ["fuzzy"]
        assert e.tcomment.splitlines()[0] == f"MT: {MODEL}"  # a translator comment: msgmerge keeps it
    text = path.read_text(encoding="utf-8")
    assert f"#: {doc.path}:3\n" in text
    assert text.count("article.txt:5") == text.count("article.txt:11") == 1  # a reference per copy
    assert "python-format" not in text
    meta = po.metadata
    assert meta["Language"] == "de"
    assert meta["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert meta["Content-Type"] == "text/plain; charset=UTF-8"
    assert meta["Content-Transfer-Encoding"] == "8bit"
    assert meta["MIME-Version"] == "1.0"
    assert meta["Project-Id-Version"] == "article"
    assert meta["X-Generator"].startswith("toolkit ")
    assert meta["POT-Creation-Date"] == meta["PO-Revision-Date"] == "2024-11-04 09:30+0000"


def test_plural_forms_come_from_babel(tmp_path):
    doc = article(tmp_path, [HEADING])
    po = build_catalog(doc, "ru", plan_update(doc), {}, model_id=None, domain="article", now=DAY1)
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    write_checked(po, po_path(tmp_path / "locales", "ru", "article"))


def test_without_results_msgstr_stays_empty(tmp_path):
    doc = article(tmp_path, V1)
    po = build_catalog(doc, "tr", plan_update(doc), {}, model_id=None, domain="article", now=DAY1)
    path = po_path(tmp_path / "locales", "tr", "article")
    po = write_checked(po, path)
    assert all(e.msgstr == "" and not e.fuzzy and "MT:" not in e.comment for e in po)
    assert render_catalog(po, doc, include_fuzzy=True) == (doc.source, len(doc.blocks))
    # a later run with a model installed translates them: an empty msgstr is not worth keeping
    plan = plan_update(doc, po)
    assert {p.action for p in plan.blocks} == {TRANSLATE}


def test_template(tmp_path):
    doc = article(tmp_path, V1)
    path = pot_path(tmp_path / "locales", "article")
    assert path == tmp_path / "locales" / "article.pot"
    pot = write_checked(build_template(doc, "article", now=DAY1), path, strict=False)
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in pot][1:3] == [(None, KEPT, ""), (None, DEAR, "")]
    assert [e.occurrences for e in pot if e.msgid == DEAR] == [[(doc.path, "5"), (doc.path, "11")]]
    contexts = build_template(doc, "article", now=DAY1, context_duplicates=True)
    assert [(e.msgctxt, e.occurrences) for e in contexts if e.msgid == DEAR] == [
        ("copy-1", [(doc.path, "5")]), ("copy-2", [(doc.path, "11")])
    ]
    assert pot.metadata["POT-Creation-Date"] == "2024-11-04 09:30+0000"
    assert "python-format" not in path.read_text(encoding="utf-8")
    # msginit-style: a catalog started from the template keeps its creation date
    po = build_catalog(doc, "de", plan_update(doc, pot), {}, model_id=None, domain="article", now=DAY2)
    assert po.metadata["POT-Creation-Date"] == "2024-11-04 09:30+0000"
    write_checked(po, po_path(tmp_path / "locales", "de", "article"))


def test_glossary_terms_flags_and_notes_become_extracted_comments(tmp_path):
    from toolkit.terms.glossary import load_glossary

    glossary = load_glossary(ROOT / "glossaries" / "defense.csv")
    nato = glossary.get("nato")
    assert nato is not None
    doc = article(tmp_path, [KEPT, DRAFT])
    reason = "term 'NATO' -> 'ΝΑΤΟ' missing: the model dropped its placeholder"
    greek = [
        "Η Ελλάδα (Brussels Morning) αναφέρει ότι το ΝΑΤΟ εκτιμά τη συνεργασία του με το Ισραήλ.",
        "Το Ισραήλ έχει συνεργαστεί στενά σε τομείς όπως η αντιτρομοκρατία και η κυβερνοασφάλεια.",
    ]
    masked = TermOutcome("nato", "NATO", "ΝΑΤΟ", "mask")
    flagged = TermOutcome("nato", "NATO", "ΝΑΤΟ", "flagged", reason)
    results = {
        0: BlockResult(0, KEPT, greek[0], [SentenceResult(KEPT, greek[0], terms=[masked])]),
        1: BlockResult(1, DRAFT, greek[1], [SentenceResult(DRAFT, greek[1], False, [reason], [flagged])]),
    }
    plan = plan_update(doc)
    po = build_catalog(
        doc, "el", plan, results, model_id="argos:en-el@1.9", domain="article", glossary=glossary
    )
    path = po_path(tmp_path / "locales", "el", "article")
    po = write_checked(po, path)
    text = path.read_text(encoding="utf-8")
    assert "# MT: argos:en-el@1.9\n# MT-Checksum: " in text  # where msgmerge keeps them
    assert "\n# Term: NATO -> ΝΑΤΟ (mask)\n" in text
    assert "# FLAGGED: term 'NATO' -> 'ΝΑΤΟ' missing" in text
    assert text.count("FLAGGED") == 1  # the reason is both a flag and a term outcome: said once
    if nato.note:
        assert "#. Note (NATO): " in text
    if nato.renderings.get("el") is not None and nato.renderings["el"].note:
        assert "# Note (NATO, el): " in text
    assert entry(po, DRAFT).fuzzy


def test_identical_paragraphs_are_one_entry_translated_once_and_shown_twice(tmp_path):
    doc, path = first_catalog(tmp_path)
    po = read_po(path)
    entry(po, DEAR).msgstr = "Liebe Leserin,"
    entry(po, DEAR).flags = []
    write_checked(po, path)
    text, fallbacks = render_catalog(read_po(path), doc)
    assert text.count("Liebe Leserin,") == 2 and DEAR not in text
    assert fallbacks == len(doc.blocks) - 2
    # the next run keeps the one reviewed entry for both copies
    plan = plan_update(doc, read_po(path))
    [dear] = [p for p in plan.blocks if p.block.text == DEAR]
    assert (dear.action, [b.index for b in dear.all_blocks]) == (KEEP, [2, 5])
    assert plan.obsolete == []


def test_a_catalog_with_copy_contexts_is_merged_without_losing_a_translation(tmp_path):
    doc, path = first_catalog(tmp_path, context_duplicates=True)
    po = read_po(path)
    entry(po, DEAR, "copy-2").msgstr = "Lieber Leser,"  # only the second copy was reviewed
    entry(po, DEAR, "copy-2").flags = []
    write_checked(po, path)
    plan = plan_update(doc, read_po(path))
    [dear] = [p for p in plan.blocks if p.block.text == DEAR]
    assert (dear.action, dear.old.msgstr) == (KEEP, "Lieber Leser,")  # the reviewed copy wins
    assert [(e.msgctxt, e.msgstr) for e in plan.obsolete] == [("copy-1", GERMAN[DEAR])]
    po = write_checked(build_catalog(doc, "de", plan, {}, model_id=MODEL, domain="article", now=DAY2), path)
    assert entry(po, DEAR).msgstr == "Lieber Leser," and not entry(po, DEAR).fuzzy


def test_identical_paragraphs_get_their_own_context_when_asked(tmp_path):
    doc, path = first_catalog(tmp_path, context_duplicates=True)
    po = read_po(path)
    entry(po, DEAR, "copy-1").msgstr = "Liebe Leserin,"
    entry(po, DEAR, "copy-1").flags = []
    entry(po, DEAR, "copy-2").msgstr = "Lieber Leser,"
    entry(po, DEAR, "copy-2").flags = []
    write_checked(po, path)
    mo = compile_catalog(path)
    with mo.open("rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.pgettext("copy-1", DEAR) == "Liebe Leserin,"
    assert t.pgettext("copy-2", DEAR) == "Lieber Leser,"
    text, fallbacks = render_catalog(read_po(path), doc)
    assert "Liebe Leserin,\n\nThe alliance" in text and "Lieber Leser,\n\nAbout Us" in text
    assert fallbacks == len(doc.blocks) - 2


# --- the translator workflow ---------------------------------------------------------------------


def updated_catalog(tmp_path: Path):
    doc1, path = first_catalog(tmp_path)
    translator_reviews(path)
    reviewed = read_po(path)
    doc2 = article(tmp_path, V2)
    plan = plan_update(doc2, reviewed)
    po = build_catalog(
        doc2, "de", plan, results_for(plan.needs_mt()), model_id=MODEL, domain="article", now=DAY2
    )
    return doc2, path, plan, write_checked(po, path)


def test_update_plan_reuses_reviewed_and_drafts_and_translates_only_changes(tmp_path):
    doc2, _path, plan, _po = updated_catalog(tmp_path)
    actions = [(p.block.text, p.msgctxt, p.action) for p in plan.blocks]
    assert actions == [
        (HEADING, None, KEEP),  # an MT draft of unchanged text: no model call
        (KEPT, None, KEEP),  # reviewed
        (DEAR, None, KEEP),  # both copies
        (REVIEWED_V2, None, REVIEW_CHANGED),
        (DRAFT_V2, None, TRANSLATE),
        (ADDED, None, TRANSLATE),
    ]
    assert [b.text for b in plan.needs_mt()] == [REVIEWED_V2, DRAFT_V2, ADDED]
    assert [e.msgid for e in plan.obsolete] == [DELETED]
    assert plan.counts() == {
        KEEP: 3, REVIEW_CHANGED: 1, TRANSLATE: 2, "obsolete": 1, "replaced": 0, "refreshed": 0
    }


def test_update_keeps_human_work_and_marks_what_needs_review(tmp_path):
    _doc2, path, _plan, po = updated_catalog(tmp_path)
    raw = path.read_bytes()

    kept = entry(po, KEPT)
    assert kept.msgstr == HUMAN[KEPT] and not kept.fuzzy
    assert "MT" not in kept.comment  # reviewed: the translation is the translator's now
    babel = babel_read_po(io.BytesIO(raw))
    assert babel.get(KEPT).string == HUMAN[KEPT] and not babel.get(KEPT).fuzzy

    changed = entry(po, REVIEWED_V2)
    assert changed.msgstr == HUMAN[REVIEWED]  # the translator's words, not the new MT
    assert changed.fuzzy
    assert changed.previous_msgid == REVIEWED
    assert '#| msgid "The alliance has focused' in raw.decode("utf-8")  # as msgcat writes it
    assert "Checked against the print edition." in changed.tcomment
    assert f"Suggestion (MT): {GERMAN[REVIEWED_V2]}" in " ".join(
        line.strip() for line in changed.tcomment.splitlines()
    )
    assert "MT:" not in changed.comment

    redrafted = entry(po, DRAFT_V2)
    assert redrafted.msgstr == GERMAN[DRAFT_V2] and redrafted.fuzzy
    assert redrafted.previous_msgid is None

    added = entry(po, ADDED)
    assert added.msgstr == GERMAN[ADDED] and added.fuzzy and added.tcomment.startswith("MT: ")

    assert entry(po, HEADING).msgstr == GERMAN[HEADING] and entry(po, HEADING).fuzzy
    [gone] = [e for e in po if e.obsolete]
    assert (gone.msgid, gone.msgstr, gone.fuzzy) == (DELETED, HUMAN[DELETED], False)
    assert raw.decode("utf-8").rstrip().endswith(f'#~ msgid "{DELETED}"\n#~ msgstr "{HUMAN[DELETED]}"')

    meta = po.metadata
    assert meta["Last-Translator"] == "Anna Schmidt <anna@example.org>"
    assert meta["Language-Team"] == "German <de@example.org>"
    assert meta["POT-Creation-Date"] == "2024-11-04 09:30+0000"
    assert meta["PO-Revision-Date"] == "2024-11-05 16:00+0000"
    assert b"python-format" not in raw


def test_rerun_without_changes_rewrites_the_file_byte_for_byte(tmp_path):
    doc2, path, _plan, po = updated_catalog(tmp_path)
    before = path.read_bytes()
    plan = plan_update(doc2, read_po(path))
    assert plan.needs_mt() == []
    assert {p.action for p in plan.blocks} == {KEEP}
    write_checked(build_catalog(doc2, "de", plan, {}, model_id=MODEL, domain="article", now=DAY3), path)
    assert path.read_bytes() == before


def test_second_change_before_review_keeps_the_reviewed_source_and_one_suggestion(tmp_path):
    _doc2, path, _plan, _po = updated_catalog(tmp_path)
    v3 = [HEADING, KEPT, DEAR, REVIEWED_V2.replace("seven", "nearly eight"), DRAFT_V2, DEAR, ADDED, DELETED]
    doc3 = article(tmp_path, v3)
    plan = plan_update(doc3, read_po(path))
    actions = {p.block.text: p.action for p in plan.blocks}
    assert actions[v3[3]] == REVIEW_CHANGED
    assert actions[DELETED] == KEEP  # the obsolete reviewed entry comes back, no model call
    assert [b.text for b in plan.needs_mt()] == [v3[3]]
    results = results_for(plan.needs_mt())
    po = build_catalog(doc3, "de", plan, results, model_id=MODEL, domain="article", now=DAY3)
    po = write_checked(po, path)
    e = entry(po, v3[3])
    assert e.msgstr == HUMAN[REVIEWED]
    assert e.previous_msgid == REVIEWED  # what the translation was made for, not the v2 text
    assert e.tcomment.count("Suggestion (MT):") == 1
    assert "Checked against the print edition." in e.tcomment
    revived = entry(po, DELETED)
    assert (revived.msgstr, revived.fuzzy) == (HUMAN[DELETED], False)
    assert not [x for x in po if x.obsolete]


def test_deleted_mt_draft_stays_a_draft_when_it_comes_back_changed(tmp_path):
    """An obsolete MT draft keeps its `#. MT:` mark, so it is retranslated, not taken for human work."""
    doc, path = first_catalog(tmp_path)
    doc2 = article(tmp_path, [HEADING, KEPT])
    po = build_catalog(doc2, "de", plan_update(doc2, read_po(path)), {}, model_id=MODEL, domain="article")
    po = write_checked(po, path)
    assert DRAFT in {e.msgid for e in po if e.obsolete}
    doc3 = article(tmp_path, [HEADING, KEPT, DRAFT_V2])
    plan = plan_update(doc3, po)
    [changed] = [p for p in plan.blocks if p.block.text == DRAFT_V2]
    assert changed.action == TRANSLATE and changed.old is not None and changed.old.msgid == DRAFT


def test_draft_edited_but_still_fuzzy_is_human_work(tmp_path):
    """A translator improving a draft may leave it fuzzy until done: a change to the source must not
    throw their edit away for fresh MT."""
    doc, path = first_catalog(tmp_path)
    po = read_po(path)
    entry(po, DRAFT).msgstr = "Israel arbeitet eng mit der NATO zusammen, etwa bei der Terrorabwehr."
    write_checked(po, path)
    doc2 = article(tmp_path, [HEADING, KEPT, DRAFT_V2])
    plan = plan_update(doc2, read_po(path))
    assert [p.action for p in plan.blocks] == [KEEP, KEEP, REVIEW_CHANGED]
    results = results_for(plan.needs_mt())
    po = write_checked(build_catalog(doc2, "de", plan, results, model_id=MODEL, domain="article"), path)
    e = entry(po, DRAFT_V2)
    assert e.msgstr.startswith("Israel arbeitet eng") and e.fuzzy and e.previous_msgid == DRAFT
    assert GERMAN[DRAFT_V2].split()[0] in e.tcomment


def test_old_format_flags_are_dropped(tmp_path):
    doc = article(tmp_path, ["Turnout was 55% in 2019."])
    path = tmp_path / "old.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "Turnout was 55% in 2019."\n'
        'msgstr "Die Wahlbeteiligung lag 2019 bei 55%."\n',
        encoding="utf-8",
    )
    plan = plan_update(doc, read_po(path))
    assert plan.blocks[0].action == KEEP
    po = build_catalog(doc, "de", plan, {}, model_id=None, domain="article")
    po = write_checked(po, po_path(tmp_path / "locales", "de", "article"))
    assert po[0].flags == [] and po[0].msgstr == "Die Wahlbeteiligung lag 2019 bei 55%."


# --- compile and render ----------------------------------------------------------------------------


def test_compiled_catalog_serves_reviewed_strings_and_fuzzy_only_on_request(tmp_path):
    _doc2, path, _plan, _po = updated_catalog(tmp_path)
    mo = compile_catalog(path)
    assert mo == path.with_suffix(".mo")
    with mo.open("rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.gettext(KEPT) == HUMAN[KEPT]
    assert t.gettext(REVIEWED_V2) == REVIEWED_V2  # fuzzy: not served
    assert t.gettext(ADDED) == ADDED
    assert t.gettext(DELETED) == DELETED  # obsolete
    fuzzy_mo = compile_catalog(path, tmp_path / "with-fuzzy.mo", use_fuzzy=True)
    with fuzzy_mo.open("rb") as fh:
        t = gettext.GNUTranslations(fh)
    assert t.gettext(KEPT) == HUMAN[KEPT]
    assert t.gettext(REVIEWED_V2) == HUMAN[REVIEWED]
    assert t.gettext(ADDED) == GERMAN[ADDED]
    assert t.gettext(DEAR) == GERMAN[DEAR]


def test_render_in_the_documents_layout_with_fallbacks(tmp_path):
    doc2, path, _plan, po = updated_catalog(tmp_path)
    text, fallbacks = render_catalog(po, doc2, include_fuzzy=True)
    expected = {0: GERMAN[HEADING], 1: HUMAN[KEPT], 2: GERMAN[DEAR], 3: HUMAN[REVIEWED], 4: GERMAN[DRAFT_V2],
                5: GERMAN[DEAR], 6: GERMAN[ADDED]}
    assert (text, fallbacks) == (doc2.render(expected), 0)
    assert text == "\n\n".join(expected[i] for i in range(7)) + "\n"
    text, fallbacks = render_catalog(po, doc2)
    assert fallbacks == 6  # only KEPT is reviewed
    assert text == doc2.render({1: HUMAN[KEPT]})


def identity_catalog(doc: Document, path: Path) -> polib.POFile:
    """A reviewed catalog whose every msgstr is its msgid, written and read back."""
    po = build_catalog(doc, "de", plan_update(doc), {}, model_id=None, domain="article")
    for e in po:
        e.msgstr = e.msgid
    return write_checked(po, path)


ROUND_TRIP = [ROOT / "examples" / "article.txt", *sorted(DOCS.glob("*.*"))] if DOCS.is_dir() else []


@pytest.mark.parametrize("source", ROUND_TRIP, ids=lambda p: p.name)
def test_identity_catalog_renders_the_input_byte_for_byte(tmp_path, source):
    doc = read_document(source)
    po = identity_catalog(doc, tmp_path / "de.po")
    text, fallbacks = render_catalog(po, doc, lang="en")  # a "de" page would say lang="de"
    assert fallbacks == 0
    assert text.encode(doc.encoding) == source.read_bytes()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_identity_round_trip_txt_with_either_line_end(tmp_path, newline):
    paragraphs = ["Title", "Two lines\nin one paragraph", "  indented  ", "Title"]
    doc = article(tmp_path, paragraphs, newline=newline)
    po = identity_catalog(doc, tmp_path / "de.po")
    assert render_catalog(po, doc) == (doc.source, 0)
    assert doc.source.encode() == (tmp_path / "article.txt").read_bytes()


# --- malformed input ------------------------------------------------------------------------------

HEADER = (
    'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
)


@pytest.mark.parametrize(
    "body, line, words",
    [
        ('msgid "Hello\nmsgstr "Hallo"\n', 6, "not closed"),
        ('msgid "Hello"\nmsgstr "Hallo"x\n', 7, "unescaped double quote"),
        ('msgid "Hello"\nmsgstr "Sie sagte "Hallo""\n', 7, "unescaped double quote"),
        ('msgid "Hello"\nmsgstr "Hallo\\q"\n', 7, "unsupported escape"),
        ('msgid "Hello"\nmsgstr Hallo\n', 7, "expected a quoted string"),
        ('msgid "Hello"\nmsgstr "Hallo"\n\nmsgid "Hello"\nmsgstr "Servus"\n', 9, "duplicate msgid 'Hello'"),
        ('msgid "one"\nmsgid_plural "many"\nmsgstr[0] "eins"\n', 6, "nplurals=2"),
        ('msgid "line\\n"\nmsgstr "Zeile"\n', 6, "newline"),
    ],
    ids=["unterminated", "trailing-garbage", "inner-quote", "bad-escape", "unquoted", "duplicate", "plural",
         "newline"],
)
def test_malformed_po_is_a_toolkit_error_with_file_and_line(tmp_path, body, line, words):
    path = tmp_path / "de.po"
    path.write_bytes((HEADER + body).encode("utf-8"))
    before = path.read_bytes()
    with pytest.raises(ToolkitError) as info:
        read_po(path)
    assert f"{path}:{line}: " in str(info.value)
    assert words in str(info.value)
    assert path.read_bytes() == before


def test_catalogs_from_other_editors_are_read_and_rewritten_as_utf8(tmp_path):
    """CRLF and a BOM (Windows editors) or a legacy charset are fine; output is UTF-8 with LF."""
    doc = article(tmp_path, [HEADING])
    body = f'msgid "{HEADING}"\nmsgstr "NATO und Israel – geprüft"\n'
    crlf = tmp_path / "crlf.po"
    crlf.write_bytes(("\ufeff" + HEADER + body).replace("\n", "\r\n").encode("utf-8"))
    latin = tmp_path / "latin.po"
    latin.write_bytes((HEADER.replace("UTF-8", "ISO-8859-15") + body.replace("–", "-")).encode("iso-8859-15"))
    for path, expected in ((crlf, "NATO und Israel – geprüft"), (latin, "NATO und Israel - geprüft")):
        plan = plan_update(doc, read_po(path))
        assert plan.blocks[0].action == KEEP
        po = build_catalog(doc, "de", plan, {}, model_id=None, domain="article")
        out = po_path(tmp_path / "locales", "de", "article")
        assert write_checked(po, out)[0].msgstr == expected
        assert b"\r" not in out.read_bytes() and expected.encode("utf-8") in out.read_bytes()
    bad = tmp_path / "bad.po"
    bad.write_bytes((HEADER + body.replace("–", "-")).encode("iso-8859-15"))
    with pytest.raises(ToolkitError, match=f"{bad}:7: not valid UTF-8"):
        read_po(bad)


def test_missing_catalog_is_a_toolkit_error(tmp_path):
    with pytest.raises(ToolkitError, match="no such catalog file"):
        read_po(tmp_path / "nope.po")


def test_write_po_refuses_what_read_po_would_reject(tmp_path):
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Hello", msgstr="Hallo"))
    po.append(polib.POEntry(msgid="Hello", msgstr="Servus"))
    with pytest.raises(ToolkitError, match="duplicate msgid"):
        write_po(po, tmp_path / "de.po")
    assert not (tmp_path / "de.po").exists()
    po = polib.POFile()
    po.append(polib.POEntry(msgid="NUL\x00", msgstr="x"))
    with pytest.raises(ToolkitError, match="NUL"):
        write_po(po, tmp_path / "de.po")


@pytest.mark.parametrize("domain", ["../x", "a/b", "a\\b", "..", ".hidden", "", "c:evil", "x\n"])
def test_domain_cannot_escape_locales(tmp_path, domain):
    with pytest.raises(ToolkitError, match="invalid gettext domain"):
        po_path(tmp_path, "de", domain)
    with pytest.raises(ToolkitError, match="invalid gettext domain"):
        pot_path(tmp_path, domain)
    doc = article(tmp_path, [HEADING])
    with pytest.raises(ToolkitError, match="invalid gettext domain"):
        build_catalog(doc, "de", plan_update(doc), {}, model_id=None, domain=domain)


@pytest.mark.parametrize("lang", ["../de", "de/x", "", "d"])
def test_language_cannot_escape_locales(tmp_path, lang):
    with pytest.raises(ToolkitError, match="invalid language code"):
        po_path(tmp_path, lang, "article")


# --- property: anything written reads back --------------------------------------------------------

_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x04"), max_size=120)


def _same_newline_ends(msgid: str, msgstr: str) -> str:
    """msgfmt's rule, which write_po enforces for reviewed entries."""
    core = msgstr.strip("\n") or "x"
    return ("\n" if msgid.startswith("\n") else "") + core + ("\n" if msgid.endswith("\n") else "")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pairs=st.lists(st.tuples(_text.filter(bool), _text, st.none() | _text), max_size=6),
    fuzzy=st.booleans(),
)
@pytest.mark.slow
def test_write_read_round_trip_of_arbitrary_text(tmp_path, pairs, fuzzy):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    seen = set()
    for msgid, msgstr, msgctxt in pairs:
        if (msgctxt, msgid) in seen:
            continue
        seen.add((msgctxt, msgid))
        if not fuzzy and msgstr:
            msgstr = _same_newline_ends(msgid, msgstr)
        flags = ["fuzzy"] if fuzzy else []
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=msgctxt, flags=flags))
    path = tmp_path / "prop.po"
    write_po(po, path)
    # msgcat writes nothing for a header-only catalog, drops `fuzzy` from an empty msgstr and
    # writes BEL as \a, an escape polib cannot read; the toolkit's line breaking knows the
    # scripts of articles, not every pictograph's or unassigned code point's width and class
    text = "".join(s for e in po for s in (e.msgid, e.msgstr, e.msgctxt or ""))
    plain = all(ord(c) < 0x2E80 and unicodedata.category(c) != "Cn" for c in text)
    gnu_comparable = "\a" not in text and plain
    if len(po) and not any(e.fuzzy and not e.msgstr for e in po) and gnu_comparable:
        assert_msgcat_clean(path)
    back = read_po(path)
    assert [(e.msgctxt, e.msgid, e.msgstr, e.fuzzy) for e in back] == [
        (e.msgctxt, e.msgid, e.msgstr, e.fuzzy) for e in po
    ]
