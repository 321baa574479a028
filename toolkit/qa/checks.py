"""Quality checks for machine translations, run before a translator opens the catalog.

Translate Toolkit's ``pofilter`` and Weblate's checks cover the generic problems (numbers,
untranslated text, punctuation, brackets), but they know neither the newsroom glossary (which
English term must become which rendering, inflected) nor the language the output is actually in.
Argos models add failure modes of their own: they loop (``the the the``), lower-case brand
names (``Lockheed martin``), stop at their output limit, or answer in the wrong language. Every
finding is one line naming what is wrong, so a reviewer can read the report quickly.

Checks (id, severity, what is compared):

``glossary``        error    every glossary term of the source has an accepted rendering
                             (inflection-aware, `toolkit.terms.verify.check_translation`); a missing
                             or rejected rendering is reported. Do-not-translate concepts are
                             left to ``dnt``, so a problem is reported once.
``dnt``             error    do-not-translate terms appear unchanged, case included
                             (``Lockheed martin`` is wrong). A suffix is allowed (``Raytheon'un``,
                             ``Lockheed Martins``).
``numbers``         error    the same numbers on both sides, whatever the separators (``1,000`` =
                             ``1.000`` = ``1 000``, ``3.5`` = ``3,5``), and every English month
                             of a date (``October 1``, ``May 2024``) present as a localised month
                             name from Babel's CLDR data, inflected or abbreviated.
``untranslated``    warning  the translation is empty, or equals the source (case and spacing
                             ignored) while the source has three words or more.
``wrong-language``  error    langdetect is sure (p >= 0.80) the text is in another language; texts
                             too short to judge (bylines, headings) are never judged.
``repetition``      error    an n-gram (n = 1..4) three times in a row, or one n-gram making up
                             half of the output, when the source has no such repetition.
``length``          warning  characters of translation / source outside `LENGTH_RANGES` (plus
                             `LENGTH_SLACK` characters either way, for short sentences); only
                             for sources of 20 characters or more.
``sentences``       warning  the sentence counts differ by more than one per five source sentences
                             (so 0 for up to four). Counting uses `toolkit.l10n.segment.segment_block`
                             on both sides, after teaching it what it cannot know from English:
                             the Greek question mark ``;``, ordinals ``1. Oktober`` and
                             ``5. Madde``, single-letter initials in any script and the common
                             abbreviations of each language (``z. B.``, ``κ.``, ``г.``, ``Dr.``).
``end-punctuation`` warning  the source ends with . ? ! : or … (closing quotes and brackets
                             aside) and the translation does not; a question must stay a question
                             (Greek ``;`` counts as ``?``) and an exclamation an exclamation.
``brackets``        warning  ( ) and [ ] balanced, and quotes balanced per family whatever the
                             convention: « » and ‹ › pairwise, „ “ ” and straight " in even
                             numbers, single quotes used as quotes (not apostrophes) pairwise.
                             Only checked when the source itself is balanced (a quotation that
                             runs over several paragraphs is not).
``truncated``       error    the model hit its output limit (``truncated=True``), or the
                             translation has under half the source's length and stops without
                             the final punctuation the source has. A truncated translation is
                             not also reported under length, sentences, end-punctuation or
                             brackets: those are its symptoms.
"""

from __future__ import annotations

import os
import re
import struct
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.core import UnknownLocaleError

from toolkit.errors import ToolkitError
from toolkit.l10n.catalog import is_machine, read_po
from toolkit.l10n.segment import segment_block
from toolkit.terms.glossary import Glossary, find_terms
from toolkit.terms.verify import TermCheck, check_translation, normalize

ERROR, WARNING = "error", "warning"

CHECKS: dict[str, str] = {
    "glossary": "glossary terms of the source have an approved or accepted rendering",
    "dnt": "do-not-translate terms (brands, systems) appear unchanged, case included",
    "numbers": "numbers and the months of dates are preserved (localised separators and months accepted)",
    "untranslated": "the translation is empty or identical to the source",
    "wrong-language": "the translation is confidently detected as another language",
    "repetition": "no machine-translation loops (repeated words or phrases)",
    "length": "the translation/source length ratio is plausible for the language",
    "sentences": "the translation has as many sentences as the source",
    "end-punctuation": "the final punctuation of the source is kept",
    "brackets": "brackets and quotes are balanced as in the source",
    "truncated": "the translation is complete (not cut off at the model's output limit)",
}
SEVERITIES: dict[str, str] = {
    "glossary": ERROR,
    "dnt": ERROR,
    "numbers": ERROR,
    "untranslated": WARNING,
    "wrong-language": ERROR,
    "repetition": ERROR,
    "length": WARNING,
    "sentences": WARNING,
    "end-punctuation": WARNING,
    "brackets": WARNING,
    "truncated": ERROR,
}

# Characters of translation per character of English. Greek and German news copy usually runs
# 10-30 % longer than the English, Russian and Turkish about as long; the ranges leave room for
# MT terseness and paraphrase, so only clear outliers (dropped or invented clauses) are reported.
# `LENGTH_SLACK` widens each range by a few characters so a 25-character headline is not judged
# by its ratio alone. Other languages get `DEFAULT_LENGTH_RANGE`.
LENGTH_RANGES: dict[str, tuple[float, float]] = {
    "el": (0.8, 1.8),
    "ru": (0.7, 1.7),
    "de": (0.8, 1.8),
    "tr": (0.7, 1.6),
}
DEFAULT_LENGTH_RANGE = (0.5, 2.0)
LENGTH_SLACK = 10
MIN_LENGTH_SOURCE = 20  # characters; below this ratios say nothing
TRUNCATED_RATIO = 0.5

MIN_DETECT_LETTERS = 30
MIN_DETECT_WORDS = 4
WRONG_LANGUAGE_PROBABILITY = 0.80

LOOP_REPEATS = 3  # the same n-gram this many times in a row is a loop
LOOP_MAX_N = 4
LOOP_SHARE = 0.5  # ... or one n-gram making up this share of the output
LOOP_MIN_TOKENS = 8
SENTENCES_PER_EXTRA = 5  # one sentence of difference allowed per this many source sentences


@dataclass(frozen=True)
class Finding:
    """One problem in one translation; `message` is a single line naming what is wrong."""

    check_id: str
    severity: str  # 'error' | 'warning'
    message: str


@dataclass(frozen=True)
class Detection:
    lang: str
    probability: float


@dataclass
class EntryFindings:
    """The findings for one catalog entry; `line` is where the entry starts in the .po file."""

    msgid: str
    msgctxt: str | None
    line: int | None
    fuzzy: bool
    findings: list[Finding] = field(default_factory=list)


@dataclass
class CatalogReport:
    """Every non-obsolete entry of a catalog, with or without findings, in file order."""

    path: str
    lang: str
    entries: list[EntryFindings] = field(default_factory=list)

    def errors(self) -> int:
        return self._count(ERROR)

    def warnings(self) -> int:
        return self._count(WARNING)

    def _count(self, severity: str) -> int:
        return sum(f.severity == severity for e in self.entries for f in e.findings)


def _finding(check_id: str, message: str) -> Finding:
    return Finding(check_id, SEVERITIES[check_id], " ".join(message.split()))


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _primary(lang: str) -> str:
    """'de_AT', 'pt-BR', 'sr@latin' -> 'de', 'pt', 'sr': glossary columns and checks are per language."""
    return re.split(r"[-_@.]", lang.strip(), maxsplit=1)[0].lower()


# --------------------------------------------------------------------------- language identification


def detect_language(text: str) -> Detection | None:
    """The most probable language of `text`, or None when the text is too short to judge.

    langdetect samples n-grams at random; the seed is fixed so the same text always gets the
    same answer. Under about 30 letters or 4 words its guesses are noise (a byline, a name).
    """
    letters = sum(ch.isalpha() for ch in text)
    words = len(re.findall(r"[^\W\d_]+", text))
    if letters < MIN_DETECT_LETTERS or words < MIN_DETECT_WORDS:
        return None
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _load_compact_profiles()
    DetectorFactory.seed = 0
    try:
        ranked = detect_langs(text)
    except LangDetectException:  # no usable features (digits and symbols only)
        return None
    if not ranked:
        return None
    return Detection(ranked[0].lang, float(ranked[0].prob))


class _SparseProbabilities(dict):
    """langdetect's n-gram -> per-language probability table, stored sparse.

    langdetect keeps a dense list of 55 floats per n-gram (4.8 million slots, ~75 MB); 96% are
    zero. Here each n-gram keeps only its (language index, probability) pairs and the dense list
    langdetect's Detector indexes is built when it looks the n-gram up: same numbers, ~1/5 the
    memory, so the profiles fit beside a model on a laptop.
    """

    __slots__ = ("size",)
    PAIR = struct.Struct("<Bd")  # language index, probability: 9 bytes a pair

    def __getitem__(self, ngram):
        dense = [0.0] * self.size
        for index, prob in self.PAIR.iter_unpack(dict.__getitem__(self, ngram)):
            dense[index] = prob
        return dense


def compact_factory():
    """A langdetect DetectorFactory holding its profiles in the sparse table.

    Mirrors `DetectorFactory.load_profile` (same files, same order, same arithmetic) and keeps
    its Detector, so detections are identical; only the storage differs.
    """
    import json

    from langdetect import detector_factory as df

    factory = df.DetectorFactory()
    names = [n for n in os.listdir(df.PROFILES_DIRECTORY) if not n.startswith(".")]
    pack = _SparseProbabilities.PAIR.pack
    sparse = _SparseProbabilities()
    for index, name in enumerate(names):
        with open(os.path.join(df.PROFILES_DIRECTORY, name), encoding="utf-8") as f:
            data = json.load(f)
        factory.langlist.append(data["name"])
        n_words = data["n_words"]
        for ngram, count in data["freq"].items():
            pair = pack(index, count / n_words[len(ngram) - 1]) if 1 <= len(ngram) <= 3 else b""
            sparse[ngram] = dict.get(sparse, ngram, b"") + pair
    sparse.size = len(names)
    factory.word_lang_prob_map = sparse
    return factory


def _load_compact_profiles() -> None:
    """Make the compact factory langdetect's global one (once per process)."""
    from langdetect import detector_factory as df

    if df._factory is None:
        df._factory = compact_factory()


def release_detector() -> None:
    """Drop langdetect's language profiles (~75 MB of Python lists) until the next detection.

    The pipeline calls this before a model's batch, so profiles and decoding buffers are never
    in memory at once; reloading them takes about 0.3 s, once per run.
    """
    import sys

    factory = sys.modules.get("langdetect.detector_factory")
    if factory is not None and factory._factory is not None:
        factory._factory = None
        import gc

        gc.collect()


def detect_article_language(text: str) -> Detection | None:
    """The language of a whole article, so `toolkit translate` can refuse non-English input.

    The whole text is judged at once: bylines and headings are too short on their own, and
    langdetect already ignores URLs and e-mail addresses.
    """
    return detect_language(text)


# --------------------------------------------------------------------------- one entry


def check_entry(
    source: str,
    translation: str,
    lang: str,
    *,
    glossary: Glossary | None = None,
    truncated: bool = False,
) -> list[Finding]:
    """Every finding for one translation of `source` into `lang`, in `CHECKS` order.

    `truncated` says the model hit its output limit. Raises ToolkitError when the glossary has
    no column for `lang`.
    """
    lang = _primary(lang)
    if not translation.strip():
        return [_finding("untranslated", "empty translation")]
    findings: list[Finding] = []
    if glossary is not None:
        checks = check_translation(glossary, source, translation, lang)
        dnt = {c.id for c in glossary.concepts if c.dnt}
        findings += _glossary_findings([c for c in checks if c.concept_id not in dnt])
        findings += _dnt_findings(glossary, [c for c in checks if c.concept_id in dnt])
    findings += _numbers(source, translation, lang)
    findings += _untranslated(source, translation, glossary)
    findings += _wrong_language(translation, lang)
    findings += _repetition(source, translation)
    cut = _truncated(source, translation, truncated)
    if not cut:
        findings += _length(source, translation, lang)
        findings += _sentences(source, translation, lang)
        findings += _end_punctuation(source, translation, lang)
        findings += _brackets(source, translation)
    return findings + cut


# --------------------------------------------------------------------------- glossary and dnt


def _glossary_findings(checks: list[TermCheck]) -> list[Finding]:
    findings = []
    for check in checks:
        if check.status == "missing":
            findings.append(_finding(
                "glossary", f"'{check.term}' missing: expected '{check.expected}' (or an accepted form)"
            ))
        elif check.status == "forbidden":
            findings.append(_finding(
                "glossary",
                f"'{check.term}' rendered as rejected '{check.forbidden}': expected '{check.expected}'",
            ))
    return findings


def _dnt_findings(glossary: Glossary, checks: list[TermCheck]) -> list[Finding]:
    """A do-not-translate term must start with one of its forms exactly; only a suffix may follow."""
    findings = []
    concepts = {c.id: c for c in glossary.concepts}
    for check in checks:
        concept = concepts[check.concept_id]
        if check.status != "found" or check.target is None:
            findings.append(_finding("dnt", f"do-not-translate '{check.term}' missing: keep it as written"))
            continue
        forms = [*concept.forms, *(r.text for r in concept.renderings.values())]
        if not any(check.target.text.startswith(form) for form in forms if form):
            findings.append(_finding(
                "dnt", f"do-not-translate '{check.term}' changed to '{check.target.text}'"
            ))
    return findings


# --------------------------------------------------------------------------- numbers and dates

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
_LETTER_WORD = re.compile(r"[^\W\d_]+")
_STEM_ENDINGS = "aeiouyıäöüаеёиоуыэюяьйαεηιουωσ"


def _numbers(source: str, translation: str, lang: str) -> list[Finding]:
    """Numbers as values (separators are locale business), then the months of dates."""
    findings = []
    problem = _number_problem(source, translation, lang)
    if problem:
        findings.append(_finding("numbers", problem))
    for date, month in _missing_months(source, translation, lang):
        findings.append(_finding("numbers", f"date '{date}': month not found (expected '{month}')"))
    return findings


def _number_problem(source: str, translation: str, lang: str) -> str | None:
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


def _missing_months(source: str, translation: str, lang: str) -> list[tuple[str, str]]:
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
    found = Counter(_month_of(normalize(w, lang), table) for w in _LETTER_WORD.findall(translation))
    missing = []
    for number, mentions in dates.items():
        for date in mentions[found[number]:]:
            missing.append((date, table[number - 1][2]))
    return missing


# --------------------------------------------------------------------------- untranslated, language


def _untranslated(source: str, translation: str, glossary: Glossary | None) -> list[Finding]:
    """Identical text is only suspicious when there was something to translate: three words
    that are not do-not-translate names."""
    if " ".join(source.casefold().split()) != " ".join(translation.casefold().split()):
        return []
    text = source
    if glossary is not None:
        dnt = {c.id for c in glossary.concepts if c.dnt}
        for match in reversed(find_terms(glossary, source)):
            if match.concept_id in dnt:
                text = text[: match.start] + " " + text[match.end :]
    if len(_LETTER_WORD.findall(text)) < 3:
        return []
    return [_finding("untranslated", "translation is identical to the source")]


def _wrong_language(translation: str, lang: str) -> list[Finding]:
    detection = detect_language(translation)
    if detection is None or detection.probability < WRONG_LANGUAGE_PROBABILITY:
        return []
    if _primary(detection.lang) == lang:
        return []
    return [_finding(
        "wrong-language",
        f"translation looks like '{detection.lang}' (p={detection.probability:.2f}), expected '{lang}'",
    )]


# --------------------------------------------------------------------------- repetition


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _longest_run(tokens: list[str], n: int) -> tuple[int, int]:
    """(repeats, start) of the n-gram repeated most times back to back."""
    best, best_start, streak = 1, 0, 0
    for k in range(len(tokens) - n):
        streak = streak + 1 if tokens[k] == tokens[k + n] else 0
        repeats = streak // n + 1
        if repeats > best:
            best, best_start = repeats, k - streak + 1
    return best, best_start


def _top_share(tokens: list[str], n: int) -> tuple[float, int, tuple[str, ...]]:
    """(share of the tokens, count, n-gram) of the most frequent repeated n-gram."""
    grams = Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    if not grams or len(tokens) < LOOP_MIN_TOKENS:
        return 0.0, 0, ()
    gram, count = grams.most_common(1)[0]
    if count < 2:
        return 0.0, count, gram
    return min(1.0, count * n / len(tokens)), count, gram


def _repetition(source: str, translation: str) -> list[Finding]:
    """Argos loops: a phrase repeated back to back, or one phrase filling the output."""
    src, out = _tokens(source), _tokens(translation)
    for n in range(1, LOOP_MAX_N + 1):
        repeats, start = _longest_run(out, n)
        if repeats >= LOOP_REPEATS and _longest_run(src, n)[0] < LOOP_REPEATS:
            gram = " ".join(out[start : start + n])
            return [_finding("repetition", f"'{_short(gram)}' repeated {repeats} times in a row (MT loop)")]
    for n in range(1, LOOP_MAX_N + 1):
        share, count, gram = _top_share(out, n)
        if count >= LOOP_REPEATS and share >= LOOP_SHARE and _top_share(src, n)[0] < LOOP_SHARE / 2:
            return [_finding(
                "repetition",
                f"'{_short(' '.join(gram))}' makes up {share:.0%} of the translation"
                f" ({count} times; MT loop)",
            )]
    return []


# --------------------------------------------------------------------------- length and truncation


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


def _length(source: str, translation: str, lang: str) -> list[Finding]:
    n_src, n_out = _chars(source), _chars(translation)
    if n_src < MIN_LENGTH_SOURCE:
        return []
    low, high = LENGTH_RANGES.get(lang, DEFAULT_LENGTH_RANGE)
    if low * n_src - LENGTH_SLACK <= n_out <= high * n_src + LENGTH_SLACK:
        return []
    return [_finding(
        "length",
        f"translation is {n_out / n_src:.2f}× the source length ({n_out} vs {n_src} characters;"
        f" expected {low}–{high} for '{lang}')",
    )]


def _truncated(source: str, translation: str, truncated: bool) -> list[Finding]:
    if truncated:
        return [_finding("truncated", "the model stopped at its output length limit: translation is cut off")]
    n_src, n_out = _chars(source), _chars(translation)
    if n_src < MIN_LENGTH_SOURCE or n_out >= TRUNCATED_RATIO * n_src:
        return []
    if _final_mark(source) is None or _final_mark(translation) is not None:
        return []
    return [_finding(
        "truncated",
        f"translation stops mid-sentence at {n_out / n_src:.0%} of the source length"
        f" ('…{_short(translation.strip()[-25:], 25)}')",
    )]


# --------------------------------------------------------------------------- punctuation

_TRAILING = "\"'”’»›)]}“‘«‹"  # closing quotes and brackets of every convention (de closes with “)
_TERMINALS = ".?!…:"


def _final_mark(text: str, lang: str = "") -> str | None:
    """The sentence-final mark of `text` before any closing quotes/brackets: one of . ? ! … :"""
    core = text.rstrip().rstrip(_TRAILING + " \t\r\n\u00a0")
    mark = core[-1:]
    if lang == "el" and mark == ";":  # the Greek question mark
        return "?"
    if mark == "\u037e":  # GREEK QUESTION MARK, the canonical code point
        return "?"
    return mark if mark and mark in _TERMINALS else None


def _end_punctuation(source: str, translation: str, lang: str) -> list[Finding]:
    want = _final_mark(source)
    if want is None:
        return []
    got = _final_mark(translation, lang)
    if got is None:
        return [_finding("end-punctuation", f"translation lost the final '{want}' of the source")]
    if want in "?!" and got != want:
        return [_finding("end-punctuation", f"source ends with '{want}', translation with '{got}'")]
    return []


def _sentences(source: str, translation: str, lang: str) -> list[Finding]:
    n_src, n_out = _count_sentences(source, "en"), _count_sentences(translation, lang)
    if abs(n_src - n_out) <= n_src // SENTENCES_PER_EXTRA:
        return []
    return [_finding("sentences", f"{n_src} sentence(s) in the source, {n_out} in the translation")]


# Abbreviations after which the English rules of segment.py would wrongly end a sentence
# (words that also end sentences, like usw. or etc., are left out). Single letters ("z.",
# "г.", "Μ.") are handled for every language.
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "de": frozenset("bzw. ca. nr. dr. hr. fr. prof. mio. mrd. jh. st. vgl. inkl. evtl. ggf. gen. abs."
                    " art. jan. feb. apr. aug. sept. okt. nov. dez.".split()),
    "el": frozenset("κ. κα. π.χ. δηλ. βλ. χλμ. εκατ. δισ. αρ. στρ. υπ. ιαν. φεβ. απρ. αυγ. σεπτ."
                    " οκτ. νοεμ. δεκ.".split()),
    "ru": frozenset("гг. млн. млрд. тыс. др. им. ул. ген. см. руб. долл. стр. янв. февр. апр. авг."
                    " сент. окт. нояб. дек.".split()),
    "tr": frozenset("dr. prof. örn. yy. no. gen. org. alb. tuğg. av. sn. bkz. mah. cad.".split()),
}
_ORDINAL = re.compile(r"\d{1,3}\.")
_INITIAL_ANY = re.compile(r"[^\W\d_]\.")


def _count_sentences(text: str, lang: str) -> int:
    """Sentences of `text` by segment.py, re-joined where a target-language convention fooled it."""
    if lang == "el":
        text = re.sub(r";(?=[\s\"'”’»)]|$)", "?", text).replace("\u037e", "?")
    segments = segment_block(text, max_len=1_000_000)
    abbreviations = _ABBREVIATIONS.get(lang, frozenset())
    count = min(len(segments), 1)
    for previous in segments[:-1]:
        last = previous.text.split()[-1].strip(_TRAILING + "([").casefold()
        continues = (
            last in abbreviations
            or _INITIAL_ANY.fullmatch(last) is not None
            or (lang in ("de", "tr") and _ORDINAL.fullmatch(last) is not None)
        )
        count += not continues
    return count


def _quote_counts(text: str) -> dict[str, tuple[int, int]]:
    """Per family: (opening, closing) counts, where a family's balance means opening == closing.

    Families whose direction depends on the convention (de „…“, en “…”, el «…», de »…«) are
    counted so that any one convention balances: guillemets pairwise, curly doubles in pairs.
    """
    curly = sum(text.count(c) for c in "„“”")
    straight = text.count('"')
    singles_open = len(re.findall(r"(?:^|(?<=[\s(\[«“„]))['‘‚](?=\w)", text))
    singles_close = len(re.findall(r"(?<=[\w.,!?…])['’‘](?=[\s)\]»”“.,;:!?…]|$)", text))
    return {
        "( )": (text.count("("), text.count(")")),
        "[ ]": (text.count("["), text.count("]")),
        "« »": (text.count("«"), text.count("»")),
        "‹ ›": (text.count("‹"), text.count("›")),
        "„ “ ”": ((curly + 1) // 2, curly // 2),
        '"': ((straight + 1) // 2, straight // 2),
        "‘ ’": (singles_open, singles_close),
    }


def _brackets(source: str, translation: str) -> list[Finding]:
    """One finding listing every family that the source balances and the translation does not.

    Single quotes are only checked when the source uses them as quotes: in Greek (απ’ όλους)
    and German (Hans’ Auto) the same mark is an apostrophe that looks like a closing quote.
    """
    src, out = _quote_counts(source), _quote_counts(translation)
    brackets = ["( )", "[ ]"]
    doubles = [k for k in src if k not in brackets and k != "‘ ’"]
    checked = [k for k in brackets if src[k][0] == src[k][1]]
    if all(src[k][0] == src[k][1] for k in doubles):  # quote styles change across languages
        checked += doubles
    if src["‘ ’"][0] == src["‘ ’"][1] > 0:
        checked.append("‘ ’")
    problems = []
    for family in checked:
        opening, closing = out[family]
        if opening != closing:
            paired = family in ('"', "„ “ ”")
            problems.append(f"{family} ({opening + closing} marks)" if paired
                            else f"{family} ({opening} opening, {closing} closing)")
    if not problems:
        return []
    return [_finding("brackets", "unbalanced in the translation: " + "; ".join(problems))]


# --------------------------------------------------------------------------- catalogs


def check_catalog(path: str | Path, *, glossary: Glossary | None = None) -> CatalogReport:
    """Check every translated entry of a .po file against its msgid.

    The language comes from the ``Language`` header. Fuzzy entries (machine drafts) are checked
    like the rest and marked as fuzzy; an empty msgstr is reported as untranslated and nothing
    else; obsolete entries are ignored. A machine draft whose comments say the model hit its
    output limit (``FLAGGED: truncated``) is checked with ``truncated=True``. Plural entries are
    checked on their first form. A malformed catalog raises ToolkitError (from `read_po`).
    """
    po = read_po(path)
    raw_lang = po.metadata.get("Language", "").strip()
    if not raw_lang:
        raise ToolkitError("the catalog has no Language header: cannot tell the target language", path=path)
    lang = _primary(raw_lang)
    if glossary is not None and lang not in glossary.languages:
        raise ToolkitError(
            f"the glossary has no '{lang}' column (it covers {', '.join(glossary.languages)})",
            path=glossary.path or path,
        )
    report = CatalogReport(str(path), lang)
    for entry in po:
        if entry.obsolete:
            continue
        translation = entry.msgstr or (entry.msgstr_plural.get(0, "") if entry.msgstr_plural else "")
        truncated = is_machine(entry) and "FLAGGED: truncated" in " ".join(entry.comment.split())
        findings = check_entry(entry.msgid, translation, lang, glossary=glossary, truncated=truncated)
        report.entries.append(EntryFindings(entry.msgid, entry.msgctxt, entry.linenum, entry.fuzzy, findings))
    return report
