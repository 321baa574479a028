"""Which language a text is in: langdetect, seeded, with its profiles held in a compact table.

The QA's ``wrong-language`` check and the refusal of non-English articles both ask this module.
langdetect keeps its n-gram profiles as dense lists (~75 MB); `compact_factory` holds the same
numbers sparse (~1/5 the memory) and `release_detector` drops them while a model translates.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass

MIN_DETECT_LETTERS = 30
MIN_DETECT_WORDS = 4


@dataclass(frozen=True)
class Detection:
    lang: str
    probability: float


def detect_language(text: str) -> Detection | None:
    """The most probable language of `text`, or None when the text is too short to judge.

    langdetect samples n-grams at random; the seed is fixed so the same text always gets the
    same answer. Under about 30 letters or 4 words its guesses are noise (a byline, a name).

    `toolkit translate` and `toolkit detect` pass a whole article at once, so it can refuse
    non-English input: bylines and headings are too short on their own, and langdetect already
    ignores URLs and e-mail addresses.
    """
    letters = sum(ch.isalpha() for ch in text)
    words = len(re.findall(r"[^\W\d_]+", text))
    if letters < MIN_DETECT_LETTERS or words < MIN_DETECT_WORDS:
        return None
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    _load_compact_profiles()
    DetectorFactory.seed = 0
    try:
        ranked = detect_langs(text)
    except LangDetectException:  # no usable features (digits and symbols only)
        return None
    if not ranked:
        return None
    return Detection(ranked[0].lang, float(ranked[0].prob))


class _SparseProbabilities(dict):
    """langdetect's n-gram -> per-language probability table, stored sparse.

    langdetect keeps a dense list of 55 floats per n-gram (4.8 million slots, ~75 MB); 96% are
    zero. Here each n-gram keeps only its (language index, probability) pairs and the dense list
    langdetect's Detector indexes is built when it looks the n-gram up: same numbers, ~1/5 the
    memory, so the profiles fit beside a model on a laptop.
    """

    __slots__ = ("size",)
    PAIR = struct.Struct("<Bd")  # language index, probability: 9 bytes a pair

    def __getitem__(self, ngram):
        dense = [0.0] * self.size
        for index, prob in self.PAIR.iter_unpack(dict.__getitem__(self, ngram)):
            dense[index] = prob
        return dense


def compact_factory():
    """A langdetect DetectorFactory holding its profiles in the sparse table.

    Mirrors `DetectorFactory.load_profile` (same files, same order, same arithmetic) and keeps
    its Detector, so detections are identical; only the storage differs.
    """
    import json

    from langdetect import detector_factory as df

    factory = df.DetectorFactory()
    names = [n for n in os.listdir(df.PROFILES_DIRECTORY) if not n.startswith(".")]
    pack = _SparseProbabilities.PAIR.pack
    sparse = _SparseProbabilities()
    for index, name in enumerate(names):
        with open(os.path.join(df.PROFILES_DIRECTORY, name), encoding="utf-8") as f:
            data = json.load(f)
        factory.langlist.append(data["name"])
        n_words = data["n_words"]
        for ngram, count in data["freq"].items():
            pair = pack(index, count / n_words[len(ngram) - 1]) if 1 <= len(ngram) <= 3 else b""
            sparse[ngram] = dict.get(sparse, ngram, b"") + pair
    sparse.size = len(names)
    factory.word_lang_prob_map = sparse
    return factory


def _load_compact_profiles() -> None:
    """Make the compact factory langdetect's global one (once per process)."""
    from langdetect import detector_factory as df

    if df._factory is None:
        df._factory = compact_factory()


def release_detector() -> None:
    """Drop langdetect's language profiles (~75 MB of Python lists) until the next detection.

    The pipeline calls this before a model's batch, so profiles and decoding buffers are never
    in memory at once; reloading them takes about 0.3 s, once per run.
    """
    import sys

    factory = sys.modules.get("langdetect.detector_factory")
    if factory is not None and factory._factory is not None:
        factory._factory = None
        import gc

        gc.collect()
