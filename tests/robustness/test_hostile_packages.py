"""Hostile Argos packages, built here from a fixture package, through the real CLI.

Metadata that climbs out of a folder or carries escape codes, a package that claims another
pair's folder, zip bombs, a full disk, garbage model files: each is one line naming the package
file, exit 1, and the packages folder exactly as it was (nothing half-installed for `models list`
to show). A package damaged after its install is one line at translate time.
"""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from toolkit.mt.package_archive import MAX_COMPRESSION_RATIO, MAX_PACKAGE_BYTES

from conftest import FIXTURE_MODELS, fixture_package
from faults import RUN_STATE, changed, cli, one_line_error, snapshot, tiny_filesystem

TOP = "translate-en_de-0_1"


def repack(dest: Path, *, top: str = TOP, metadata: dict | None = None, members: dict | None = None,
           source: Path | None = None) -> Path:
    """The en->de fixture package, with its top folder renamed, metadata fields replaced (None
    values are written as JSON null) and members replaced or added (name below the top folder)."""
    members = members or {}
    with zipfile.ZipFile(source or fixture_package("de")) as src, zipfile.ZipFile(
            dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            rest = info.filename[len(TOP):].lstrip("/")
            if rest in members:
                continue
            data = src.read(info)
            if rest == "metadata.json" and metadata is not None:
                data = json.dumps({**json.loads(data), **metadata}).encode()
            out.writestr(f"{top}/{rest}" if rest else f"{top}/", data)
        for rest, data in members.items():
            out.writestr(f"{top}/{rest}", data)
    return dest


def install(package: Path, packages: Path, **options):
    return cli("models", "install", str(package), cwd=package.parent,
               env={"ARGOS_PACKAGES_DIR": str(packages)}, **options)


def listed(packages: Path) -> str:
    result = cli("models", "list", cwd=packages.parent, env={"ARGOS_PACKAGES_DIR": str(packages)})
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    return result.stdout


@pytest.fixture
def packages(tmp_path) -> Path:
    folder = tmp_path / "packages"
    folder.mkdir()
    return folder


BAD_METADATA = [
    ("to-code-climbs", {"to_code": "../../../../tmp/x"}, "to_code '../../../../tmp/x' is not a language"),
    ("to-code-number", {"to_code": 5}, "to_code 5 is not a language code"),
    ("from-code-newline", {"from_code": "en\n"}, "from_code 'en\\n' is not a language code"),
    ("version-null", {"package_version": None}, "package_version None is not a version"),
    ("version-escape", {"package_version": "\x1b[31m9.9"}, "package_version '\\x1b[31m9.9' is not a"),
    ("version-markup", {"package_version": "[bold red]9.9[/]"}, "package_version '[bold red]9.9[/]' is not"),
    ("type", {"type": "sbd"}, "type 'sbd' is not a translation package"),
    ("target-prefix", {"target_prefix": "two tokens"}, "target_prefix 'two tokens' is not one model token"),
]


@pytest.mark.parametrize(("metadata", "needle"), [b[1:] for b in BAD_METADATA],
                         ids=[b[0] for b in BAD_METADATA])
def test_bad_metadata_is_refused_naming_the_package_and_field(tmp_path, packages, metadata, needle):
    package = repack(tmp_path / "bad.argosmodel", metadata=metadata)
    one_line_error(install(package, packages), f"error: {package}: package metadata.json: {needle}")
    assert list(packages.iterdir()) == []
    assert "No models installed" in listed(packages)


@pytest.mark.parametrize(("top", "needle"), [
    ("\x1b[31mevil", "unsafe member name '\\x1b[31mevil/'"),
    (".hidden", "package top folder '.hidden' is not a plain folder name"),
], ids=["escape", "hidden"])
def test_a_top_folder_that_is_not_a_plain_name_is_refused(tmp_path, packages, top, needle):
    package = repack(tmp_path / "bad.argosmodel", top=top)
    one_line_error(install(package, packages), f"{package}: ", needle)
    assert list(packages.iterdir()) == []


def test_a_package_cannot_take_over_another_pairs_folder(tmp_path, packages):
    assert install(fixture_package("el"), packages).returncode == 0
    before = snapshot(packages)
    hijack = repack(tmp_path / "hijack.argosmodel", top="translate-en_el-0_1",
                    metadata={"package_version": "9.9"})  # en->de, in en->el's folder
    one_line_error(install(hijack, packages), f"{hijack}: ",
                   "its top folder 'translate-en_el-0_1' is the installed en-el package; "
                   "a en-de package cannot replace it")
    assert changed(before, snapshot(packages)) == []
    table = listed(packages)
    assert "en-el" in table and "en-de" not in table and "9.9" not in table


def test_a_new_package_for_a_pair_replaces_the_old_one_wherever_it_is(tmp_path, packages):
    assert install(fixture_package("de"), packages).returncode == 0
    newer = repack(tmp_path / "newer.argosmodel", top="translate-en_de-0_2",
                   metadata={"package_version": "0.2"})
    result = install(newer, packages)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in packages.iterdir()) == ["translate-en_de-0_2"]
    table = listed(packages)
    assert table.count("en-de") == 1 and "0.2" in table


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path, packages):
    bomb = repack(tmp_path / "bomb.argosmodel", members={"model/zeros.bin": bytes(64 * 1024**2)})
    assert bomb.stat().st_size < 3 * 1024**2
    one_line_error(install(bomb, packages), f"{bomb}: package member '{TOP}/model/zeros.bin' would "
                   "unpack to ", f"times its packed size (at most {MAX_COMPRESSION_RATIO}): a zip bomb?")
    assert list(packages.iterdir()) == []


def _claim_size(package: Path, member: str, size: int) -> None:
    """Rewrite a member's uncompressed size in the central directory (what zipfile believes)."""
    data = bytearray(package.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")  # the first central directory header
    while at != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, size)
            package.write_bytes(bytes(data))
            return
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in {package}")


def test_a_package_that_would_unpack_past_the_size_cap_is_refused(tmp_path, packages):
    package = repack(tmp_path / "big.argosmodel")
    _claim_size(package, f"{TOP}/model/model.bin", 3 * 1024**3)
    one_line_error(install(package, packages), f"{package}: package would unpack to 3072 MiB "
                   f"(at most {MAX_PACKAGE_BYTES // 1024**2} MiB)")
    assert list(packages.iterdir()) == []


def test_a_full_disk_leaves_nothing_installed(tmp_path, packages):
    """Every write over 1 MiB fails (EFBIG, as ENOSPC would): model.bin (1.6 MB) cannot be written."""
    result = install(fixture_package("de"), packages, file_size_limit=1024**2)
    one_line_error(result, f"{fixture_package('de')}: cannot unpack the package into {packages} (",
                   "nothing was installed")
    assert list(packages.iterdir()) == []  # not even the hidden staging folder
    assert "No models installed" in listed(packages)


def test_a_disk_without_room_for_the_package_is_refused_before_unpacking(tmp_path):
    with tiny_filesystem(tmp_path / "tiny", "1m") as packages:
        result = install(fixture_package("de"), packages)
        one_line_error(result, f"{packages}: not enough disk space to install the package: it needs ")
        assert list(packages.iterdir()) == []


@pytest.mark.parametrize(("member", "needle"), [
    ("model/model.bin", "model/model.bin does not load in CTranslate2 ("),
    ("sentencepiece.model", "sentencepiece.model does not load ("),
])
def test_garbage_model_files_fail_the_install_not_a_later_translation(tmp_path, packages, member, needle):
    package = repack(tmp_path / "garbage.argosmodel", members={member: b"\x08garbage" * 500})
    one_line_error(install(package, packages), f"{package}: {needle}")
    assert list(packages.iterdir()) == []


@pytest.mark.parametrize(("member", "needle"), [
    ("model/model.bin", "cannot load the CTranslate2 model ("),
    ("sentencepiece.model", "sentencepiece.model does not load ("),
])
def test_a_package_damaged_after_install_is_one_line_at_translate(tmp_path, packages, member, needle):
    assert install(fixture_package("de"), packages).returncode == 0
    (packages / TOP / member).write_bytes(b"\x08garbage" * 500)
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "story.txt").write_text("NATO ministers met in Brussels on Monday.\n", encoding="utf-8")
    before = snapshot(ws)
    result = cli("translate", "story.txt", "--to", "de", "--from", "en", "--no-glossary", "--no-cache",
                 cwd=ws, env={"ARGOS_PACKAGES_DIR": str(packages)})
    one_line_error(result, needle)
    assert changed(before, snapshot(ws), allowed=RUN_STATE) == []


def test_a_garbage_tokenizer_of_a_ct2_model_is_one_line(tmp_path):
    folder = tmp_path / "opus"
    shutil.copytree(FIXTURE_MODELS / "pseudo-ct2", folder)
    (folder / "source.spm").write_bytes(b"\x08garbage" * 100)
    (folder / "target.spm").write_bytes(b"\x08garbage" * 100)
    (tmp_path / "story.txt").write_text("NATO ministers met.\n", encoding="utf-8")
    result = cli("translate", "story.txt", "--to", "de", "--from", "en", "--no-glossary", "--no-cache",
                 "--engine", f"de=ct2:{folder}", cwd=tmp_path)
    one_line_error(result, f"{folder / 'source.spm'}: source.spm does not load (")


def test_models_list_shows_only_valid_packages_and_no_escape_codes(packages):
    assert install(fixture_package("de"), packages).returncode == 0
    evil = packages / "evil"
    evil.mkdir()
    (evil / "metadata.json").write_text(json.dumps(
        {"from_code": "en", "to_code": "el", "package_version": "\x1b]0;owned\x07[blink]9.9"}),
        encoding="utf-8")
    (packages / "stray").mkdir()  # no metadata.json: argostranslate itself would crash on it
    (packages / ".install-leftover").mkdir()
    table = listed(packages)
    assert "en-de" in table and "en-el" not in table and "owned" not in table and "9.9" not in table
