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


def _real_package(tmp_path, version: str):
    """The en->de fixture repacked as an index would ship it: no test marker, version VERSION."""
    top = f"translate-en_de-{version.replace('.', '_')}"
    dest = tmp_path / f"{top}.argosmodel"
    with zipfile.ZipFile(fixture_package("de")) as src, zipfile.ZipFile(dest, "w") as out:
        for info in src.infolist():
            rest = info.filename.split("/", 1)[1]
            data = src.read(info)
            if rest == "metadata.json":
                meta = json.loads(data)
                meta.pop("test")
                data = json.dumps({**meta, "package_version": version}).encode()
            out.writestr(f"{top}/{rest}", data)
    return dest


@pytest.fixture
def serve_index(tmp_path):
    """serve_index(*packages) -> index URL: a real HTTP server on 127.0.0.1 whose index lists them."""
    servers = []

    def serve(*packages):
        root = tmp_path / f"www{len(servers)}"
        root.mkdir()
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
        handler.log_message = lambda *a, **k: None
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        base = f"http://127.0.0.1:{server.server_port}/"
        index = []
        for package in packages:
            shutil.copy(package, root / package.name)
            with zipfile.ZipFile(package) as z:
                meta = json.loads(z.read(f"{package.stem}/metadata.json"))
            index.append({**meta, "links": [base + package.name]})
        (root / "index.json").write_text(json.dumps(index))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return base

    yield serve
    for server in servers:
        server.shutdown()


def test_fixture_packages_are_marked_as_test_packages(empty_packages_dir):
    model = models.install_file(fixture_package("de"))
    assert model.test
    listed = run_cli("models", "list", env={"ARGOS_PACKAGES_DIR": str(empty_packages_dir)})
    assert "(test)" in listed.stdout


def test_install_decision():
    def model(version, test=False):
        return models.InstalledModel("en", "de", version, fixture_package("de"), 1, test=test)

    assert models.needs_install(None)
    assert models.needs_install(model("9.9", test=True))  # a test package never stays
    assert not models.needs_install(model("1.0"))
    assert not models.needs_install(model("1.0"), upgrade=True, index_version="1.0")
    assert not models.needs_install(model("1.10"), upgrade=True, index_version="1.9")  # not text order
    assert models.needs_install(model("1.9"), upgrade=True, index_version="1.10")
    assert not models.needs_install(model("1.0"), index_version="2.0")  # only with --upgrade
    assert models.needs_install(model("1.0"), force=True)


@pytest.mark.slow
def test_index_package_replaces_the_test_package(serve_index, empty_packages_dir, tmp_path):
    models.install_file(fixture_package("de"))
    env = {"ARGOS_PACKAGE_INDEX": serve_index(_real_package(tmp_path, "1.0")),
           "ARGOS_PACKAGES_DIR": str(empty_packages_dir)}
    result = run_cli("models", "install", "en", "de", env=env)
    assert result.returncode == 0, result.stderr
    assert "replacing the test package en-de" in result.stdout
    assert "installed en-de 1.0" in result.stdout
    assert [p.name for p in empty_packages_dir.iterdir()] == ["translate-en_de-1_0"]
    [model] = models.installed_models()
    assert (model.version, model.test) == ("1.0", False)

    again = run_cli("models", "install", "en", "de", env=env)
    assert again.returncode == 0 and "already installed" in again.stdout


@pytest.mark.slow
def test_upgrade_installs_only_newer_index_versions(serve_index, empty_packages_dir, tmp_path):
    models.install_file(_real_package(tmp_path, "1.0"))
    env = {"ARGOS_PACKAGES_DIR": str(empty_packages_dir)}
    same = run_cli("models", "install", "en", "de", "--upgrade",
                   env={**env, "ARGOS_PACKAGE_INDEX": serve_index(_real_package(tmp_path, "1.0"))})
    assert same.returncode == 0, same.stderr
    assert "en-de 1.0 is the newest version in the index" in same.stdout

    newer = serve_index(_real_package(tmp_path, "1.0"), _real_package(tmp_path, "1.2"))
    plain = run_cli("models", "install", "en", "de", env={**env, "ARGOS_PACKAGE_INDEX": newer})
    assert "already installed" in plain.stdout and models.installed_models()[0].version == "1.0"
    upgraded = run_cli("models", "install", "en", "--upgrade", env={**env, "ARGOS_PACKAGE_INDEX": newer})
    assert upgraded.returncode == 0, upgraded.stderr
    assert "installed en-de 1.2" in upgraded.stdout
    assert [m.version for m in models.installed_models()] == ["1.2"]
