from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.segment import Segment, join, segment_block

from conftest import ARTICLE


def paragraphs() -> list[str]:
    return ARTICLE.read_text(encoding="utf-8").split("\n\n")


def sentences(text: str, **kwargs) -> list[str]:
    return [s.text for s in segment_block(text, **kwargs)]


def check_lossless(text: str, segments: list[Segment]) -> None:
    assert join(text, segments) == text
    pos = 0
    for s in segments:
        assert pos <= s.start < s.end <= len(text)
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        pos = s.end


SPLITS = [
    # U.S. mid-sentence, and at the end of a sentence
    (
        "In early October, the United States stated it would deploy U.S. troops to Israel. It was new.",
        [
            "In early October, the United States stated it would deploy U.S. troops to Israel.",
            "It was new.",
        ],
    ),
    (
        "Support could come at a significant cost for the U.S. Washington’s strong support "
        "for Israel is facing growing criticism.",
        [
            "Support could come at a significant cost for the U.S.",
            "Washington’s strong support for Israel is facing growing criticism.",
        ],
    ),
    ("He lives in the U.S. He is happy.", ["He lives in the U.S.", "He is happy."]),
    ("The U.S. Army said. The U.S. military agreed.", ["The U.S. Army said.", "The U.S. military agreed."]),
    (
        "U.S. President Joe Biden spoke. The U.S. Secretary of State agreed.",
        ["U.S. President Joe Biden spoke.", "The U.S. Secretary of State agreed."],
    ),
    ("The U.S. Marshals Service said so.", ["The U.S. Marshals Service said so."]),
    ("It happened on Oct. 13 in Gaza. Then it ended.", ["It happened on Oct. 13 in Gaza.", "Then it ended."]),
    ("It was in Oct. The war went on.", ["It was in Oct.", "The war went on."]),
    (
        "Maj. Gen. Pat Ryder said so. Lloyd J. Austin III agreed.",
        ["Maj. Gen. Pat Ryder said so.", "Lloyd J. Austin III agreed."],
    ),
    (
        "Dr. Smith met Mr. Jones. They talked about No. 5 and 3.5 percent.",
        ["Dr. Smith met Mr. Jones.", "They talked about No. 5 and 3.5 percent."],
    ),
    ("Mrs. Ms. Prof. Sen. Rep. Gov. St. Louis.", ["Mrs. Ms. Prof. Sen. Rep. Gov. St. Louis."]),
    # a closing quote after the period
    (
        "President Joe Biden stated that the deployment’s purpose was “to defend Israel.” "
        "This decision came after Israel launched a retaliation.",
        [
            "President Joe Biden stated that the deployment’s purpose was “to defend Israel.”",
            "This decision came after Israel launched a retaliation.",
        ],
    ),
    (
        'He said ‘no.’ Then left. She said "yes." Then stayed.',
        ["He said ‘no.’", "Then left.", 'She said "yes."', "Then stayed."],
    ),
    ("(See below.) The end.", ["(See below.)", "The end."]),
    ("“Why?” he asked.", ["“Why?” he asked."]),
    ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    ("Really?! “Yes.”", ["Really?!", "“Yes.”"]),
    # ellipsis: goes on before lowercase, ends before a capitalised sentence
    (
        "He paused… and went on. He waited… Then he left.",
        ["He paused… and went on.", "He waited…", "Then he left."],
    ),
    (
        "He paused... and went on. He waited... Then he left.",
        ["He paused... and went on.", "He waited...", "Then he left."],
    ),
    ("He waited . . . Then he left.", ["He waited . . .", "Then he left."]),
    ("He waited… 5 minutes.", ["He waited… 5 minutes."]),
    # other abbreviations, numbers, times
    (
        "Some states (e.g. Turkey) and others, i.e. Iran.",
        ["Some states (e.g. Turkey) and others, i.e. Iran."],
    ),
    ("He arrived at 5 p.m. The meeting began.", ["He arrived at 5 p.m.", "The meeting began."]),
    (
        "Apple Inc. said so. It paid $5. Then it left.",
        ["Apple Inc. said so.", "It paid $5.", "Then it left."],
    ),
    ("He was born in 2019. 180 missiles were fired.", ["He was born in 2019.", "180 missiles were fired."]),
    (
        "He studied at the Harvard T.H. Chan School of Public Health.",
        ["He studied at the Harvard T.H. Chan School of Public Health."],
    ),
    # a period without a space, as scraped text has it
    (
        "Greco-Turkish Relations.In the past he worked. See www.example.Com now.",
        ["Greco-Turkish Relations.", "In the past he worked.", "See www.example.Com now."],
    ),
    # line breaks: one keeps the sentence together, a blank line ends it
    # short lines inside a paragraph (bylines, a heading over text) stand on their own ...
    ("Angelos Kaskanis\nCredit: Getty Images", ["Angelos Kaskanis", "Credit: Getty Images"]),
    (
        "This is a line\nthat continues here. Next one.",
        ["This is a line", "that continues here.", "Next one."],
    ),
    # ... while hard-wrapped prose (long lines) keeps a sentence across its line break
    (
        "The alliance said that its Major Non-NATO\nAlly status would be reviewed next year. It did.",
        ["The alliance said that its Major Non-NATO\nAlly status would be reviewed next year.", "It did."],
    ),
    ("Hello.\nWorld.", ["Hello.", "World."]),
    ("No stop\n\nhere", ["No stop", "here"]),
    # whitespace around and inside
    ("  Leading space.\tTrailing space.\u00a0 ", ["Leading space.", "Trailing space."]),
    ("One.  Two.\u2003Three.", ["One.", "Two.", "Three."]),
    # marks without words stay with their sentence
    ("... and so on. —", ["... and so on. —"]),
    ("Greek: Η ΕΕ. Ρωσικά: да.", ["Greek: Η ΕΕ.", "Ρωσικά: да."]),
]


@pytest.mark.parametrize(("text", "expected"), SPLITS)
def test_sentences(text: str, expected: list[str]) -> None:
    segments = segment_block(text)
    assert [s.text for s in segments] == expected
    check_lossless(text, segments)


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\u00a0\u3000\r\n"])
def test_blank_text_has_no_segments(text: str) -> None:
    assert segment_block(text) == []
    assert join(text, []) == text


def test_segment_fields() -> None:
    assert segment_block("  Hi there. Bye.", block_id=7) == [
        Segment(7, "Hi there.", 2, 11),
        Segment(7, "Bye.", 12, 16),
    ]


def test_join_puts_translations_into_the_layout() -> None:
    block = "  First one.\nSecond one.   Third.\t"
    segments = segment_block(block)
    assert join(block, segments, ["Πρώτη.", "Δεύτερη.", "Τρίτη."]) == "  Πρώτη.\nΔεύτερη.   Τρίτη.\t"


def test_join_rejects_mismatches() -> None:
    segments = segment_block("One. Two.")
    with pytest.raises(ToolkitError, match="1 texts for 2 segments"):
        join("One. Two.", segments, ["Ένα."])
    with pytest.raises(ToolkitError, match="does not belong"):
        join("Uno. Dos.", segments)
    with pytest.raises(ToolkitError, match="does not belong"):
        join("One. Two.", list(reversed(segments)))


def test_max_len_must_be_positive() -> None:
    with pytest.raises(ToolkitError, match="max_len"):
        segment_block("One.", max_len=0)


# -- the example article ---------------------------------------------------------------------


def test_article_paragraphs_are_lossless() -> None:
    total = 0
    for i, p in enumerate(paragraphs()):
        segments = segment_block(p, i)
        check_lossless(p, segments)
        assert all(s.block_id == i for s in segments)
        total += len(segments)
    assert len(paragraphs()) == 22
    assert total == 51


def test_article_first_paragraphs() -> None:
    first = paragraphs()[:3]
    assert [sentences(p) for p in first] == [
        ["Upgrading Israel’s “Major Non-NATO Ally”"],
        ["Angelos Kaskanis", "Credit: Getty Images"],
        [
            "Greece (Brussels Morning), With the war between Israel and Gaza, has reached the "
            "dimensions of a regional crisis that threatens security and stability at the global "
            "level, many analysts seek to shed light on the special alliance between NATO and "
            "Israel.",
            "A partnership that was created through years of crises and opportunities.",
        ],
    ]


def test_article_is_fast() -> None:
    blocks = paragraphs()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for p in blocks:
            segment_block(p)
        best = min(best, time.perf_counter() - t)
    assert best < 0.05


# -- long sentences --------------------------------------------------------------------------


def words(n: int, sep: str = " ") -> str:
    return sep.join(f"word{i}" for i in range(n))


@pytest.mark.parametrize(
    "text",
    [
        words(600) + ".",
        ", ".join(words(7) for _ in range(86)) + ".",
        "; ".join(words(30) for _ in range(20)) + ".",
        "Short one. " + words(600, " \n") + ". Another short one.",
    ],
    ids=["no-commas", "commas", "semicolons", "in-a-paragraph"],
)
def test_long_sentence_is_split_completely(text: str) -> None:
    segments = segment_block(text, max_len=200)
    check_lossless(text, segments)
    assert all(len(s.text.split()) <= 200 for s in segments)
    assert sum(len(s.text.split()) for s in segments) == len(text.split())


def test_long_sentence_prefers_clause_boundaries() -> None:
    commas = ", ".join(words(7) for _ in range(86)) + "."
    pieces = sentences(commas, max_len=200)
    assert all(p.endswith(",") for p in pieces[:-1])
    assert all(len(p.split()) >= 100 for p in pieces[:-1])

    clauses = "; ".join(", ".join(words(5) for _ in range(6)) for _ in range(20)) + "."
    assert all(p.endswith(";") for p in sentences(clauses, max_len=200)[:-1])

    dashes = " — ".join(words(40) for _ in range(15)) + "."
    assert all(p.endswith(" —") for p in sentences(dashes, max_len=200)[:-1])


def test_long_sentence_without_clauses_fills_the_limit() -> None:
    assert [len(p.split()) for p in sentences(words(600) + ".", max_len=200)] == [200, 200, 200]
    assert [len(p.split()) for p in sentences(words(601) + ".", max_len=200)] == [200, 200, 200, 1]


def test_custom_length_can_cut_inside_a_word() -> None:
    text = "A " + "x" * 25 + " sentence. Fine."
    segments = segment_block(text, max_len=10, length=len)
    check_lossless(text, segments)
    assert all(len(s.text) <= 10 for s in segments)
    assert [s.text for s in segments] == ["A", "xxxxxxxxxx", "xxxxxxxxxx", "xxxxx", "sentence.", "Fine."]


# -- properties ------------------------------------------------------------------------------

SPECIAL = "\n\n\t \u00a0\u200b\u200c\u200d\ufeff\u2028\u3000\r….?!“”‘’\"'()—;:,"
TOKENS = (
    "U.S. Oct. 13 Dr. Mr. No. 5 3.5 e.g. J. Maj. Gen. p.m. Relations.In “to defend Israel.” "
    "‘no.’ ... … ? ! — ; : , the He The Washington’s"
).split() + ["\n", "\n\n", " ", "  ", "\t", "\u00a0", "\u200b", "."]

texts = st.one_of(
    st.text(),
    st.text(alphabet=st.one_of(st.characters(), st.sampled_from(SPECIAL))),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(texts)
def test_any_text_is_lossless(text: str) -> None:
    segments = segment_block(text)
    check_lossless(text, segments)
    assert (segments == []) == (text.strip() == "")


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=6))
def test_any_text_fits_max_len(text: str, max_len: int) -> None:
    segments = segment_block(text, max_len=max_len)
    check_lossless(text, segments)
    assert all(len(s.text.split()) <= max_len for s in segments)
    chars = segment_block(text, max_len=max_len, length=len)
    check_lossless(text, chars)
    assert all(len(s.text) <= max_len for s in chars)
