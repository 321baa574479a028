"""The committed MiniSBD model (tests/fixtures/sbd/en.onnx) loads and splits English offline.

Only runtime dependencies are needed (onnxruntime + minisbd); the freshness check against
tools/build_sbd_model.py is skipped unless the build extra (onnx) is installed.
"""

from __future__ import annotations

import importlib.util
import json

import onnxruntime as ort
import pytest
from minisbd import SBDetect

from conftest import ROOT

MODEL = ROOT / "tests" / "fixtures" / "sbd" / "en.onnx"
BUILD_SCRIPT = ROOT / "tools" / "build_sbd_model.py"


@pytest.fixture(scope="module")
def detector() -> SBDetect:
    return SBDetect(str(MODEL), use_gpu=False)


def test_fixture_is_small_and_has_minisbd_interface() -> None:
    assert MODEL.stat().st_size < 200_000
    session = ort.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["units", "features"]
    assert len(session.get_outputs()) == 1
    meta = session.get_modelmeta().custom_metadata_map
    assert meta["lang_code"] == "en"
    config = json.loads(meta["config"])
    vocab = json.loads(meta["vocab"])
    assert json.loads(meta["lexicon"]) is None
    assert len(config["feat_funcs"]) == session.get_inputs()[1].shape[-1] == 5
    assert vocab["_id2unit"][:2] == ["<PAD>", "<UNK>"]


def test_splits_three_sentences(detector: SBDetect) -> None:
    text = "The storm hit the coast on Monday. Thousands of homes lost power! Will it return?"
    assert detector.sentences(text) == [
        "The storm hit the coast on Monday.",
        "Thousands of homes lost power!",
        "Will it return?",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The council approved the budget after a long debate.",
        "The council approved the budget after a long debate",
        "Is this the final vote?",
    ],
)
def test_single_sentence_stays_whole(detector: SBDetect, text: str) -> None:
    assert detector.sentences(text) == [text]


def test_news_abbreviations_do_not_split(detector: SBDetect) -> None:
    text = (
        "U.S. Defense Secretary Lloyd J. Austin III met Maj. Gen. Smith on Oct. 13 in "
        "Washington. Dr. Jones and Mr. Brown said it was “a good start.” The talks resume "
        "at 9 a.m. on Friday."
    )
    assert detector.sentences(text) == [
        "U.S. Defense Secretary Lloyd J. Austin III met Maj. Gen. Smith on Oct. 13 in Washington.",
        "Dr. Jones and Mr. Brown said it was “a good start.”",
        "The talks resume at 9 a.m. on Friday.",
    ]


def test_paragraphs_and_long_text(detector: SBDetect) -> None:
    # Blank lines separate paragraphs; > 1000 characters exercises minisbd's chunking.
    sentences = [f"Report {i} was filed by Sen. Lee in the U.S. capital." for i in range(60)]
    text = " ".join(sentences[:40]) + "\n\n" + " ".join(sentences[40:])
    assert detector.sentences(text) == sentences


def test_fixture_matches_build_script() -> None:
    pytest.importorskip("onnx")
    spec = importlib.util.spec_from_file_location("build_sbd_model", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build_model_bytes() == MODEL.read_bytes(), (
        "tests/fixtures/sbd/en.onnx is stale: run python tools/build_sbd_model.py"
    )
