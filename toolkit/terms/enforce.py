"""Glossary enforcement during translation: the protection ladder, cheapest rung first.

1. **n-best**: translate normally with several hypotheses and keep the best one in which every
   required rendering is present (inflection-aware, `toolkit.terms.verify`). Grammar stays the model's.
2. **mask**: replace each term with a placeholder the model copies, translate, put the approved
   rendering back. Do-not-translate terms and inline markup go straight to this rung, and so do
   mapped terms the model is measured never to render by itself (`model_renders`, in
   `toolkit.terms.calibrate`): trying them on rung 1 would only cost a second model call. Which
   placeholder style a model copies best is measured per package (`calibrate`), not assumed.
3. **flag**: if a placeholder or a rendering is still missing, the sentence is flagged with the
   missing term named. Nothing is dropped silently.

All rungs are batched: at most two model calls per language, whatever the number of terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from enum import Enum

from toolkit.terms.calibrate import N_BEST, STYLES, calibrate, model_renders, stray_placeholders


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
    """Put replacements back; returns the text and the slots whose placeholder was lost.

    A placeholder the model spaced out or re-cased (`⟦ 0 ⟧`, `zxaq`) counts as copied; one it
    repeated (`The ⟦0⟧ grew. ⟦0⟧`) is kept where the model first put it and the rest removed.
    """
    missing = []
    for slot in masked.slots:
        loose = _loose(slot.token)
        if len(loose.findall(masked.text)) == 1:  # the source has no look-alike of its own
            text = loose.sub(slot.token, text)
        first = text.find(slot.token)
        if first < 0:
            missing.append(slot)
            continue
        head, tail = text[: first + len(slot.token)], text[first + len(slot.token):]
        tail = re.sub(r"\s*" + re.escape(slot.token), "", tail)
        text = head.replace(slot.token, slot.replacement) + tail
    return text, missing


def _loose(token: str) -> re.Pattern[str]:
    """A placeholder with spaces between its characters and in any case."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in token), re.IGNORECASE)


# -- the ladder ----------------------------------------------------------------------------------


class How(str, Enum):
    """How one glossary occurrence was satisfied: the rung of the ladder that did it, or flagged."""

    FOUND = "found"  # the model's best hypothesis already had the rendering
    NBEST = "n-best"  # a lower hypothesis had it (rung 1)
    MASK = "mask"  # masked with a placeholder, the rendering put back (rung 2, or at once)
    FLAGGED = "flagged"  # the model lost the placeholder: a human must look (rung 3)

    def __str__(self) -> str:
        return self.value


@dataclass
class TermOutcome:
    concept_id: str
    term: str
    rendering: str
    how: How
    reason: str = ""
    form: str = ""  # the form put in the slot when not `rendering` itself (`form_choice`)
    note: str = ""  # how that form was chosen, for the catalog comment

    def __post_init__(self) -> None:
        self.how = How(self.how)


@dataclass
class SentenceOutcome:
    """One translated sentence: its source text, the translation, what was flagged for a human
    and how each glossary term was handled."""

    source: str
    text: str
    truncated: bool = False
    flags: list[str] = field(default_factory=list)
    terms: list[TermOutcome] = field(default_factory=list)
    # the model's text with its placeholders still in, and the mask: `form_choice` re-fills slots
    masked: tuple[str, Masked] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Unit:
    """One sentence to translate: its text and what in it must be protected or verified."""

    text: str
    markup: tuple[tuple[int, int], ...] = ()  # spans to mask and copy back verbatim


def _required(glossary, text: str, lang: str):
    """Glossary matches in a sentence with the rendering required for `lang`."""
    from toolkit.terms.match import concept_index, find_terms
    from toolkit.terms.verify import accepted_forms

    matches = find_terms(glossary, text)
    by_id = concept_index(glossary)  # after find_terms, which builds a lazy termbase's concepts
    required = []
    for match in matches:
        concept = by_id[match.concept_id]
        rendering = concept.renderings.get(lang)
        if concept.dnt:  # the source form itself comes back (THAAD, or its long form)
            required.append((match, concept, match.text, concept.forms))
        elif rendering is not None and rendering.text and rendering.status != "rejected":
            # forms of a rejected rendering never count as rendered (the check would flag them)
            forms = accepted_forms(concept, lang) or [rendering.text]
            required.append((match, concept, rendering.text, forms))
    return required


def _all_present(text: str, needs, lang: str) -> bool:
    from toolkit.terms.verify import find_rendering

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
    rendered: Collection[str] | None = None,
) -> list[SentenceOutcome]:
    """Translate sentences with glossary enforcement; at most two batched model calls.

    `style` and `rendered` (concept ids the model renders by itself) are measured on the
    engine when not given.
    """
    needs = [_required(glossary, u.text, lang) if glossary is not None else [] for u in units]
    has_terms = any(needs)
    style = style or (calibrate(engine) if has_terms or any(u.markup for u in units) else "bracket")
    if rendered is None:
        mapped_concepts = {c.id: c for need in needs for _m, c, _r, _f in need if not c.dnt}
        rendered = model_renders(engine, lang, list(mapped_concepts.values())) if mapped_concepts else set()

    def masked_first(concept) -> bool:
        return concept.dnt or concept.id not in rendered

    # Rung 1 input: DNT terms, terms the model never renders and markup masked now; the other
    # mapped terms are left for the model to render.
    first = []
    for unit, need in zip(units, needs, strict=True):
        spans = [(s, e, unit.text[s:e], None) for s, e in unit.markup]
        spans += [(m.start, m.end, rendering, c.id) for m, c, rendering, _ in need if masked_first(c)]
        first.append(mask(unit.text, _drop_overlaps(spans), style))
    results = engine.translate(
        [normalize(m.text) for m in first], num_hypotheses=N_BEST if has_terms else 1
    )

    outcomes: list[SentenceOutcome | _Garbled | None] = []
    retry = []
    for i, (masked, result, need) in enumerate(zip(first, results, needs, strict=True)):
        mapped = [n for n in need if not masked_first(n[1])]
        chosen = None
        for rank, hyp in enumerate(result.hypotheses):
            text, lost = unmask(hyp.text, masked)
            if not lost and not _stray(text, units[i], masked) and _all_present(text, mapped, lang):
                chosen = (rank, text)
                break
        if chosen is not None:
            rank, text = chosen
            terms = [
                TermOutcome(c.id, c.term, r, How.MASK if masked_first(c) else
                            (How.FOUND if rank == 0 else How.NBEST))
                for _m, c, r, _f in need
            ]
            outcomes.append(SentenceOutcome(units[i].text, text, result.truncated and rank == 0, terms=terms,
                                            masked=(result.hypotheses[rank].text, masked)))
        elif not mapped:  # all was masked already: a second call would repeat this one; flag
            outcomes.append(_masked_outcome(units[i], result, masked, need))
        else:
            outcomes.append(None)
            retry.append(i)

    # Rung 2: everything masked, one more batched call for the sentences rung 1 could not satisfy.
    if retry:
        second = []
        for i in retry:
            unit = units[i]
            spans = [(s, e, unit.text[s:e], None) for s, e in unit.markup]
            spans += [(m.start, m.end, r, c.id) for m, c, r, _ in needs[i]]
            second.append(mask(unit.text, _drop_overlaps(spans), style))
        results2 = engine.translate([normalize(m.text) for m in second])
        for i, masked, result in zip(retry, second, results2, strict=True):
            outcomes[i] = _masked_outcome(units[i], result, masked, needs[i])

    # A placeholder the model garbled (a fragment, one it made up) must never reach a catalog:
    # those sentences are translated once more, nothing masked, in one more batched call.
    garbled = [i for i, outcome in enumerate(outcomes) if isinstance(outcome, _Garbled)]
    if garbled:
        results3 = engine.translate([normalize(units[i].text) for i in garbled])
        for i, result in zip(garbled, results3, strict=True):
            outcome = outcomes[i]
            assert isinstance(outcome, _Garbled)
            outcomes[i] = _unmasked_outcome(units[i], result, needs[i], lang, outcome.fragments)

    final = []
    for outcome in outcomes:
        assert isinstance(outcome, SentenceOutcome)
        if outcome.truncated and not any(f.startswith("truncated") for f in outcome.flags):
            outcome.flags.append("truncated: the model hit its output length limit")
        final.append(outcome)
    return final


@dataclass(frozen=True)
class _Garbled:
    """A sentence whose masked translation held placeholder fragments: to translate unmasked."""

    fragments: tuple[str, ...]


def _stray(text: str, unit: Unit, masked: Masked) -> list[str]:
    """Placeholder fragments in an unmasked translation that neither the source nor a
    replacement holds."""
    source = " ".join([unit.text, *(s.replacement for s in masked.slots)])
    return [m.group() for m in stray_placeholders(text, source)]


def _masked_outcome(unit: Unit, result, masked: Masked, need) -> SentenceOutcome | _Garbled:
    """Rungs 2 and 3 for one sentence: every term was masked; a lost placeholder is flagged."""
    source = unit.text
    text, lost = unmask(result.text, masked)
    fragments = _stray(text, unit, masked)
    if fragments:
        return _Garbled(tuple(fragments))
    lost_ids = {s.concept_id for s in lost}
    terms, flags = [], []
    for _m, c, r, _f in need:
        if c.id in lost_ids:
            reason = f"term '{c.term}' -> '{r}' missing: the model dropped its placeholder"
            terms.append(TermOutcome(c.id, c.term, r, How.FLAGGED, reason))
            flags.append(reason)
        else:
            terms.append(TermOutcome(c.id, c.term, r, How.MASK))
    for slot in lost:
        if slot.concept_id is None:
            flags.append(f"markup {slot.replacement!r} lost by the model")
            text = text + ("" if text.endswith(" ") else " ") + slot.replacement
    if result.truncated:
        flags.append("truncated: the model hit its output length limit")
    return SentenceOutcome(source, text, result.truncated, flags, terms,
                           masked=None if lost else (result.text, masked))


def _drop_overlaps(spans):
    """Markup and terms can overlap (a term inside a link text): keep the earliest, longest."""
    kept, end = [], -1
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if span[0] >= end:
            kept.append(span)
            end = span[1]
    return kept


def _unmasked_outcome(unit: Unit, result, need, lang: str, fragments: Sequence[str]) -> SentenceOutcome:
    """A sentence translated again without placeholders after the model garbled them: each
    required rendering is verified in the plain translation, a missing one flagged."""
    from toolkit.terms.verify import find_rendering

    garbled = ", ".join(repr(f) for f in dict.fromkeys(fragments))
    flags = [f"the model garbled its placeholders ({garbled}): translated again without them"]
    text = result.text
    stray = [m.group() for m in stray_placeholders(text, unit.text)]
    if stray:  # even unmasked: the engine itself writes them; never into a catalog
        text = " ".join(_remove_fragments(text, unit.text).split())
        flags.append(f"placeholder-like text ({', '.join(repr(f) for f in stray)}) removed from "
                     "the model's answer")
    terms, remaining = [], text
    for _m, c, r, forms in need:
        found = find_rendering(remaining, forms, lang)
        if found is None:
            reason = (f"term '{c.term}' -> '{r}' missing: the model garbled its placeholder, "
                      "and the sentence translated without placeholders lacks it")
            terms.append(TermOutcome(c.id, c.term, r, How.FLAGGED, reason))
            flags.append(reason)
        else:
            terms.append(TermOutcome(c.id, c.term, r, How.FOUND))
            remaining = remaining[: found.start] + "\x00" * (found.end - found.start) + remaining[found.end:]
    for start, end in unit.markup:
        if unit.text[start:end] not in text:
            flags.append(f"markup {unit.text[start:end]!r} lost by the model")
            text = text + ("" if text.endswith(" ") else " ") + unit.text[start:end]
    if result.truncated:
        flags.append("truncated: the model hit its output length limit")
    return SentenceOutcome(unit.text, text, result.truncated, flags, terms)


def _remove_fragments(text: str, source: str) -> str:
    """`text` without the placeholder fragments that `source` does not hold itself."""
    out, pos = [], 0
    for m in stray_placeholders(text, source):
        out.append(text[pos:m.start()])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)
