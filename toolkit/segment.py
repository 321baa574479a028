"""Split a paragraph (block) into sentences without losing a single character.

Machine translation works sentence by sentence, but a translated paragraph must come back with
the exact layout of the original. So segments are spans into the block: `join` puts translations
into those spans and keeps every gap (spaces, line breaks) from the block as it was.

The splitter is a small rule set tuned for English news. pysbd was measured against the same cases
and left too many to patch (it splits at every line break, misses "…" and ‘quote.’ endings and
"U.S." at the end of a sentence), it finds its spans by re-searching sentence strings, and it is
slower than the whole budget for an article. Here every span comes from token offsets, so the
output is lossless by construction. A single line break stays inside a sentence; a blank line
always ends one.

Sentences longer than `max_len` (default: words) are cut further, at clause boundaries where
possible, so a very long sentence is translated in full instead of being truncated by the model.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toolkit.errors import ToolkitError

__all__ = ["Segment", "segment_block", "join"]


@dataclass(frozen=True)
class Segment:
    """One sentence (or piece of an over-long sentence): `block[start:end] == text`."""

    block_id: int
    text: str
    start: int
    end: int


# Words (without their final period) that come before a name: never the end of a sentence.
_TITLES = frozenset(
    "Mr Mrs Ms Mx Messrs Dr Prof Rev Fr St Mt Ft Gen Lt Col Maj Capt Cmdr Cdr Adm Sgt Cpl Pvt"
    " Brig Spc Gov Sen Rep Pres Amb Hon Rt Supt Insp Det Atty Msgr".split()
)
# Abbreviations that always continue the sentence.
_CONTINUERS = frozenset("e.g i.e cf vs viz approx incl esp ca".split())
# Abbreviations that continue the sentence when a number follows ("Oct. 13", "No. 5").
_BEFORE_NUMBERS = frozenset(
    "No Nos Nr Vol Vols p pp Art Fig Figs Ch Sec Para Op Tel Ext c"
    " Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
# After "U.S."/"U.N.", these words start a new sentence ...
_STARTERS = frozenset(
    "I He She It We They You The A An This That These Those There Here His Her Its Our Their My"
    " Your But And Or So Yet However Meanwhile Still Also Then Now Today Yesterday In On At As"
    " After Before When While If Although Though Because Since For With Without What Who Why How"
    " Where Some Many Most All Both Each One No Not Only Such Last Earlier Later".split()
)
# ... and these continue it ("U.S. Secretary of State", "U.N. Security Council").
_FOLLOWERS = frozenset(
    "Army Navy Naval Air Marine Marines Coast Space Force Forces Military Congress Senate House"
    " Capitol Supreme District Court Attorney Department Secretary Embassy Ambassador Envoy"
    " President Vice Treasury State Defense Defence Justice Homeland Commerce Energy Trade"
    " Federal National Central Special Security General Government Administration Intelligence"
    " Command Mission Agency Charter Representative Senator Open Census Postal Customs Border"
    " Human Refugee Office Prime Foreign Health Chamber Bank Steel Dollar".split()
)

_OPENERS = "\"'“‘«‹([{¿¡"
_CLOSERS = "\"'”’»›)]}"
_TERMINATORS = ".?!…"
_TOKEN = re.compile(r"\S+")
_SPACE = re.compile(r"\s*")
_GAP = re.compile(r"(?<=\S)\s+(?=\S)")
_INITIAL = re.compile(r"[A-Z]")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_LETTERS = re.compile(r"[^\W\d_]+")
# A period with no space after it: "Greco-Turkish Relations.In the past" (common in scraped text).
_GLUED = re.compile(r"[^/@.]*[a-z]{2}\.[”’\"')]?(?=[A-Z][a-z]*$)")
# Clause boundaries for cutting long sentences, strongest first; the cut goes after the mark.
WRAP_MIN_LINE = 40  # shorter lines inside a paragraph are lines of their own, not wrapping
_CLAUSE_MARKS = (";", ":", "—–", ",")


def segment_block(
    text: str,
    block_id: int = 0,
    *,
    max_len: int = 200,
    length: Callable[[str], int] | None = None,
) -> list[Segment]:
    """Sentences of one paragraph, in order; no sentence is longer than `max_len`.

    `length` measures a sentence (default: whitespace-separated words); pass the translation
    model's tokenizer count to respect its input limit instead.
    """
    if max_len < 1:
        raise ToolkitError(f"max_len must be at least 1, got {max_len}")
    measure = length or _word_count
    segments = []
    for start, end in _sentence_spans(text):
        for p_start, p_end in _fit(text, start, end, max_len, measure):
            segments.append(Segment(block_id, text[p_start:p_end], p_start, p_end))
    return segments


def join(block: str, segments: Sequence[Segment], texts: Sequence[str] | None = None) -> str:
    """Rebuild `block`, putting `texts[i]` (default: the segment's own text) in segment i's place.

    Everything between and around the segments is copied from `block` unchanged.
    """
    if texts is None:
        texts = [s.text for s in segments]
    elif len(texts) != len(segments):
        raise ToolkitError(f"{len(texts)} texts for {len(segments)} segments")
    parts = []
    pos = 0
    for i, (seg, new) in enumerate(zip(segments, texts, strict=True)):
        if seg.start < pos or block[seg.start : seg.end] != seg.text:
            raise ToolkitError(f"segment {i} does not belong to this block at {seg.start}")
        parts += [block[pos : seg.start], new]
        pos = seg.end
    parts.append(block[pos:])
    return "".join(parts)


def _word_count(text: str) -> int:
    return len(text.split())


def _tokens(text: str) -> list[tuple[int, int]]:
    """Whitespace-separated tokens, with glued sentence ends ("word.Next") cut in two."""
    tokens = []
    for m in _TOKEN.finditer(text):
        glued = _GLUED.match(m.group())
        if glued:
            cut = m.start() + glued.end()
            tokens += [(m.start(), cut), (cut, m.end())]
        else:
            tokens.append(m.span())
    return tokens


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    tokens = _tokens(text)
    if not tokens:
        return []
    spans = []
    seg_start = tokens[0][0]
    lines_are_units = not _hard_wrapped(text)
    for i in range(len(tokens) - 1):
        (a, b), (c, d) = tokens[i], tokens[i + 1]
        after = text[slice(*tokens[i + 2])] if i + 2 < len(tokens) else ""
        newlines = text.count("\n", b, c)
        if (
            b == c  # a glued sentence end
            or newlines >= 2  # a blank line
            or (newlines and lines_are_units)  # a byline, a heading over a sentence
            or _ends_sentence(text[a:b], text[c:d], after)
        ):
            spans.append((seg_start, b))
            seg_start = c
    spans.append((seg_start, tokens[-1][1]))
    return _merge_wordless(text, spans)


def _hard_wrapped(text: str) -> bool:
    """Whether single line breaks are mere wrapping (long lines) rather than separate lines.

    Wrapped prose has long lines throughout; a byline ("Name\nCredit: Getty Images") or a
    heading above a sentence has a short line, and each line then stands on its own.
    """
    lines = [line.strip() for line in text.strip().split("\n")]
    return len(lines) > 1 and all(len(line) >= WRAP_MIN_LINE for line in lines[:-1])


def _ends_sentence(prev: str, nxt: str, after: str) -> bool:
    """Whether a sentence ends between the tokens `prev` and `nxt` (`after` follows `nxt`)."""
    core = prev.rstrip(_CLOSERS)
    word = core.rstrip(_TERMINATORS)
    term = core[len(word) :]
    if not term or nxt[0] in ".?!…,;:":
        return False
    first = nxt.lstrip(_OPENERS)[:1]
    if not first or first.islower():
        return False
    if "?" in term or "!" in term:
        return True
    if term != ".":  # an ellipsis ends a sentence only before a new, capitalised one
        return first.isalpha()
    word = word.lstrip(_OPENERS)
    if word in _TITLES or word in _CONTINUERS or _INITIAL.fullmatch(word):
        return False
    if word in _BEFORE_NUMBERS and first.isdigit():
        return False
    if _INITIALISM.fullmatch(word):
        return first.isalpha() and _new_sentence_after_initialism(nxt, after)
    return True


def _new_sentence_after_initialism(nxt: str, after: str) -> bool:
    """Whether "U.S. Army troops" goes on or "for the U.S. Washington's support" ends."""
    word = _LETTERS.match(nxt.lstrip(_OPENERS))
    if word is None or word.group() in _STARTERS:
        return True
    if word.group() in _FOLLOWERS:
        return False
    # A run of capitalised words is a name: "U.S. Marshals Service", "T.H. Chan School".
    ends_clause = nxt[-1] in ".,;:?!…"
    return ends_clause or not after.lstrip(_OPENERS)[:1].isupper()


def _merge_wordless(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Attach spans without a letter or digit ("...", "—") to a neighbour: not worth translating."""
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in spans:
        if pending is not None:
            start, pending = pending, None
        if any(ch.isalnum() for ch in text[start:end]):
            merged.append((start, end))
        elif merged:
            merged[-1] = (merged[-1][0], end)
        else:
            pending = start
    if pending is not None:
        merged.append((pending, spans[-1][1]))
    return merged


def _fit(
    text: str, start: int, end: int, max_len: int, measure: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Cut `text[start:end]` into consecutive pieces of at most `max_len` each."""
    if measure(text[start:end]) <= max_len:
        return [(start, end)]
    word_ends = [m.start() for m in _GAP.finditer(text, start, end)] + [end]
    pieces = []
    while (cut := _next_cut(text, start, word_ends, max_len, measure)) is not None:
        pieces.append((start, cut))
        start = _SPACE.match(text, cut).end()
    pieces.append((start, end))
    return pieces


def _next_cut(
    text: str, start: int, word_ends: list[int], max_len: int, measure: Callable[[str], int]
) -> int | None:
    """Where the piece from `start` ends, or None if the rest of the sentence fits."""

    def fits(cut: int) -> bool:
        return measure(text[start:cut]) <= max_len

    first = bisect_right(word_ends, start)
    last = _last_fitting(word_ends, first, fits)
    if last == len(word_ends) - 1:
        return None
    if last < first:  # even the next word is too long: cut inside it, one character at least
        chars = range(start + 1, word_ends[first] + 1)
        return chars[max(_last_fitting(chars, 0, fits), 0)]
    return _prefer_clause(text, start, word_ends[first : last + 1], max_len, measure)


def _last_fitting(cuts: Sequence[int], lo: int, fits: Callable[[int], bool]) -> int:
    """Index of the last cut from `lo` on that fits (`lo - 1` if none).

    Galloping, then bisecting: the cost follows the piece, not the rest of a huge sentence.
    """
    if not fits(cuts[lo]):
        return lo - 1
    good, step = lo, 1
    while good + step < len(cuts) and fits(cuts[good + step]):
        good, step = good + step, step * 2
    bad = min(good + step, len(cuts))
    while bad - good > 1:
        mid = (good + bad) // 2
        good, bad = (mid, bad) if fits(cuts[mid]) else (good, mid)
    return good


def _prefer_clause(
    text: str, start: int, cuts: list[int], max_len: int, measure: Callable[[str], int]
) -> int:
    """The last fitting cut, or the strongest clause boundary that still keeps half the limit."""
    for marks in _CLAUSE_MARKS:
        for cut in reversed(cuts):
            if _clause_end(text, start, cut, marks):
                if max_len <= 2 * measure(text[start:cut]) <= 2 * max_len:
                    return cut
                break  # earlier boundaries of this kind only give shorter pieces
    return cuts[-1]


def _clause_end(text: str, start: int, cut: int, marks: str) -> bool:
    if text[cut - 1] not in marks:
        return False
    # A dash counts only as a word of its own (" — "); "2019—the" is one word.
    return marks != "—–" or cut - 2 < start or text[cut - 2].isspace()
