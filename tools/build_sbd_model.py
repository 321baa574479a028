"""Build ``tests/fixtures/sbd/en.onnx``: a tiny, deterministic MiniSBD sentence splitter.

What it is
----------
``argostranslate.sbd.MiniSBDSentencizer`` (argos-translate-lt) splits sentences with
`minisbd <https://github.com/LibreTranslate/MiniSBD>`_. It loads
``<package>/minisbd/*.onnx`` from an installed Argos package and otherwise *downloads*
``en.onnx`` from GitHub, which is impossible offline. The tiny Argos packages used by our
tests and benchmarks therefore ship this file as ``minisbd/en.onnx``.

The file is a real ONNX model with the interface minisbd expects (see
``minisbd/inference.py`` and ``minisbd/modules/{data,inference,vocab}.py``):

* inputs ``units`` int64 ``[batch, seq]`` (character ids from the ``vocab`` metadata,
  ``<PAD>`` = 0, ``<UNK>`` = 1) and ``features`` float32 ``[batch, seq, 5]`` (the Stanza
  ``feat_funcs`` listed in ``config``: space_before, capitalized, numeric, end_of_para,
  start_of_para);
* one output ``logits`` float32 ``[batch, seq, 5]``; minisbd takes the argmax per character:
  0 = inside a token, 1 = end of token, 2 = end of sentence (3/4, multi-word tokens, are
  never predicted);
* custom metadata ``lang_code``, ``config``, ``vocab`` (a minisbd ``Vocab`` state dict) and
  ``lexicon`` (``null``: no dictionary features).

Instead of trained weights, the graph is hand-built with ``onnx.helper`` and implements
a character-window rule set (a hard-wired convolution, in effect):

1. Every character is compared with a window of its neighbours (offsets -8..+2) by
   looking up ``(pattern set, unit id)`` in a boolean membership table; a pattern fires
   when all its offsets match.  Positive patterns mark a sentence end at

   * ``. ? ! …`` followed by a space (or the end of the paragraph) and a character that is
     not a lower-case letter: ``It rained. Then`` / ``Why? We``;
   * a closing quote or bracket right after such punctuation: ``“to defend Israel.” This``;
   * ``.`` glued between two lower-case letters and an upper-case word: ``Relations.In``.

2. Negative patterns veto a ``.`` that closes an abbreviation: a single letter after a
   non-alphanumeric character (initials and dotted acronyms: ``Lloyd J. Austin``,
   ``U.S.``, ``e.g.``, ``p.m.``, ``T.H. Chan``) or a word from ``ABBREVIATIONS``
   (``Mr.``, ``Dr.``, ``Maj. Gen.``, ``Oct. 13``, ``No. 5``...).  Lower-case continuations
   (``Apple Inc. said``) never split, because of rule 1.
3. Token ends (label 1) are characters followed by a space; the ``end_of_para`` feature
   forces a sentence end on the last character of a paragraph.

Known limits (inherent to rules without context): a sentence that really ends with an
abbreviation or an initial (``... for the U.S. Washington's ...``) is not split.

How to rebuild
--------------
The fixture is committed and CI never rebuilds it; ``onnx`` (and ``torch`` for the other
fixtures) are build-only dependencies::

    pip install -e '.[build]'
    python tools/build_sbd_model.py            # writes tests/fixtures/sbd/en.onnx
    python tools/build_sbd_model.py --check    # exit 1 if the committed file is stale

The output is byte-for-byte deterministic (no training, no randomness, fixed opset/IR
version, no timestamps); ``tests/test_sbd_fixture.py`` checks the committed file against
this script when ``onnx`` is installed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "tests" / "fixtures" / "sbd" / "en.onnx"

OPSET = 17
IR_VERSION = 8  # understood by onnxruntime >= 1.13

# --- vocabulary --------------------------------------------------------------------------

PAD, UNK = "<PAD>", "<UNK>"
LATIN1_LETTERS = [chr(c) for c in range(0xC0, 0x100) if chr(c) not in "×÷"]
EXTRA_CHARS = list("‘’“”«»‹›–—…•€£¥°§")
CHARS = [chr(c) for c in range(0x20, 0x7F)] + EXTRA_CHARS + LATIN1_LETTERS
ID2UNIT = [PAD, UNK, *CHARS]
UNIT2ID = {u: i for i, u in enumerate(ID2UNIT)}
V = len(ID2UNIT)

FEAT_FUNCS = ["space_before", "capitalized", "numeric", "end_of_para", "start_of_para"]
END_OF_PARA = FEAT_FUNCS.index("end_of_para")

CONFIG = {
    "skip_newline": False,
    "max_seqlen": 1000,
    "no_ssplit": False,
    "batch_size": 16,
    "feat_funcs": FEAT_FUNCS,
    "use_dictionary": False,
    "num_dict_feat": 0,
}

# Words whose trailing "." is not a sentence end (case-sensitive, at most 6 letters).
ABBREVIATIONS = """
    Mr Mrs Ms Messrs Dr Drs Prof Sr Jr Rev Hon Pres Gov Sen Sens Rep Reps Amb Atty Supt
    Det Insp Gen Gens Maj Col Lt Capt Cmdr Cmdt Adm Brig Sgt Cpl Pvt Cdr
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    St Ste Mt Ft Ave Blvd No Nos Vol Vols Fig Figs Art Sec Ch pp approx vs cf al ca
""".split()

# --- character classes (sets of unit ids) -------------------------------------------------


def _ids(chars) -> set[int]:
    return {UNIT2ID[c] for c in chars}


ALL = set(range(V))
LOWER = {i for i, u in enumerate(ID2UNIT) if len(u) == 1 and u.islower()}
UPPER = {i for i, u in enumerate(ID2UNIT) if len(u) == 1 and u.isupper()}
LETTER = LOWER | UPPER
ALNUM = LETTER | _ids("0123456789")
TERM = _ids(".?!…")
DOT = _ids(".")
CLOSE = _ids("\"')]}’”»›")
SPACE_OR_END = _ids(" ") | {UNIT2ID[PAD]}
NOT_SPACE = ALL - SPACE_OR_END
NOT_LOWER = ALL - LOWER
NOT_ALNUM = ALL - ALNUM

LP, LF = 8, 2  # window: offsets -LP..+LF around the candidate character
OFFSETS = list(range(-LP, LF + 1))

POSITIVE, NEGATIVE, TOKEN = range(3)


def build_patterns() -> list[tuple[int, dict[int, frozenset[int]]]]:
    """(group, {offset: allowed unit ids}); offsets not listed match anything."""
    pats: list[tuple[int, dict[int, frozenset[int]]]] = []

    def add(group: int, conds: dict[int, set[int]]) -> None:
        assert all(-LP <= off <= LF for off in conds), conds
        pats.append((group, {off: frozenset(s) for off, s in sorted(conds.items())}))

    # sentence ends
    add(POSITIVE, {0: TERM, 1: SPACE_OR_END, 2: NOT_LOWER})
    add(POSITIVE, {-1: TERM, 0: CLOSE, 1: SPACE_OR_END, 2: NOT_LOWER})
    add(POSITIVE, {-2: LOWER, -1: LOWER, 0: DOT, 1: UPPER, 2: LOWER})
    # vetoes, anchored on the "." (offset 0) or on the "." before a closing quote (-1)
    for dot in (0, -1):
        add(NEGATIVE, {dot: DOT, dot - 1: LETTER, dot - 2: NOT_ALNUM})
        for word in ABBREVIATIONS:
            conds = {dot: DOT, dot - len(word) - 1: NOT_ALNUM}
            for k, ch in enumerate(reversed(word), start=1):
                conds[dot - k] = _ids(ch)
            add(NEGATIVE, conds)
    # token ends
    add(TOKEN, {0: NOT_SPACE, 1: SPACE_OR_END})
    return pats


# --- graph ---------------------------------------------------------------------------------


def build_model() -> onnx.ModelProto:
    patterns = build_patterns()
    n_pat = len(patterns)

    # membership table: one row per distinct set, flattened to [n_sets * V]
    sets: list[frozenset[int]] = [frozenset(ALL)]
    set_index = {frozenset(ALL): 0}
    table = np.zeros((n_pat, len(OFFSETS)), dtype=np.int64)
    for p, (_, conds) in enumerate(patterns):
        for j, off in enumerate(OFFSETS):
            s = conds.get(off, frozenset(ALL))
            if s not in set_index:
                set_index[s] = len(sets)
                sets.append(s)
            table[p, j] = set_index[s]
    member = np.zeros((len(sets), V), dtype=bool)
    for k, s in enumerate(sets):
        member[k, sorted(s)] = True

    group = np.zeros((n_pat, 3), dtype=np.float32)
    for p, (g, _) in enumerate(patterns):
        group[p, g] = 1.0

    inits = [
        numpy_helper.from_array(member.reshape(-1), "member"),
        numpy_helper.from_array(group, "group"),
        numpy_helper.from_array(np.array([0, LP, 0, LF], dtype=np.int64), "pads"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), "pad_id"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
        numpy_helper.from_array(np.array([END_OF_PARA], dtype=np.int64), "eop_start"),
        numpy_helper.from_array(np.array([END_OF_PARA + 1], dtype=np.int64), "eop_end"),
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero"),
        numpy_helper.from_array(np.array(1.0, dtype=np.float32), "one"),
        # logits = bias + is_token_end * w_token + is_sentence_end * w_sentence
        numpy_helper.from_array(np.array([0.5, 0, 0, -1, -1], dtype=np.float32), "bias"),
        numpy_helper.from_array(np.array([0, 1, 0, 0, 0], dtype=np.float32), "w_token"),
        numpy_helper.from_array(np.array([0, 0, 2, 0, 0], dtype=np.float32), "w_sentence"),
    ]
    nodes = [
        helper.make_node("Pad", ["units", "pads", "pad_id"], ["padded"], mode="constant"),
        helper.make_node("Unsqueeze", ["padded", "axis2"], ["padded3"]),  # [B, LP+T+LF, 1]
    ]
    acc = None
    for j, off in enumerate(OFFSETS):
        col = table[:, j]
        if not col.any():  # every pattern accepts anything here
            continue
        start = LP + off
        end = -(LF - off) if off < LF else np.iinfo(np.int64).max
        inits += [
            numpy_helper.from_array(np.array([start], dtype=np.int64), f"start_{j}"),
            numpy_helper.from_array(np.array([end], dtype=np.int64), f"end_{j}"),
            numpy_helper.from_array(col * V, f"base_{j}"),
        ]
        nodes += [
            # unit id at offset `off` of every position: [B, T, 1]
            helper.make_node(
                "Slice", ["padded3", f"start_{j}", f"end_{j}", "axis1"], [f"shift_{j}"]
            ),
            helper.make_node("Add", [f"shift_{j}", f"base_{j}"], [f"idx_{j}"]),  # [B, T, P]
            helper.make_node("Gather", ["member", f"idx_{j}"], [f"ok_{j}"], axis=0),
        ]
        if acc is None:
            acc = f"ok_{j}"
        else:
            nodes.append(helper.make_node("And", [acc, f"ok_{j}"], [f"all_{j}"]))
            acc = f"all_{j}"
    nodes += [
        helper.make_node("Cast", [acc], ["fired"], to=TensorProto.FLOAT),  # [B, T, P]
        helper.make_node("MatMul", ["fired", "group"], ["hits"]),  # [B, T, 3]
        helper.make_node("Greater", ["hits", "zero"], ["any_bool"]),
        helper.make_node("Cast", ["any_bool"], ["any"], to=TensorProto.FLOAT),
        helper.make_node("Split", ["any"], ["pos", "neg", "tok"], axis=2),  # 3 x [B, T, 1]
        helper.make_node("Slice", ["features", "eop_start", "eop_end", "axis2"], ["eop"]),
        helper.make_node("Sub", ["one", "neg"], ["not_neg"]),
        helper.make_node("Mul", ["pos", "not_neg"], ["rule_end"]),
        helper.make_node("Max", ["rule_end", "eop"], ["sent_end"]),  # [B, T, 1]
        helper.make_node("Max", ["tok", "eop"], ["tok_end"]),
        helper.make_node("Mul", ["tok_end", "w_token"], ["logit_tok"]),  # [B, T, 5]
        helper.make_node("Mul", ["sent_end", "w_sentence"], ["logit_sent"]),
        helper.make_node("Add", ["logit_tok", "logit_sent"], ["logit_sum"]),
        helper.make_node("Add", ["logit_sum", "bias"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "minisbd_rules_en",
        inputs=[
            helper.make_tensor_value_info("units", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info(
                "features", TensorProto.FLOAT, ["batch", "seq", len(FEAT_FUNCS)]
            ),
        ],
        outputs=[helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", 5])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="toolkit/tools/build_sbd_model.py",
        doc_string="Rule-based English sentence boundary detector for MiniSBD (test fixture).",
    )
    model.ir_version = IR_VERSION
    vocab = {
        "lang": "en",
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": UNIT2ID,
        "_id2unit": ID2UNIT,
    }
    helper.set_model_props(
        model,
        {
            "lang_code": "en",
            "config": json.dumps(CONFIG, sort_keys=True),
            "vocab": json.dumps(vocab),
            "lexicon": "null",
        },
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def build_model_bytes() -> bytes:
    return build_model().SerializeToString(deterministic=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="only verify that --output is up to date"
    )
    args = parser.parse_args(argv)
    data = build_model_bytes()
    if args.check:
        current = args.output.read_bytes() if args.output.exists() else b""
        if current != data:
            print(f"{args.output} is stale; run tools/build_sbd_model.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(data)} bytes)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
