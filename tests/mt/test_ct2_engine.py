"""The `ct2` engine with the tiny Marian and NLLB fixtures (tools/build_ct2_models.py).

Both fixtures implement the pseudo-language of the Argos fixtures on the same SentencePiece
model, so every output is known exactly (tests/pseudo.py).
"""

from __future__ import annotations

import shutil

import polib
import pytest

from toolkit.config import parse_spec
from toolkit.errors import ToolkitError
from toolkit.formats.document import read_document
from toolkit.l10n.translate import mt_text, translate_blocks
from toolkit.mt.cache import CachedEngine, TranslationCache
from toolkit.mt.ct2 import MarianEngine, NllbEngine, detect_family, fingerprint
from toolkit.mt.registry import load_engine
from toolkit.terms.glossary import load_glossary
from toolkit.terms.verify import check_translation
from toolkit.workflow.localize import localize_document

from conftest import ARTICLE, GLOSSARY, LANGS, ROOT, run_cli
from pseudo import _processor, encode, map_pieces

CT2 = ROOT / "tests" / "fixtures" / "ct2"
MARIAN = CT2 / "marian-en-xx"
NLLB = CT2 / "nllb-tiny"


def expected(text: str) -> str:
    """The pseudo-language, decoded with plain SentencePiece (what the ct2 engine does)."""
    out = _processor().decode_pieces(map_pieces(encode(text)))
    return out[1:] if out.startswith(" ") else out


def engine_for(folder, lang="de"):
    return load_engine("en", lang, spec=parse_spec(f"ct2:{folder}"), threads=2)


@pytest.mark.parametrize(("folder", "family", "cls"), [(MARIAN, "marian", MarianEngine),
                                                       (NLLB, "nllb", NllbEngine)])
def test_family_is_detected_and_the_model_id_names_engine_model_and_pair(folder, family, cls):
    assert detect_family(folder) == family
    engine = engine_for(folder, "tr")
    assert isinstance(engine, cls)
    assert engine.model_id == f"ct2:{family}:{folder.name}:en-tr@{fingerprint(folder)}"


@pytest.mark.slow
@pytest.mark.parametrize("folder", [MARIAN, NLLB])
def test_the_article_gives_the_expected_pseudo_language(folder):
    engine = engine_for(folder, "de")
    doc = read_document(ARTICLE)
    result = translate_blocks(doc.blocks, engine, "de")
    sentences = [s for b in result.blocks for s in b.sentences]
    assert len(sentences) == 51
    assert [s.text for s in sentences] == [expected(mt_text(s.source)) for s in sentences]
    assert result.model_calls == 1  # the whole article in one translate_batch


def test_marian_source_ends_with_eos_and_nllb_carries_language_tokens():
    marian = engine_for(MARIAN)
    assert marian.tokenize("NATO met.")[-1] == "</s>"
    assert marian.target_prefix_tokens == []
    el = engine_for(NLLB, "el")
    assert el.tokenize("NATO met.")[0] == "eng_Latn" and el.tokenize("NATO met.")[-1] == "</s>"
    assert el.target_prefix_tokens == ["ell_Grek"]
    assert engine_for(NLLB, "tr").target_prefix_tokens == ["tur_Latn"]
    [out] = el.translate(["NATO met in Brussels on Monday."])
    assert "ell_Grek" not in out.text and out.text == expected("NATO met in Brussels on Monday.")


@pytest.mark.slow
def test_glossary_enforcement_works_the_same_on_ct2_models():
    glossary = load_glossary(GLOSSARY)
    doc = read_document(ARTICLE)
    for lang in LANGS:
        engine = engine_for(NLLB if lang in ("el", "ru") else MARIAN, lang)
        result = translate_blocks(doc.blocks, engine, lang, glossary=glossary)
        assert sum(result.term_counts().values()) == 65
        for block in result.blocks:
            for check in check_translation(glossary, block.source, block.text, lang):
                if check.status != "found":
                    assert any(check.term in f for f in block.flags), (lang, block.index, check)


@pytest.mark.slow
def test_catalogs_record_the_model_and_the_cache_keeps_models_apart(installed_models, tmp_path):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    doc = read_document(ARTICLE)
    specs = {"argos": None, "marian": parse_spec(f"ct2:{MARIAN}"), "nllb": parse_spec(f"ct2:{NLLB}")}
    texts = {}
    for name, spec in specs.items():
        hits = cache.hits
        localize_document(doc, ["tr"], locales_dir=tmp_path / name, engine_loader=lambda s, t, spec=spec:
                          CachedEngine(load_engine(s, t, spec=spec, threads=2), cache))
        assert cache.hits == hits, name  # nothing answered from another engine's entries
        po = polib.pofile(str(tmp_path / name / "tr" / "LC_MESSAGES" / "article.po"))
        prefix = "MT: argos:en-tr@" if spec is None else f"MT: ct2:{name}:"
        assert all(prefix in e.tcomment for e in po), name
        texts[name] = [e.msgstr for e in po]
    # the three models speak the same pseudo-language: each engine computed its own drafts
    assert texts["marian"] == texts["nllb"] == texts["argos"]


@pytest.mark.slow
def test_cli_translate_with_ct2_engines_from_toolkit_toml(tmp_path):
    (tmp_path / "toolkit.toml").write_text(
        f'[engines]\ndefault = "ct2:{NLLB}"\ntr = {{ engine = "ct2", path = "{MARIAN}" }}\n',
        encoding="utf-8",
    )
    result = run_cli("translate", str(ARTICLE), "--to", "el,tr", "--out", str(tmp_path / "out"),
                     "--locales", str(tmp_path / "loc"), "--no-glossary", cwd=tmp_path,
                     env={"TOOLKIT_CACHE": str(tmp_path / "cache.sqlite3")})
    assert result.returncode == 0, result.stderr
    el = polib.pofile(str(tmp_path / "loc" / "el" / "LC_MESSAGES" / "article.po"))
    tr = polib.pofile(str(tmp_path / "loc" / "tr" / "LC_MESSAGES" / "article.po"))
    assert all("MT: ct2:nllb:nllb-tiny:en-el@" in e.tcomment for e in el)
    assert all("MT: ct2:marian:marian-en-xx:en-tr@" in e.tcomment for e in tr)
    assert "engines: el ct2:nllb:nllb-tiny:en-el@" in result.stdout
    assert ", tr ct2:marian:marian-en-xx:en-tr@" in result.stdout


def test_a_replaced_model_gets_a_new_id(tmp_path):
    copy = tmp_path / "marian-en-xx"
    shutil.copytree(MARIAN, copy)
    before = fingerprint(copy)
    (copy / "config.json").write_text((copy / "config.json").read_text() + "\n")
    assert fingerprint(copy) != before


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: None, "no such model folder"),
        (lambda d: d.mkdir(), "no model.bin: not a CTranslate2 model folder"),
        (lambda d: (shutil.copytree(MARIAN, d), (d / "source.spm").unlink()),
         "no tokenizer beside the model"),
        (lambda d: (shutil.copytree(MARIAN, d), (d / "model.bin").write_bytes(b"broken")),
         "cannot load the CTranslate2 model"),
    ],
)
def test_bad_model_folders_are_one_clear_error(tmp_path, setup, message):
    folder = tmp_path / "model"
    setup(folder)
    with pytest.raises(ToolkitError, match=message):
        engine_for(folder)


def test_a_language_the_nllb_model_lacks_is_named(tmp_path):
    with pytest.raises(ToolkitError, match=r"no language token for 'xx'"):
        engine_for(NLLB, "xx")


@pytest.mark.slow
def test_cli_error_for_a_missing_ct2_model_is_one_line(tmp_path):
    result = run_cli("translate", str(ARTICLE), "--to", "tr", "--locales", str(tmp_path / "loc"),
                     "--engine", f"tr=ct2:{tmp_path / 'nowhere'}")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nowhere'}: no such model folder (ct2 engine)"
    ]


# -- toolkit models convert ----------------------------------------------------------------------

def _converter_python() -> str | None:
    """An interpreter with transformers + torch: $TOOLKIT_TEST_CONVERT_PYTHON (.ci/run builds one)."""
    import importlib.util
    import os
    import sys

    named = os.environ.get("TOOLKIT_TEST_CONVERT_PYTHON")
    if named:
        return named
    if importlib.util.find_spec("transformers") and importlib.util.find_spec("torch"):
        return sys.executable
    return None


HF_MARIAN = ROOT / "tests" / "fixtures" / "hf" / "marian-en-xx"


@pytest.mark.skipif(_converter_python() is None,
                    reason="needs transformers + torch; .ci/run sets TOOLKIT_TEST_CONVERT_PYTHON")
def test_models_convert_makes_a_folder_the_ct2_engine_loads(tmp_path):
    import subprocess

    out = tmp_path / "opus-mt-en-xx"
    cmd = [_converter_python(), "-m", "toolkit", "models", "convert", str(HF_MARIAN), str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "converted" in done.stdout and "marian" in done.stdout
    assert {"model.bin", "source.spm", "target.spm"} <= {p.name for p in out.iterdir()}
    engine = load_engine("en", "tr", spec=parse_spec(f"ct2:{out}"), threads=2)
    sentences = ["NATO met in Brussels on Monday.", "Officials from ⟦0⟧ and ⟦1⟧ met on October 1."]
    assert [t.text for t in engine.translate(sentences)] == [expected(s) for s in sentences]
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [f"error: {out}: already exists; pass --force to replace it"]


def test_models_convert_refuses_a_folder_that_is_not_a_model(tmp_path):
    result = run_cli("models", "convert", str(tmp_path), str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {tmp_path}: no config.json: not a Hugging Face model folder"
    ]
