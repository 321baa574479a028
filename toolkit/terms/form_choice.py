"""Put each masked term back in the grammatical form the model itself scores best.

Masking keeps a term's approved rendering, but puts back its base form whatever the grammar
around it ("of Article 5" -> "Άρθρο 5" where Greek needs "Άρθρου 5"). A glossary lists a
rendering's forms (`Rendering.candidates`: the rendering, then its inflections); here every form
is tried in its slot of the model's own translation, and the model scores each whole sentence
against the unmasked English source. ALL candidates of ALL sentences of a language go to the
engine in ONE batched scoring call; the best length-normalised log-probability wins. The
candidates of one sentence go as a group: the engine scores only where they differ and a few
tokens after, not the whole sentence each time (half the decoding of a term mid-sentence).

A suffix the model glued to the placeholder (Turkish ``⟦0⟧'nun``, German ``⟦0⟧s``) is taken
as the model's hint, not as text to keep: a form replaces placeholder and suffix together (never
"Άρθρου 5ου"); the base form with that suffix is one more candidate. Several terms in one
sentence: each slot is varied on its own, the others as the model wrote them, and the best of
each slot kept (at most `MAX_CANDIDATES` texts a sentence): agreement between two terms is
rare, and scoring every combination multiplies the candidates while each one could then only
be scored over the whole stretch between the first and the last term.

An engine that cannot score (LibreTranslate) keeps the base form, and the outcome says so.
The terms layer never imports an engine: the scorer comes in as a callable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toolkit.terms.enforce import How, Masked, SentenceOutcome, Slot, TermOutcome, _loose, unmask

# (pairs, groups=sizes) -> a score per pair; pairs come in groups, one per sentence (its
# candidates), and scores are compared only within a group (`CT2Engine.score`)
Score = Callable[..., list[float]]

MAX_CANDIDATES = 32  # scored sentences per source sentence, whatever its number of terms
CHOSEN = "form chosen by model score"
CANNOT_SCORE = "base form: engine cannot score"

# letters glued to a placeholder, with or without an apostrophe: ⟦0⟧s, ⟦0⟧'nun, ⟦0⟧’ın
_SUFFIX = r"((?:['\u2019][^\W\d_]+)|[^\W\d_]*)"


@dataclass
class _Slot:
    index: int  # in Masked.slots
    term: TermOutcome
    suffix: str
    candidates: list[str]  # what replaces placeholder + suffix; the base form first
    replacement_with_suffix: str = ""  # the base form as the model wrote it (+ glued suffix)


@dataclass
class _Sentence:
    outcome: SentenceOutcome
    raw: str  # the model's text, placeholders normalised as `unmask` does
    masked: Masked
    slots: list[_Slot]
    combos: list[tuple[int, ...]]  # candidate index per slot, one tuple per scored text
    groups: list[int]  # consecutive combos scored as one group (`Score`): their sizes


def choose_forms(
    outcomes: Sequence[SentenceOutcome],
    glossary,
    lang: str,
    score: Score | None,
    *,
    normalize: Callable[[str], str] = lambda s: s,
    limit: int = MAX_CANDIDATES,
) -> int:
    """Re-fill the masked terms of `outcomes` (in place) with their best-scoring forms.

    `score` is None for an engine that cannot score. Returns the number of scoring calls (0 or 1).
    """
    from toolkit.terms.match import concept_index

    by_id = concept_index(glossary)
    sentences = [s for o in outcomes if (s := _sentence(o, by_id, lang, limit)) is not None]
    if not sentences:
        return 0
    if score is None:
        for sentence in sentences:
            for slot in sentence.slots:
                slot.term.note = CANNOT_SCORE
        return 0
    pairs = [(normalize(s.outcome.source), _fill(s, combo)) for s in sentences for combo in s.combos]
    scores = iter(score(pairs, groups=[size for s in sentences for size in s.groups]))
    for sentence in sentences:
        got = [next(scores) for _ in sentence.combos]
        best = tuple(_best_of_slot(sentence, got, k) for k in range(len(sentence.slots)))
        sentence.outcome.text = _fill(sentence, best)
        for slot, choice in zip(sentence.slots, best, strict=True):
            slot.term.form = slot.candidates[choice]
            slot.term.note = CHOSEN
    return 1


def _sentence(outcome: SentenceOutcome, by_id, lang: str, limit: int) -> _Sentence | None:
    """The slots of one outcome that have more than one form, and the texts to score."""
    if outcome.masked is None:
        return None
    raw, masked = outcome.masked
    for slot in masked.slots:  # the same normalisation `unmask` applies
        loose = _loose(slot.token)
        if len(loose.findall(masked.text)) == 1:
            raw = loose.sub(slot.token, raw)
    unused = [t for t in outcome.terms if t.how == How.MASK]
    slots = []
    for index, slot in enumerate(masked.slots):
        term = next((t for t in unused if t.concept_id == slot.concept_id), None)
        if slot.concept_id is None or term is None:
            continue
        unused.remove(term)
        concept = by_id.get(slot.concept_id)
        rendering = concept.renderings.get(lang) if concept is not None and not concept.dnt else None
        # `candidates` (the rendering + its `xx_forms`) arrives with the glossary's forms column;
        # a glossary model without it has one form per rendering, so nothing to choose
        forms = list(getattr(rendering, "candidates", [rendering.text])) if rendering else []
        found = re.search(re.escape(slot.token) + _SUFFIX, raw)
        if slot.replacement not in forms or len(forms) < 2 or found is None:
            continue
        suffix = found.group(1)
        candidates = [slot.replacement, *(f for f in forms if f != slot.replacement)]
        if suffix and slot.replacement + suffix not in candidates:
            candidates.append(slot.replacement + suffix)
        slots.append(_Slot(index, term, suffix, candidates, slot.replacement + suffix))
    if not slots:
        return None
    if len(slots) > 1:  # at most `limit` texts in all: each slot keeps its share of forms
        per_slot = per_slot_limit(len(slots), limit)
        for slot in slots:
            if len(slot.candidates) > per_slot:
                keep = slot.candidates[: per_slot - 1]
                own = slot.replacement_with_suffix
                slot.candidates = keep + [own if own in slot.candidates and own not in keep
                                          else slot.candidates[per_slot - 1]]
    combos, groups = combinations([len(s.candidates) for s in slots], [_default(s) for s in slots], limit)
    return _Sentence(outcome, raw, masked, slots, combos, groups)


def per_slot_limit(slots: int, limit: int = MAX_CANDIDATES) -> int:
    """How many forms each of several slots of one sentence is tried with."""
    return max(2, limit // slots)


def combinations(
    sizes: Sequence[int], defaults: Sequence[int], limit: int = MAX_CANDIDATES
) -> tuple[list[tuple[int, ...]], list[int]]:
    """The candidates to score for a sentence whose slots have `sizes` forms (`defaults`: each
    slot's form as the model wrote it), as form indices per slot, and the group sizes.

    One term: each of its forms (at most `limit`), one group. Several: each slot varied on its
    own, the others as the model wrote them, one group per slot, so that each candidate is
    scored around its own slot only (`Score`); the caller has cut each slot to
    `per_slot_limit` forms."""
    if len(sizes) == 1:
        combos = [(c,) for c in range(min(sizes[0], limit))]
        return combos, [len(combos)]
    base = tuple(defaults)
    combos, groups = [], []
    for k, size in enumerate(sizes):
        mine = [base[:k] + (c,) + base[k + 1:] for c in range(size)]
        combos += mine
        groups.append(len(mine))
    return combos, groups


def _default(slot: _Slot) -> int:
    """The candidate that is the model's own output: the base form with its suffix."""
    own = slot.replacement_with_suffix
    return slot.candidates.index(own) if own in slot.candidates else 0


def _best_of_slot(sentence: _Sentence, got: list[float], k: int) -> int:
    """Independent choice for slot k: the best of slot k's own group (only slot k varies)."""
    start = sum(sentence.groups[:k])
    mine = range(start, start + sentence.groups[k])
    return sentence.combos[max(mine, key=got.__getitem__)][k]


def _fill(sentence: _Sentence, combo: tuple[int, ...]) -> str:
    """The sentence with each chosen form in its slot (placeholder + glued suffix replaced)."""
    raw = sentence.raw
    slots = list(sentence.masked.slots)
    for slot, choice in zip(sentence.slots, combo, strict=True):
        token = slots[slot.index].token
        if slot.suffix:
            raw = raw.replace(token + slot.suffix, token, 1)
        slots[slot.index] = Slot(token, slot.candidates[choice], slots[slot.index].concept_id)
    text, _lost = unmask(raw, Masked(sentence.masked.text, tuple(slots)))
    return text
