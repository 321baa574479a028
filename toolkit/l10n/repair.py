"""Repair a fuzzy memory match into a translation of the new English, where that is mechanical.

A fuzzy match is a reviewed translation of *other* English. When the only differences are
numbers ("in 2019, 180 missiles" vs "in 2024, 200 missiles"), the translation of the new text is
the old one with its numbers replaced, and a translator only needs to glance at it. Anything else
(another word, another order) is left to the translator: no repair is offered.

`repair` is the one entry point; each kind of repair is a function of the same shape, tried in
order. Stage 2 adds glossary-term repair (an English term replaced by another whose rendering the
glossary knows) as a second function next to `repair_numbers`.

Numbers are matched in the translation by their digit runs, so a target that writes ``1.000``
for ``1,000`` is repaired to ``2.500`` for ``2,500``, its own separators kept. The repair is
refused when it would be a guess: an old number that becomes two different new ones, a number
with another shape (``5`` -> ``5.5``), or a number the translation does not show exactly as often
as the English does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,:\u00a0\u202f\u2009]\d+)*(?![\d])")
_RUN = re.compile(r"\d+")


@dataclass(frozen=True)
class Substitution:
    """One change made to the old translation: `old` became `new` (as written there)."""

    old: str
    new: str


@dataclass(frozen=True)
class Repair:
    """The old translation adapted to the new English, and what was changed in it."""

    text: str
    substitutions: tuple[Substitution, ...] = field(default_factory=tuple)
    kind: str = "numbers"

    def describe(self) -> str:
        """'numbers: 2019 -> 2024, 180 -> 200'."""
        return f"{self.kind}: " + ", ".join(f"{s.old} -> {s.new}" for s in self.substitutions)


Repairer = Callable[[str, str, str], "Repair | None"]


def repair(new_source: str, old_source: str, old_target: str) -> Repair | None:
    """The first repair that turns (old_source -> old_target) into a translation of `new_source`."""
    for repairer in REPAIRERS:
        fixed = repairer(new_source, old_source, old_target)
        if fixed is not None:
            return fixed
    return None


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


REPAIRERS: tuple[Repairer, ...] = (repair_numbers,)
