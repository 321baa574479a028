"""Glossary enforcement during translation: the protection ladder, cheapest rung first.

1. **n-best**: translate normally with several hypotheses and keep the best one in which every
   required rendering is present (inflection-aware, `toolkit.inflect`). Grammar stays the model's.
2. **mask**: replace each term with a placeholder the model copies, translate, put the approved
   rendering back. Do-not-translate terms and inline markup go straight to this rung. Which
   placeholder style a model copies best is measured per package (`calibrate`), not assumed.
3. **flag**: if a placeholder or a rendering is still missing, the sentence is flagged with the
   missing term named. Nothing is dropped silently.

All rungs are batched: at most two model calls per language, whatever the number of terms.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.fileio import atomic_write_text

# Placeholder styles to try; index i -> the token for slot i. No `_` (Argos decodes it as a space).
STYLES: dict[str, Callable[[int], str]] = {
    "bracket": lambda i: f"⟦{i}⟧",
    "caps": lambda i: f"ZX{chr(ord('A') + i % 26)}{i // 26 or ''}Q",
    "angle": lambda i: f"<{i}>",
}
PROBES = [
    "The {0} said on Monday that the talks would continue.",
    "Officials from {0} and {1} met in Brussels.",
    "{0} is expected to announce new support for {1} next week.",
    "According to {0}, the decision was final.",
]
N_BEST = 4


@dataclass(frozen=True)
class Slot:
    """One protected span: the placeholder sent to the model and what comes back in its place."""

    token: str
    replacement: str
    concept_id: str | None = None  # None for inline markup


@dataclass(frozen=True)
class Masked:
    text: str
    slots: tuple[Slot, ...]


def mask(text: str, spans: Sequence[tuple[int, int, str, str | None]], style: str) -> Masked:
    """Replace non-overlapping spans (start, end, replacement, concept) with placeholder tokens."""
    make = STYLES[style]
    out, slots, pos = [], [], 0
    i = 0
    for start, end, replacement, concept in sorted(spans):
        while make(i) in text:  # the text's own "⟦0⟧" would make the placeholder ambiguous
            i += 1
        token = make(i)
        i += 1
        out.append(text[pos:start])
        # keep the placeholder a separate word so the model (and SentencePiece) sees it whole
        out.append(token)
        slots.append(Slot(token, replacement, concept))
        pos = end
    out.append(text[pos:])
    return Masked("".join(out), tuple(slots))


def unmask(text: str, masked: Masked) -> tuple[str, list[Slot]]:
    """Put replacements back; returns the text and the slots whose placeholder was lost."""
    missing = []
    for slot in masked.slots:
        if text.count(slot.token) == 1:
            text = text.replace(slot.token, slot.replacement)
        else:
            missing.append(slot)
    return text, missing


# -- calibration ---------------------------------------------------------------------------------


def _calibration_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsroom-toolkit" / "placeholders.json"


_CALIBRATED: dict[str, str] = {}


def calibrate(engine, *, use_cache: bool = True) -> str:
    """The placeholder style this engine copies best, measured in one batched call and cached."""
    key = engine.model_id
    if use_cache and key in _CALIBRATED:
        return _CALIBRATED[key]
    path = _calibration_file()
    stored = {}
    if use_cache and path.is_file():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            stored = {}
        if key in stored and stored[key] in STYLES:
            _CALIBRATED[key] = stored[key]
            return stored[key]
    probes, owners = [], []
    for name, make in STYLES.items():
        for probe in PROBES:
            probes.append(probe.format(make(0), make(1)))
            owners.append((name, [make(0), make(1)] if "{1}" in probe else [make(0)]))
    results = engine.translate(probes)
    scores = {name: 0 for name in STYLES}
    for (name, tokens), result in zip(owners, results, strict=True):
        if all(result.text.count(t) == 1 for t in tokens):
            scores[name] += 1
    best = max(STYLES, key=lambda name: scores[name])  # ties: the first listed style
    _CALIBRATED[key] = best
    if use_cache:
        stored[key] = best
        try:
            atomic_write_text(path, json.dumps(stored, indent=1, sort_keys=True))
        except OSError:
            pass  # a read-only cache only costs a recalibration next run
    return best


# -- the ladder ----------------------------------------------------------------------------------


@dataclass
class TermOutcome:
    concept_id: str
    term: str
    rendering: str
    how: str  # 'found' | 'n-best' | 'mask' | 'flagged'
    reason: str = ""


@dataclass
class SentenceOutcome:
    text: str
    truncated: bool = False
    terms: list[TermOutcome] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Unit:
    """One sentence to translate: its text and what in it must be protected or verified."""

    text: str
    markup: tuple[tuple[int, int], ...] = ()  # spans to mask and copy back verbatim


def _required(glossary, text: str, lang: str):
    """Glossary matches in a sentence with the rendering required for `lang`."""
    from toolkit.glossary import find_terms

    by_id = {c.id: c for c in glossary.concepts}
    required = []
    for match in find_terms(glossary, text):
        concept = by_id[match.concept_id]
        rendering = concept.renderings.get(lang)
        if concept.dnt:  # the source form itself comes back (THAAD, or its long form)
            required.append((match, concept, match.text, concept.forms))
        elif rendering is not None and rendering.text and rendering.status != "rejected":
            required.append((match, concept, rendering.text, [rendering.text, *rendering.variants]))
    return required


def _all_present(text: str, needs, lang: str) -> bool:
    from toolkit.inflect import find_rendering

    # each occurrence needs its own rendering: count matches by consuming them left to right
    remaining = text
    for _match, _concept, _rendering, forms in needs:
        found = find_rendering(remaining, forms, lang)
        if found is None:
            return False
        remaining = remaining[: found.start] + "\x00" * (found.end - found.start) + remaining[found.end:]
    return True


def translate_units(
    units: Sequence[Unit],
    engine,
    lang: str,
    *,
    glossary=None,
    normalize: Callable[[str], str] = lambda s: s,
    style: str | None = None,
) -> list[SentenceOutcome]:
    """Translate sentences with glossary enforcement; at most two batched model calls."""
    needs = [_required(glossary, u.text, lang) if glossary is not None else [] for u in units]
    has_terms = any(needs)
    style = style or (calibrate(engine) if has_terms or any(u.markup for u in units) else "bracket")

    # Rung 1 input: DNT terms and markup masked now; mapped terms left for the model to render.
    first = []
    for unit, need in zip(units, needs, strict=True):
        spans = [(s, e, unit.text[s:e], None) for s, e in unit.markup]
        spans += [(m.start, m.end, rendering, c.id) for m, c, rendering, _ in need if c.dnt]
        first.append(mask(unit.text, _drop_overlaps(spans), style))
    results = engine.translate(
        [normalize(m.text) for m in first], num_hypotheses=N_BEST if has_terms else 1
    )

    outcomes: list[SentenceOutcome | None] = []
    retry = []
    for i, (masked, result, need) in enumerate(zip(first, results, needs, strict=True)):
        mapped = [n for n in need if not n[1].dnt]
        chosen = None
        for rank, hyp in enumerate(result.hypotheses):
            text, lost = unmask(hyp.text, masked)
            if not lost and _all_present(text, mapped, lang):
                chosen = (rank, text)
                break
        if chosen is None:
            outcomes.append(None)
            retry.append(i)
            continue
        rank, text = chosen
        terms = [
            TermOutcome(c.id, c.term, r, "mask" if c.dnt else ("found" if rank == 0 else "n-best"))
            for _m, c, r, _f in need
        ]
        outcomes.append(SentenceOutcome(text, result.truncated and rank == 0, terms))

    # Rung 2: everything masked, one more batched call for the sentences rung 1 could not satisfy.
    if retry:
        second = []
        for i in retry:
            unit = units[i]
            spans = [(s, e, unit.text[s:e], None) for s, e in unit.markup]
            spans += [(m.start, m.end, r, c.id) for m, c, r, _ in needs[i]]
            second.append(mask(unit.text, _drop_overlaps(spans), style))
        results2 = engine.translate([normalize(m.text) for m in second])
        by_id = {}
        for i, masked, result in zip(retry, second, results2, strict=True):
            text, lost = unmask(result.text, masked)
            lost_ids = {s.concept_id for s in lost}
            terms, flags = [], []
            for _m, c, r, _f in needs[i]:
                if c.id in lost_ids:
                    reason = f"term '{c.term}' -> '{r}' missing: the model dropped its placeholder"
                    terms.append(TermOutcome(c.id, c.term, r, "flagged", reason))
                    flags.append(reason)
                else:
                    terms.append(TermOutcome(c.id, c.term, r, "mask"))
            for slot in lost:
                if slot.concept_id is None:
                    flags.append(f"markup {slot.replacement!r} lost by the model")
                    text = text + ("" if text.endswith(" ") else " ") + slot.replacement
            if result.truncated:
                flags.append("truncated: the model hit its output length limit")
            by_id[i] = SentenceOutcome(text, result.truncated, terms, flags)
        outcomes = [by_id.get(i, o) for i, o in enumerate(outcomes)]

    final = []
    for outcome in outcomes:
        assert outcome is not None
        if outcome.truncated and not any(f.startswith("truncated") for f in outcome.flags):
            outcome.flags.append("truncated: the model hit its output length limit")
        final.append(outcome)
    return final


def _drop_overlaps(spans):
    """Markup and terms can overlap (a term inside a link text): keep the earliest, longest."""
    kept, end = [], -1
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if span[0] >= end:
            kept.append(span)
            end = span[1]
    return kept
