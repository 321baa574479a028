"""Engines beyond Argos: the configuration, and a real LibreTranslate server (conftest starts it).

The CTranslate2 (Marian, NLLB) engines are in test_ct2_engine.py.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.request
from contextlib import contextmanager

import polib
import pytest

from toolkit.config import EngineSpec, load_config, parse_spec
from toolkit.errors import ToolkitError
from toolkit.formats.document import read_document
from toolkit.l10n.translate import mt_text, translate_blocks
from toolkit.mt.cache import CachedEngine, TranslationCache
from toolkit.mt.libretranslate import LibreTranslateEngine
from toolkit.terms.glossary import load_glossary
from toolkit.terms.verify import check_translation
from toolkit.workflow.localize import localize_document

from conftest import ARTICLE, GLOSSARY, LANGS, invoke, run_cli, table_row
from libretranslate_server import expected_output

# -- configuration -------------------------------------------------------------------------------

def test_toolkit_toml_picks_an_engine_per_language(tmp_path):
    (tmp_path / "toolkit.toml").write_text(
        '[engines]\n'
        'default = "argos"\n'
        'tr = { engine = "ct2", path = "models/opus-mt-en-tr" }\n'
        'el = "ct2:/srv/nllb"\n'
        'de = { engine = "libretranslate", url = "http://mt.lan:5000/", api_key = "k", batch_size = 8 }\n',
        encoding="utf-8",
    )
    config = load_config(cwd=tmp_path)
    assert config.for_language("ru") == EngineSpec("argos")
    assert config.for_language("tr") == EngineSpec("ct2", path=str(tmp_path / "models" / "opus-mt-en-tr"))
    assert config.for_language("el").path == "/srv/nllb"
    de = config.for_language("de")
    assert (de.kind, de.url, de.api_key, de.batch_size) == ("libretranslate", "http://mt.lan:5000", "k", 8)
    # --engine on the command line wins: one language, then all of them
    assert load_config(["tr=argos"], cwd=tmp_path).for_language("tr") == EngineSpec("argos")
    everything = load_config(["libretranslate:http://x:1"], cwd=tmp_path)
    assert {everything.for_language(lang).kind for lang in LANGS} == {"libretranslate"}


def test_pyproject_tool_table_and_api_key_from_the_environment(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.toolkit.engines]\n'
        'de = { engine = "libretranslate", url = "https://mt.example", api_key_env = "NEWSROOM_LT" }\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSROOM_LT", "secret")
    config = load_config(cwd=tmp_path)
    assert config.source == str(tmp_path / "pyproject.toml")
    assert config.for_language("de").api_key == "secret"
    assert config.for_language("el") == EngineSpec("argos")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("deepl", "unknown engine 'deepl'"),
        ("ct2:", "a ct2 engine needs the model folder"),
        ("libretranslate:mt.lan", "needs the server URL"),
        ({"engine": "libretranslate", "url": "http://x", "concurency": 2},
         "unknown engine option(s) concurency"),
        ({"engine": "libretranslate", "url": "http://x", "timeout": 0}, "timeout must be a positive number"),
        (42, "an engine is a string or a table"),
    ],
)
def test_bad_engine_specs_are_one_clear_error(spec, message):
    with pytest.raises(ToolkitError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_spec(spec)


@pytest.mark.slow
def test_broken_toolkit_toml_names_the_file_and_line(tmp_path):
    (tmp_path / "toolkit.toml").write_text('[engines]\ntr = { engine = "ct2", path = }\n', encoding="utf-8")
    result = invoke("models", "engines", cwd=tmp_path)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'toolkit.toml'}: not valid TOML") and "line 2" in line


def test_models_engines_shows_the_choice(tmp_path):
    (tmp_path / "toolkit.toml").write_text('[engines]\ntr = "ct2:models/opus"\n', encoding="utf-8")
    result = invoke("models", "engines", "--engine", "de=libretranslate:http://mt:5000", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {row[0]: row[1] for row in map(table_row, result.stdout.splitlines()[2:]) if len(row) == 2}
    assert rows == {"el": "argos", "ru": "argos", "de": "libretranslate:http://mt:5000",
                    "tr": f"ct2:{tmp_path / 'models' / 'opus'}"}


# -- a real LibreTranslate server ----------------------------------------------------------------

def lt_spec(url: str, **options) -> EngineSpec:
    return parse_spec({"engine": "libretranslate", "url": url, **options})


@pytest.mark.slow
def test_the_article_through_libretranslate_gives_the_servers_output(libretranslate):
    engine = LibreTranslateEngine(lt_spec(libretranslate.url, batch_size=16), "en", "de")
    doc = read_document(ARTICLE)
    result = translate_blocks(doc.blocks, engine, "de")
    sentences = [s for b in result.blocks for s in b.sentences]
    assert len(sentences) == 51
    for sentence in sentences:  # exactly what the server makes of each sentence
        assert sentence.text == expected_output(mt_text(sentence.source))
    assert engine.calls == 1 + 4  # /languages, then 51 sentences in batches of 16
    assert result.model_id == f"libretranslate:{libretranslate.url}:en-de"


@pytest.mark.slow
def test_glossary_is_enforced_before_the_request(libretranslate):
    """Masking happens locally: every term is in the output or the sentence is flagged."""
    glossary = load_glossary(GLOSSARY)
    doc = read_document(ARTICLE)
    for lang in ("el", "ru"):
        engine = LibreTranslateEngine(lt_spec(libretranslate.url), "en", lang)
        result = translate_blocks(doc.blocks, engine, lang, glossary=glossary)
        counts = result.term_counts()
        assert counts["mask"] > 40 and sum(counts.values()) == 65
        for block in result.blocks:
            for check in check_translation(glossary, block.source, block.text, lang):
                if check.status != "found":
                    assert any(check.term in f for f in block.flags), (lang, block.index, check)
        nato = {"el": "ΝΑΤΟ", "ru": "НАТО"}[lang]
        assert " ".join(b.text for b in result.blocks).count(nato) >= 15


def test_alternatives_become_the_n_best_list(libretranslate):
    engine = LibreTranslateEngine(lt_spec(libretranslate.url), "en", "de")
    [one] = engine.translate(["The storm hit the coast on Monday."], num_hypotheses=4)
    assert 2 <= len(one.hypotheses) <= 4
    assert len({h.text for h in one.hypotheses}) == len(one.hypotheses)


@pytest.mark.slow
def test_catalogs_record_the_engine_and_the_cache_never_mixes_engines(
    libretranslate, installed_models, tmp_path
):
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    doc = read_document(ARTICLE)
    from toolkit.mt.registry import load_engine

    localize_document(doc, ["de"], locales_dir=tmp_path / "argos", engine_loader=lambda s, t: CachedEngine(
        load_engine(s, t), cache))
    hits_after_argos = cache.hits
    lt = LibreTranslateEngine(lt_spec(libretranslate.url), "en", "de")
    localize_document(doc, ["de"], locales_dir=tmp_path / "lt",
                      engine_loader=lambda s, t: CachedEngine(lt, cache))
    assert cache.hits == hits_after_argos  # not one sentence answered from the Argos entries
    assert lt.calls > 1
    argos_po = polib.pofile(str(tmp_path / "argos" / "de" / "LC_MESSAGES" / "article.po"))
    lt_po = polib.pofile(str(tmp_path / "lt" / "de" / "LC_MESSAGES" / "article.po"))
    assert all("MT: argos:en-de@" in e.tcomment for e in argos_po)
    assert all(f"MT: libretranslate:{libretranslate.url}:en-de" in e.tcomment for e in lt_po)
    assert [e.msgstr for e in argos_po] != [e.msgstr for e in lt_po]


@pytest.mark.slow
def test_cli_translate_with_a_libretranslate_engine(libretranslate, tmp_path):
    (tmp_path / "toolkit.toml").write_text(
        f'[engines]\ndefault = "libretranslate:{libretranslate.url}"\n', encoding="utf-8")
    result = run_cli("translate", str(ARTICLE), "--to", "el,tr", "--out", str(tmp_path / "out"),
                     "--locales", str(tmp_path / "loc"), "--glossary", str(GLOSSARY), cwd=tmp_path,
                     env={"TOOLKIT_CACHE": str(tmp_path / "cache.sqlite3")})
    assert result.returncode == 0, result.stderr
    for lang in ("el", "tr"):
        po = polib.pofile(str(tmp_path / "loc" / lang / "LC_MESSAGES" / "article.po"))
        assert all(e.msgstr and e.fuzzy for e in po)
        assert (tmp_path / "out" / f"article.{lang}.txt").is_file()


# -- a server that is down, slow or failing ------------------------------------------------------

class _Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True


@contextmanager
def proxy(upstream: str, policy):
    """A real HTTP proxy in front of the server; `policy(n, path)` -> None (forward), an HTTP
    status to answer instead, or ("sleep", seconds) to stall before forwarding."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _handle(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.path, json.loads(body) if body else None))
            action = policy(len(seen), self.path)
            if isinstance(action, tuple):
                time.sleep(action[1])
            elif action is not None:
                payload = json.dumps({"error": "Simulated failure"}).encode()
                self.send_response(action)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            request = urllib.request.Request(upstream + self.path, data=body or None,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status, payload = response.status, response.read()
            except urllib.error.HTTPError as exc:
                status, payload = exc.code, exc.read()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        do_GET = do_POST = _handle

    server = _Proxy(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_server_that_is_down_is_one_line_and_writes_nothing(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends
    result = run_cli("translate", str(ARTICLE), "--to", "de", "--locales", str(tmp_path / "loc"),
                     "--out", str(tmp_path / "out"), "--engine", f"libretranslate:http://127.0.0.1:{port}")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: LibreTranslate at http://127.0.0.1:{port} is unreachable (")
    assert "after 4 tries" in line
    assert not list(tmp_path.rglob("*.po"))


@pytest.mark.slow
def test_errors_mid_way_keep_what_was_translated_and_a_rerun_resumes(libretranslate, tmp_path):
    doc = read_document(ARTICLE)
    cache = TranslationCache(tmp_path / "cache.sqlite3")
    spec = dict(batch_size=10, concurrency=1, retries=1)
    state = {"fail_after": 3}  # /languages and two batches pass, then the server fails for good

    def policy(n, path):
        return 500 if state["fail_after"] and n > state["fail_after"] else None

    with proxy(libretranslate.url, policy) as (url, seen):
        engine = CachedEngine(LibreTranslateEngine(lt_spec(url, **spec), "en", "de", backoff=0.01), cache)
        failure = r"refused /translate: HTTP 500 Simulated failure after 2 tries"
        with pytest.raises(ToolkitError, match=failure):
            localize_document(doc, ["de"], locales_dir=tmp_path / "loc", engine_loader=lambda s, t: engine)
        assert len(cache) == 20  # two answered batches of 10 sentences are kept
        assert not (tmp_path / "loc" / "de").exists()

        state["fail_after"] = 0  # the server is back
        seen.clear()
        [report] = localize_document(doc, ["de"], locales_dir=tmp_path / "loc",
                                     engine_loader=lambda s, t: engine)
    sent = [q for path, body in seen if path == "/translate" for q in body["q"]]
    assert len(sent) == 51 - 20  # only what was missing
    assert report.result.sentences == 51
    assert all(e.msgstr for e in polib.pofile(str(report.po_path)))


@pytest.mark.slow
def test_retries_with_backoff_ride_out_a_few_errors(libretranslate):
    def flaky(n, path):
        return {2: 503, 3: 429}.get(n)  # the first /translate fails twice, then passes

    with proxy(libretranslate.url, flaky) as (url, seen):
        engine = LibreTranslateEngine(lt_spec(url, retries=3), "en", "de", backoff=0.01)
        [one] = engine.translate(["The storm hit the coast on Monday."])
    assert one.text == expected_output("The storm hit the coast on Monday.")
    assert [path for path, _ in seen] == ["/languages", "/translate", "/translate", "/translate"]


@pytest.mark.slow
def test_a_slow_server_times_out_with_a_clear_message(libretranslate):
    def stall(n, path):
        return ("sleep", 3) if path == "/translate" else None

    with proxy(libretranslate.url, stall) as (url, _):
        engine = LibreTranslateEngine(lt_spec(url, timeout=0.5, retries=1), "en", "de", backoff=0.01)
        with pytest.raises(ToolkitError, match=r"is unreachable \(no answer within 0.5 s\) after 2 tries"):
            engine.translate(["The storm hit the coast on Monday."])


@pytest.mark.slow
def test_concurrency_limit_is_respected(libretranslate):
    active, peak, lock = [0], [0], threading.Lock()

    def count(n, path):
        if path == "/translate":
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            time.sleep(0.2)
            with lock:
                active[0] -= 1
        return None

    sentences = [f"The storm number {i} hit the coast on Monday." for i in range(12)]
    with proxy(libretranslate.url, count) as (url, seen):
        engine = LibreTranslateEngine(lt_spec(url, batch_size=2, concurrency=3), "en", "de")
        out = engine.translate(sentences)
    assert [t.text for t in out] == [expected_output(s) for s in sentences]  # order kept
    assert peak[0] == 3
    assert sum(1 for path, _ in seen if path == "/translate") == 6


@pytest.mark.slow
def test_api_key_is_sent_and_a_wrong_key_is_explained(libretranslate_executable, tmp_path):
    from libretranslate_server import libretranslate_server

    with libretranslate_server(executable=libretranslate_executable, api_keys=True,
                               args=["--under-attack"]) as keyed:
        keyed.add_api_key("newsroom-key")
        engine = LibreTranslateEngine(lt_spec(keyed.url, api_key="newsroom-key"), "en", "de")
        [one] = engine.translate(["The storm hit the coast on Monday."])
        assert one.text == expected_output("The storm hit the coast on Monday.")
        wrong = LibreTranslateEngine(lt_spec(keyed.url, api_key="nope"), "en", "de")
        with pytest.raises(ToolkitError, match=r"HTTP 403 Invalid API key \(check the API key"):
            wrong.translate(["The storm hit the coast on Monday."])


def test_a_pair_the_server_lacks_is_refused_before_any_work(libretranslate):
    with pytest.raises(ToolkitError, match=r"cannot translate en -> fr \(its targets: "):
        LibreTranslateEngine(lt_spec(libretranslate.url), "en", "fr")


@pytest.mark.slow
def test_a_server_limit_is_explained(libretranslate_executable):
    from libretranslate_server import libretranslate_server

    with libretranslate_server(executable=libretranslate_executable, args=["--batch-limit", "2"]) as small:
        engine = LibreTranslateEngine(lt_spec(small.url, batch_size=3), "en", "de")
        with pytest.raises(ToolkitError, match=r"HTTP 400 .*exceeds text limit \(2\) \(the server's limits: "
                                               r"lower batch_size for this engine\)"):
            engine.translate(["One.", "Two.", "Three."])
        ok = LibreTranslateEngine(lt_spec(small.url, batch_size=2), "en", "de")
        assert [t.text for t in ok.translate(["One day.", "Two days.", "Three days."])] == [
            expected_output(s) for s in ["One day.", "Two days.", "Three days."]]
