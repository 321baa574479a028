"""Finding glossary terms in English source text (where the ladder must protect a term).

Kept apart from the glossary file format (`toolkit.terms.glossary`): this is the one matcher
the workflow, the QA checks, the review page and the glossary exchange all use.

``find_terms`` applies these rules:

* leftmost-longest: the longest candidate wins and overlapping shorter ones are dropped
  (``Major Non-NATO Ally`` is one match, not ``NATO`` plus ``Ally``);
* whole words only: ``NATOs`` or ``Article 50`` do not contain ``NATO`` / ``Article 5``;
* case sensitivity per concept; case-insensitive concepts compare case-folded text (so
  ``STRASSE`` is ``Straße`` and ``ISTANBUL`` is ``İstanbul``: `fold`, the same folding lint
  uses) and also match the regular English plural of their last word (``defences``, ``Allies``),
  which is part of the span;
* the English possessive (``NATO's``, ``NATO’s``, ``Allies’``) is allowed after any term and
  stays *outside* the span, so masking the span keeps the grammar of the sentence;
* spaces inside a term match any run of spaces or tabs with at most one line break, and hyphens
  match hyphen, U+2010 or U+2011 optionally followed by a line break, so a term wrapped inside
  a paragraph is found but one split by a blank line is not.

Why an automaton: a NATOTerm-size glossary has tens of thousands of concepts, and one regular
expression with an alternative per form is tried form by form at every word start (time grows
with text x forms). Instead the text is normalised once (space runs, hyphens, apostrophes, and a
case-folded copy) and every form is looked up at once by one Aho-Corasick automaton per case
rule (pyahocorasick), compiled once per glossary content: time linear in the text plus the hits.
"""

from __future__ import annotations

import gc
import re
import weakref
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from toolkit.formats.spans import non_prose_spans, outside
from toolkit.terms.glossary import Concept, Glossary


@dataclass(frozen=True)
class TermMatch:
    """A glossary term in English source text; `text` is source[start:end] (no possessive)."""

    concept_id: str
    start: int
    end: int
    text: str


_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'\u2019"
_BREAK = "\n"  # stands for a space run no term may span (a blank line); no key contains it
# A space run inside a term: spaces or tabs with at most one line break (\n or \r\n).
_SPACE_RUN = re.compile(r"[^\S\r\n]*(?:\r?\n)?[^\S\r\n]*")
_SOFT_BREAK = re.compile(r"\r?\n[^\S\r\n]*")  # what a hyphen may be followed by (a wrapped word)
_SPACES = re.compile(r"\s+")
# Text whose only white space is single spaces normalises one character to one character:
# hyphens and apostrophes are mapped in place, and the position maps are the identity.
_NOT_ONE_TO_ONE = re.compile(r"[^\S ]| {2}")
_ONE_TO_ONE = str.maketrans({**{h: "-" for h in _HYPHENS}, **{a: "'" for a in _APOSTROPHES}})


def fold(text: str) -> str:
    """Case-fold for case-insensitive terms: `str.casefold`, and the Turkish İ and ı as i
    (``ISTANBUL`` = ``İstanbul``, as the regular expressions' IGNORECASE also has it)."""
    return text.casefold().replace("i\u0307", "i").replace("\u0131", "i")


def find_terms(glossary: Glossary, text: str) -> list[TermMatch]:
    """Every glossary term in the prose of `text`, leftmost-longest, in text order (rules: module
    docstring); a term inside a tag, a URL, a domain or an e-mail address is not an occurrence."""
    if glossary.lazy:
        cover(glossary, (text,))
    matches = term_matcher(glossary).find(text)
    skip = non_prose_spans(text) if matches else []
    return [m for m in matches if outside(skip, m.start, m.end)] if skip else matches


def cover(glossary: Glossary, texts: Iterable[str]) -> int:
    """Build the concepts of a lazily read termbase (`toolkit.terms.termbase`) that may occur in
    `texts`; how many were new. `find_terms` covers each text it is given, so a term is never
    missed for not being built; covering all of a run's texts first builds the matcher once."""
    if not glossary.lazy:
        return 0
    words = {""}  # the concepts always built
    for text in texts:
        words |= text_words(text)
    return glossary.take(words)


_ASCII_WORD = re.compile(r"[0-9a-z_]+")


def form_word(form: str) -> str | None:
    """The word a termbase indexes an English form under (`text_words`): its first ASCII word,
    folded; "" (always built) for a form with other letters, whose casefolding may move word
    boundaries; None for an empty form."""
    if not form.strip():
        return None
    word = _ASCII_WORD.search(form.lower()) if form.isascii() else None
    return word.group() if word else ""


def text_words(text: str) -> set[str]:
    """The ASCII words of `text` as the matcher folds it, and their regular singulars.

    A superset test for `form_word`: a match starts where no letter or digit precedes, so the
    folded text there starts with the form's first ASCII word, which a non-word character or the
    form's end follows (then a regular plural ending may, as `_plural_keys` allows)."""
    folded = text.lower() if text.isascii() else text.replace("\u0130", "i").casefold().replace("\u0131", "i")
    words = set(_ASCII_WORD.findall(folded))
    for word in [w for w in words if w.endswith("s")]:
        words.add(word[:-1])
        if word.endswith("es"):
            words.add(word[:-2])
            if word.endswith("ies"):
                words.add(word[:-3] + "y")
    return words


class TermMatcher:
    """The compiled matcher of one glossary content; `find` is `find_terms`."""

    def __init__(self, entries: tuple[tuple[str, tuple[str, ...], bool], ...]) -> None:
        self._exact = ahocorasick.Automaton()
        self._folded = ahocorasick.Automaton()
        best: tuple[dict[str, tuple], dict[str, tuple]] = ({}, {})
        order = 0
        for concept_id, forms, case_sensitive in entries:
            for form in forms:
                if not form.strip():
                    continue
                # at one start: the longest form wins, then the smallest, then the first listed
                rank = (-len(form), form, order)
                order += 1
                base = normalise_form(form)
                if case_sensitive:
                    keys, table = [base], best[0]
                else:
                    keys, table = _plural_keys(fold(base), form), best[1]
                for key in keys:
                    if key not in table or rank < table[key][0]:
                        table[key] = (rank, concept_id)
        for automaton, table in ((self._exact, best[0]), (self._folded, best[1])):
            for key, (rank, concept_id) in table.items():
                automaton.add_word(key, (len(key), rank, concept_id))
            if len(automaton):
                automaton.make_automaton()

    def find(self, text: str) -> list[TermMatch]:
        """Every term in `text`, leftmost-longest, in text order."""
        exact, starts, ends, tails = _normalise_text(text)
        per_start: dict[int, tuple[tuple[int, str, int], int, str]] = {}
        streams = [(self._exact, exact, starts, ends)]
        if len(self._folded):
            streams.append((self._folded, *_fold_stream(exact, starts, ends)))
        for automaton, stream, s_map, e_map in streams:
            if not len(automaton):
                continue
            for last, (length, rank, concept_id) in automaton.iter(stream):
                start, end = s_map[last + 1 - length], e_map[last + 1]
                if start < 0 or end < 0:
                    continue  # inside a character that folds to several (ß -> ss)
                if start > 0 and _is_word(text[start - 1]):
                    continue
                tail = tails.get(end)
                if tail is not None and (tail == len(text) or not _is_word(text[tail])):
                    end = tail  # a final hyphen takes its line break, as a greedy regex would
                elif end < len(text) and _is_word(text[end]):
                    continue
                old = per_start.get(start)
                if old is None or rank < old[0]:
                    per_start[start] = (rank, end, concept_id)
        candidates = [(start, end, cid) for start, (_r, end, cid) in per_start.items()]
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken_starts: list[int] = []
        taken: list[tuple[int, int, str]] = []
        for start, end, concept_id in candidates:
            i = bisect_left(taken_starts, start)
            if i > 0 and taken[i - 1][1] > start:
                continue
            if i < len(taken) and taken[i][0] < end:
                continue
            taken_starts.insert(i, start)
            taken.insert(i, (start, end, concept_id))
        return [TermMatch(cid, start, end, text[start:end]) for start, end, cid in taken]


def term_matcher(glossary: Glossary) -> TermMatcher:
    """The matcher for the glossary's content, compiled once per content (`_term_matcher`).

    It is kept on the glossary object, so the hundreds of calls of one run on one glossary cost
    nothing per call: rebuilding the content key of a 20,000-concept glossary costs more than
    matching a paragraph. It is rebuilt when the glossary gets another concept list or its list
    another length or first or last concept (concepts added or removed); a list or a Concept
    edited in place otherwise (a concept replaced, a variant appended) is not seen: give the
    edited glossary to `forget_matcher` first.
    """
    return _state(glossary)[0]


def concept_index(glossary: Glossary) -> dict[str, Concept]:
    """The glossary's concepts by id (the last of a repeated id), kept like `term_matcher`:
    for code that looks up the concepts `find_terms` names, once per match, not once per
    glossary size. Ask after `find_terms`: for a lazily read termbase it builds the concepts."""
    return _state(glossary)[1]


def forget_matcher(glossary: Glossary) -> None:
    """Drop what `term_matcher` and `concept_index` keep for `glossary` (after editing it)."""
    glossary.__dict__.pop("_term_matcher_handle", None)


class _Handle:
    """Stands for one glossary object in the cache (a Glossary, being mutable, has no hash)."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = weakref.ref(glossary)


def _state(glossary: Glossary) -> tuple[TermMatcher, dict[str, Concept]]:
    handle = glossary.__dict__.get("_term_matcher_handle")
    if handle is None:
        handle = glossary.__dict__["_term_matcher_handle"] = _Handle(glossary)
    concepts = glossary.concepts
    guard = (id(concepts), len(concepts), id(concepts[0]) if concepts else 0,
             id(concepts[-1]) if concepts else 0)
    return _term_matcher(handle, guard)


@lru_cache(maxsize=16)
def _term_matcher(handle: _Handle, guard: tuple) -> tuple[TermMatcher, dict[str, Concept]]:
    """The matcher and index of one glossary object while its concept list is the same one."""
    glossary = handle.glossary()
    assert glossary is not None  # the caller holds it
    # The build allocates some 100,000 objects that live as long as the glossary; cyclic
    # collections in the middle would only scan the glossary's heap again (half the build time
    # for 20,000 concepts), so they wait until it is done.
    collecting = gc.isenabled()
    gc.disable()
    try:
        key = tuple((c.id, tuple(c.forms), c.case_sensitive) for c in glossary.concepts)
        index = {concept.id: concept for concept in glossary.concepts}
        return _compile(key), index
    finally:
        if collecting:
            gc.enable()


@lru_cache(maxsize=16)
def _compile(entries: tuple[tuple[str, tuple[str, ...], bool], ...]) -> TermMatcher:
    """One compiled matcher per glossary content (concept id, forms, case rule)."""
    return TermMatcher(entries)


def _is_word(ch: str) -> bool:
    """What the regular expression ``\\w`` is: a letter, digit or underscore."""
    return ch.isalnum() or ch == "_"


def normalise_form(form: str) -> str:
    """A form as the normalised text spells it: one space between words, '-' and "'"."""
    return " ".join(form.split()).translate(_CANONICAL)


_CANONICAL = str.maketrans({**{h: "-" for h in _HYPHENS}, **{a: "'" for a in _APOSTROPHES}})


def _plural_keys(key: str, form: str) -> list[str]:
    """The folded form and its regular English plural (of the last word, if it ends in a letter)."""
    last = form.split()[-1]
    if not last[-1].isalpha():
        return [key]
    lower = last.lower()
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return [key, key[:-1] + "ies"]
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return [key, key + "es"]
    return [key, key + "s"]


def _normalise_text(text: str) -> tuple[str, list[int], list[int], dict[int, int]]:
    """The text with one character per unit: a space run is ' ' (or a break when it holds a
    blank line), each hyphen '-', each apostrophe "'". `starts[k]` is where normalised
    character k starts in `text`, `ends[k]` where the character before position k ends (so a
    match [a, b) is text[starts[a]:ends[b]]); `tails` maps the end of a hyphen followed by a
    line break to the end of that break."""
    if not _NOT_ONE_TO_ONE.search(text):  # most sentences: no character loop needed
        return text.translate(_ONE_TO_ONE), list(range(len(text))), list(range(len(text) + 1)), {}
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = [0]
    tails: dict[int, int] = {}
    pos, n = 0, len(text)
    spaces = [(m.start(), m.end()) for m in _SPACES.finditer(text)]
    next_space = 0
    while pos < n:
        while next_space < len(spaces) and spaces[next_space][0] < pos:
            next_space += 1
        if next_space < len(spaces) and spaces[next_space][0] == pos:
            run_end = spaces[next_space][1]
            out.append(" " if _SPACE_RUN.fullmatch(text, pos, run_end) else _BREAK)
            starts.append(pos)
            ends.append(run_end)
            pos = run_end
            continue
        ch = text[pos]
        if ch in _HYPHENS:
            out.append("-")
            starts.append(pos)
            ends.append(pos + 1)
            soft = _SOFT_BREAK.match(text, pos + 1)
            # a wrapped word: the line break after the hyphen is part of the word (when what
            # follows the break is not more white space)
            if soft and (soft.end() == n or not text[soft.end()].isspace()):
                tails[pos + 1] = soft.end()
                pos = soft.end()
                continue
            pos += 1
            continue
        out.append("'" if ch in _APOSTROPHES else ch)
        starts.append(pos)
        ends.append(pos + 1)
        pos += 1
    return "".join(out), starts, ends, tails


def _fold_stream(
    exact: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]]:
    """The folded copy of the normalised text, with its own position maps (-1 inside a
    character that folds to several); both maps get one extra entry for the text's end."""
    if exact.isascii():
        folded = exact.lower()
        return folded, [*starts, ends[-1]], ends
    pieces: list[str] = []
    f_starts: list[int] = []
    f_ends: list[int] = [0]
    for k, ch in enumerate(exact):
        piece = fold(ch)
        pieces.append(piece)
        f_starts.append(starts[k])
        f_starts.extend([-1] * (len(piece) - 1))
        f_ends.extend([-1] * (len(piece) - 1))
        f_ends.append(ends[k + 1])
    f_starts.append(ends[-1])
    return "".join(pieces), f_starts, f_ends
