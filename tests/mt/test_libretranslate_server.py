"""A real LibreTranslate server (tools/install_libretranslate.sh) with the fixture packages.

Pins down what the future `libretranslate` engine talks to: /languages, /translate with a list
``q`` and alternatives, the error bodies, and the API-key mode. The server is installed on
first use (conftest's `libretranslate_executable`).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from libretranslate_server import (
    LANGS,
    expected_output,
    improve_translation_formatting,
    libretranslate_server,
    split_sentences,
)
from pseudo import expected_translation, placeholder


def call(url: str, path: str, body: dict | None = None) -> tuple[int, object]:
    """(status, parsed JSON) of GET (body None) or JSON POST."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def server(libretranslate):
    return libretranslate


def translate(server, q, target="de", **extra) -> tuple[int, dict]:
    body = {"q": q, "source": "en", "target": target, "format": "text", **extra}
    return call(server.url, "/translate", body)


def test_languages_lists_the_fixture_pairs(server) -> None:
    status, languages = call(server.url, "/languages")
    assert status == 200
    by_code = {entry["code"]: entry for entry in languages}
    assert set(by_code) == {"en", *LANGS}
    assert by_code["en"]["name"] == "English"
    # LibreTranslate adds the identity pair (en->en, de->de, ...) to every language.
    assert set(by_code["en"]["targets"]) == {"en", *LANGS}
    assert by_code["de"]["targets"] == ["de"]


@pytest.mark.parametrize("target", LANGS)
def test_list_of_two_sentences_with_alternatives(server, target: str) -> None:
    q = ["sentence one.", "The storm hit the coast on Monday."]
    status, body = translate(server, q, target=target, alternatives=3)
    assert status == 200
    assert set(body) == {"translatedText", "alternatives"}
    # Each item is the pseudo-model's output, post-edited by LibreTranslate: case follows the
    # source (all-lowercase source -> all-lowercase output) and the final punctuation too.
    assert body["translatedText"] == [improve_translation_formatting(s, expected_translation(s)) for s in q]
    assert expected_translation("sentence one.") == "cityupbal Maers."
    assert body["translatedText"][0] == "cityupbal maers."
    assert body["translatedText"][1] == expected_translation(q[1])[0].upper() + expected_translation(q[1])[1:]
    # alternatives: one list per q item, at most 3 distinct strings, never the main translation.
    alternatives = body["alternatives"]
    assert len(alternatives) == len(q)
    for main, alts in zip(body["translatedText"], alternatives, strict=True):
        assert 1 <= len(alts) <= 3
        assert all(isinstance(a, str) and a and a != main for a in alts)
        assert len(set(alts)) == len(alts)


def test_single_string_and_no_alternatives(server) -> None:
    status, body = translate(server, "Hello world.")
    assert (status, body) == (200, {"translatedText": expected_output("Hello world.")})
    status, body = translate(server, "Hello world.", alternatives=2)
    assert status == 200
    assert body["translatedText"] == expected_output("Hello world.")
    assert isinstance(body["alternatives"], list) and len(body["alternatives"]) <= 2


def test_multi_sentence_text_is_split_and_joined_with_spaces(server) -> None:
    text = "The storm hit the coast on Monday. Thousands of homes lost power! Will it return?"
    assert split_sentences(text) == [
        "The storm hit the coast on Monday.",
        "Thousands of homes lost power!",
        "Will it return?",
    ]
    status, body = translate(server, [text, "Hello.\n\nWorld is big."])
    assert status == 200
    assert body["translatedText"] == [expected_output(text), expected_output("Hello.\n\nWorld is big.")]
    # Only the first letter of the whole text gets the source's case; later sentences keep the
    # model's (here lower-case) first letter.
    parts = [expected_translation(s) for s in split_sentences(text)]
    assert body["translatedText"][0] == " ".join([parts[0][0].upper() + parts[0][1:], *parts[1:]])
    assert "\n\n" in body["translatedText"][1]


def test_placeholders_survive(server) -> None:
    text = f"NATO and {placeholder(0)} met in {placeholder(1)} today."
    status, body = translate(server, [text])
    assert status == 200
    assert body["translatedText"] == [expected_output(text)]
    assert placeholder(0) in body["translatedText"][0] and placeholder(1) in body["translatedText"][0]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"q": "x", "source": "en", "target": "xx"}, "xx is not supported"),
        ({"q": "x", "source": "zz", "target": "de"}, "zz is not supported"),
        (
            {"q": "x", "source": "de", "target": "en"},
            "English (en) is not available as a target language from German (de)",
        ),
        ({"source": "en", "target": "de"}, "Invalid request: missing q parameter"),
        ({"q": [], "source": "en", "target": "de"}, "Invalid request: missing q parameter"),
        ({"q": "x", "target": "de"}, "Invalid request: missing source parameter"),
        ({"q": "x", "source": "en", "target": "de", "format": "md"}, "md format is not supported"),
    ],
)
def test_bad_requests_are_400_with_an_error_field(server, body: dict, error: str) -> None:
    assert call(server.url, "/translate", body) == (400, {"error": error})


@pytest.mark.slow
def test_api_keys_and_limits(libretranslate_executable) -> None:
    args = ["--under-attack", "--char-limit", "40", "--batch-limit", "2", "--alternatives-limit", "2"]
    with libretranslate_server(executable=libretranslate_executable, api_keys=True, args=args) as keyed:
        keyed.add_api_key("test-key")
        base = {"source": "en", "target": "de", "format": "text"}
        assert call(keyed.url, "/translate", {**base, "q": "Hello."}) == (
            400,
            {"error": "Please contact the server operator to get an API key"},
        )
        assert call(keyed.url, "/translate", {**base, "q": "Hello.", "api_key": "wrong"}) == (
            403,
            {"error": "Invalid API key"},
        )
        ok = {**base, "api_key": "test-key"}
        assert call(keyed.url, "/translate", {**ok, "q": "Hello."}) == (
            200,
            {"translatedText": expected_output("Hello.")},
        )
        long_text = "x" * 41
        assert call(keyed.url, "/translate", {**ok, "q": long_text}) == (
            400,
            {"error": "Invalid request: request (41) exceeds text limit (40)"},
        )
        assert call(keyed.url, "/translate", {**ok, "q": ["a", "b", "c"]}) == (
            400,
            {"error": "Invalid request: request (3) exceeds text limit (2)"},
        )
        assert call(keyed.url, "/translate", {**ok, "q": "Hello.", "alternatives": 3}) == (
            400,
            {"error": "Invalid request: alternatives parameter must be <= 2"},
        )
        # /languages needs no key.
        assert call(keyed.url, "/languages")[0] == 200
