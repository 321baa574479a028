"""Numbers and dates for the ``numbers`` check: the same values on both sides, whatever the locale.

A number is compared as a value, so ``1,000`` = ``1.000`` = ``1 000`` and ``3.5`` = ``3,5``;
every English month of a date must come back as a month name of the target language, taken
from Babel's CLDR data and matched inflected or abbreviated (``октября``, ``Okt.``).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError

from toolkit.formats.spans import non_prose_spans
from toolkit.terms.verify import normalize

_SPACES = " \u00a0\u202f\u2009"
_NUMBER = re.compile(r"(?<!\d)\d+(?:(?:[.,]|[\u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")
# Russian groups thousands with a plain space as well ("1 000").
_NUMBER_RU = re.compile(r"(?<!\d)\d+(?:(?:[.,]|[ \u00a0\u202f\u2009](?=\d{3}(?!\d)))\d+)*")
_CONTINENTAL = ("el", "ru", "de", "tr")  # 1.000 / 1 000 and 3,5
_EN_MONTHS = (
    "January February March April May June July August September October November December".split()
)
_EN_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DATE = re.compile(
    rf"\b(?P<m1>{_EN_MONTH})\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d)"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_EN_MONTH})(?![a-z])"
    rf"|\b(?P<m3>{_EN_MONTH})\s+(?:of\s+)?\d{{4}}(?!\d)"
)
LETTER_WORD = re.compile(r"[^\W\d_]+")  # a word of letters only; the untranslated check counts these too
_STEM_ENDINGS = "aeiouyıäöüаеёиоуыэюяьйαεηιουωσ"



def number_problem(source: str, translation: str, lang: str) -> str | None:
    """'numbers differ: missing ...; not in the source ...', or None when the values match.
    Only prose counts: a URL, a tag or ``&#8217;`` holds no number a reader sees."""
    source, translation = _prose(source), _prose(translation)
    wanted: Counter[Decimal] = Counter()
    shown: dict[Decimal, str] = {}
    for m in _NUMBER.finditer(source):
        values = _interpretations(m.group(), "en")[0]
        for value in values:
            wanted[value] += 1
            shown.setdefault(value, m.group() if len(values) == 1 else str(value))
    extra: list[str] = []
    pattern = _NUMBER_RU if lang == "ru" else _NUMBER
    for m in pattern.finditer(translation):
        options = _interpretations(m.group(), lang)
        fitting = next((o for o in options if not Counter(o) - wanted), None)
        chosen = fitting if fitting is not None else options[0]
        for value in chosen:
            if wanted[value] > 0:
                wanted[value] -= 1
            else:
                extra.append(m.group() if len(chosen) == 1 else str(value))
    missing = [shown[v] for v, n in wanted.items() for _ in range(n)]
    parts = []
    if missing:
        parts.append("missing " + ", ".join(missing))
    if extra:
        parts.append("not in the source " + ", ".join(extra))
    return "numbers differ: " + "; ".join(parts) if parts else None


def _prose(text: str) -> str:
    """`text` with what is not prose (`non_prose_spans`) replaced by spaces, offsets kept."""
    for a, b in non_prose_spans(text):
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def _interpretations(token: str, lang: str) -> list[tuple[Decimal, ...]]:
    """What a number token can mean, the language's convention first, then English, then its
    digit runs as separate numbers ("7.30" as a time, "2019 180" as two numbers)."""
    runs = tuple(Decimal(d) for d in re.findall(r"\d+", token))
    if len(runs) == 1:
        return [runs]
    conventions = [(".", ","), (",", ".")] if lang in _CONTINENTAL else [(",", "."), (".", ",")]
    options = []
    for group, decimal in conventions:
        value = _parse_number(token, group, decimal)
        if value is not None and (value,) not in options:
            options.append((value,))
    return [*options, runs]


def _parse_number(token: str, group: str, decimal: str) -> Decimal | None:
    if token.count(decimal) > 1:
        return None
    whole, _, fraction = token.partition(decimal)
    groups = re.split("[" + re.escape(group) + _SPACES + "]", whole)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        return None
    if not fraction.isdigit() and fraction:
        return None
    return Decimal("".join(groups) + ("." + fraction if fraction else ""))


@lru_cache(maxsize=32)
def _month_names(lang: str) -> tuple[tuple[frozenset[str], frozenset[str], str], ...] | None:
    """Per month: (stems of the wide names, abbreviations, the name to show), from Babel's CLDR
    data. A stem drops final vowels so inflected forms match (октября/октябре/октябрь)."""
    try:
        months = Locale.parse(lang).months
    except (UnknownLocaleError, ValueError):
        return None
    table = []
    for number in range(1, 13):
        stems, abbreviations = set(), set()
        for context in ("format", "stand-alone"):
            stems.add(_stem(normalize(months[context]["wide"][number], lang)))
            abbreviations.add(normalize(months[context]["abbreviated"][number], lang).rstrip("."))
        table.append((frozenset(stems), frozenset(abbreviations), months["format"]["wide"][number]))
    return tuple(table)


def _stem(name: str) -> str:
    while len(name) > 2 and name[-1] in _STEM_ENDINGS:
        name = name[:-1]
    return name


def _month_of(word: str, table: tuple[tuple[frozenset[str], frozenset[str], str], ...]) -> int | None:
    """The month a (normalised) word names: an abbreviation exactly, or the longest stem it
    starts with (so марта is March, not May's "ма")."""
    best, best_len = None, 0
    for number, (stems, abbreviations, _) in enumerate(table, start=1):
        if word in abbreviations and len(word) > best_len:
            best, best_len = number, len(word)
        for stem in stems:
            if word.startswith(stem) and len(word) - len(stem) <= 4 and len(stem) > best_len:
                best, best_len = number, len(stem)
    return best


def missing_months(source: str, translation: str, lang: str) -> list[tuple[str, str]]:
    """(date in the source, the month's name in `lang`) for each date whose month is not found."""
    table = _month_names(lang)
    if table is None:
        return []
    dates: dict[int, list[str]] = {}
    for m in _DATE.finditer(source):
        name = m.group("m1") or m.group("m2") or m.group("m3")
        number = next(i for i, full in enumerate(_EN_MONTHS, 1) if full.startswith(name[:3]))
        dates.setdefault(number, []).append(m.group())
    if not dates:
        return []
    found = Counter(_month_of(normalize(w, lang), table) for w in LETTER_WORD.findall(translation))
    missing = []
    for number, mentions in dates.items():
        for date in mentions[found[number]:]:
            missing.append((date, table[number - 1][2]))
    return missing
