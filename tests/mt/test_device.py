"""Device choice (#18): auto/cpu/cuda, ARGOS_DEVICE_TYPE, compute types -- on this CPU machine,
with CTranslate2's real answers and, for the GPU branches, the counts a GPU machine would give."""

from __future__ import annotations

import pytest

from toolkit.errors import ToolkitError
from toolkit.mt.device import Device, choose_device, cuda_devices, supported_types

GPU_TYPES = {"float32", "float16", "int8", "int8_float16", "int8_float32", "bfloat16"}


def test_this_machine_has_no_gpu_so_auto_is_the_cpu(monkeypatch):
    monkeypatch.delenv("ARGOS_DEVICE_TYPE", raising=False)
    assert cuda_devices() == 0
    assert choose_device() == Device("cpu", "int8")
    assert choose_device("auto") == Device("cpu", "int8")
    assert "int8" in supported_types("cpu")


def test_cuda_where_there_is_none_is_one_clear_line():
    with pytest.raises(ToolkitError, match=r"^--device cuda: no CUDA device is usable here") as info:
        choose_device("cuda")
    assert "\n" not in str(info.value)


def test_auto_takes_the_gpu_when_ctranslate2_sees_one():
    one = lambda: 1  # noqa: E731 - what get_cuda_device_count() says on a GPU machine
    assert choose_device("auto", count=one, supported=lambda d: GPU_TYPES) == Device("cuda", "int8_float16")
    assert choose_device("cuda", count=one, supported=lambda d: {"float32", "float16"}) == Device(
        "cuda", "float16"
    )
    assert choose_device("cpu", count=one) == Device("cpu", "int8")  # asked for the CPU: the CPU


def test_argos_device_type_is_honoured_and_the_option_wins(monkeypatch):
    monkeypatch.setenv("ARGOS_DEVICE_TYPE", "cpu")
    assert choose_device(count=lambda: 1) == Device("cpu", "int8")
    monkeypatch.setenv("ARGOS_DEVICE_TYPE", "cuda")
    with pytest.raises(ToolkitError, match="no CUDA device"):
        choose_device()
    assert choose_device("cpu") == Device("cpu", "int8")
    monkeypatch.setenv("ARGOS_DEVICE_TYPE", "tpu")
    with pytest.raises(ToolkitError, match=r"ARGOS_DEVICE_TYPE: unknown device 'tpu'"):
        choose_device()


def test_compute_type_override_is_checked_against_the_build():
    assert choose_device("cpu", "float32") == Device("cpu", "float32")
    with pytest.raises(ToolkitError, match=r"compute type 'float16' is not supported on cpu"):
        choose_device("cpu", "float16")


def test_unknown_device_names_the_option():
    expected = r"^--device: unknown device 'gpu' \(choose from auto, cpu, cuda\)"
    with pytest.raises(ToolkitError, match=expected):
        choose_device("gpu")


@pytest.mark.slow
def test_translate_with_device_cuda_here_is_one_line_and_writes_nothing(tmp_path, installed_models):
    from conftest import ARTICLE, run_cli

    done = run_cli("translate", str(ARTICLE), "--to", "de", "--device", "cuda", "--no-cache",
                   "--locales", str(tmp_path / "locales"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: --device cuda: no CUDA device is usable here (ctranslate2.get_cuda_device_count() is 0); "
        "use --device cpu or --device auto"
    ]
    assert not list((tmp_path / "locales").rglob("*.po"))


@pytest.mark.slow
def test_device_key_in_toolkit_toml_is_validated_and_cpu_translates(tmp_path, installed_models):
    from conftest import ARTICLE, run_cli

    (tmp_path / "toolkit.toml").write_text('[engines]\ndefault = { engine = "argos", device = "cpu" }\n')
    done = run_cli("translate", str(ARTICLE), "--to", "de", "--no-cache", "--no-tm", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "locales" / "de" / "LC_MESSAGES" / "article.po").exists()
    (tmp_path / "toolkit.toml").write_text('[engines]\ndefault = { engine = "argos", device = 5 }\n')
    bad = run_cli("translate", str(ARTICLE), "--to", "de", "--no-cache", cwd=tmp_path)
    assert bad.returncode == 1 and len(bad.stderr.splitlines()) == 1 and "device" in bad.stderr


def test_an_engine_gets_the_chosen_device(installed_models):
    from toolkit.mt.device import Device
    from toolkit.mt.registry import load_engine

    engine = load_engine("en", "de")
    assert engine.device == Device("cpu", "int8")
    if not engine.translator.model_is_loaded:  # engines are shared and unloaded between languages
        engine.translator.load_model()
    assert engine.translator.device == "cpu"
    assert engine.translator.compute_type.startswith("int8")  # int8 weights (int8_float32 on this CPU)
