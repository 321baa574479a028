"""Glossary candidates in an article: phrases worth a glossary entry (`toolkit glossary extract`).

Like Translate Toolkit's ``poterminology`` but for one article, and aware of the glossary: what
it already matches is never proposed again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from toolkit.formats.document import parse_document
from toolkit.segment import segment_block
from toolkit.terms.glossary import Glossary
from toolkit.terms.match import find_terms


@dataclass
class Candidate:
    """A phrase of an article that might deserve a glossary entry."""

    phrase: str
    count: int
    first_context: str
    kind: str  # 'acronym' | 'name' | 'phrase'


_STOP_WORDS = frozenset(
    """a about above according across after again against ago ahead all almost along already also
    although always am among an and another any are around as at away back be became because become
    been before being below between beyond both but by can cannot could did do does doing done down
    due during each early earlier either else even ever every few for former from further had has
    have having he her here hers herself him himself his how however i if in including inside into
    is it its itself just last late later latter least less like likely many may me meanwhile might
    more most much must my myself near nearly neither never new next no nor not now of off often on
    once one only onto or other others our ours ourselves out over own per perhaps quite rather
    recently said same say says see seen several shall she should since so some such than that the
    their theirs them themselves then there these they this those though through throughout thus to
    today told too toward towards under unless until up upon us very via was we well were what
    whatever when where whether which while who whom whose why will with within without would yet
    you your yours yourself yourselves""".split()
)
_NAME_CONNECTORS = frozenset("of for the de da del der van von al bin la le du".split())
_PHRASE_GLUE = frozenset("of and for in on to".split())
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'\u2019][^\W\d_]+)*")
_ACRONYM_RE = re.compile(
    r"(?<![\w.\-])(?:(?:[A-Z]\.){2,4}|[A-Z0-9]*[A-Z][A-Z0-9]*(?:-\d{1,4})?)(?![\w\-])"
)
_POSSESSIVE_RE = re.compile(r"['\u2019]s$")
_MASK = "\x00"


@dataclass
class _Found:
    phrase: str
    kind: str
    count: int
    position: tuple[int, int]
    context: str


def extract_terms(doc_text: str, glossary: Glossary, *, min_count: int = 1) -> list[Candidate]:
    """Glossary candidates in an article, most frequent first (then by first occurrence).

    Like Translate Toolkit's ``poterminology`` but for one article: acronyms (2-6 capitals,
    digits allowed: ``THAAD``, ``MQ-9``, ``U.S.``), capitalised multiword names (``Saudi
    Arabia``, ``Ministry of Foreign Affairs``) and lower-case phrases of 2-4 words that recur
    (``military capabilities``), never starting or ending with a stop word. Text the glossary
    already matches is masked first, so nothing it knows is proposed again. A capitalised word
    that only ever starts a sentence (``Upgrading``) is not taken for part of a name.
    """
    doc = parse_document(doc_text, "txt")
    sentences: list[tuple[tuple[int, int], str, str]] = []  # (position, masked, original)
    for block in doc.blocks:
        masked = list(block.text)
        for match in find_terms(glossary, block.text):
            masked[match.start : match.end] = _MASK * (match.end - match.start)
        masked_text = "".join(masked)
        for seg in segment_block(block.text, block.index, max_len=10_000):
            sentences.append(((block.index, seg.start), masked_text[seg.start : seg.end], seg.text))
    proper = _proper_words(sentences)
    found: dict[tuple[str, str], _Found] = {}

    def add(phrase: str, kind: str, position: tuple[int, int], context: str) -> None:
        item = found.get((kind, phrase))
        if item is None:
            found[(kind, phrase)] = _Found(phrase, kind, 1, position, " ".join(context.split()))
        else:
            item.count += 1

    for position, masked, original in sentences:
        shouting = not any(ch.islower() for ch in masked)  # an all-caps headline has no acronyms
        if not shouting:
            for m in _ACRONYM_RE.finditer(masked):
                capitals = sum(ch.isupper() for ch in m.group())
                if 2 <= capitals <= 6 and len(m.group()) <= 10:
                    add(m.group(), "acronym", (position[0], position[1] + m.start()), original)
        for phrase, start in _names(masked, proper):
            add(phrase, "name", (position[0], position[1] + start), original)
        for phrase, start in _phrases(masked, proper):
            add(phrase, "phrase", (position[0], position[1] + start), original)
    candidates = []
    phrases = [f for f in found.values() if f.kind == "phrase"]
    for item in found.values():
        needed = max(min_count, 2) if item.kind == "phrase" else min_count
        if item.count < needed:
            continue
        if item.kind == "phrase" and any(
            other.count == item.count and len(other.phrase) > len(item.phrase)
            and f" {item.phrase} " in f" {other.phrase} "
            for other in phrases if other.count >= needed
        ):
            continue  # only ever part of a longer recurring phrase
        if find_terms(glossary, item.phrase) or item.phrase.casefold() in _STOP_WORDS:
            continue
        candidates.append(item)
    candidates.sort(key=lambda f: (-f.count, f.position))
    return [Candidate(f.phrase, f.count, f.context, f.kind) for f in candidates]


class _Word(NamedTuple):
    text: str
    start: int
    end: int  # before a possessive 's
    possessive: bool
    initial: bool  # first word of its sentence or line


def _words(text: str) -> list[_Word]:
    out = []
    for m in _WORD_RE.finditer(text):
        word, possessive = m.group(), False
        if _POSSESSIVE_RE.search(word) and len(word) > 2:
            word, possessive = word[:-2], True
        line_start = text.rfind("\n", 0, m.start()) + 1
        initial = not text[line_start : m.start()].strip()
        out.append(_Word(word, m.start(), m.start() + len(word), possessive, initial))
    return out


def _proper_words(sentences: list[tuple[tuple[int, int], str, str]]) -> set[str]:
    """Capitalised words seen at least once away from the start of a sentence or line."""
    return {
        w.text for _, masked, _ in sentences for w in _words(masked) if not w.initial and w.text[0].isupper()
    }


def _joined(text: str, end: int, start: int) -> bool:
    """Only spaces (at most one line break) between two words: they can belong to one name."""
    gap = text[end:start]
    return bool(gap) and not gap.strip() and gap.count("\n") <= 1


def _names(text: str, proper: set[str]) -> list[tuple[str, int]]:
    """Runs of capitalised words (with of/for/the... inside), at least two capitalised."""
    out: list[tuple[str, int]] = []
    run: list[_Word] = []

    def edge(word: _Word) -> bool:
        return word.text.lower() in _STOP_WORDS or word.text in _NAME_CONNECTORS

    def flush() -> None:
        while run and edge(run[0]):
            run.pop(0)
        while run and edge(run[-1]):
            run.pop()
        if sum(w.text[0].isupper() for w in run) >= 2:
            out.append((text[run[0].start : run[-1].end], run[0].start))
        run.clear()

    for word in _words(text):
        if run and (run[-1].possessive or not _joined(text, run[-1].end, word.start)):
            flush()  # a possessive ends a name: "Daily Sabah's publication"
        capital = len(word.text) > 1 and word.text[0].isupper() and not word.text.isupper()
        if (
            capital
            and not (word.initial and word.text not in proper)
            and word.text.lower() not in _STOP_WORDS
        ):
            run.append(word)
        elif word.text in _NAME_CONNECTORS and run:
            run.append(word)
        else:
            flush()
    flush()
    return out


def _phrases(text: str, proper: set[str]) -> list[tuple[str, int]]:
    """Every 2-4 word n-gram of lower-case words with no stop word at either edge."""
    words = _words(text)
    out = []
    for i in range(len(words)):
        picked: list[_Word] = []
        for word in words[i : i + 4]:
            if picked and (picked[-1].possessive or not _joined(text, picked[-1].end, word.start)):
                break
            common = word.text.islower() or (
                word.initial and word.text[0].isupper() and word.text not in proper
            )
            if not common or len(word.text) < 2:
                break
            lowered = word.text.lower()
            stop = lowered in _STOP_WORDS
            if stop and (not picked or lowered not in _PHRASE_GLUE):
                break
            picked.append(word)
            if len(picked) >= 2 and not stop:
                out.append((" ".join(w.text.lower() for w in picked), picked[0].start))
    return out
