"""Hostile and clumsy configuration files through the real CLI: one line naming the file and
the key, exit 1, nothing written. The rules are one schema (`toolkit.config.OPTIONS`)."""

from __future__ import annotations

import pytest

from toolkit.config import ENVIRONMENT, MEMORY, OPTIONS, TOP_LEVEL

from faults import changed, cli, one_line_error, snapshot

LT = 'engine = "libretranslate", url = "http://127.0.0.1:9"'


def de(options: str) -> str:
    """A toolkit.toml whose German engine is a LibreTranslate table with `options`."""
    return f"[engines]\nde = {{ {LT}, {options} }}\n"


BAD_TOML = [
    # id, toolkit.toml text, needles after "<file>: "
    ("timeout-inf", de("timeout = inf"), ["engines.de: timeout must be at most 86400, not inf"]),
    ("timeout-nan", de("timeout = nan"), ["engines.de: timeout must be a positive number of seconds"]),
    ("timeout-1e309", de("timeout = 1e309"), ["engines.de: timeout must be at most 86400"]),
    ("timeout-negative", de("timeout = -5"), ["timeout must be a positive number"]),
    ("timeout-string", de('timeout = "30"'), ["timeout must be a positive number"]),
    ("batch-true", de("batch_size = true"), ["batch_size must be a positive whole number, not True"]),
    ("batch-fraction", de("batch_size = 1.5"), ["batch_size must be a positive whole"]),
    ("batch-huge", de("batch_size = 100000000000000000000"), ["batch_size must be at most 10000"]),
    ("concurrency-zero", de("concurrency = 0"), ["concurrency must be a positive"]),
    ("retries-negative", de("retries = -1"), ["retries must be a whole number, 0 or more"]),
    ("api-key-number", de("api_key = 12345"), ["api_key must be a string, not a value"]),
    ("unknown-option", de("timeuot = 3"), ["unknown engine option(s) timeuot"]),
    ("path-number", '[engines]\ntr = { engine = "ct2", path = 5 }\n', ["engines.tr: path must be a model"]),
    ("engine-number", "[engines]\ntr = { engine = 5 }\n", ["engines.tr: engine must be an engine name"]),
    ("unknown-key", '[engine]\nde = "argos"\n', ["unknown key(s) engine (known: engines, glossary, "]),
    ("engines-not-a-table", "engines = 5\n", ["[engines] must be a table"]),
    ("bad-port", '[engines]\nde = "libretranslate:http://127.0.0.1:99999"\n', ["is not a valid URL"]),
    ("url-with-space", '[engines]\nde = "libretranslate:http://mt lan:5000"\n', ["contains spaces"]),
    ("url-number", '[engines]\nde = { engine = "libretranslate", url = 5 }\n', ["url must be a server URL"]),
    ("secret-in-bad-spec", '[engines]\nde = "libretranslat:http://editor:s3cret@mt.lan"\n',
     ["is not an engine spec", "http://***@mt.lan"]),
]


@pytest.mark.parametrize(("text", "needles"), [row[1:] for row in BAD_TOML], ids=[row[0] for row in BAD_TOML])
def test_a_bad_toolkit_toml_is_one_line_naming_the_file_and_key(tmp_path, text, needles):
    (tmp_path / "toolkit.toml").write_text(text, encoding="utf-8")
    before = snapshot(tmp_path)
    result = cli("models", "engines", cwd=tmp_path)
    line = one_line_error(result, f"error: {tmp_path / 'toolkit.toml'}: ", *needles)
    assert "s3cret" not in line and "12345" not in line
    assert changed(before, snapshot(tmp_path)) == []


def test_a_toolkit_toml_that_is_not_utf8_names_the_line(tmp_path):
    (tmp_path / "toolkit.toml").write_bytes(b'[engines]\n# caf\xe9\nde = "argos"\n')
    result = cli("models", "engines", cwd=tmp_path)
    one_line_error(result, f"{tmp_path / 'toolkit.toml'}:2: not valid UTF-8 (byte 0xe9)")


@pytest.mark.parametrize(
    ("text", "needle"),
    [("[tool]\ntoolkit = 5\n", "[tool.toolkit] must be a table"),
     ("tool = 5\n", "[tool] must be a table"),
     ('[tool.toolkit]\nengine = "argos"\n',
      "unknown key(s) tool.toolkit.engine (known: tool.toolkit.engines, tool.toolkit.glossary, ")],
)
def test_a_bad_tool_toolkit_table_in_pyproject(tmp_path, text, needle):
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    one_line_error(cli("models", "engines", cwd=tmp_path), f"{tmp_path / 'pyproject.toml'}: {needle}")


def test_a_bad_config_stops_translate_before_anything_is_written(tmp_path):
    (tmp_path / "story.txt").write_text("NATO ministers met.\n", encoding="utf-8")
    (tmp_path / "toolkit.toml").write_text(de("timeout = inf").replace("de =", "default ="), encoding="utf-8")
    before = snapshot(tmp_path)
    result = cli("translate", "story.txt", "--to", "de", "--from", "en", "--no-glossary", cwd=tmp_path)
    one_line_error(result, "engines.default: timeout must be at most 86400, not inf")
    assert changed(before, snapshot(tmp_path)) == []


@pytest.mark.parametrize(
    ("text", "needle"),
    [('glossary = 5\n', "glossary must be a file name (a string), not 5"),
     ('glossary = "  "\n', "glossary must be a file name (a string), not '  '"),
     ("[memory]\naccept_exact = \"yes\"\n", "memory.accept_exact must be true or false, not 'yes'"),
     ("[memory]\naccept_exact = 1\n", "memory.accept_exact must be true or false, not 1"),
     ("[memory]\nthreshold = 101\n", "memory.threshold must be at most 100, not 101"),
     ("[memory]\nthreshold = true\n", "memory.threshold must be a similarity from 1 to 100, not True"),
     ("[memory]\nthresold = 80\n", "unknown key(s) memory.thresold (known: memory.accept_exact, "),
     ("memory = 5\n", "[memory] must be a table")],
    ids=["glossary-number", "glossary-blank", "accept-exact-string", "accept-exact-int", "threshold-high",
         "threshold-bool", "memory-unknown-key", "memory-not-a-table"],
)
def test_the_glossary_key_and_memory_table_follow_the_schema(tmp_path, text, needle):
    """`glossary` and [memory] are checked by the same Setting table as the engine options:
    through the real translate command, before anything is written."""
    (tmp_path / "story.txt").write_text("NATO ministers met.\n", encoding="utf-8")
    (tmp_path / "toolkit.toml").write_text(text, encoding="utf-8")
    before = snapshot(tmp_path)
    result = cli("translate", "story.txt", "--to", "de", "--from", "en", cwd=tmp_path)
    one_line_error(result, f"{tmp_path / 'toolkit.toml'}: {needle}")
    assert changed(before, snapshot(tmp_path)) == []


@pytest.mark.parametrize(("value", "needle"), [("99999999999999999999", "at most 1024"),
                                               ("true", "positive whole")])
def test_environment_settings_follow_the_same_schema(installed_models, tmp_path, value, needle):
    (tmp_path / "story.txt").write_text("NATO ministers met.\n", encoding="utf-8")
    result = cli("translate", "story.txt", "--to", "de", "--from", "en", "--no-cache", "--no-glossary",
                 cwd=tmp_path,
                 env={"TOOLKIT_THREADS": value})
    one_line_error(result, f"TOOLKIT_THREADS must be {'' if 'at most' in needle else 'a '}")
    assert needle in result.stderr


def test_the_schema_is_one_table_of_types_and_ranges():
    """Every engine option and TOOLKIT_* variable is in the schema, with a type and a meaning."""
    assert set(OPTIONS) == {"engine", "path", "family", "url", "urls", "api_key", "api_key_env", "batch_size",
                            "concurrency", "timeout", "retries", "device", "compute_type"}
    assert set(MEMORY) == {"accept_exact", "threshold"} and TOP_LEVEL["glossary"] is not None
    for setting in (*OPTIONS.values(), *ENVIRONMENT.values(), *MEMORY.values(), TOP_LEVEL["glossary"]):
        assert setting.type in (str, bool, int, float, list) and setting.meaning
        if setting.type in (bool, list):  # list: of strings (urls, tests/mt/test_libretranslate_pool.py)
            continue
        if setting.type is not str:
            assert setting.low is not None and setting.high is not None
