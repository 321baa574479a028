"""Build the tiny *pseudo-language* translation models used by the test-suite.

No real MT model can be downloaded in CI, so the tests use tiny but *real* models that
this script trains itself.  They are loaded through exactly the code path that loads a
real Argos Translate package (``.argosmodel`` zip -> CTranslate2 model + SentencePiece).

The pseudo-language
-------------------
The "translation" is a fixed, seeded permutation over SentencePiece pieces:

* pieces that are *word-start alphabetic* (``▁`` followed only by letters, e.g. ``▁NATO``)
  are permuted among themselves (a single cycle, so no piece maps to itself);
* *continuation alphabetic* pieces (letters only, no ``▁``, e.g. ``ing``) are permuted
  among themselves;
* everything else maps to itself: special tokens, the placeholders ``⟦0⟧`` ... ``⟦39⟧``,
  punctuation, digits (digits are split into single-digit pieces), byte-fallback pieces,
  the bare ``▁`` and mixed pieces.

and one piece of grammar (``INFLECTION_TRIGGER``): the word "of" directly before a word or a
placeholder is not translated; the word's translation gets the case ending ``ᵍ`` (a
user-defined piece appended to the vocabulary) instead, so the glossary's form choice can be
tested ("of Article 5" needs the genitive form of its rendering).  The tiny Marian/NLLB
fixtures of ``tools/build_ct2_models.py`` keep the plain language (no inflection).

So every English word becomes a made-up word while numbers, punctuation, spacing and
placeholders are copied verbatim.  The expected output of the engine for any input is
therefore computable: ``tests/pseudo.py`` (``expected_translation(text)``) encodes with
the committed SentencePiece model, maps every piece with ``pseudo_rule.json`` and decodes
exactly like ``argostranslate.tokenizer.SentencePieceTokenizer.decode``.

The model
---------
A tiny transformer in torch (pre-norm, d_model 128, 4 heads, FFN 512, 2+2 layers, ReLU,
source/target/output embeddings shared and scaled by sqrt(d_model), sinusoidal position
encodings exported explicitly into the spec), trained on the CPU on article sentences,
random word sequences and random piece sequences (~30% with placeholders), then exported
to CTranslate2 int8 (``add_source_eos``: the source is ``pieces </s>``).  To fit a few CPU
minutes it starts from an *alignment initialisation* (cross-attention already attends to
the source position equal to the target position, see ``_alignment_init``) and uses label
smoothing annealed to 0 (argostranslate decodes with ``length_penalty=0.2``, which needs a
confident model).  The script checks the float32 export against torch, then reports exact-
match accuracy of the int8 model with argostranslate's decoding options.

The same model is packaged for en->el, en->ru, en->de and en->tr (the language codes only
matter to the toolkit's routing; the output is always the pseudo-language).

Outputs (all committed, under ``tests/fixtures/models/``)
---------------------------------------------------------
* ``sentencepiece.model``            SentencePiece unigram model (placeholders are
                                      user-defined symbols, byte fallback, split digits)
* ``pseudo_rule.json``               the piece -> piece rule plus metadata
* ``pseudo-ct2/``                    the CTranslate2 int8 model (intermediate, re-packaged)
* ``translate-en_<lang>.argosmodel`` for lang in el, ru, de, tr

Rebuilding
----------
CI never retrains: it only uses the committed files.  To rebuild them::

    pip install -e '.[build]'
    python tools/build_test_models.py                 # everything (~8 minutes on 2 cores)
    python tools/build_test_models.py --stage train   # spm + rule + CT2 model + accuracy report
    python tools/build_test_models.py --stage package # only re-zip the .argosmodel files
    python tools/build_test_models.py --stage evaluate  # re-run the accuracy report

``--minutes`` sets the training budget in minutes of 2-thread CPU time (default 6; a busy
machine takes longer in wall-clock time, hard stop at 3x).  Everything is seeded, but with
a time budget the number of steps depends on the machine, so use
``--minutes 0 --max-steps 1500`` for a fixed schedule.  The SentencePiece model and the
rule are reproducible; the package stage is deterministic (sorted members, fixed
timestamps: re-packaging the same inputs gives byte-identical zips) and checks that
``argostranslate.package.install_from_path`` accepts and lists every package (and, when
the sentence-boundary model is present, that ``argostranslate.translate.translate`` output
equals ``expected_translation``).  ``tests/fixtures/sbd/en.onnx`` is copied into each
package as ``minisbd/en.onnx`` when it exists (otherwise a warning is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_PATH = ROOT / "examples" / "article.txt"
MODELS_DIR = ROOT / "tests" / "fixtures" / "models"
CT2_DIR = MODELS_DIR / "pseudo-ct2"
SPM_PATH = MODELS_DIR / "sentencepiece.model"
RULE_PATH = MODELS_DIR / "pseudo_rule.json"
SBD_ONNX_PATH = ROOT / "tests" / "fixtures" / "sbd" / "en.onnx"
# ``--forms``: the inflected pseudo-language (one en->el package, unpacked, for the glossary's
# form-choice tests).  The shared fixtures above stay the plain language: a plain rebuild
# reproduces them, ``--forms`` reproduces tests/fixtures/forms.
FORMS_DIR = ROOT / "tests" / "fixtures" / "forms"
INFLECTION = False


def use_forms_layout() -> None:
    """Point the build at tests/fixtures/forms and train the inflection."""
    global MODELS_DIR, CT2_DIR, SPM_PATH, RULE_PATH, INFLECTION
    MODELS_DIR = FORMS_DIR
    CT2_DIR = FORMS_DIR / "build" / "pseudo-ct2"
    SPM_PATH = FORMS_DIR / "build" / "sentencepiece.model"
    RULE_PATH = FORMS_DIR / "pseudo_rule.json"
    INFLECTION = True

SEED = 20241013
NUM_PLACEHOLDERS = 40
PLACEHOLDERS = [f"\u27e6{i}\u27e7" for i in range(NUM_PLACEHOLDERS)]
SPM_VOCAB_SIZE = 1400
# The pseudo-language's one piece of grammar (a "genitive"): the English word "of" directly
# before a word (or a placeholder) is not translated; instead the translation of that word
# gets the case ending SUFFIX, its own SentencePiece symbol appended after the learned
# pieces (so every other piece id, and the rule, are those of the plain language that the
# tools/build_ct2_models.py fixtures implement).  "the text of Article 5" ->
# "<the> <text> <Article>ᵍ 5"; "of ⟦0⟧" -> "⟦0⟧ᵍ".  Source
# and target have the same number of pieces, so the alignment initialisation still fits.
INFLECTION_TRIGGER = "\u2581of"
INFLECTION_SUFFIX = "\u1d4d"  # MODIFIER LETTER SMALL G

# Model hyper-parameters (must stay representable by ctranslate2.specs.TransformerSpec).
D_MODEL = 128
NUM_HEADS = 4
FFN_DIM = 512
NUM_LAYERS = (2, 2)
LAYER_NORM_EPS = 1e-6
MAX_POSITIONS = 1024  # rows of the exported sinusoidal table (CT2 default max input 1024)
MAX_TRAIN_PIECES = 200  # longest training example (source pieces, before </s>)
LABEL_SMOOTHING = 0.1
TORCH_THREADS = 2
BATCH_TOKENS = 3000  # padded source tokens per batch
EMBED_INIT_STD = D_MODEL**-0.5
POS_DIMS = 32  # embedding dims that start at zero (alignment init)
ALIGN_INIT_GAIN = 4.0  # initial query/key gain on those dims

TARGET_LANGS = {"el": "Greek", "ru": "Russian", "de": "German", "tr": "Turkish"}
PACKAGE_VERSION = "0.1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

DEFENSE_TERMS = [
    "NATO", "Article 5", "Article V", "THAAD", "Terminal High Altitude Area Defense",
    "Major Non-NATO Ally", "major non-NATO ally", "IDF", "Israel Defense Forces",
    "Hezbollah", "Hamas", "Pentagon", "Lockheed Martin", "Raytheon", "RTX",
    "collective defence", "collective defense", "Secretary General", "Secretary-General",
    "Euro-Atlantic", "anti-missile", "anti-missile system", "ballistic missile defence",
    "ballistic missile defense", "missile defence", "air defences", "air defense",
    "counterterrorism", "counter-terrorism", "intelligence sharing", "joint exercises",
    "NATO Ministers of Defence", "Ministers of Defence", "Defence Ministers", "U.S.",
    "U.K.", "E.U.", "EU", "UN", "Oct. 13", "Oct. 1", "Maj. Gen. Pat Ryder",
    "Pentagon Press Secretary", "Lloyd J. Austin III", "Secretary of Defense",
    "Mark Rutte", "Jens Stoltenberg", "Joe Biden", "Benjamin Netanyahu",
    "North Atlantic Treaty", "North Atlantic Council", "Washington Treaty",
    "Mediterranean Dialogue", "Istanbul Cooperation Initiative", "Partnership for Peace",
    "Individual Partnership and Cooperation Programme", "interoperability", "deterrence",
    "deterrence and defence", "crisis management", "cooperative security",
    "hybrid threats", "cyber defence", "cybersecurity", "arms sales", "arms embargo",
    "Iron Dome", "David's Sling", "Arrow 3", "Patriot", "S-400", "F-35", "F-16",
    "interceptor", "interceptors", "radar", "drones", "UAV", "ceasefire", "hostages",
    "Gaza", "Lebanon", "Iran", "Iraq", "Syria", "Yemen", "Houthis", "Türkiye", "Turkey",
    "Greece", "Russia", "Ukraine", "Germany", "Brussels", "Washington", "Tel Aviv",
    "Jerusalem", "Tehran", "Beirut", "Ankara", "Athens", "Moscow", "Berlin", "Kyiv",
    "Middle East", "Eastern Mediterranean", "Black Sea", "Baltic", "Allies", "Allied",
    "member states", "partner countries", "military capabilities", "defence spending",
    "2% of GDP", "readiness", "rapid reaction force", "Special Operations",
    "Department of Defense", "Ministry of Defence", "Chief of Staff", "Joint Chiefs",
    "Supreme Allied Commander Europe", "SACEUR", "SHAPE", "NATO Summit",
    "Vilnius Summit", "Washington Summit", "Madrid Summit", "Strategic Concept",
    "nuclear deterrence", "non-proliferation", "sanctions", "escalation",
    "de-escalation", "retaliation", "airstrike", "airstrikes", "ground offensive",
    "humanitarian aid", "humanitarian corridor", "civilians", "casualties",
    "press briefing", "spokesperson", "spokesman", "communiqué", "Oct. 7", "Jan. 1",
    "Feb. 24", "Dec. 31", "Sept. 11", "Nov. 5", "a.m.", "p.m.", "Dr.", "Mr.", "Mrs.",
    "Ms.", "Gen.", "Lt. Gen.", "Col.", "Adm.", "Sen.", "Rep.", "Prof.", "St.", "No. 1",
    "$1.2 billion", "€500 million", "3,000 troops", "180 missiles", "100 km", "24/7",
]

COMMON_WORDS = """
the of and to a in is it you that he was for on are with as I his they be at one have
this from or had by hot word but what some we can out other were all there when up use
your how said an each she which do their time if will way about many then them write
would like so these her long make thing see him two has look more day could go come did
number sound no most people my over know water than call first who may down side been
now find any new work part take get place made live where after back little only round
man year came show every good me give our under name very through just form sentence
great think say help low line differ turn cause much mean before move right boy old too
same tell does set three want air well also play small end put home read hand port large
spell add even land here must big high such follow act why ask men change went light kind
off need house picture try us again animal point mother world near build self earth father
head stand own page should country found answer school grow study still learn plant cover
food sun four between state keep eye never last let thought city tree cross farm hard
start might story saw far sea draw left late run while press close night real life few
north open seem together next white children begin got walk example ease paper group
always music those both mark often letter until mile river car feet care second book carry
took science eat room friend began idea fish mountain stop once base hear horse cut sure
watch color face wood main enough plain girl usual young ready above ever red list though
feel talk bird soon body dog family direct pose leave song measure door product black
short numeral class wind question happen complete ship area half rock order fire south
problem piece told knew pass since top whole king space heard best hour better true during
hundred five remember step early hold west ground interest reach fast verb sing listen six
table travel less morning ten simple several vowel toward war lay against pattern slow
center love person money serve appear road map rain rule govern pull cold notice voice
unit power town fine certain fly fall lead cry dark machine note wait plan figure star box
noun field rest correct able pound done beauty drive stood contain front teach week final
gave green oh quick develop ocean warm free minute strong special mind behind clear tail
produce fact street inch multiply nothing course stay wheel full force blue object decide
surface deep moon island foot system busy test record boat common gold possible plane
stead dry wonder laugh thousand ago ran check game shape equate miss brought heat snow tire
bring yes distant fill east paint language among government minister ministry president
election news report reporter editor newspaper article headline today yesterday tomorrow
week month percent million billion official officials security policy support statement
according spokesperson agency international national foreign economy economic market
price prices company companies public health police court law parliament vote party
minister's leader leaders talks meeting summit agreement deal crisis conflict peace
attack attacks killed wounded army navy military forces troops soldiers weapons missile
missiles defence defense border region regional capital city citizens refugees migrants
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
June July August September October November December Hello hello world thanks please
""".split()


# --------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------


def read_article() -> str:
    return ARTICLE_PATH.read_text(encoding="utf-8")


_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\u201d\u2019\"')])\s+")


def article_units() -> tuple[list[str], list[str]]:
    """Return (naive sentences, lines) of the example article."""
    lines = [ln.strip() for ln in read_article().splitlines() if ln.strip()]
    sentences: list[str] = []
    for line in lines:
        for sent in _SENT_SPLIT.split(line):
            sent = sent.strip()
            if sent and sent not in sentences:
                sentences.append(sent)
    return sentences, lines


def article_chunks(sp, max_pieces: int) -> list[str]:
    """Article sentences, runs of 2-3 consecutive naive sentences, and whole lines that
    fit in ``max_pieces`` (a real sentence splitter may not split where the naive one
    does, e.g. after "U.S." or "T.H.")."""
    lines = [ln.strip() for ln in read_article().splitlines() if ln.strip()]
    chunks: list[str] = []
    seen: set[str] = set()

    def add(text: str) -> None:
        if text not in seen and len(sp.encode(text)) <= max_pieces:
            seen.add(text)
            chunks.append(text)

    for line in lines:
        sents = [s.strip() for s in _SENT_SPLIT.split(line) if s.strip()]
        for n in (1, 2, 3):
            for i in range(len(sents) - n + 1):
                add(" ".join(sents[i : i + n]))
        add(line)
    return chunks


def word_inventory() -> list[str]:
    words: list[str] = []
    text = read_article() + "\n" + "\n".join(DEFENSE_TERMS)
    words += re.findall(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f'\u2019.-]*", text)
    words += COMMON_WORDS
    cleaned = []
    for w in words:
        w = w.strip(".-'\u2019") if not re.fullmatch(r"(?:[A-Za-z]\.)+", w) else w
        if w:
            cleaned.append(w)
    return sorted(set(cleaned))


def spm_training_lines() -> list[str]:
    lines = [ln.strip() for ln in read_article().splitlines() if ln.strip()]
    lines += DEFENSE_TERMS
    words = COMMON_WORDS
    lines += [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    # A few lines with characters a newsroom text commonly contains.
    lines += [
        "0 1 2 3 4 5 6 7 8 9 10% 3.5 1,000 2024 19:30 24/7 #1 @user & * + = < > [ ] { } | ~",
        "\u201cquoted\u201d \u2018single\u2019 \"straight\" 'straight' (parens) \u2014 \u2013 "
        "- \u2026 ; : ! ? \u20ac $ \u00a3 \u00b0 \u00a7",
    ]
    return lines


# --------------------------------------------------------------------------------------
# SentencePiece + rule
# --------------------------------------------------------------------------------------


def train_sentencepiece(out_path: Path) -> None:
    from spm_train import train_unigram  # tools/spm_train.py, shared with bench/randmodel.py

    data = train_unigram(spm_training_lines(), SPM_VOCAB_SIZE, user_defined_symbols=PLACEHOLDERS)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(append_user_symbol(data, INFLECTION_SUFFIX) if INFLECTION else data)


def append_user_symbol(model: bytes, piece: str) -> bytes:
    """Append ``piece`` as a user-defined symbol after every learned piece: training with it
    as a user-defined symbol would renumber (and re-learn) the vocabulary."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    proto = pb.ModelProto()
    proto.ParseFromString(model)
    assert all(p.piece != piece for p in proto.pieces), piece
    new = proto.pieces.add()
    new.piece = piece
    new.score = 0.0
    new.type = pb.ModelProto.SentencePiece.USER_DEFINED
    return proto.SerializeToString()


def load_sp(path: Path | None = None):
    import sentencepiece as spm

    return spm.SentencePieceProcessor(model_file=str(path or SPM_PATH))


def check_placeholders(sp) -> None:
    for ph in PLACEHOLDERS:
        pid = sp.piece_to_id(ph)
        assert pid != sp.unk_id() and sp.id_to_piece(pid) == ph, ph
        for text in (ph, f"a {ph} b", f"{ph},", f"({ph})", f"\u201c{ph}\u201d",
                     f"{ph}\u2019s", f"word{ph}", f"{ph}word", f"{ph}{ph}", f"{ph}.",
                     f"x-{ph}-y", f"{ph}5"):
            pieces = sp.encode(text, out_type=str)
            count = sum(1 for p in pieces if ph in p)
            assert count == text.count(ph) and all(p == ph for p in pieces if ph in p), (
                text, pieces)
            assert sp.decode_pieces(pieces) == text, (text, pieces)


def piece_class(piece: str, is_special: bool) -> str:
    if is_special or piece == INFLECTION_SUFFIX:
        return "other"
    if piece.startswith("\u2581") and len(piece) > 1 and piece[1:].isalpha():
        return "word_start"
    if piece.isalpha() and "\u2581" not in piece:
        return "continuation"
    return "other"


def build_rule(sp) -> dict:
    n = sp.get_piece_size()
    pieces = [sp.id_to_piece(i) for i in range(n)]
    special = [
        sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i) or sp.is_unused(i)
        for i in range(n)
    ]
    mapping = list(range(n))
    rng = random.Random(SEED)
    counts = {}
    for cls in ("word_start", "continuation"):
        ids = [i for i in range(n) if piece_class(pieces[i], special[i]) == cls]
        counts[cls] = len(ids)
        # Sattolo's algorithm: a uniformly random single cycle (no fixed points).
        perm = ids[:]
        for i in range(len(perm) - 1, 0, -1):
            j = rng.randrange(i)
            perm[i], perm[j] = perm[j], perm[i]
        for src, dst in zip(ids, perm, strict=True):
            mapping[src] = dst
    counts["other"] = n - counts["word_start"] - counts["continuation"]
    return {
        "description": (
            "Pseudo-language test rule: SentencePiece piece -> piece. Word-start alphabetic "
            "pieces are permuted among themselves, continuation alphabetic pieces among "
            "themselves, everything else maps to itself. Not a real translation."
        ),
        "seed": SEED,
        "sentencepiece_sha256": hashlib.sha256(SPM_PATH.read_bytes()).hexdigest(),
        "vocab_size": n,
        "class_counts": counts,
        "placeholders": [PLACEHOLDERS[0], PLACEHOLDERS[-1]],
        **({} if not INFLECTION else {"inflection": {
            "description": (
                "Argos fixtures only (not tests/fixtures/ct2): the piece 'trigger' directly "
                "before a word (a word-start piece, or a bare '\u2581' then a placeholder or "
                "a continuation piece, then any continuation pieces) is dropped and 'suffix' "
                "follows the mapped word."
            ),
            "trigger": INFLECTION_TRIGGER,
            "suffix": INFLECTION_SUFFIX,
        }}),
        "mapping": {pieces[i]: pieces[mapping[i]] for i in range(n)},
    }


def _word_after(src: list[str], i: int) -> int:
    """End index of the word starting at ``src[i]`` (``i`` when no word starts there)."""
    n = len(src)
    if i >= n:
        return i
    if piece_class(src[i], False) == "word_start":
        j = i + 1
    elif src[i] == "\u2581" and i + 1 < n and src[i + 1] in PLACEHOLDERS:
        return i + 2
    elif (src[i] == "\u2581" and i + 1 < n
          and piece_class(src[i + 1], False) == "continuation"):
        j = i + 2
    else:
        return i
    while j < n and piece_class(src[j], False) == "continuation":
        j += 1
    return j


def inflect(src: list[str], mapped: list[str]) -> list[str]:
    """Target pieces of the inflected pseudo-language: ``mapped`` is ``src`` piece by piece
    through the plain rule; "of" + word becomes word + suffix (see INFLECTION_TRIGGER)."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        if src[i] == INFLECTION_TRIGGER:
            end = _word_after(src, i + 1)
            if end > i + 1:
                out += mapped[i + 1 : end]
                out.append(INFLECTION_SUFFIX)
                i = end
                continue
        out.append(mapped[i])
        i += 1
    return out


def rule_id_map(sp, rule: dict) -> list[int]:
    return [sp.piece_to_id(rule["mapping"][sp.id_to_piece(i)])
            for i in range(sp.get_piece_size())]


def decode_like_argos(sp, pieces: list[str]) -> str:
    value = sp.decode_pieces(pieces).replace("\u2581", " ").replace("_", " ")
    return value[1:] if value.startswith(" ") else value


# --------------------------------------------------------------------------------------
# Training data
# --------------------------------------------------------------------------------------


class DataGen:
    """Seeded generator of (source ids, target ids) pairs.

    ``inflection=True`` (the Argos fixtures): targets follow :func:`inflect`, and "of" is
    put before words and placeholders more often than running text has it."""

    def __init__(self, sp, id_map: list[int], seed: int, max_pieces: int = MAX_TRAIN_PIECES,
                 *, inflection: bool = False):
        self.sp = sp
        self.id_map = id_map
        self.inflection = inflection
        self.trigger_id = sp.piece_to_id(INFLECTION_TRIGGER)
        self.rng = random.Random(seed)
        self.max_pieces = max_pieces
        self.chunks = article_chunks(sp, max_pieces)
        self.words = word_inventory()
        self.terms = DEFENSE_TERMS
        n = sp.get_piece_size()
        self.piece_ids = [i for i in range(n) if not sp.is_control(i)]
        self.placeholder_ids = [sp.piece_to_id(p) for p in PLACEHOLDERS]

    # ---- text generators --------------------------------------------------------------

    def _number(self) -> str:
        r = self.rng
        kind = r.randrange(8)
        if kind == 0:
            return str(r.randrange(1900, 2040))
        if kind == 1:
            return f"{r.randrange(1, 100)}%"
        if kind == 2:
            return f"{r.randrange(1, 1000)},{r.randrange(1000):03d}"
        if kind == 3:
            return f"{r.randrange(0, 100)}.{r.randrange(0, 100)}"
        if kind == 4:
            return f"${r.randrange(1, 999)} {r.choice(['million', 'billion'])}"
        if kind == 5:
            return f"{r.randrange(0, 24)}:{r.randrange(0, 60):02d}"
        return str(r.randrange(0, 10 ** r.randrange(1, 7)))

    def _token(self) -> str:
        r = self.rng
        x = r.random()
        if x < 0.08:
            return self._number()
        if x < 0.16:
            return r.choice(self.terms)
        w = r.choice(self.words)
        y = r.random()
        if y < 0.08:
            w = w.capitalize()
        elif y < 0.11:
            w = w.upper()
        elif y < 0.14:
            w = w.lower()
        return w

    def random_sentence_words(self, n_words: int) -> list[str]:
        r = self.rng
        words = [self._token() for _ in range(n_words)]
        if self.inflection:
            # "of" before words, and (as often as running text has it) before what is no
            # word: a number, a bracket, the end; both must be learned, not guessed.
            out = []
            for word in words:
                x = r.random()
                if x < 0.1:
                    out.append("of")
                elif x < 0.14:
                    out += ["of", self._number()]
                out.append(word)
            words = out
        if words and r.random() < 0.6:
            words[0] = words[0][:1].upper() + words[0][1:]
        for i in range(len(words)):
            x = r.random()
            if x < 0.08:
                words[i] += ","
            elif x < 0.10:
                words[i] = f"\u201c{words[i]}\u201d"
            elif x < 0.115:
                words[i] = f"({words[i]})"
            elif x < 0.13:
                words[i] += "\u2019s"
            elif x < 0.14:
                words[i] += r.choice([";", ":", " \u2014", " -", "-based", "\u2019"])
            elif x < 0.15:
                words[i] = f"\"{words[i]}\""
        if words:
            x = r.random()
            if x < 0.55:
                words[-1] += "."
            elif x < 0.62:
                words[-1] += "?"
            elif x < 0.66:
                words[-1] += "!"
            elif x < 0.7:
                words[-1] += ".\u201d"
        return words

    def insert_placeholders(self, words: list[str]) -> list[str]:
        r = self.rng
        words = list(words)
        ks = r.sample(range(NUM_PLACEHOLDERS), r.randint(1, 3))
        for k in ks:
            ph = PLACEHOLDERS[k]
            y = r.random()
            if y < 0.15:
                ph = r.choice([f"{ph},", f"{ph}.", f"({ph})", f"\u201c{ph}\u201d",
                               f"{ph}\u2019s", f"{ph}:", f"{ph}-based", f"\"{ph}\""])
            if self.inflection and r.random() < 0.3:
                ph = f"of {ph}"  # a masked term in the genitive slot
            pos = r.randint(0, len(words))
            if words and r.random() < 0.5 and pos < len(words):
                words[pos] = ph  # replaces a word (like a protected glossary term)
            elif words and r.random() < 0.05 and pos < len(words):
                words[pos] = words[pos] + ph  # glued to a word
            else:
                words.insert(pos, ph)
        return words

    def _maybe_placeholders_text(self, text: str) -> str:
        if self.rng.random() < 0.3:
            return " ".join(self.insert_placeholders(text.split(" ")))
        return text

    def text_example(self) -> str:
        r = self.rng
        x = r.random()
        if x < 0.4:
            return self._maybe_placeholders_text(r.choice(self.chunks))
        if x < 0.5:
            # Short strings: single words/terms/numbers, glossary-like lines.
            words = self.random_sentence_words(r.randint(1, 3))
            text = " ".join(words)
        else:
            n = min(int(r.expovariate(1 / 18)) + 1, 110)
            text = " ".join(self.random_sentence_words(n))
        return self._maybe_placeholders_text(text)

    def piece_example(self) -> list[int]:
        r = self.rng
        n = r.randint(1, self.max_pieces) if r.random() < 0.3 else r.randint(1, 40)
        ids = [r.choice(self.piece_ids) for _ in range(n)]
        if r.random() < 0.3:
            for _ in range(r.randint(1, 3)):
                ids.insert(r.randint(0, len(ids)), r.choice(self.placeholder_ids))
        if self.inflection and r.random() < 0.5:
            for _ in range(r.randint(1, 4)):
                ids.insert(r.randint(0, len(ids)), self.trigger_id)
        return ids

    def target(self, src: list[int]) -> list[int]:
        if not self.inflection:
            return [self.id_map[i] for i in src]
        sp = self.sp
        pieces = [sp.id_to_piece(i) for i in src]
        mapped = [sp.id_to_piece(self.id_map[i]) for i in src]
        return [sp.piece_to_id(p) for p in inflect(pieces, mapped)]

    def example(self) -> tuple[list[int], list[int]]:
        if self.rng.random() < 0.2:
            src = self.piece_example()
        else:
            src = self.sp.encode(self.text_example())
        src = src[: self.max_pieces]
        if not src:
            src = [self.rng.choice(self.piece_ids)]
        return src, self.target(src)

    def heldout_sentences(self, count: int) -> list[str]:
        out = []
        while len(out) < count:
            n = min(int(self.rng.expovariate(1 / 15)) + 2, 60)
            out.append(" ".join(self.random_sentence_words(n)))
        return out

    def genitive_sentences(self, count: int) -> list[str]:
        """Sentences with "of" before a defence term or a placeholder (the inflection)."""
        out = []
        while len(out) < count:
            words = self.random_sentence_words(self.rng.randint(2, 20))
            slot = self.rng.choice(self.terms + PLACEHOLDERS[:8])
            words.insert(self.rng.randint(0, len(words)), f"of {slot}")
            out.append(" ".join(words))
        return out

    def placeholder_sentences(self, count: int) -> list[str]:
        out = []
        while len(out) < count:
            if self.rng.random() < 0.5:
                base = self.rng.choice(self.chunks).split(" ")
            else:
                base = self.random_sentence_words(self.rng.randint(2, 30))
            out.append(" ".join(self.insert_placeholders(base)))
        return out


# --------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------


def sinusoidal_table(max_positions: int, dim: int):
    import numpy as np

    pos = np.arange(max_positions, dtype=np.float64)[:, None]
    inv = np.exp(-math.log(10000.0) * np.arange(0, dim, 2, dtype=np.float64) / dim)
    table = np.zeros((max_positions, dim), dtype=np.float64)
    table[:, 0::2] = np.sin(pos * inv)
    table[:, 1::2] = np.cos(pos * inv)
    return table.astype(np.float32)


def build_torch_model(vocab_size: int, pad_id: int):
    import torch
    from torch import nn
    from torch.nn import functional as F

    class MultiHeadAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.q = nn.Linear(D_MODEL, D_MODEL)
            self.k = nn.Linear(D_MODEL, D_MODEL)
            self.v = nn.Linear(D_MODEL, D_MODEL)
            self.o = nn.Linear(D_MODEL, D_MODEL)

        def forward(self, x, memory, mask):
            b, tq, _ = x.shape
            tk = memory.shape[1]
            h, dk = NUM_HEADS, D_MODEL // NUM_HEADS
            q = self.q(x).view(b, tq, h, dk).transpose(1, 2)
            k = self.k(memory).view(b, tk, h, dk).transpose(1, 2)
            v = self.v(memory).view(b, tk, h, dk).transpose(1, 2)
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            return self.o(out.transpose(1, 2).reshape(b, tq, D_MODEL))

    class FeedForward(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(D_MODEL, eps=LAYER_NORM_EPS)
            self.w1 = nn.Linear(D_MODEL, FFN_DIM)
            self.w2 = nn.Linear(FFN_DIM, D_MODEL)

        def forward(self, x):
            return x + self.w2(F.relu(self.w1(self.norm(x))))

    class EncoderLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.LayerNorm(D_MODEL, eps=LAYER_NORM_EPS)
            self.attn = MultiHeadAttention()
            self.ffn = FeedForward()

        def forward(self, x, mask):
            y = self.norm(x)
            return self.ffn(x + self.attn(y, y, mask))

    class DecoderLayer(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm1 = nn.LayerNorm(D_MODEL, eps=LAYER_NORM_EPS)
            self.self_attn = MultiHeadAttention()
            self.norm2 = nn.LayerNorm(D_MODEL, eps=LAYER_NORM_EPS)
            self.cross_attn = MultiHeadAttention()
            self.ffn = FeedForward()

        def forward(self, x, memory, self_mask, cross_mask):
            y = self.norm1(x)
            x = x + self.self_attn(y, y, self_mask)
            x = x + self.cross_attn(self.norm2(x), memory, cross_mask)
            return self.ffn(x)

    class PseudoTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.pad_id = pad_id
            self.embed = nn.Embedding(vocab_size, D_MODEL)
            nn.init.normal_(self.embed.weight, std=EMBED_INIT_STD)
            pe = torch.from_numpy(sinusoidal_table(MAX_POSITIONS, D_MODEL))
            self.register_buffer("pe", pe, persistent=False)
            self.encoder = nn.ModuleList(EncoderLayer() for _ in range(NUM_LAYERS[0]))
            self.encoder_norm = nn.LayerNorm(D_MODEL, eps=LAYER_NORM_EPS)
            self.decoder = nn.ModuleList(DecoderLayer() for _ in range(NUM_LAYERS[1]))
            self.decoder_norm = nn.LayerNorm(D_MODEL, eps=LAYER_NORM_EPS)
            for name, p in self.named_parameters():
                if p.dim() == 2 and not name.startswith("embed"):
                    nn.init.xavier_uniform_(p)
            self._alignment_init()

        @torch.no_grad()
        def _alignment_init(self):
            """Start from a model whose cross-attention already aligns target position t
            with source position t (the pseudo-language is a 1:1 piece mapping).

            * the first ``POS_DIMS`` embedding dimensions start at zero, so there the
              residual stream holds only the (highest-frequency) sinusoidal encodings;
            * residual branches start as identity (output projections zero), so the
              streams are still "embedding + position" when they reach cross-attention;
            * each cross-attention head's query/key projections read those dimensions,
              so the attention logits peak where the positions match.
            Everything stays trainable; this only saves CPU time."""
            self.embed.weight[:, :POS_DIMS] = 0.0
            for layer in list(self.encoder) + list(self.decoder):
                for mod in layer.modules():
                    if isinstance(mod, MultiHeadAttention):
                        mod.o.weight.zero_()
                    if isinstance(mod, FeedForward):
                        mod.w2.weight.zero_()
            dk = D_MODEL // NUM_HEADS
            eye = torch.eye(POS_DIMS) * ALIGN_INIT_GAIN
            for layer in self.decoder:
                for proj in (layer.cross_attn.q, layer.cross_attn.k):
                    proj.weight.zero_()
                    proj.bias.zero_()
                    for h in range(NUM_HEADS):
                        proj.weight[h * dk : h * dk + POS_DIMS, :POS_DIMS] = eye

        def _embed(self, ids):
            x = self.embed(ids) * math.sqrt(D_MODEL)
            return x + self.pe[: ids.shape[1]].unsqueeze(0)

        def forward(self, src, tgt_in):
            src_keep = (src != self.pad_id)[:, None, None, :]  # (B,1,1,S) True = attend
            x = self._embed(src)
            for layer in self.encoder:
                x = layer(x, src_keep)
            memory = self.encoder_norm(x)
            t = tgt_in.shape[1]
            causal = torch.ones(t, t, dtype=torch.bool, device=src.device).tril()
            y = self._embed(tgt_in)
            for layer in self.decoder:
                y = layer(y, memory, causal[None, None], src_keep)
            y = self.decoder_norm(y)
            return y @ self.embed.weight.t()

    return PseudoTransformer()


def make_batches(examples, bos: int, eos: int, pad: int, max_tokens: int, rng):
    import torch

    examples = sorted(examples, key=lambda e: len(e[0]))
    batches, cur = [], []
    for ex in examples:
        longest = max([len(ex[0])] + [len(e[0]) for e in cur]) + 1
        if cur and longest * (len(cur) + 1) > max_tokens:
            batches.append(cur)
            cur = []
        cur.append(ex)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    out = []
    for batch in batches:
        s = max(len(e[0]) for e in batch) + 1
        src = torch.full((len(batch), s), pad, dtype=torch.long)
        tin = torch.full((len(batch), s), pad, dtype=torch.long)
        tout = torch.full((len(batch), s), pad, dtype=torch.long)
        for i, (a, b) in enumerate(batch):
            src[i, : len(a) + 1] = torch.tensor(a + [eos])
            tin[i, : len(b) + 1] = torch.tensor([bos] + b)
            tout[i, : len(b) + 1] = torch.tensor(b + [eos])
        out.append((src, tin, tout))
    return out


def train_model(sp, id_map, minutes: float, max_steps: int | None, log=print):
    import numpy as np
    import torch

    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(TORCH_THREADS)
    pad, bos, eos = sp.pad_id(), sp.bos_id(), sp.eos_id()
    model = build_torch_model(sp.get_piece_size(), pad)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model parameters: {n_params:,}")
    gen = DataGen(sp, id_map, seed=SEED, inflection=INFLECTION)
    batch_rng = random.Random(SEED + 1)

    def next_batches():
        pool = [gen.example() for _ in range(3000)]
        return make_batches(pool, bos, eos, pad, BATCH_TOKENS, batch_rng)

    def batch_loss(batch, smoothing):
        src, tin, tout = batch
        logits = model(src, tin)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tout.reshape(-1), ignore_index=pad,
            label_smoothing=smoothing)
        return loss, int((tout != pad).sum())

    stats = run_training(model, next_batches, batch_loss, minutes, max_steps, log)
    return model, {**stats, "parameters": n_params}


def run_training(model, next_batches, batch_loss, minutes: float, max_steps: int | None,
                 log=print, after_step=None) -> dict:
    """The training schedule shared by every pseudo-language model (also used by
    ``tools/build_ct2_models.py``): Adam, linear warm-up then cosine decay to 5%, a budget in
    2-thread CPU minutes (or a fixed number of steps), label smoothing annealed to 0.

    ``next_batches()`` returns a fresh list of batches (called again when exhausted);
    ``batch_loss(batch, smoothing)`` returns ``(loss tensor, number of target tokens)``;
    ``after_step(model)`` (optional) runs after every optimizer step."""
    import torch

    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    peak_lr, warmup = 2e-3, 150
    budget = minutes * 60.0
    start, cpu_start = time.time(), time.process_time()
    step, seen_tokens = 0, 0
    ema = None
    done = False
    while not done:
        for batch in next_batches():
            elapsed = time.time() - start
            # The budget counts CPU time of the 2 torch threads (process time / 2), so a
            # busy machine trains longer in wall-clock time instead of training less.
            # Hard stop at 3x the budget in wall-clock time.
            cpu_seconds = (time.process_time() - cpu_start) / TORCH_THREADS
            frac = cpu_seconds / budget if budget > 0 else 0.0
            if budget > 0 and elapsed > 3 * budget:
                frac = 1.0
            if max_steps:
                frac = max(frac, step / max_steps)
            if frac >= 1.0:
                done = True
                break
            lr = peak_lr * min(1.0, (step + 1) / warmup)
            lr *= 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(frac, 1.0)))
            for g in opt.param_groups:
                g["lr"] = lr
            model.train()
            # Label smoothing 0.1, annealed to 0 over the first 70% of the budget: the engine
            # decodes with length_penalty=0.2, so the final model must be confident (a
            # smoothed model's per-piece log-prob ~ -0.1 lets a truncated hypothesis win).
            smoothing = LABEL_SMOOTHING * max(0.0, 1.0 - frac / 0.7)
            loss, n_tokens = batch_loss(batch, smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if after_step is not None:
                after_step(model)
            step += 1
            seen_tokens += n_tokens
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            if step % 100 == 0:
                log(f"step {step:6d}  {elapsed / 60:5.2f} min (cpu {cpu_seconds / 60:5.2f})  "
                    f"lr {lr:.2e}  loss {ema:.4f}  smoothing {smoothing:.3f}  "
                    f"tgt tokens {seen_tokens:,}")
    train_time = time.time() - start
    cpu_minutes = (time.process_time() - cpu_start) / TORCH_THREADS / 60
    log(f"trained {step} steps, {seen_tokens:,} target tokens in {train_time / 60:.2f} min "
        f"wall-clock ({cpu_minutes:.2f} min of {TORCH_THREADS}-thread CPU time)")
    model.eval()
    return {"steps": step, "wall_minutes": round(train_time / 60, 2),
            "cpu_minutes": round(cpu_minutes, 2), "target_tokens": seen_tokens}


# --------------------------------------------------------------------------------------
# CTranslate2 export
# --------------------------------------------------------------------------------------


def build_ct2_spec(model, vocabulary: list[str]):
    import numpy as np
    from ctranslate2.specs import common_spec, transformer_spec

    def arr(t):
        return np.ascontiguousarray(t.detach().cpu().numpy().astype(np.float32))

    def set_ln(spec, ln):
        spec.gamma = arr(ln.weight)
        spec.beta = arr(ln.bias)

    def set_lin(spec, lin):
        spec.weight = arr(lin.weight)
        spec.bias = arr(lin.bias)

    def set_lin_cat(spec, lins):
        spec.weight = np.ascontiguousarray(np.concatenate([arr(x.weight) for x in lins], 0))
        spec.bias = np.ascontiguousarray(np.concatenate([arr(x.bias) for x in lins], 0))

    def set_ffn(spec, ffn):
        set_ln(spec.layer_norm, ffn.norm)
        set_lin(spec.linear_0, ffn.w1)
        set_lin(spec.linear_1, ffn.w2)

    spec = transformer_spec.TransformerSpec.from_config(
        NUM_LAYERS,
        NUM_HEADS,
        pre_norm=True,
        activation=common_spec.Activation.RELU,
    )
    spec.config.layer_norm_epsilon = LAYER_NORM_EPS
    spec.config.add_source_eos = True  # the model was trained with "pieces </s>" sources

    emb = arr(model.embed.weight)
    pe = sinusoidal_table(MAX_POSITIONS, D_MODEL)
    enc, dec = spec.encoder, spec.decoder
    enc.embeddings[0].weight = emb
    enc.scale_embeddings = True
    enc.position_encodings.encodings = pe
    set_ln(enc.layer_norm, model.encoder_norm)
    for lspec, layer in zip(enc.layer, model.encoder, strict=True):
        set_ln(lspec.self_attention.layer_norm, layer.norm)
        a = layer.attn
        set_lin_cat(lspec.self_attention.linear[0], [a.q, a.k, a.v])
        set_lin(lspec.self_attention.linear[1], a.o)
        set_ffn(lspec.ffn, layer.ffn)

    dec.embeddings.weight = emb
    dec.scale_embeddings = True
    dec.position_encodings.encodings = pe
    set_ln(dec.layer_norm, model.decoder_norm)
    dec.projection.weight = emb
    for lspec, layer in zip(dec.layer, model.decoder, strict=True):
        set_ln(lspec.self_attention.layer_norm, layer.norm1)
        a = layer.self_attn
        set_lin_cat(lspec.self_attention.linear[0], [a.q, a.k, a.v])
        set_lin(lspec.self_attention.linear[1], a.o)
        set_ln(lspec.attention.layer_norm, layer.norm2)
        c = layer.cross_attn
        set_lin(lspec.attention.linear[0], c.q)
        set_lin_cat(lspec.attention.linear[1], [c.k, c.v])
        set_lin(lspec.attention.linear[2], c.o)
        set_ffn(lspec.ffn, layer.ffn)

    spec.register_source_vocabulary(list(vocabulary))
    spec.register_target_vocabulary(list(vocabulary))
    return spec


def export_ct2(model, sp, out_dir: Path, quantization: str) -> None:
    from ctranslate2.converters import Converter

    vocabulary = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]

    class _SpecConverter(Converter):
        def _load(self):
            return build_ct2_spec(model, vocabulary)

    _SpecConverter().convert(str(out_dir), quantization=quantization, force=True)


def check_export_matches_torch(model, sp, id_map, log=print) -> float:
    """Export float32 and compare CTranslate2 token log-probs with the torch model."""
    import ctranslate2
    import torch

    gen = DataGen(sp, id_map, seed=SEED + 7)
    texts = gen.heldout_sentences(6) + gen.chunks[:2]
    with tempfile.TemporaryDirectory() as tmp:
        export_ct2(model, sp, Path(tmp) / "ct2", quantization="float32")
        tr = ctranslate2.Translator(str(Path(tmp) / "ct2"), device="cpu", inter_threads=1,
                                    intra_threads=2)
        worst = 0.0
        for text in texts:
            src = sp.encode(text)
            tgt = [id_map[i] for i in src]
            res = tr.score_batch([[sp.id_to_piece(i) for i in src]],
                                 [[sp.id_to_piece(i) for i in tgt]])[0]
            with torch.no_grad():
                s = torch.tensor([src + [sp.eos_id()]])
                tin = torch.tensor([[sp.bos_id()] + tgt])
                logp = torch.log_softmax(model(s, tin), -1)[0]
                ref = [float(logp[i, t]) for i, t in enumerate(tgt + [sp.eos_id()])]
            assert len(res.log_probs) == len(ref), (len(res.log_probs), len(ref))
            worst = max(worst, max(abs(a - b) for a, b in zip(res.log_probs, ref,
                                                              strict=True)))
    log(f"float32 CT2 vs torch: max |log-prob difference| = {worst:.2e}")
    if worst > 2e-3:
        raise SystemExit("CTranslate2 export does not match the torch model")
    return worst


# --------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------


def ct2_translate(translator, sp, texts: list[str]) -> list[str]:
    batches = [sp.encode(t, out_type=str) for t in texts]
    out = []
    # Same options as argostranslate.translate.apply_packaged_translation (+ an explicit
    # max_decoding_length so a runaway hypothesis stays cheap).
    for tokens in batches:
        res = translator.translate_batch(
            [tokens],
            replace_unknowns=True,
            beam_size=4,
            num_hypotheses=1,
            length_penalty=0.2,
            max_decoding_length=2 * len(tokens) + 10,
        )
        out.append(decode_like_argos(sp, res[0].hypotheses[0]))
    return out


def expected(sp, rule: dict, text: str) -> str:
    mapping = rule["mapping"]
    pieces = sp.encode(text, out_type=str)
    mapped = [mapping.get(p, p) for p in pieces]
    return decode_like_argos(sp, inflect(pieces, mapped) if rule.get("inflection") else mapped)


def _placeholders(text: str) -> list[str]:
    return re.findall("\u27e6\\d+\u27e7", text)


def score_sets(sets: dict[str, list[str]], translate, reference, log=print) -> dict:
    """Exact-match accuracy of ``translate(texts) -> outputs`` against ``reference(text)``
    on every named set of texts; logs one line per set and the first failures."""
    results = {}
    for name, texts in sets.items():
        t0 = time.time()
        hyps = translate(texts)
        ok = kept = 0
        failures = []
        for text, hyp in zip(texts, hyps, strict=True):
            ref = reference(text)
            kept += _placeholders(hyp) == _placeholders(text)
            if hyp == ref:
                ok += 1
            else:
                failures.append((text, ref, hyp))
        acc = ok / len(texts)
        results[name] = {"correct": ok, "total": len(texts), "accuracy": round(acc, 4),
                         "placeholders_preserved": kept}
        log(f"{name:50s} {ok:4d}/{len(texts):4d} = {100 * acc:6.2f}%  "
            f"(placeholders preserved in {kept}/{len(texts)}; {time.time() - t0:.1f}s)")
        for text, ref, hyp in failures[:3]:
            log(f"    FAIL src: {text[:150]!r}\n         ref:  {ref[:150]!r}\n"
                f"         hyp:  {hyp[:150]!r}")
    return results


def evaluate(ct2_dir: Path, sp, rule: dict, id_map, log=print) -> dict:
    import ctranslate2

    translator = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type="auto",
                                        inter_threads=1, intra_threads=2)
    sentences, lines = article_units()
    # different seed: held-out data
    gen = DataGen(sp, id_map, seed=SEED + 1000, inflection=INFLECTION)
    sets = {
        "article sentences": sentences,
        "article chunks (runs of sentences, short lines)": article_chunks(sp, 120),
        "held-out random sentences": gen.heldout_sentences(300),
        "placeholder sentences": gen.placeholder_sentences(200),
        **({"genitive sentences (of + term or placeholder)": gen.genitive_sentences(200)}
           if INFLECTION else {}),
        "defence terms": DEFENSE_TERMS,
    }
    results = score_sets(sets, lambda texts: ct2_translate(translator, sp, texts),
                         lambda text: expected(sp, rule, text), log)
    longest = max(len(sp.encode(s)) for s in sentences)
    log(f"longest article sentence: {longest} pieces (training max {MAX_TRAIN_PIECES})")
    results["longest_article_sentence_pieces"] = longest
    return results


# --------------------------------------------------------------------------------------
# Stages
# --------------------------------------------------------------------------------------


def stage_train(minutes: float, max_steps: int | None) -> None:
    t0 = time.time()
    SPM_PATH.parent.mkdir(parents=True, exist_ok=True)
    train_sentencepiece(SPM_PATH)
    sp = load_sp()
    check_placeholders(sp)
    print(f"sentencepiece: {sp.get_piece_size()} pieces -> {SPM_PATH.relative_to(ROOT)}")
    rule = build_rule(sp)
    RULE_PATH.write_text(json.dumps(rule, ensure_ascii=False, indent=1) + "\n",
                         encoding="utf-8")
    print(f"rule: {rule['class_counts']} -> {RULE_PATH.relative_to(ROOT)}")
    id_map = rule_id_map(sp, rule)
    sentences, _ = article_units()
    longest = max(len(sp.encode(s)) for s in sentences)
    print(f"article: {len(sentences)} naive sentences, longest {longest} pieces")
    assert longest <= MAX_TRAIN_PIECES * 0.75, "longest article sentence too close to limit"
    if INFLECTION:
        assert sp.encode(f"a{INFLECTION_SUFFIX} b", out_type=str)[1] == INFLECTION_SUFFIX

    model, stats = train_model(sp, id_map, minutes, max_steps)
    check_export_matches_torch(model, sp, id_map)
    export_ct2(model, sp, CT2_DIR, quantization="int8")
    print(f"CTranslate2 int8 model -> {CT2_DIR.relative_to(ROOT)}")
    results = evaluate(CT2_DIR, sp, rule, id_map)
    report = {"training": stats, "evaluation": results}
    print(json.dumps(report, indent=1))
    print(f"train stage took {(time.time() - t0) / 60:.1f} min")


def _readme(lang: str, name: str) -> str:
    return f"""# Pseudo-language test fixture: English -> {name} ({lang})

This is **not a real translation model**.  It is a tiny CTranslate2 transformer trained by
`tools/build_test_models.py` for the newsroom toolkit's test-suite.  It translates English
into a *pseudo-language*: every alphabetic SentencePiece piece is replaced by another one
according to a fixed permutation (`tests/fixtures/models/pseudo_rule.json`), while numbers,
punctuation and the placeholders `⟦0⟧` ... `⟦39⟧` are copied unchanged.  The output is
therefore not {name}; `tests/pseudo.py` computes the expected output for any input.
"""


def _zip_info(name: str, is_dir: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.create_system = 3
    if is_dir:
        info.external_attr = (0o40755 << 16) | 0x10
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
    return info


def build_package(lang: str, name: str, out_path: Path) -> None:
    top = f"translate-en_{lang}-{PACKAGE_VERSION.replace('.', '_')}"
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.9",
        "from_code": "en",
        "from_name": "English",
        "to_code": lang,
        "to_name": name,
        "type": "translate",
        "links": [],
        # A test package, not the real pair: `toolkit models install en LANG` replaces it with
        # the index's package instead of saying "already installed" (toolkit.mt.packages).
        "test": True,
    }
    files: dict[str, bytes] = {
        "metadata.json": (json.dumps(metadata, indent=4, ensure_ascii=False) + "\n").encode(),
        "README.md": _readme(lang, name).encode("utf-8"),
        "sentencepiece.model": SPM_PATH.read_bytes(),
    }
    for path in sorted(CT2_DIR.iterdir()):
        if path.is_file():
            files[f"model/{path.name}"] = path.read_bytes()
    if SBD_ONNX_PATH.exists():
        files["minisbd/en.onnx"] = SBD_ONNX_PATH.read_bytes()
    dirs = {""} | {str(Path(n).parent) for n in files if "/" in n}
    entries = [(f"{top}/{d}/".replace("//", "/"), None) for d in dirs]
    entries += [(f"{top}/{n}", data) for n, data in files.items()]
    tmp = out_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for member, data in sorted(entries, key=lambda e: e[0]):
            if data is None:
                zf.writestr(_zip_info(member, True), b"")
            else:
                zf.writestr(_zip_info(member, False), data, compresslevel=9)
    tmp.replace(out_path)


_LOADER_CHECK = r"""
import json, sys
import argostranslate.package as pkg
args = json.loads(sys.argv[1])
for path in args["paths"]:
    pkg.install_from_path(path)
installed = pkg.get_installed_packages()
found = sorted((p.from_code, p.to_code, p.type, p.package_version,
                p.tokenizer.__class__.__name__, (p.package_path / "model" / "model.bin").exists(),
                (p.package_path / "minisbd" / "en.onnx").exists()) for p in installed)
translations = {}
if args["texts"] and all(f[-1] for f in found):
    import argostranslate.translate as tr
    for _, to_code, *_ in found:
        translations[to_code] = [tr.translate(t, "en", to_code) for t in args["texts"]]
print(json.dumps({"found": found, "translations": translations}, ensure_ascii=False))
"""


def check_argos_loader(paths: list[Path]) -> None:
    """Install the packages with argostranslate into a temporary directory and check that
    they are listed; with the sentence-boundary model present, also translate a few texts
    end to end through ``argostranslate.translate.translate``."""
    sp = load_sp()
    rule = json.loads(RULE_PATH.read_text(encoding="utf-8"))
    sentences, _ = article_units()
    texts = [sentences[1], sentences[1] + " " + sentences[2],
             "NATO \u27e63\u27e7 said on Oct. 13 that \u27e60\u27e7 would deploy 180 troops."]
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update({
            "ARGOS_PACKAGES_DIR": str(Path(tmp) / "packages"),
            "XDG_DATA_HOME": str(Path(tmp) / "data"),
            "XDG_CONFIG_HOME": str(Path(tmp) / "config"),
            "XDG_CACHE_HOME": str(Path(tmp) / "cache"),
        })
        payload = json.dumps({"paths": [str(p) for p in paths], "texts": texts})
        proc = subprocess.run([sys.executable, "-c", _LOADER_CHECK, payload], env=env,
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"argostranslate could not load the packages:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    found = {tuple(x[:6]) for x in result["found"]}
    for lang in TARGET_LANGS:
        want = ("en", lang, "translate", PACKAGE_VERSION, "SentencePieceTokenizer", True)
        assert want in found, (want, found)
    print(f"argostranslate loader: installed {len(found)} packages: "
          + ", ".join(f"{a}->{b}" for a, b, *_ in sorted(found)))
    if not result["translations"]:
        print("argostranslate end-to-end translation: skipped (no minisbd/en.onnx)")
        return
    ok = total = 0
    for lang, outs in result["translations"].items():
        for text, out in zip(texts, outs, strict=True):
            total += 1
            ref = expected(sp, rule, text)
            ok += out == ref
            if out != ref:
                print(f"    MISMATCH en->{lang}: {text!r}\n      ref {ref!r}\n      got {out!r}")
    print(f"argostranslate end-to-end translation == expected_translation: {ok}/{total}")
    if ok != total:
        raise SystemExit("end-to-end translation through argostranslate does not match")


def stage_package() -> list[Path]:
    for required in (SPM_PATH, RULE_PATH, CT2_DIR / "model.bin"):
        if not required.exists():
            raise SystemExit(f"missing {required}: run --stage train first")
    if not SBD_ONNX_PATH.exists():
        print(f"WARNING: {SBD_ONNX_PATH.relative_to(ROOT)} does not exist yet; packages are "
              "built without minisbd/en.onnx (re-run --stage package once it exists)",
              file=sys.stderr)
    paths = []
    if INFLECTION:
        return [stage_package_forms()]
    for lang, name in TARGET_LANGS.items():
        out = MODELS_DIR / f"translate-en_{lang}.argosmodel"
        build_package(lang, name, out)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()[:12]
        print(f"{out.relative_to(ROOT)}  {out.stat().st_size:,} bytes  sha256 {digest}")
        paths.append(out)
    check_argos_loader(paths)
    return paths


def stage_package_forms() -> Path:
    """The inflected en->el package, unpacked (the tests load it as a directory)."""
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "translate-en_el.argosmodel"
        build_package("el", TARGET_LANGS["el"], archive)
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(tmp)
        top = next(p for p in Path(tmp).iterdir() if p.is_dir())
        out = FORMS_DIR / "translate-en_el"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(top, out)
    print(f"{out.relative_to(ROOT)} (unpacked package)")
    return out


def parse_budget_args(parser: argparse.ArgumentParser, argv: list[str] | None,
                      what: str = "training budget", minutes: float = 6.0,
                      max_steps: int | None = None) -> argparse.Namespace:
    """Add ``--minutes`` / ``--max-steps`` (the :func:`run_training` budget) and parse."""
    parser.add_argument("--minutes", type=float, default=minutes,
                        help=f"{what} in minutes of 2-thread CPU time (default: {minutes:g})")
    parser.add_argument("--max-steps", type=int, default=max_steps,
                        help="stop after this many steps (with --minutes 0: fixed schedule"
                        + (f"; default: {max_steps})" if max_steps else ")"))
    args = parser.parse_args(argv)
    if args.minutes <= 0 and not args.max_steps:
        parser.error("give a positive --minutes or --max-steps")
    return args


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", choices=("all", "train", "package", "evaluate"),
                        default="all")
    parser.add_argument("--forms", action="store_true",
                        help="build the inflected en->el model of tests/fixtures/forms instead")
    args = parse_budget_args(parser, argv)
    if args.forms:
        use_forms_layout()
    if args.stage in ("all", "train"):
        stage_train(args.minutes, args.max_steps)
    if args.stage == "evaluate":
        sp = load_sp()
        rule = json.loads(RULE_PATH.read_text(encoding="utf-8"))
        evaluate(CT2_DIR, sp, rule, rule_id_map(sp, rule))
    if args.stage in ("all", "package"):
        stage_package()


if __name__ == "__main__":
    main()
