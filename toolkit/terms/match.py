"""Finding glossary terms in English source text (where the ladder must protect a term).

Kept apart from the glossary file format (`toolkit.terms.glossary`): this is the one matcher
the workflow, the QA checks, the review page and the glossary exchange all use.

``find_terms`` applies these rules, compiled once per glossary into one regular expression:

* leftmost-longest: the longest candidate wins and overlapping shorter ones are dropped
  (``Major Non-NATO Ally`` is one match, not ``NATO`` plus ``Ally``);
* whole words only: ``NATOs`` or ``Article 50`` do not contain ``NATO`` / ``Article 5``;
* case sensitivity per concept; case-insensitive concepts also match the regular English plural
  of their last word (``defences``, ``Allies``), which is part of the span;
* the English possessive (``NATO's``, ``NATO’s``, ``Allies’``) is allowed after any term and
  stays *outside* the span, so masking the span keeps the grammar of the sentence;
* spaces inside a term match any run of spaces or tabs with at most one line break, and hyphens
  match hyphen, U+2010 or U+2011 optionally followed by a line break, so a term wrapped inside
  a paragraph is found but one split by a blank line is not.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from toolkit.terms.glossary import Glossary


@dataclass(frozen=True)
class TermMatch:
    """A glossary term in English source text; `text` is source[start:end] (no possessive)."""

    concept_id: str
    start: int
    end: int
    text: str


_SPACE = r"(?:[^\S\r\n]+(?:\r?\n[^\S\r\n]*)?|\r?\n[^\S\r\n]*)"
_HYPHEN = r"[-\u2010\u2011](?:\r?\n[^\S\r\n]*)?"
_APOSTROPHE = "['\u2019]"


def find_terms(glossary: Glossary, text: str) -> list[TermMatch]:
    """Every glossary term in `text`, leftmost-longest, in text order (rules: module docstring)."""
    key = tuple(
        (c.id, tuple(c.forms), c.case_sensitive) for c in glossary.concepts
    )
    pattern, owners = _term_matcher(key)
    candidates = []
    for m in pattern.finditer(text):
        group = m.lastindex
        if group is None:
            continue
        start, end = m.span(group)
        candidates.append((start, end, owners[group]))
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


@lru_cache(maxsize=16)
def _term_matcher(
    entries: tuple[tuple[str, tuple[str, ...], bool], ...],
) -> tuple[re.Pattern[str], dict[int, str]]:
    """One regex for the whole glossary: at each word start, the longest form that matches."""
    forms = [
        (form, concept_id, case_sensitive)
        for concept_id, concept_forms, case_sensitive in entries
        for form in concept_forms
        if form.strip()
    ]
    forms.sort(key=lambda f: (-len(f[0]), f[0]))
    owners: dict[int, str] = {}
    alternatives = []
    for group, (form, concept_id, case_sensitive) in enumerate(forms, start=1):
        body = _form_pattern(form, plural=not case_sensitive)
        if not case_sensitive:
            body = f"(?i:{body})"
        alternatives.append(f"({body}(?!\\w))")
        owners[group] = concept_id
    if not alternatives:
        return re.compile(r"(?!)"), owners
    firsts = set()
    for form, _, case_sensitive in forms:
        first = form.strip()[0]
        firsts.update({first} if case_sensitive else {first, first.lower(), first.upper()})
    first_chars = "[" + "".join(re.escape(ch) for ch in sorted(firsts)) + "]"
    # The first-character class lets the engine reject most positions before the alternation.
    return re.compile(rf"(?<!\w)(?={first_chars})(?=" + "|".join(alternatives) + ")"), owners


def _form_pattern(form: str, *, plural: bool) -> str:
    words = form.split()
    parts = [_word_pattern(word) for word in words]
    if plural and words[-1][-1].isalpha():
        parts[-1] = _word_pattern(words[-1], plural=True)
    return _SPACE.join(parts)


def _word_pattern(word: str, *, plural: bool = False) -> str:
    ending = ""
    if plural:
        lower = word.lower()
        if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
            word, ending = word[:-1], "(?:y|ies)"
        elif lower.endswith(("s", "x", "z", "ch", "sh")):
            ending = "(?:es)?"
        else:
            ending = "s?"
    out = []
    for ch in word:
        if ch in "-\u2010\u2011":
            out.append(_HYPHEN)
        elif ch in "'\u2019":
            out.append(_APOSTROPHE)
        else:
            out.append(re.escape(ch))
    return "".join(out) + ending
