"""Fuzzing the readers, and the properties the pipeline rests on (hypothesis, bounded for CI).

Readers (PO, glossary CSV, glossary import PO/CSV/TBX, articles, model archives) get hostile input
built from their own syntax: whatever happens, the only exception is a ToolkitError, whose text
is one line naming the file. Each fuzz test is capped by `max_examples` and has no deadline, so
the file runs in a few seconds; raise FUZZ_EXAMPLES locally to search longer.

Already covered elsewhere, not repeated here: segmentation is lossless (test_segment), term
masking with arbitrary spans (test_terms), PO write/read of msgid/msgstr/msgctxt (test_catalog).
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.formats.document import parse_document, read_document
from toolkit.formats.po import read_po, write_po
from toolkit.l10n.plan import plan_update
from toolkit.l10n.render import render_catalog
from toolkit.mt.package_archive import read_archive_metadata
from toolkit.terms.calibrate import STYLES
from toolkit.terms.enforce import mask, unmask
from toolkit.terms.exchange import import_glossary
from toolkit.terms.glossary import (
    columns_for,
    format_glossary,
    load_glossary,
    parse_glossary,
)
from toolkit.terms.lint import lint
from toolkit.terms.match import find_terms

from conftest import ROOT

SCALE = float(os.environ.get("FUZZ_EXAMPLES", "1"))
GLOSSARY = load_glossary(ROOT / "glossaries" / "defense.csv")


def fuzz(examples: int):
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def one_line(error: ToolkitError, path: Path) -> None:
    """What the CLI prints is one line naming the file."""
    from toolkit.cli.app import one_line as shown

    assert "\n" not in shown(error) and "\r" not in shown(error)
    assert str(error).startswith(str(path)), str(error)


def joined(atoms: list[str], max_size: int = 40):
    return st.lists(st.sampled_from(atoms), max_size=max_size).map("".join)


# --------------------------------------------------------------------------------------------
# PO catalogs

PO_KEYWORDS = [
    "msgid", "msgstr", "msgctxt", "msgid_plural", "msgstr[0]", "msgstr[1]", "msgstr[7]", "msgstr[x]",
    "#~ msgid", "#~ msgstr", "#| msgid", "#~| msgid", "#| msgctxt", "domain",
]
CHARSET = '"Content-Type: text/plain; charset={}\\n"'
PO_STRINGS = [
    '""', '"x"', '"a\\nb"', '"\\n"', '"\\t"', '"\\""', '"\\\\"', '"é"', '"Hello"', '"\\q"', '"open', '"a"b"',
    *(CHARSET.format(c) for c in ("latin-1", "bogus", "punycode", "base64", "utf-16")),
    '"Plural-Forms: nplurals=1; plural=0;\\n"', '"Plural-Forms: nplurals=x\\n"', '"Language: xx\\n"',
    '"Language: de\\n"', '"Plural-Forms: nplurals=99999999999999999999; plural=0;\\n"',
]
PO_OTHER = [
    "#, fuzzy", "#, python-format", "#: a.txt:1", "#. MT: argos:en-de@1", "#. MT-Checksum: 0", "#", "",
    "#,", "#:", "garbage", "#~", "\ufeff", "\x00", "\r",
]
po_line = st.one_of(
    st.tuples(st.sampled_from(PO_KEYWORDS), st.sampled_from(PO_STRINGS) | st.text(max_size=5)).map(" ".join),
    st.sampled_from(PO_STRINGS),
    st.sampled_from(PO_OTHER),
)
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
po_text = st.lists(po_line, max_size=25).map("\n".join)
po_bytes = st.one_of(
    po_text.map(str.encode), (po_text.map(lambda s: HEADER + s)).map(str.encode), st.binary(max_size=200),
    st.tuples(po_text, st.sampled_from(["latin-1", "utf-16", "cp1253"])).map(
        lambda t: t[0].encode(t[1], errors="replace")
    ),
)
ARTICLE = parse_document("Hello\n\nx\n\nNATO met.\n", "txt", "a.txt")


@pytest.mark.slow
@fuzz(250)
@given(data=po_bytes)
def test_read_po_raises_only_toolkit_errors(tmp_path, data):
    path = tmp_path / "x.po"
    path.write_bytes(data)
    try:
        po = read_po(path)
    except ToolkitError as e:
        one_line(e, path)
        return
    # what read_po accepts, the rest of the toolkit can use ...
    render_catalog(po, ARTICLE, include_fuzzy=True)
    plan_update(ARTICLE, po)
    # ... and write back so that it reads again
    write_po(po, tmp_path / "y.po")
    assert len(read_po(tmp_path / "y.po")) == len(po)


_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x04"), max_size=40)
_line = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x04\r\n"), max_size=30)
# polib splits references at whitespace (a file name with a space is cut in two: see cli.render)
_ref = st.text(st.characters(exclude_categories=("Cs", "Zs", "Cc"), exclude_characters="\x85\u2028\u2029"),
               min_size=1, max_size=12)
_entries = st.tuples(
    _text.filter(bool), _text, st.none() | _text, _line, _line, st.booleans(), st.booleans(),
    st.none() | _text.filter(bool), st.lists(st.tuples(_ref, st.sampled_from(["", "1", "42"])), max_size=2),
)


@pytest.mark.slow
@fuzz(200)
@given(entries=st.lists(_entries, max_size=6))
def test_po_round_trip_of_whole_entries(tmp_path, entries):
    """Everything a catalog entry carries, with any Unicode, reads back as written: obsolete
    entries, contexts, translator and extracted comments, previous msgid, references."""
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    seen = set()
    for msgid, msgstr, ctxt, tcomment, comment, obsolete, fuzzy, previous, refs in entries:
        if (ctxt, msgid) in seen:
            continue
        seen.add((ctxt, msgid))
        po.append(polib.POEntry(
            msgid=msgid, msgstr=msgstr if fuzzy or obsolete else "", msgctxt=ctxt, tcomment=tcomment.strip(),
            comment=comment.strip(), obsolete=obsolete, flags=["fuzzy"] if fuzzy else [],
            previous_msgid=previous if fuzzy and not obsolete else None, occurrences=[] if obsolete else refs,
        ))
    path = tmp_path / "x.po"
    write_po(po, path)
    back = read_po(path)

    def key(e):
        return (e.msgctxt, e.msgid, e.msgstr, e.obsolete, e.fuzzy, e.previous_msgid, e.occurrences,
                " ".join(e.tcomment.split()), " ".join(e.comment.split()))

    assert sorted(map(key, back), key=repr) == sorted(map(key, po), key=repr)


@pytest.mark.slow
@fuzz(60)
@given(comment=st.text(max_size=20), where=st.sampled_from(["tcomment", "comment", "occurrence"]))
def test_write_po_never_writes_what_read_po_rejects(tmp_path, comment, where):
    """polib writes comments and file names raw; a line break in one used to produce a catalog
    that msgfmt and read_po reject. Now comment lines are re-split, a file name is refused."""
    comment = comment.replace("\x00", "")
    entry = polib.POEntry(msgid="Hello", msgstr="Hallo")
    if where == "occurrence":
        entry.occurrences = [(f"a{comment}b.txt", "1")]
    else:
        setattr(entry, where, comment)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(entry)
    path = tmp_path / "x.po"
    path.unlink(missing_ok=True)  # hypothesis reuses tmp_path for every example
    try:
        write_po(po, path)
    except ToolkitError as e:
        assert "refusing to write an invalid catalog" in str(e)
        assert not path.exists()
        return
    read_po(path)


# --------------------------------------------------------------------------------------------
# glossary CSV

COLUMNS = ",".join(columns_for(["de"]))
CSV_ATOMS = [
    ",", '"', '""', "\n", "\r\n", "\r", "yes", "no", "approved", "proposed", "rejected", "x", "NATO", "|",
    "2024-01-01", "2024-02-30", " ", "\ufeff", "id", "de", "de_status", "\x00", "Article 5", "air-defence",
]
VALUES = st.one_of(
    st.sampled_from([
        "", "x", "NATO", "yes", "no", "approved", "proposed", "rejected", "2024-02-30", "2024-01-01", "a|b",
        "|", " ", "Article 5", "air-defence", "U.S.", "'", "’s", "ΝΑΤΟ", "a\nb", '"q"', ",", "\u00a0",
        "\u200b", "-", "y", "ies", "s", "⟦0⟧", "<1>",
    ]),
    st.text(max_size=6),
)


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


rows = st.lists(VALUES, min_size=13, max_size=13).map(lambda r: ",".join(map(_cell, r)))
csv_texts = st.one_of(
    st.text(max_size=80),
    joined(CSV_ATOMS),
    joined(CSV_ATOMS).map(lambda s: COLUMNS + "\n" + s),
    st.lists(rows, max_size=4).map(lambda r: COLUMNS + "\n" + "\n".join(r) + "\n"),
)


@pytest.mark.slow
@fuzz(250)
@given(text=csv_texts, probe=st.text(max_size=40))
def test_parse_glossary_raises_only_toolkit_errors(text, probe):
    try:
        glossary = parse_glossary(text, "g.csv")
    except ToolkitError as e:
        one_line(e, Path("g.csv"))
        return
    lint(glossary)
    again = parse_glossary(format_glossary(glossary), "g.csv")
    assert format_glossary(again, canonical=True) == format_glossary(glossary, canonical=True)
    for concept in glossary.concepts:
        find_terms(glossary, f"{probe} {' '.join(concept.forms)} {probe}")


@pytest.mark.slow
@fuzz(60)
@given(data=st.one_of(st.binary(max_size=300), csv_texts.map(lambda s: s.encode("utf-8", "surrogatepass"))))
def test_load_glossary_raises_only_toolkit_errors(tmp_path, data):
    path = tmp_path / "g.csv"
    path.write_bytes(data)
    try:
        load_glossary(path)
    except ToolkitError as e:
        one_line(e, path)


# --------------------------------------------------------------------------------------------
# glossary import: PO / CSV / TBX exports coming back from translators (toolkit/terms/exchange.py)

TBX_ATOMS = [
    '<?xml version="1.0"?>', '<martif type="TBX-Basic">', "</martif>", "<text>", "</text>", "<body>",
    "</body>", '<termEntry id="nato">', '<termEntry id="zz">', "<termEntry>", "</termEntry>",
    '<langSet xml:lang="de">', '<langSet xml:lang="en">', '<langSet xml:lang="xx">', "</langSet>", "<tig>",
    "</tig>", "<term>", "</term>", "NATO", "Nato", "|", "&amp;", "&foo;", "<!DOCTYPE x>",
    '<!DOCTYPE x [<!ENTITY a "b">]>', "&a;", '<termNote type="administrativeStatus">', "</termNote>",
    "preferredTerm-admn-sts", "deprecatedTerm-admn-sts", "<note>", "</note>", "<transacGrp>", "</transacGrp>",
    '<transac type="transactionType">', "modification", "</transac>", "<date>", "2024-01-01", "2024-13-45",
    "</date>", '<transacNote type="responsibility">', "Ann", "</transacNote>", "\n", " ", "<![CDATA[x]]>",
    "<!-- c -->", "\x00", "\ufeff",
]
IMPORT_CSV_ATOMS = [
    "id", "lang", "term", "rendering", "status", "reviewer", "date", "variants", "rejected", ",", ";", "\t",
    '"', "\n", "\r\n", "nato", "de", "xx", "NATO", "approved", "rejected", "bogus", "Ann", "2024-01-01",
    "'=1+1", "|", " ", "\ufeff",
]
IMPORT_PO_ATOMS = [
    "msgid ", "msgstr ", "msgctxt ", '"', '"nato"', '"NATO"', '"Nato"', '""', "\n", "#, fuzzy\n", "# note\n",
    '"Language: de\\n"', '"Last-Translator: Ann\\n"', "msgid_plural ", '"a|b"',
]


@fuzz(120)
@given(
    kind=st.sampled_from(["tbx", "csv", "po"]),
    data=st.data(),
)
def test_glossary_import_raises_only_toolkit_errors(tmp_path, kind, data):
    atoms = {"tbx": TBX_ATOMS, "csv": IMPORT_CSV_ATOMS, "po": IMPORT_PO_ATOMS}[kind]
    text = data.draw(st.one_of(joined(atoms, 60), st.text(max_size=50)))
    path = tmp_path / f"x.{kind}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        import_glossary(GLOSSARY, path, reviewer="Tester")
    except ToolkitError as e:
        one_line(e, path)


# --------------------------------------------------------------------------------------------
# articles

DOC_ATOMS = [
    "<p>", "</p>", "<", ">", "&", "&amp;", "&#", ";", "<!--", "-->", "<![CDATA[", "]]>", "<!", "<?",
    "<script>", "</script>", "<a href='x' title=\"t\">", "</a>", "<img alt=x>", "<li>", "<td>", "#", "*",
    "`", "```", "[", "](", ")", "|", "---", "\n", "\r\n", "\r", " ", "\t", "> ", "- ", "1. ", "x", "Hello.",
    "\ufeff", "\x00", "\u200b", "\u00a0", "\\", "U.S.", "…",
]
doc_texts = st.one_of(st.text(), joined(DOC_ATOMS, 50))


@fuzz(300)
@given(text=doc_texts, fmt=st.sampled_from(["txt", "md", "html"]))
def test_parse_document_never_fails_and_renders_back(text, fmt):
    try:
        doc = parse_document(text, fmt, f"a.{fmt}")
    except ToolkitError:
        return
    assert doc.render({}) == text
    assert doc.render({b.index: b.text for b in doc.blocks}) == text
    assert all(b.text.strip() for b in doc.blocks)
    doc.render({b.index: "X\nY \"'| <b>" for b in doc.blocks})


@fuzz(200)
@given(
    data=st.one_of(st.binary(max_size=300), doc_texts.map(lambda s: s.encode("utf-8", "surrogatepass"))),
    fmt=st.sampled_from(["txt", "md", "html"]),
    encoding=st.sampled_from([None, None, None, "cp1253", "utf-16", "latin-1", "utf-8", "bogus", "base64",
                              "punycode", "rot13"]),
)
@pytest.mark.slow
def test_read_document_raises_only_toolkit_errors(tmp_path, data, fmt, encoding):
    path = tmp_path / f"a.{fmt}"
    path.write_bytes(data)
    try:
        doc = read_document(path, encoding=encoding)
    except ToolkitError as e:
        one_line(e, path)
        return
    assert doc.blocks


# --------------------------------------------------------------------------------------------
# model archives

META = b'{"from_code": "en", "to_code": "de"}'
member_names = st.one_of(
    st.sampled_from([
        "pkg/metadata.json", "pkg/model/model.bin", "pkg/", "other/x", "../evil", "/abs", "pkg/../../x",
        "pkg\\..\\..\\x", "C:/x", "pkg/metadata.json/", "metadata.json", "pkg/sub/metadata.json",
    ]),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=12),
)
member_data = st.one_of(
    st.just(META), st.binary(max_size=40), st.sampled_from([b"[" * 5000, b"{}", b"[]", b"null"])
)


def _archive(members) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # duplicate names are part of the fuzzing
        for name, data in members:
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


archives = st.one_of(
    st.lists(st.tuples(member_names, member_data), max_size=4).map(_archive),
    # a good archive with bytes flipped: CRC errors, broken headers, bad compression methods
    st.tuples(st.lists(st.integers(0, 10_000), min_size=1, max_size=4), st.integers(1, 255)).map(
        lambda t: bytes(
            b ^ t[1] if i in {p % 200 for p in t[0]} else b
            for i, b in enumerate(_archive([("pkg/metadata.json", META), ("pkg/model/model.bin", b"w" * 50)]))
        )
    ),
    st.binary(max_size=200),
)


@pytest.mark.slow
@fuzz(200)
@given(data=archives)
def test_archive_check_raises_only_toolkit_errors_and_passes_only_safe_members(tmp_path, data):
    path = tmp_path / "m.argosmodel"
    path.write_bytes(data)
    try:
        metadata = read_archive_metadata(path)
    except ToolkitError as e:
        one_line(e, path)
        return
    assert metadata["from_code"] and metadata["to_code"]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            parts = name.replace("\\", "/").split("/")
            assert not name.startswith(("/", "\\")) and ".." not in parts and name[1:2] != ":"
        assert zf.testzip() is None


# --------------------------------------------------------------------------------------------
# properties

TERM_TEXT_ATOMS = [form for c in GLOSSARY.concepts for form in c.forms] + [
    " ", "  ", "\n", "'s", "’s", "s", "-", ".", ",", "the", "⟦0⟧", "⟦1⟧", "<0>", "ZXAQ", "ZXBQ", "\u00a0",
]


@fuzz(300)
@given(
    text=st.one_of(joined(TERM_TEXT_ATOMS, 30), st.text(max_size=60)),
    style=st.sampled_from(list(STYLES)),
)
def test_unmask_of_mask_is_identity_with_real_glossary_spans(text, style):
    """Spans from `find_terms` on the shipped glossary, any text -- even text that already
    contains placeholder-like tokens, which used to make a placeholder ambiguous."""
    spans = [(m.start, m.end, m.text, m.concept_id) for m in find_terms(GLOSSARY, text)]
    masked = mask(text, spans, style)
    assert all(masked.text.count(slot.token) == 1 for slot in masked.slots)
    assert unmask(masked.text, masked) == (text, [])
    # and with the approved renderings put back, each placeholder is replaced exactly once
    renderings = [(s, e, f"«{c}»", c) for s, e, _t, c in spans]
    masked = mask(text, renderings, style)
    restored, lost = unmask(masked.text, masked)
    assert lost == [] and restored.count("«") == len(spans) + text.count("«")
