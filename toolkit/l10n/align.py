"""Sentence pairs out of a reviewed paragraph and its translation, only where they are trustworthy.

A translator approves paragraphs; the memory also wants their sentences, since a new article
repeats sentences far more often than whole paragraphs. Both sides are split into sentences
and paired one to one, and only when nothing suggests that a translator merged, split or
reordered sentences: the same number of sentences on both sides, every pair of a plausible
length (its length ratio within a factor of two of the paragraph's own ratio, so German's
longer words are no reason to refuse) and the same numbers in both sentences (compared as digit
runs, so ``1,000`` = ``1.000`` = ``1 000``). Otherwise the paragraph pair is all the memory keeps.

English is split by `toolkit.segment.segment_block`. The same rules split the target after an
equal-length rewrite that only the splitter sees: the Greek question mark ``;`` becomes ``?``,
every non-ASCII capital ``A`` and small letter ``a`` (so ``А. С. Пушкин`` and ``Ä. Schmidt``
are initials, not sentences), and a sentence that ends in one of the language's abbreviations
(``κ.``, ``ул.``, ``z. B.``) or, in German and Turkish, in an ordinal (``am 3. Oktober``) is
joined to the next one. A split the rules still get wrong makes the counts differ: the pair is
refused, never misaligned.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from toolkit.segment import segment_block

_WHOLE = 10**9  # no sentence is cut for length here: a piece of a sentence is not a sentence
_DIGITS = re.compile(r"\d+")
_LAST_WORD = re.compile(r"(\S+)\.\W*$")
_ORDINAL_END = re.compile(r"(?<![\d.,])\d{1,2}\.$")
RATIO_SLACK = 10  # characters added to both lengths: short sentences vary more
MAX_RATIO_DEVIATION = 2.0  # a pair's length ratio may differ from the paragraph's by this factor

# Abbreviations (as written, without the final period) that a capitalised word may follow
# inside a sentence. English has its own rules in the splitter.
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "el": frozenset("κ κα κκ Δρ δρ καθ Καθ π.χ λ.χ δηλ βλ αρ σελ κ.ά κ.λπ κλπ Αγ".split()),
    "ru": frozenset("г гг ул им д пр пл просп пер наб т.е т.к т.н см ср стр рис тыс млн млрд руб "
                    "проф акад ген полк св др".split()),
    "de": frozenset("Dr Prof Hr Hrn Fr Nr St Str bzw z.B d.h u.a ca usw vgl ggf evtl inkl Abs "
                    "Art Bd Jh".split()),
    "tr": frozenset("Dr Prof Doç Av Yrd Sn Bkz vb vs No Alb Gen Org".split()),
}
_ORDINAL_LANGS = frozenset({"de", "tr"})  # "am 3. Oktober", "3. madde": a number with a period


@dataclass
class Alignment:
    """The sentence pairs of a paragraph pair, or none and why (`reason`)."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    reason: str | None = None  # None: aligned (or a single sentence, which needs no pairs)
    sentences: int = 1  # in the English paragraph


def primary(lang: str) -> str:
    """'pt_BR' -> 'pt': the language without its region or script."""
    return re.split(r"[-_@]", lang, maxsplit=1)[0].lower()


def split_sentences(text: str, lang: str = "en") -> list[str]:
    """The sentences of a paragraph in `lang`, each exactly as it stands in `text`."""
    code = primary(lang)
    if code == "en":
        return [s.text for s in segment_block(text, max_len=_WHOLE)]
    shadow = _shadow(text, code)
    spans = [(s.start, s.end) for s in segment_block(shadow, max_len=_WHOLE)]
    merged: list[tuple[int, int]] = []
    abbreviations = ABBREVIATIONS.get(code, frozenset())
    for start, end in spans:
        if merged and _continues(text[merged[-1][0] : merged[-1][1]], code, abbreviations):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return [text[start:end] for start, end in merged]


def _shadow(text: str, code: str) -> str:
    """`text` rewritten character for character (same length) into what the splitter knows."""
    chars = []
    for ch in text:
        if ch == ";" and code == "el" or ch == "\u037e":  # GREEK QUESTION MARK
            chars.append("?")
        elif ch.isascii() or not ch.isalpha():
            chars.append(ch)
        elif ch.isupper():
            chars.append("A")
        else:
            chars.append("a")
    return "".join(chars)


def _continues(sentence: str, code: str, abbreviations: frozenset[str]) -> bool:
    """Whether `sentence` ends in an abbreviation or ordinal, so the next one belongs to it."""
    stripped = sentence.rstrip()
    if code in _ORDINAL_LANGS and _ORDINAL_END.search(stripped):
        return True
    m = _LAST_WORD.search(stripped)
    return m is not None and m.group(1).lstrip("(\"'«„“") in abbreviations


def digit_runs(text: str) -> Counter[str]:
    """The numbers of a text as digit runs without leading zeros: '1,000.5' -> {'1', '0', '5'}."""
    return Counter(run.lstrip("0") or "0" for run in _DIGITS.findall(text))


def align(source: str, target: str, lang: str) -> Alignment:
    """Pair the sentences of an English paragraph and its translation into `lang`, or say why not."""
    src = split_sentences(source, "en")
    if len(src) < 2:
        return Alignment(sentences=len(src))
    tgt = split_sentences(target, lang)
    if len(src) != len(tgt):
        return Alignment(reason=f"{len(src)} sentences in English, {len(tgt)} in the translation",
                         sentences=len(src))
    paragraph = _ratio(source, target)
    pairs = []
    for number, (s, t) in enumerate(zip(src, tgt, strict=True), start=1):
        if digit_runs(s) != digit_runs(t):
            return Alignment(reason=f"sentence {number}: the numbers differ", sentences=len(src))
        deviation = _ratio(s, t) / paragraph
        if not 1 / MAX_RATIO_DEVIATION <= deviation <= MAX_RATIO_DEVIATION:
            reason = f"sentence {number}: implausible length ({len(s)} and {len(t)} characters)"
            return Alignment(reason=reason, sentences=len(src))
        pairs.append((s, t))
    return Alignment(pairs, sentences=len(src))


def _ratio(source: str, target: str) -> float:
    return (len(target.strip()) + RATIO_SLACK) / (len(source.strip()) + RATIO_SLACK)
