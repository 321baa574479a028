"""Quality checks for machine translations, run before a translator opens the catalog.

Translate Toolkit's ``pofilter`` and Weblate's checks cover the generic problems (numbers,
untranslated text, punctuation, brackets), but they know neither the newsroom glossary (which
English term must become which rendering, inflected) nor the language the output is actually in.
Argos models add failure modes of their own: they loop (``the the the``), lower-case brand
names (``Lockheed martin``), stop at their output limit, or answer in the wrong language. Every
finding is one line naming what is wrong, so a reviewer can read the report quickly.

Checks (id, severity, what is compared), in the order they are registered with
`toolkit.qa.registry.check` below, which is the order of their findings:

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
``markup``          error    the tags (attributes included), character references and protected
                             tokens (URLs, e-mail addresses, @handles ...) of the source are all
                             in the translation, and nothing else there looks like markup
                             (`toolkit.formats.markup`).
``untranslated``    warning  the translation is empty, or equals the source (case and spacing
                             ignored) while the source has three words or more.
``wrong-language``  error    langdetect is sure (p >= 0.80) the text is in another language; texts
                             too short to judge (bylines, headings) are never judged.
``repetition``      error    an n-gram (n = 1..4) three times in a row, or one n-gram making up
                             half of the output, when the source has no such repetition.
``doubled-word``    warning  a word twice in a row (``the the``) that the source does not double;
                             three times or more is ``repetition``'s.
``double-space``    warning  two or more spaces between words, when the source has none.
``line-breaks``     warning  as many line breaks inside the block as the source: a multi-line
                             block renders line by line.
``acronyms``        warning  acronyms and letter-digit codes of the source outside glossary terms
                             (``MPSOTC``, ``U.S.``, ``F-35``) are in the translation, a suffix
                             allowed; a capitalised token of the translation that nothing else
                             explains counts as a local spelling of one (``ΗΠΑ``, ``США``).
``length``          warning  characters of translation / source outside `LENGTH_RANGES` (plus
                             `LENGTH_SLACK` characters either way, for short sentences); only
                             for sources of 20 characters or more.
``sentences``       warning  the sentence counts differ by more than one per five source sentences
                             (so 0 for up to four). Counting uses `toolkit.segment.segment_block`
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
``placeholder``     error    no placeholder of the glossary ladder, whole or a fragment (``⟦0⟧``,
                             ``⟦``, ``ZXAQ``, ``<0>``), in the translation beyond those the source
                             holds itself, whoever wrote it (an engine or a translator).

Numbers and dates are compared in `toolkit.qa.numbers`, languages identified in
`toolkit.qa.langid`, whole catalogs checked in `toolkit.qa.catalog_report`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from toolkit.errors import Severity
from toolkit.formats.markup import markup_problems
from toolkit.langs import primary_language
from toolkit.qa.langid import detect_language
from toolkit.qa.numbers import LETTER_WORD, missing_months, number_problem
from toolkit.qa.registry import REGISTRY, Finding, check, clip, descriptions, run_checks, severities
from toolkit.segment import segment_block
from toolkit.terms.calibrate import stray_placeholders
from toolkit.terms.glossary import Glossary
from toolkit.terms.match import concept_index, find_terms
from toolkit.terms.verify import TermCheck, check_translation

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

WRONG_LANGUAGE_PROBABILITY = 0.80

LOOP_REPEATS = 3  # the same n-gram this many times in a row is a loop
LOOP_MAX_N = 4
LOOP_SHARE = 0.5  # ... or one n-gram making up this share of the output
LOOP_MIN_TOKENS = 8
SENTENCES_PER_EXTRA = 5  # one sentence of difference allowed per this many source sentences


@dataclass
class Pair:
    """One translation being checked: what every check is given."""

    source: str
    translation: str
    lang: str  # the primary language ('de' for 'de_AT')
    glossary: Glossary | None = None
    truncated: bool = False  # the model said it hit its output limit

    @cached_property
    def term_checks(self) -> list[TermCheck]:
        """The glossary terms of the source and their renderings, shared by glossary and dnt."""
        if self.glossary is None:
            return []
        return check_translation(self.glossary, self.source, self.translation, self.lang)

    @cached_property
    def dnt(self) -> set[str]:
        """Ids of the do-not-translate concepts of the source: looked up by the terms found, not
        by scanning the glossary (a 20,000-concept termbase, every entry)."""
        if self.glossary is None:
            return set()
        found = {m.concept_id for m in find_terms(self.glossary, self.source)}
        concepts = concept_index(self.glossary)
        return {cid for cid in found if cid in concepts and concepts[cid].dnt}


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
    no column for `lang`. An empty translation is reported as untranslated and nothing else.
    """
    lang = primary_language(lang)
    if not translation.strip():
        return [REGISTRY["untranslated"].finding("empty translation")]
    return run_checks(Pair(source, translation, lang, glossary, truncated))


# --------------------------------------------------------------------------- glossary and dnt


@check("glossary", Severity.ERROR, "glossary terms of the source have an approved or accepted rendering")
def _glossary(pair: Pair) -> Iterator[str]:
    """Do-not-translate concepts are left to ``dnt``, so a problem is reported once."""
    for term in pair.term_checks:
        if term.concept_id in pair.dnt:
            continue
        if term.status == "missing":
            yield f"'{term.term}' missing: expected '{term.expected}' (or an accepted form)"
        elif term.status == "forbidden":
            yield f"'{term.term}' rendered as rejected '{term.forbidden}': expected '{term.expected}'"


@check("dnt", Severity.ERROR, "do-not-translate terms (brands, systems) appear unchanged, case included")
def _dnt(pair: Pair) -> Iterator[str]:
    """A do-not-translate term must start with one of its forms exactly; only a suffix may follow."""
    if pair.glossary is None:
        return
    concepts = concept_index(pair.glossary)
    for term in pair.term_checks:
        if term.concept_id not in pair.dnt:
            continue
        concept = concepts[term.concept_id]
        if term.status != "found" or term.target is None:
            yield f"do-not-translate '{term.term}' missing: keep it as written"
            continue
        forms = [*concept.forms, *(r.text for r in concept.renderings.values())]
        if not any(term.target.text.startswith(form) for form in forms if form):
            yield f"do-not-translate '{term.term}' changed to '{term.target.text}'"


# --------------------------------------------------------------------------- numbers and dates


@check(
    "numbers",
    Severity.ERROR,
    "numbers and the months of dates are preserved (localised separators and months accepted)",
)
def _numbers(pair: Pair) -> Iterator[str]:
    """Numbers as values (separators are locale business), then the months of dates."""
    problem = number_problem(pair.source, pair.translation, pair.lang)
    if problem:
        yield problem
    for date, month in missing_months(pair.source, pair.translation, pair.lang):
        yield f"date '{date}': month not found (expected '{month}')"


# --------------------------------------------------------------------------- untranslated, language


@check("markup", Severity.ERROR, "tags, attributes, entities and protected tokens of the source are kept")
def _markup(pair: Pair) -> Iterator[str]:
    """`toolkit.formats.markup.markup_problems`: a dropped ``</a>`` or an added ``<script>``."""
    yield from markup_problems(pair.source, pair.translation)


@check("untranslated", Severity.WARNING, "the translation is empty or identical to the source")
def _untranslated(pair: Pair) -> Iterator[str]:
    """Identical text is only suspicious when there was something to translate: three words
    that are not do-not-translate names."""
    source, translation, glossary = pair.source, pair.translation, pair.glossary
    if " ".join(source.casefold().split()) != " ".join(translation.casefold().split()):
        return
    text = source
    if glossary is not None:
        for match in reversed(find_terms(glossary, source)):
            if match.concept_id in pair.dnt:
                text = text[: match.start] + " " + text[match.end :]
    if len(LETTER_WORD.findall(text)) < 3:
        return
    yield "translation is identical to the source"


@check("wrong-language", Severity.ERROR, "the translation is confidently detected as another language")
def _wrong_language(pair: Pair) -> Iterator[str]:
    detection = detect_language(pair.translation)
    if detection is None or detection.probability < WRONG_LANGUAGE_PROBABILITY:
        return
    if primary_language(detection.lang) == pair.lang:
        return
    yield f"translation looks like '{detection.lang}' (p={detection.probability:.2f}), expected '{pair.lang}'"


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


@check("repetition", Severity.ERROR, "no machine-translation loops (repeated words or phrases)")
def _repetition(pair: Pair) -> Iterator[str]:
    """Argos loops: a phrase repeated back to back, or one phrase filling the output."""
    src, out = _tokens(pair.source), _tokens(pair.translation)
    for n in range(1, LOOP_MAX_N + 1):
        repeats, start = _longest_run(out, n)
        if repeats >= LOOP_REPEATS and _longest_run(src, n)[0] < LOOP_REPEATS:
            gram = " ".join(out[start : start + n])
            yield f"'{clip(gram)}' repeated {repeats} times in a row (MT loop)"
            return
    for n in range(1, LOOP_MAX_N + 1):
        share, count, gram = _top_share(out, n)
        if count >= LOOP_REPEATS and share >= LOOP_SHARE and _top_share(src, n)[0] < LOOP_SHARE / 2:
            yield (
                f"'{clip(' '.join(gram))}' makes up {share:.0%} of the translation"
                f" ({count} times; MT loop)"
            )
            return


# --------------------------------------------------------------------------- typing slips

# a word twice, only spaces between (the comma of "no, no" is a choice); digits left to numbers
_DOUBLED = re.compile(r"(?<!\w)([^\W\d_]+)[ \t\u00a0]+(\1)(?!\w)", re.IGNORECASE)
_DOUBLE_SPACE = re.compile(r"(\S+)( {2,})(?=\S)")


def _doubled_words(text: str) -> list[str]:
    """Words written twice in a row ("the the"); three times or more is the repetition check's."""
    found = []
    for m in _DOUBLED.finditer(text):
        after = text[m.end():]
        if not re.match(r"[ \t\u00a0]+" + re.escape(m.group(1)) + r"(?!\w)", after, re.IGNORECASE):
            found.append(m.group(1).casefold())
    return found


@check("doubled-word", Severity.WARNING, "no word written twice in a row unless the source does it too")
def _doubled_word(pair: Pair) -> Iterator[str]:
    """Translate Toolkit's ``doublewords``: a slip of the model or of an editor's cut and paste."""
    source = set(_doubled_words(pair.source))
    words = [w for w in dict.fromkeys(_doubled_words(pair.translation)) if w not in source]
    if words:
        yield "word written twice: " + ", ".join(f"'{w} {w}'" for w in words)


@check("double-space", Severity.WARNING, "no double spaces inside the translation unless the source has them")
def _double_space(pair: Pair) -> Iterator[str]:
    """Two spaces between words are invisible in the catalog and a gap on the page."""
    if _DOUBLE_SPACE.search(pair.source):
        return
    m = _DOUBLE_SPACE.search(pair.translation)
    if m:
        yield f"{len(m.group(2))} spaces after '{clip(m.group(1), 20)}'"


@check("line-breaks", Severity.WARNING, "the translation keeps the source's line breaks")
def _line_breaks(pair: Pair) -> Iterator[str]:
    """A multi-line block (an address, a verse, a list typed with line breaks) renders line by line:
    a lost or added break changes the page's layout."""
    n_src = pair.source.strip().replace("\r\n", "\n").count("\n")
    n_out = pair.translation.strip().replace("\r\n", "\n").count("\n")
    if n_src != n_out:
        yield f"{n_out} line break(s), the source has {n_src}: the page's layout changes"


# --------------------------------------------------------------------------- acronyms

# NATO, MPSOTC, U.S., F-35, S-400, PAC-3, M1A2: tokens a translation keeps (or spells locally)
_ACRONYM = re.compile(r"(?<![\w.])(?:(?:[A-Z]\.){2,}|[A-Z][A-Z0-9]*(?:-?[A-Z0-9]+)+)(?![\w])")
_ROMAN = re.compile(r"[IVXLCDM]+")


def _local_acronyms(text: str) -> list[str]:
    """Tokens of a translation that look like letter acronyms in any script: two capitals or more
    (ΗΠΑ, США, ABD). Codes with digits are matched by their digits instead (`_kept`)."""
    return [token for token in (t.strip(".-") for t in re.findall(r"[\w.-]+", text))
            if not any(c.isdigit() for c in token) and sum(c.isupper() for c in token) >= 2]


def _source_acronyms(pair: Pair) -> list[str]:
    """Acronyms and letter-digit codes of the source outside glossary terms (the glossary check
    knows those renderings: ΝΑΤΟ, НАТО); none when the source is all capitals (a shouted headline)."""
    if not re.search(r"[a-z]", pair.source):
        return []
    covered = [(m.start, m.end) for m in find_terms(pair.glossary, pair.source)] if pair.glossary else []
    found = []
    for m in _ACRONYM.finditer(pair.source):
        token = m.group()
        if _ROMAN.fullmatch(token) or not re.search(r"[A-Z].*[A-Z0-9]|[A-Z]\.", token):
            continue
        if any(start <= m.start() < end for start, end in covered):
            continue
        found.append(token)
    return list(dict.fromkeys(found))


def _kept(token: str, translation: str) -> bool:
    """The token as written (a suffix may follow: NATO'nun, MPSOTC-Zentrum), or for a code with
    digits, the same digits on a token with letters (С-400 in Cyrillic)."""
    if re.search(r"(?<!\w)" + re.escape(token.rstrip(".")), translation):
        return True
    digits = re.findall(r"\d+", token)
    if digits:
        pattern = r"(?<!\w)[^\W\d_]+-?" + r"\w*?".join(digits) + r"(?!\d)"
        return re.search(pattern, translation) is not None
    return False


@check("acronyms", Severity.WARNING, "acronyms and letter-digit codes of the source are in the translation")
def _acronyms(pair: Pair) -> Iterator[str]:
    """MT drops or mangles what it does not know (``MPSOTC``, ``BM``). A language may spell an
    acronym its own way (U.S. -> ΗΠΑ, США, ABD): a capitalised token of the translation that
    neither a kept acronym nor a glossary rendering explains stands for one missing acronym."""
    missing = [t for t in _source_acronyms(pair) if not _kept(t, pair.translation)]
    if not missing:
        return
    explained = {t.target.text for t in pair.term_checks if t.target is not None}
    kept = [t for t in _source_acronyms(pair) if t not in missing]
    local = [token for token in _local_acronyms(pair.translation)
             if not any(token in e for e in explained) and not any(_kept(t, token) for t in kept)]
    letters_only = [t for t in missing if not any(c.isdigit() for c in t)]
    explained_locally = set(letters_only[: len(local)])  # a code with digits needs its digits
    missing = [t for t in missing if t not in explained_locally]
    if missing:
        yield "missing in the translation: " + ", ".join(f"'{t}'" for t in missing)


# --------------------------------------------------------------------------- length


def _chars(text: str) -> int:
    return len(" ".join(text.split()))


@check(
    "length",
    Severity.WARNING,
    "the translation/source length ratio is plausible for the language",
    skip_if_truncated=True,
)
def _length(pair: Pair) -> Iterator[str]:
    n_src, n_out = _chars(pair.source), _chars(pair.translation)
    if n_src < MIN_LENGTH_SOURCE:
        return
    low, high = LENGTH_RANGES.get(pair.lang, DEFAULT_LENGTH_RANGE)
    if low * n_src - LENGTH_SLACK <= n_out <= high * n_src + LENGTH_SLACK:
        return
    yield (
        f"translation is {n_out / n_src:.2f}× the source length ({n_out} vs {n_src} characters;"
        f" expected {low}–{high} for '{pair.lang}')"
    )


# --------------------------------------------------------------------------- sentences


@check(
    "sentences",
    Severity.WARNING,
    "the translation has as many sentences as the source",
    skip_if_truncated=True,
)
def _sentences(pair: Pair) -> Iterator[str]:
    n_src, n_out = _count_sentences(pair.source, "en"), _count_sentences(pair.translation, pair.lang)
    if abs(n_src - n_out) > n_src // SENTENCES_PER_EXTRA:
        yield f"{n_src} sentence(s) in the source, {n_out} in the translation"


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


@check(
    "end-punctuation",
    Severity.WARNING,
    "the final punctuation of the source is kept",
    skip_if_truncated=True,
)
def _end_punctuation(pair: Pair) -> Iterator[str]:
    want = _final_mark(pair.source)
    if want is None:
        return
    got = _final_mark(pair.translation, pair.lang)
    if got is None:
        yield f"translation lost the final '{want}' of the source"
    elif want in "?!" and got != want:
        yield f"source ends with '{want}', translation with '{got}'"


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


@check(
    "brackets",
    Severity.WARNING,
    "brackets and quotes are balanced as in the source",
    skip_if_truncated=True,
)
def _brackets(pair: Pair) -> Iterator[str]:
    """One finding listing every family that the source balances and the translation does not.

    Single quotes are only checked when the source uses them as quotes: in Greek (απ’ όλους)
    and German (Hans’ Auto) the same mark is an apostrophe that looks like a closing quote.
    """
    src, out = _quote_counts(pair.source), _quote_counts(pair.translation)
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
    if problems:
        yield "unbalanced in the translation: " + "; ".join(problems)


# --------------------------------------------------------------------------- truncation


@check("truncated", Severity.ERROR, "the translation is complete (not cut off at the model's output limit)")
def _truncated(pair: Pair) -> Iterator[str]:
    if pair.truncated:
        yield "the model stopped at its output length limit: translation is cut off"
        return
    n_src, n_out = _chars(pair.source), _chars(pair.translation)
    if n_src < MIN_LENGTH_SOURCE or n_out >= TRUNCATED_RATIO * n_src:
        return
    if _final_mark(pair.source) is None or _final_mark(pair.translation) is not None:
        return
    yield (
        f"translation stops mid-sentence at {n_out / n_src:.0%} of the source length"
        f" ('…{clip(pair.translation.strip()[-25:], 25)}')"
    )


# --------------------------------------------------------------------------- placeholders


@check("placeholder", Severity.ERROR, "no placeholder token or fragment of one in the translation")
def _placeholder(pair: Pair) -> Iterator[str]:
    stray = [m.group() for m in stray_placeholders(pair.translation, pair.source)]
    if stray:
        yield "placeholder left in the translation: " + ", ".join(repr(f) for f in dict.fromkeys(stray))


# Read-only views of the registry, for the CLI, the docs and the tests.
CHECKS = descriptions()
SEVERITIES = severities()
