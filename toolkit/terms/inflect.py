"""Generated proposals for a rendering's grammatical forms (`xx_forms`), for a reviewer to check.

Writing every case of every rendering by hand is the slow part of filling `xx_forms`; most of it
is mechanical. Two generators, each deliberately narrow so that what it proposes is usually right:

Turkish (`turkish_case_forms`): the case suffix after an apostrophe that names and acronyms take
(``NATO'nun``, ``THAAD'a``, ``Pentagon'da``, ``ABD'nin``). Vowel harmony and buffer consonants
follow the last *pronounced* sound, which is guessed from the spelling: a pronounceable acronym
of 3+ letters is read as a word (NATO, THAAD), any other one letter by letter with the Turkish
letter names (ABD = a-be-de, RTX = re-te-iks); a trailing number is read out (F-35 = otuz beş).
Limits, the reviewer's call: names pronounced unlike their spelling (``Dome`` read "dom",
``Biden`` read "baydın", ``FBI`` read the English way), silent final letters, and short
acronyms said as a word (AK).

Russian (`russian_case_forms`, with pymorphy3 and its OpenCorpora dictionary): the head noun
phrase (agreeing adjectives + noun) declined, a genitive or prepositional tail kept as written
(``основной союзник вне НАТО`` -> ``основного союзника вне НАТО``). Anything pymorphy3 only
guesses, or can read two ways (``совместные военные учения``: военные is also a noun), gives
no proposal rather than a wrong one. Limits: a name (a capitalised phrase) gets no plural, but
pymorphy3 does not know which common nouns are never plural (``противоракетные обороны``).

`propose_forms` fills the empty `xx_forms` of a glossary with them; the status is left alone, so
proposals are reviewed like any rendering.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from toolkit.errors import ToolkitError
from toolkit.terms.glossary import Concept, Glossary, Rendering

SUPPORTED_LANGUAGES: tuple[str, ...] = ("tr", "ru")


@dataclass
class Proposal:
    """Forms generated for one rendering that had none (to be reviewed)."""

    concept_id: str
    lang: str
    rendering: str
    forms: list[str]


def propose_forms(glossary: Glossary, langs: list[str]) -> list[Proposal]:
    """Fill the EMPTY `inflections` of the renderings in `langs` in place, and say what was filled.

    Forms a person wrote are never replaced; rejected renderings are skipped (never enforced).
    Turkish only gets forms for Latin-script names and acronyms (dnt concepts, or a rendering
    spelled like the English term): other Turkish words take suffixes without an apostrophe.
    """
    for lang in langs:
        if lang not in SUPPORTED_LANGUAGES:
            supported = ", ".join(SUPPORTED_LANGUAGES)
            raise ToolkitError(f"no form generator for '{lang}' (supported: {supported})")
        if lang not in glossary.languages:
            raise ToolkitError(f"the glossary has no '{lang}' columns", path=glossary.path)
    proposals: list[Proposal] = []
    for concept in glossary.concepts:
        for lang in langs:
            rendering = concept.renderings.get(lang)
            if rendering is None or not rendering.text or rendering.inflections:
                continue
            if rendering.status == "rejected":
                continue
            forms = _generate(concept, rendering)
            if forms:
                rendering.inflections = forms
                proposals.append(Proposal(concept.id, lang, rendering.text, forms))
    return proposals


def _generate(concept: Concept, rendering: Rendering) -> list[str]:
    if rendering.lang == "tr":
        if _is_latin_name(rendering.text) and (concept.dnt or rendering.text == concept.term):
            return turkish_case_forms(rendering.text)
        return []
    return russian_case_forms(rendering.text)


def _is_latin_name(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and all("LATIN" in unicodedata.name(ch, "") for ch in letters)


# --------------------------------------------------------------------------- Turkish

_BACK, _FRONT = "aıou", "eiöü"
_ROUNDED = "ouöü"
_VOICELESS = "çfhkpsşt"
# Turkish letter names (and the usual ones for q, w, x): an acronym spelled out ends in them
_LETTER_NAMES = {
    "a": "a", "b": "be", "c": "ce", "ç": "çe", "d": "de", "e": "e", "f": "fe", "g": "ge",
    "ğ": "yumuşak ge", "h": "he", "ı": "ı", "i": "i", "j": "je", "k": "ke", "l": "le", "m": "me",
    "n": "ne", "o": "o", "ö": "ö", "p": "pe", "r": "re", "s": "se", "ş": "şe", "t": "te", "u": "u",
    "ü": "ü", "v": "ve", "y": "ye", "z": "ze", "q": "kü", "w": "dabıl ve", "x": "iks",
}
_UNITS = ("sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_POWERS = ((9, "milyar"), (6, "milyon"), (3, "bin"), (2, "yüz"))
# consonant pairs a Turkish speaker pronounces at the start or end of a word read as a word
_ONSETS = {"bl", "br", "dr", "fl", "fr", "gl", "gr", "kl", "kr", "pl", "pr", "sk", "sl", "sm", "sn", "sp",
           "st", "sv", "sw", "tr"}
_CODAS = {"ft", "kt", "ks", "ld", "lk", "lm", "ls", "lt", "mp", "nd", "ng", "nk", "ns", "nt", "rd", "rk",
          "rm", "rn", "rs", "rt", "sk", "sp", "st"}
_DIGRAPHS = (("th", "t"), ("sh", "ş"), ("ch", "ç"), ("ph", "f"))
_FOREIGN_VOWELS = {"ä": "e", "ë": "e", "ï": "i", "ÿ": "i", "ø": "ö", "œ": "ö", "æ": "e", "å": "o"}


def turkish_case_forms(name: str) -> list[str]:
    """Genitive, dative, accusative, locative, ablative of a name or acronym, suffixed after an
    apostrophe (NATO -> NATO'nun, NATO'ya, NATO'yu, NATO'da, NATO'dan); [] when unreadable."""
    name = name.strip()
    reading = _turkish_reading(name)
    vowels = [ch for ch in reading if ch in _BACK + _FRONT]
    if not vowels:
        return []
    last = vowels[-1]
    four = ("u" if last in _ROUNDED else "ı") if last in _BACK else ("ü" if last in _ROUNDED else "i")
    two = "a" if last in _BACK else "e"
    final = reading[-1]
    if final in _BACK + _FRONT:
        suffixes = ["n" + four + "n", "y" + two, "y" + four, "d" + two, "d" + two + "n"]
    else:
        d = "t" if final in _VOICELESS else "d"
        suffixes = [four + "n", two, four, d + two, d + two + "n"]
    return [f"{name}'{suffix}" for suffix in suffixes]


def _turkish_reading(name: str) -> str:
    """How the end of `name` is pronounced, in lower-case Turkish letters ("" if unknown)."""
    number = re.search(r"\d+$", name)
    if number:
        return _number_reading(number.group())
    word = re.search(r"[^\W\d_]+$", name)
    if not word:
        return ""
    word = word.group()
    if sum(ch.isupper() for ch in word) >= 2 or (len(word) == 1 and word.isupper()):
        return _acronym_reading(word)
    return _word_reading(word)


def _plain_letters(word: str, *, acronym: bool = False) -> str:
    """Lower case, foreign accents dropped (é -> e, ä -> e), the Turkish letters kept.

    I is ı in a word (Irak) but i in an acronym, which comes from English (SWIFT'in, ISIS'in).
    """
    lowered = word.replace("I", "i" if acronym else "ı").replace("İ", "i").lower()
    out = []
    for ch in lowered:
        if ch in _LETTER_NAMES:
            out.append(ch)
        elif ch in _FOREIGN_VOWELS:
            out.append(_FOREIGN_VOWELS[ch])
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            out.append(base if base in _LETTER_NAMES else "")
    return "".join(out)


def _word_reading(word: str) -> str:
    """A name read as written; a final y after a consonant sounds like i (Kennedy'nin)."""
    letters = _plain_letters(word)
    if len(letters) >= 2 and letters[-1] == "y" and letters[-2] not in _BACK + _FRONT:
        letters = letters[:-1] + "i"
    return letters


def _acronym_reading(word: str) -> str:
    """A pronounceable acronym is read as a word (NATO), any other letter by letter (ABD)."""
    letters = _plain_letters(word, acronym=True)
    if _pronounceable(letters):
        return letters
    return _LETTER_NAMES.get(letters[-1], "") if letters else ""


def _pronounceable(letters: str) -> bool:
    """Sayable as a Turkish word: a vowel, 3+ letters, no cluster Turkish cannot start or end on."""
    for digraph, sound in _DIGRAPHS:
        letters = letters.replace(digraph, sound)
    if len(letters) < 3 or not any(ch in _BACK + _FRONT for ch in letters):
        return False
    shape = "".join("v" if ch in _BACK + _FRONT else "c" for ch in letters)
    if "ccc" in shape:
        return False
    if shape.startswith("cc") and letters[:2] not in _ONSETS:
        return False
    return not (shape.endswith("cc") and letters[-2:] not in _CODAS)


def _number_reading(digits: str) -> str:
    """The last word of a number read out: 35 -> beş, 400 -> yüz, 2000 -> bin."""
    value = int(digits)
    if value == 0:
        return _UNITS[0]
    if value % 10:
        return _UNITS[value % 10]
    if value % 100:
        return _TENS[value % 100 // 10]
    return next(word for power, word in _POWERS if value % 10**power == 0)  # 10**2 always divides


# --------------------------------------------------------------------------- Russian

# singular cases besides the base nominative, then the plural forms a sentence needs most
_SINGULAR_CASES = ("gent", "datv", "accs", "ablt", "loct")
_PLURAL_OF_SINGULAR = ("nomn", "gent")
_OBLIQUE = {"gent", "gen2", "datv", "ablt", "loct", "loc2"}
_MODIFIERS = {"ADJF", "PRTF"}
_TAIL_WORDS = {"NOUN", "ADJF", "PRTF", "NUMR", "NPRO"}
_CYRILLIC_WORD = re.compile(r"[а-яё]+(?:-[а-яё]+)*", re.IGNORECASE)
_MIN_GUESSED_STEM = 6  # an unknown prefix is trusted before a known word this long (кибер|безопасность)


@functools.lru_cache(maxsize=1)
def _morph():
    """The analyzer, loaded once (~0.1 s; the dictionary is a 16 MB pure-Python package)."""
    try:
        import pymorphy3
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ToolkitError("Russian forms need pymorphy3: pip install pymorphy3") from exc
    return pymorphy3.MorphAnalyzer(lang="ru")


def russian_case_forms(phrase: str) -> list[str]:
    """The other forms of a Russian noun or adjective+noun phrase: genitive, dative, accusative,
    instrumental, prepositional singular and nominative, genitive plural (a plural phrase: its
    plural cases); the base form excluded. [] when pymorphy3 is not sure of its reading."""
    parts = re.split(r"(\s+)", phrase.strip())
    words, gaps = parts[::2], parts[1::2]
    if not words or not words[0]:
        return []
    results = {tuple(f) for f in (_inflect_phrase(words, head) for head in range(len(words))) if f}
    if len(results) != 1:  # no reading, or two readings that disagree: no guess
        return []
    forms = []
    for variant in results.pop():
        text = "".join(w + g for w, g in zip(variant, [*gaps, ""], strict=True))
        if text != phrase.strip() and text not in forms:
            forms.append(text)
    return forms


def _trusted(parse) -> bool:
    """A reading from the dictionary (possibly with a known or long-stemmed unknown prefix)."""
    methods = [type(step[0]).__name__ for step in parse.methods_stack]
    if methods == ["DictionaryAnalyzer"] or methods == ["DictionaryAnalyzer", "KnownPrefixAnalyzer"]:
        return True
    if methods == ["DictionaryAnalyzer", "UnknownPrefixAnalyzer"]:
        return len(parse.methods_stack[0][1]) >= _MIN_GUESSED_STEM
    return methods == ["HyphenatedWordsAnalyzer"]


def _parses(word: str) -> list:
    if not _CYRILLIC_WORD.fullmatch(word) or (len(word) > 1 and word.isupper()):
        return []  # Latin, numbers, acronyms (НАТО, ПРО): never inflected here
    return [p for p in _morph().parse(word) if _trusted(p)]


def _inflect_phrase(words: list[str], head: int) -> list[tuple[str, ...]] | None:
    """The phrase's forms with words[head] as its noun, or None if that reading does not hold."""
    nouns = [p for p in _parses(words[head]) if p.tag.POS == "NOUN" and p.tag.case == "nomn"]
    if not nouns and head == 0 and len(words) == 1:  # a lone adjective agrees with itself
        nouns = [p for p in _parses(words[0]) if p.tag.POS in _MODIFIERS and p.tag.case == "nomn"]
    if not nouns or not _tail_is_fixed(words[head + 1:]):
        return None
    readings = set()
    for noun in nouns:
        if "Fixd" in noun.tag:
            return None  # indeclinable
        modifiers = [_agreeing(word, noun) for word in words[:head]]
        if any(m is None for m in modifiers):
            return None
        readings.add(tuple(_declined(words, head, noun, modifiers)))
    return list(readings.pop()) if len(readings) == 1 else None


def _agreeing(word: str, noun):
    """The nominative adjective/participle reading of `word` that agrees with `noun`, if one."""
    for p in _parses(word):
        if p.tag.POS in _MODIFIERS and p.tag.case == "nomn" and p.tag.number == noun.tag.number:
            if noun.tag.number == "plur" or p.tag.gender == noun.tag.gender:
                return p
    return None


def _tail_is_fixed(tail: list[str]) -> bool:
    """Words after the noun that stay as written: a genitive or other oblique-case attribute
    (обороны Израиля), Latin, numbers, acronyms, or a prepositional phrase (вне НАТО)."""
    for word in tail:
        if not _CYRILLIC_WORD.fullmatch(word) or (len(word) > 1 and word.isupper()):
            continue
        parses = _parses(word)
        if any(p.tag.POS == "PREP" for p in parses):
            return True  # the rest is the preposition's object
        if not any(p.tag.POS in _TAIL_WORDS and p.tag.case in _OBLIQUE for p in parses):
            return False  # could agree with the noun (Марк Твен): no guess
    return True


def _declined(words: list[str], head: int, noun, modifiers: list) -> list[tuple[str, ...]]:
    tag = noun.tag
    if tag.number == "plur":
        targets = [("plur", case) for case in _SINGULAR_CASES]
    else:
        targets = [("sing", case) for case in _SINGULAR_CASES]
        if "Sgtm" not in tag and not words[0][:1].isupper():  # a name (Ближний Восток) has no plural
            targets += [("plur", case) for case in _PLURAL_OF_SINGULAR]
    animacy = tag.animacy or "inan"
    out = []
    for number, case in targets:
        noun_form = noun.inflect({number, case})
        if noun_form is None:
            continue
        grammemes = {number, case}
        if number == "sing" and noun.tag.gender in ("masc", "femn", "neut"):
            grammemes.add(noun.tag.gender)
        if case == "accs":
            grammemes.add(animacy)
        declined = [_inflect_modifier(m, grammemes) for m in modifiers]
        if any(d is None for d in declined):
            continue
        if noun.tag.POS in _MODIFIERS:  # a lone adjective: it takes the modifier grammemes
            noun_form = _inflect_modifier(noun, grammemes)
            if noun_form is None:
                continue
        new = [_like(words[i], d) for i, d in enumerate(declined)]
        new.append(_like(words[head], noun_form))
        out.append((*new, *words[head + 1:]))
    return out


def _inflect_modifier(parse, grammemes: set[str]):
    form = parse.inflect(grammemes)
    if form is None and grammemes & {"anim", "inan"}:
        form = parse.inflect(grammemes - {"anim", "inan"})
    return form


def _like(original: str, form) -> str:
    """`form` spelled as `original` is: its capitals, and е where the writer does not write ё."""
    text = form.word if hasattr(form, "word") else form
    if "ё" not in original.lower() and "ё" in _morph().parse(original)[0].word:
        text = text.replace("ё", "е")
    pieces = text.split("-")
    source = original.split("-")
    for i, piece in enumerate(pieces):
        model = source[i] if i < len(source) else source[-1]
        if model[:1].isupper():
            pieces[i] = piece[:1].upper() + piece[1:]
    return "-".join(pieces)
