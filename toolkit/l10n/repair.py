"""Repair a fuzzy memory match into a translation of the new English, where that is mechanical.

A fuzzy match is a reviewed translation of *other* English. When the only differences are
numbers ("in 2019, 180 missiles" vs "in 2024, 200 missiles") or glossary terms ("THAAD batteries"
vs "Patriot batteries"), the translation of the new text is the old one with its numbers and
term renderings replaced, and a translator only needs to glance at it. Anything else (another
word, another order) is left to the translator: no repair is offered.

`repair` is the one entry point: terms first (`repair_terms`, with the glossary), then numbers
(`repair_numbers`) on what that gave.

A term is repaired when the new English has another concept where the old had one, every
occurrence of the old concept changes to the same new one, and the old translation shows the old
concept's rendering exactly once per occurrence (found as `toolkit.terms.verify` finds it). The
new rendering takes the same place in the list of forms (``xx_forms``: an old genitive becomes the
new concept's genitive when the glossary lists it, else its approved rendering).

Numbers are matched in the translation by their digit runs, so a target that writes ``1.000``
for ``1,000`` is repaired to ``2.500`` for ``2,500``, its own separators kept. The repair is
refused when it would be a guess: an old number that becomes two different new ones, a number
with another shape (``5`` -> ``5.5``), or a number the translation does not show exactly as often
as the English does.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.terms.glossary import Concept, Glossary

NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,:\u00a0\u202f\u2009]\d+)*(?![\d])")
_RUN = re.compile(r"\d+")


@dataclass(frozen=True)
class Substitution:
    """One change made to the old translation: `old` became `new` (as written there)."""

    old: str
    new: str
    kind: str = "numbers"  # "numbers" | "terms"


@dataclass(frozen=True)
class Repair:
    """The old translation adapted to the new English, and what was changed in it."""

    text: str
    substitutions: tuple[Substitution, ...] = field(default_factory=tuple)
    kind: str = "numbers"

    def describe(self) -> str:
        """'numbers: 2019 -> 2024, 180 -> 200'; 'terms: THAAD -> Patriot; numbers: 6 -> 4'."""
        kinds = dict.fromkeys(s.kind for s in self.substitutions)
        return "; ".join(
            f"{kind}: " + ", ".join(f"{s.old} -> {s.new}" for s in self.substitutions if s.kind == kind)
            for kind in kinds
        )


def repair(
    new_source: str, old_source: str, old_target: str, *, glossary: Glossary | None = None, lang: str = ""
) -> Repair | None:
    """(old_source -> old_target) turned into a translation of `new_source`, or None: glossary
    terms first (with a `glossary` that covers `lang`), then numbers."""
    source, target, done = old_source, old_target, ()
    if glossary is not None and lang in glossary.languages:
        terms = repair_terms(new_source, old_source, old_target, glossary, lang)
        if terms is not None:
            source, target, done = terms
            if _spaced(source) == _spaced(new_source):
                return Repair(target, done, "terms")
    numbers = repair_numbers(new_source, source, target)
    if numbers is None:
        return None
    return Repair(numbers.text, (*done, *numbers.substitutions), "terms, numbers" if done else "numbers")


def repair_terms(
    new_source: str, old_source: str, old_target: str, glossary: Glossary, lang: str
) -> tuple[str, str, tuple[Substitution, ...]] | None:
    """(old English, old translation) with the concepts the new English has instead, and what was
    substituted in the translation; None when terms are not all that differ (numbers may, left
    to `repair_numbers`) or the translation does not show the old renderings unambiguously."""
    from toolkit.terms.match import concept_index, find_terms
    from toolkit.terms.verify import check_translation

    new_terms, old_terms = find_terms(glossary, new_source), find_terms(glossary, old_source)
    if len(new_terms) != len(old_terms) or _frame(new_source, new_terms) != _frame(old_source, old_terms):
        return None
    pairs = [(o, n) for o, n in zip(old_terms, new_terms, strict=True) if o.concept_id != n.concept_id]
    if not pairs:
        return None
    becomes: dict[str, str] = {}
    for o, n in pairs:
        if becomes.setdefault(o.concept_id, n.concept_id) != n.concept_id:
            return None  # one old concept becoming two new ones: which is which?
    stays = [o for o, n in zip(old_terms, new_terms, strict=True) if o.concept_id == n.concept_id]
    if any(o.concept_id in becomes for o in stays):
        return None  # the old concept stays somewhere: which of its renderings changes?
    concepts = concept_index(glossary)
    checks = [c for c in check_translation(glossary, old_source, old_target, lang) if c.concept_id in becomes]
    if any(c.status != "found" or c.target is None for c in checks):
        return None  # a rendering not shown (or shown as rejected): nothing sure to replace
    edits: list[tuple[int, int, str]] = []
    substitutions: list[Substitution] = []
    for check in checks:
        assert check.target is not None
        new_form = _same_form(concepts[check.concept_id], concepts[becomes[check.concept_id]],
                              check.target.text, lang)
        if new_form is None:
            return None
        edits.append((check.target.start, check.target.end, new_form))
        substitutions.append(Substitution(check.target.text, new_form, "terms"))
    target = _apply(old_target, edits)
    source = _apply(old_source, [(o.start, o.end, n.text) for o, n in pairs])
    return source, target, tuple(dict.fromkeys(substitutions))


def _same_form(old: Concept, new: Concept, shown: str, lang: str) -> str | None:
    """The new concept's form in the place of the old concept's form `shown` (its n-th listed
    form), else the new approved rendering; None when the new concept has none in `lang`."""
    old_r, new_r = old.renderings.get(lang), new.renderings.get(lang)
    new_forms = new_r.candidates if new_r is not None and new_r.text.strip() else []
    if not new_forms:
        return new.term if new.dnt else None
    old_forms = [*(old_r.candidates if old_r is not None else []), *(old.forms if old.dnt else [])]
    position = next((i for i, form in enumerate(old_forms) if form.casefold() == shown.casefold()), 0)
    return new_forms[position] if position < len(new_forms) else new_forms[0]


def _frame(text: str, terms) -> str:
    """The text with its terms and then its numbers as markers, spaces normalised."""
    masked = _apply(text, [(t.start, t.end, "\x01") for t in terms])
    return " ".join(NUMBER.sub("\x00", masked).split())


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end) span replaced, the spans given in any order, not overlapping."""
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _spaced(text: str) -> str:
    return " ".join(text.split())


def repair_numbers(new_source: str, old_source: str, old_target: str) -> Repair | None:
    """The old translation with its numbers replaced, when numbers are all that changed."""
    new_numbers, new_frame = _split(new_source)
    old_numbers, old_frame = _split(old_source)
    if new_frame != old_frame or new_numbers == old_numbers:
        return None
    mapping: dict[tuple[str, ...], tuple[str, ...]] = {}
    for old, new in zip(old_numbers, new_numbers, strict=True):
        old_runs, new_runs = _runs(old), _runs(new)
        if len(old_runs) != len(new_runs) or mapping.setdefault(old_runs, new_runs) != new_runs:
            return None  # another shape, or one old number becoming two new ones: a guess
    wanted = Counter(_runs(n) for n in old_numbers)
    shown = Counter(_runs(m.group()) for m in NUMBER.finditer(old_target))
    if any(shown[runs] != count for runs, count in wanted.items() if mapping[runs] != runs):
        return None
    substitutions: list[Substitution] = []

    def substitute(m: re.Match[str]) -> str:
        new_runs = mapping.get(_runs(m.group()))
        if new_runs is None or new_runs == _runs(m.group()):
            return m.group()
        runs = iter(new_runs)
        fixed = _RUN.sub(lambda _: next(runs), m.group())
        substitutions.append(Substitution(m.group(), fixed))
        return fixed

    text = NUMBER.sub(substitute, old_target)
    return Repair(text, tuple(dict.fromkeys(substitutions)))


def _split(text: str) -> tuple[list[str], str]:
    """The numbers of a text and the text around them (numbers as one marker, spaces normalised)."""
    numbers = [m.group() for m in NUMBER.finditer(text)]
    return numbers, " ".join(NUMBER.sub("\x00", text).split())


def _runs(number: str) -> tuple[str, ...]:
    return tuple(_RUN.findall(number))

