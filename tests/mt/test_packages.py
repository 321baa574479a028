"""Package management through argostranslate.package, against real fixture packages."""

from __future__ import annotations

import functools
import json
import shutil
import threading
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from toolkit.errors import ToolkitError
from toolkit.mt import packages as models

from conftest import fixture_package, run_cli


def test_install_file_into_argos_packages_dir(empty_packages_dir):
    model = models.install_file(fixture_package("de"))
    assert (model.from_code, model.to_code) == ("en", "de")
    assert model.path.parent == empty_packages_dir
    assert (model.path / "model" / "model.bin").is_file()
    assert model.size > 100_000

    # argostranslate itself sees the package where argospm would.
    from argostranslate import package

    pkgs = package.get_installed_packages([empty_packages_dir])
    assert [(p.from_code, p.to_code) for p in pkgs] == [("en", "de")]
    assert models.find_model("en", "de") == model


def test_reinstall_replaces_instead_of_duplicating(empty_packages_dir):
    models.install_file(fixture_package("el"))
    models.install_file(fixture_package("el"))
    assert [m.pair for m in models.installed_models()] == ["en-el"]


def test_missing_model_error_names_the_install_command(empty_packages_dir):
    with pytest.raises(ToolkitError, match=r"toolkit models install en tr"):
        models.find_model("en", "tr")


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"pkg/README.md": b"x"}, "metadata.json"),
        ({"pkg/metadata.json": b"{not json"}, "not valid JSON"),
        ({"pkg/metadata.json": b"{}"}, "from_code"),
        (
            {"pkg/metadata.json": b'{"from_code":"en","to_code":"de"}', "pkg/../../evil.txt": b"x"},
            "unsafe member path",
        ),
        (
            {"pkg/metadata.json": b'{"from_code":"en","to_code":"de"}', "/tmp/evil.txt": b"x"},
            "unsafe member path",
        ),
    ],
)
def test_bad_archives_are_rejected_before_extraction(tmp_path, empty_packages_dir, members, message):
    bad = _zip(tmp_path / "bad.argosmodel", members)
    with pytest.raises(ToolkitError, match=message):
        models.install_file(bad)
    assert list(empty_packages_dir.iterdir()) == []


def test_not_a_zip_is_rejected(tmp_path, empty_packages_dir):
    bad = tmp_path / "model.argosmodel"
    bad.write_bytes(b"%PDF-1.4 not a zip")
    result = run_cli("models", "install", str(bad), env={"ARGOS_PACKAGES_DIR": str(empty_packages_dir)})
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "not an Argos package" in result.stderr and "Traceback" not in result.stderr
    assert list(empty_packages_dir.iterdir()) == []


@pytest.fixture
def index_server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving an Argos index and a fixture package."""
    root = tmp_path / "www"
    root.mkdir()
    shutil.copy(fixture_package("de"), root / "translate-en_de.argosmodel")
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_port}/"
    meta = json.loads(
        zipfile.ZipFile(root / "translate-en_de.argosmodel").read(
            "translate-en_de-0_1/metadata.json"
        )
    )
    meta["links"] = [base + "translate-en_de.argosmodel"]
    (root / "index.json").write_text(json.dumps([meta]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


@pytest.mark.slow
def test_index_available_install_list_remove(index_server, empty_packages_dir, tmp_path):
    env = {"ARGOS_PACKAGE_INDEX": index_server, "ARGOS_PACKAGES_DIR": str(empty_packages_dir)}
    available = run_cli("models", "available", env=env)
    assert available.returncode == 0, available.stderr
    assert "en-de" in available.stdout and "0.1" in available.stdout

    installed = run_cli("models", "install", "en", "de", env=env)
    assert installed.returncode == 0, installed.stderr
    assert "installed en-de 0.1" in installed.stdout
    assert (empty_packages_dir / "translate-en_de-0_1" / "metadata.json").is_file()

    listed = run_cli("models", "list", env=env)
    assert "en-de" in listed.stdout and str(empty_packages_dir) in listed.stdout.replace("\n", "")

    missing = run_cli("models", "install", "en", "xx", env=env)
    assert missing.returncode != 0 and "no en->xx package" in missing.stderr

    removed = run_cli("models", "remove", "en", "de", env=env)
    assert removed.returncode == 0, removed.stderr
    assert not (empty_packages_dir / "translate-en_de-0_1").exists()


@pytest.mark.slow
def test_unreachable_index_gives_one_line_and_nonzero_exit(empty_packages_dir):
    env = {"ARGOS_PACKAGE_INDEX": "http://127.0.0.1:9/", "ARGOS_PACKAGES_DIR": str(empty_packages_dir)}
    for args in (("models", "available"), ("models", "install", "en", "de")):
        result = run_cli(*args, env=env)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "cannot read the Argos package index" in lines[0]
        assert "toolkit models install FILE.argosmodel" in lines[0]
