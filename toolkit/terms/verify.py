"""Is the required rendering in the translation? Decided the way a human reviewer would.

Greek, Russian, German and Turkish inflect nouns, so "the rendering appears verbatim" is too
strict: ``Άρθρου 5``, ``статьёй 5``, ``des Artikels 5`` and ``5. Madde'yi`` all render
Article 5. Each accepted form is compared with the translation word by word, in three passes
of decreasing strictness, and the strictest one that succeeds is reported:

``exact``       the words and the text between them are identical;
``normalized``  equal after `normalize` (case, accents, ё/е, Turkish i, apostrophes, spacing,
                hyphen versus space);
``stem``        each word is the same lexeme: equal Snowball stems, or one stem a prefix of the
                other (the Greek and Turkish stemmers are uneven across a paradigm), or one word
                the other plus a short suffix. Numbers and acronyms (``5``, ``ΝΑΤΟ``, ``НАТО``)
                must still be equal after normalisation, so ``Artikel 50`` is not ``Artikel 5``
                and Latin ``NATO`` is not Greek ``ΝΑΤΟ``.

Words are whole tokens, never substrings of longer words. In Turkish an apostrophe suffix
(``NATO'nun``, ``Madde'yi``) is allowed after any word in every pass and is part of the span.
Between two words of a form the translation may differ only in spacing or a hyphen; other
punctuation (``5. Madde``) must match, and a blank line (paragraph break) never does.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from toolkit.errors import ToolkitError
from toolkit.formats.spans import non_prose_spans, outside
from toolkit.terms.glossary import Concept, Glossary
from toolkit.terms.match import TermMatch, concept_index, find_terms

_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "fi": "finnish", "fr": "french",
    "hu": "hungarian", "it": "italian", "nl": "dutch", "no": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish",
    "tr": "turkish",
}
_HOW_RANK = {"exact": 0, "normalized": 1, "stem": 2}
_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u02b9\u2032`\u00b4"})
_TURKIC = ("tr", "az")
_HYPHENS_AND_SPACE = re.compile(r"[\s\-\u2010\u2011]+")
_MAX_SUFFIX = 6  # longest ending accepted by the "word plus suffix" rule
# \w does not cover combining marks, so decomposed (NFD) text would split "Ά" from its accent.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_W = rf"\w[\w{_MARKS}]*"
_WORD = re.compile(rf"({_W})")
_WORD_TR = re.compile(rf"({_W})(?:['\u2019\u2018\u02bc]{_W})?")  # group 1: before the suffix
_local = threading.local()


def normalize(text: str, lang: str) -> str:
    """Fold what a reviewer would ignore: case, Greek accents and final sigma, ё/е and stress
    marks, Turkish dotted/dotless i, compatibility forms (NFKC), apostrophe shapes."""
    return _fold(_lower(text, lang), lang)


def _lower(text: str, lang: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    if lang in _TURKIC:
        return text.replace("I", "ı").replace("İ", "i").lower()
    return text.casefold()


def _fold(text: str, lang: str) -> str:
    if lang == "el":
        text = _strip_marks(text).replace("ς", "σ")
    elif lang in ("ru", "uk", "be", "bg"):
        text = unicodedata.normalize("NFD", text).replace("\u0301", "").replace("\u0300", "")
        text = unicodedata.normalize("NFC", text).replace("ё", "е")
    elif lang in _TURKIC:
        text = text.replace("ı", "i").replace("\u0307", "")
    return text


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class RenderingMatch:
    """Where an accepted rendering was found, as offsets into the original translation."""

    start: int
    end: int
    text: str
    how: str  # 'exact' | 'normalized' | 'stem'


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    raw: str
    base: str  # raw without a Turkish apostrophe suffix
    norm: str
    base_norm: str
    lowered: str  # base, lower-cased for the stemmer
    lang: str
    number: bool  # contains a digit: only ever equal to itself
    acronym: bool  # all capitals (NATO, ΝΑΤΟ): does not inflect, so never matched by stem

    @property
    def stem(self) -> str | None:
        return _stem(self.lowered, self.lang)

    @property
    def key(self) -> str:
        """First two letters without diacritics: any two words the passes can equate share it
        (inflection changes endings), so it indexes candidate positions cheaply."""
        return _strip_marks(self.base_norm)[:2]


class _Text:
    """A string split into words, with each word's normal forms computed once."""

    def __init__(self, text: str, lang: str):
        self.text = text
        self.lang = lang
        pattern = _WORD_TR if lang in _TURKIC else _WORD
        self.words: list[_Word] = []
        for m in pattern.finditer(text):
            raw = m.group()
            base = m.group(1)
            lowered = _lower(base, lang)
            self.words.append(
                _Word(m.start(), m.end(), raw, base, normalize(raw, lang), _fold(lowered, lang),
                      lowered, lang, any(c.isdigit() for c in raw),
                      sum(c.isalpha() for c in base) >= 2 and base.isupper())
            )
        self._index: dict[str, list[int]] | None = None

    def gap(self, i: int) -> str:
        """The text between word i and word i + 1."""
        return self.text[self.words[i].end : self.words[i + 1].start]

    def positions(self, key: str) -> list[int]:
        """Indexes of the words whose `key` is `key`."""
        if self._index is None:
            self._index = {}
            for i, word in enumerate(self.words):
                self._index.setdefault(word.key, []).append(i)
        return self._index.get(key, [])


def _stemmer(lang: str):
    """A Snowball stemmer per language and thread (stemmer objects keep state while stemming)."""
    name = _SNOWBALL.get(lang)
    if name is None:
        return None
    cache = _local.__dict__.setdefault("stemmers", {})
    if name not in cache:
        import snowballstemmer

        cache[name] = snowballstemmer.stemmer(name)
    return cache[name]


@lru_cache(maxsize=65536)
def _stem(lowered: str, lang: str) -> str | None:
    """Snowball is pure Python and slow; news copy repeats its words, so cache per word."""
    stemmer = _stemmer(lang)
    return None if stemmer is None else _fold(stemmer.stemWord(lowered), lang)


def find_rendering(translation: str, forms: list[str], lang: str) -> RenderingMatch | None:
    """The best occurrence of any accepted form: the strictest pass wins, then the earliest."""
    matches = _find_all(_Text(translation, lang), _prepare(forms, lang))
    return min(matches, key=lambda m: (_HOW_RANK[m.how], m.start), default=None)


def _prepare(forms: list[str], lang: str) -> list[_Text]:
    prepared = [_Text(form, lang) for form in dict.fromkeys(forms) if form.strip()]
    prepared = [form for form in prepared if form.words]
    prepared.sort(key=lambda form: -len(form.words))
    return prepared


def _find_all(text: _Text, forms: list[_Text]) -> list[RenderingMatch]:
    """Non-overlapping occurrences, left to right, the longest form first at each word."""
    starts: dict[int, list[_Text]] = {}
    for form in forms:  # longest first, so each list stays longest first
        for i in text.positions(form.words[0].key):
            starts.setdefault(i, []).append(form)
    found = []
    n, free = len(text.words), 0
    for i in sorted(starts):
        if i < free:
            continue
        best: tuple[int, str] | None = None
        for form in starts[i]:
            k = len(form.words)
            if i + k > n or best is not None and k < best[0]:
                continue
            how = _match_at(text, i, form)
            if how and (best is None or _HOW_RANK[how] < _HOW_RANK[best[1]]):
                best = (k, how)
        if best is None:
            continue
        k, how = best
        start, end = text.words[i].start, text.words[i + k - 1].end
        found.append(RenderingMatch(start, end, text.text[start:end], how))
        free = i + k
    return found


def _match_at(text: _Text, i: int, form: _Text) -> str | None:
    for how in ("exact", "normalized", "stem"):
        if all(_same_word(form.words[j], text.words[i + j], how) for j in range(len(form.words))):
            if all(_same_gap(form.gap(j), text.gap(i + j), how)
                   for j in range(len(form.words) - 1)):
                return how
    return None


def _same_word(want: _Word, got: _Word, how: str) -> bool:
    suffix_ok = want.raw == want.base  # a form word without its own suffix accepts any suffix
    if how == "exact":
        return got.raw == want.raw or (suffix_ok and got.base == want.raw)
    if how == "normalized":
        return got.norm == want.norm or (suffix_ok and got.base_norm == want.norm)
    if got.base_norm == want.base_norm:
        return True
    if want.number or got.number or want.acronym or want.stem is None or got.stem is None:
        return False
    return _same_lexeme(want, got)


def _same_lexeme(a: _Word, b: _Word) -> bool:
    if abs(len(a.base_norm) - len(b.base_norm)) > _MAX_SUFFIX:
        return False
    if a.stem == b.stem:
        return True
    short, long = sorted((a.stem, b.stem), key=len)  # type: ignore[arg-type]
    if len(short) >= 3 and long.startswith(short):
        return True
    short, long = sorted((a.base_norm, b.base_norm), key=len)
    return len(short) >= 4 and long.startswith(short)


def _same_gap(want: str, got: str, how: str) -> bool:
    if got.count("\n") > 1:
        return False
    if how == "exact":
        return want == got
    return _gap_key(want) == _gap_key(got)


def _gap_key(gap: str) -> str:
    return _HYPHENS_AND_SPACE.sub("", unicodedata.normalize("NFKC", gap).translate(_APOSTROPHES))


# --------------------------------------------------------------------------- whole texts


@dataclass
class TermCheck:
    """The verdict for one occurrence of a glossary term in the source."""

    concept_id: str
    term: str
    status: str  # 'found' | 'missing' | 'forbidden'
    found: str | None
    expected: str
    forbidden: str | None
    source: TermMatch | None = None
    target: RenderingMatch | None = None


def check_translation(
    glossary: Glossary, source: str, translation: str, lang: str
) -> list[TermCheck]:
    """One TermCheck per glossary term occurrence in `source`, in source order.

    A term used n times in the source needs n accepted renderings in the translation; the
    occurrences beyond those found are 'forbidden' while rejected renderings are left to
    account for them, then 'missing'. As in the source, the longest match wins and a piece of
    the translation counts for one concept only, so the ΝΑΤΟ inside «Σημαντικός Σύμμαχος εκτός
    ΝΑΤΟ» does not also satisfy a separate mention of NATO. Do-not-translate concepts also
    accept their English forms; variants that are forms of a rejected rendering are not
    accepted (`accepted_forms`). Concepts without a usable rendering in `lang` (missing, empty,
    or status rejected) are skipped: `lint` reports them.
    """
    if lang not in glossary.languages:
        raise ToolkitError(
            f"the glossary has no '{lang}' column (it covers {', '.join(glossary.languages)})",
            path=glossary.path,
        )
    occurrences: dict[str, list[TermMatch]] = {}
    for match in find_terms(glossary, source):
        occurrences.setdefault(match.concept_id, []).append(match)
    concepts = concept_index(glossary)
    text = _Text(translation, lang)
    # Every occurrence of every relevant concept's accepted and rejected forms, then the
    # longest ones keep their text (ties: earlier first, rejected before accepted: a rejected
    # rendering is forbidden even where an accepted form also matches it).
    candidates: list[tuple[RenderingMatch, str, bool]] = []
    for concept_id in occurrences:
        concept = concepts[concept_id]
        accepted = accepted_forms(concept, lang)
        if accepted is None:
            continue
        for hit in _find_all(text, _prepare(accepted, lang)):
            candidates.append((hit, concept_id, False))
        for hit in _find_all(text, _prepare(concept.renderings[lang].rejected, lang)):
            candidates.append((hit, concept_id, True))
    skip = non_prose_spans(translation)  # a rendering inside a link destination is no rendering
    candidates = [c for c in candidates if outside(skip, c[0].start, c[0].end)]
    candidates.sort(key=lambda c: (c[0].start - c[0].end, c[0].start, not c[2]))
    taken: list[tuple[int, int]] = []
    found: dict[str, list[RenderingMatch]] = {}
    forbidden: dict[str, list[RenderingMatch]] = {}
    for hit, concept_id, rejected in candidates:
        if any(hit.start < end and start < hit.end for start, end in taken):
            continue
        taken.append((hit.start, hit.end))
        (forbidden if rejected else found).setdefault(concept_id, []).append(hit)
    checks: list[TermCheck] = []
    for concept_id, matches in occurrences.items():
        concept = concepts[concept_id]
        if accepted_forms(concept, lang) is None:
            continue
        good = sorted(found.get(concept_id, []), key=lambda m: m.start)
        bad = sorted(forbidden.get(concept_id, []), key=lambda m: m.start)
        expected = concept.renderings[lang].text
        for index, match in enumerate(matches):
            check = TermCheck(concept.id, concept.term, "missing", None, expected, None, match)
            if index < len(good):
                check.status, check.found, check.target = "found", good[index].text, good[index]
            elif index - len(good) < len(bad):
                hit = bad[index - len(good)]
                check.status, check.forbidden, check.target = "forbidden", hit.text, hit
            checks.append(check)
    checks.sort(key=lambda c: c.source.start if c.source else 0)
    return checks


def accepted_forms(concept: Concept, lang: str) -> list[str] | None:
    """The forms of `concept` a translation into `lang` may use; None if it has no usable rendering.

    The rendering and its variants (and the English forms of a do-not-translate concept), less
    the variants that are forms of a rejected rendering: after ``Άρθρο 5`` was rejected for
    ``Άρθρο 5 της Συνθήκης``, its leftover inflection ``Άρθρου 5`` is forbidden too. A variant
    that holds the approved rendering itself (``Άρθρου 5 της Συνθήκης``) stays accepted.
    """
    rendering = concept.renderings.get(lang)
    if rendering is None or not rendering.text.strip() or rendering.status == "rejected":
        return None
    rejected = _prepare(rendering.rejected, lang)
    approved = _prepare([rendering.text], lang)
    forms = [
        form for form in rendering.forms
        if form == rendering.text or not rejected
        or not _find_all(_Text(form, lang), rejected) or _find_all(_Text(form, lang), approved)
    ]
    if concept.dnt:
        forms += [f for f in concept.forms if f not in forms]
    return forms
