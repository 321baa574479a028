"""A pool of LibreTranslate servers (``urls = [...]``): round-robin, health checks, failover.

The configuration and the pool's id first (no server); then the pool's rules against real local
HTTP servers (`hostile_server`: well-behaved "echo" servers, a hanging one, a failing one, a
closed port); then two REAL LibreTranslate servers (`libretranslate_server`, with their own
request counters), one of them killed half-way through a run: in the engine (from its `done`
callback, deterministic) and through the real `toolkit translate-batch` (from a thread that
watches the server's counters). Nothing is lost: the catalogs equal those of a run against one
server (the fixture model is deterministic).
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

import polib
import pytest

from toolkit.config import EngineSpec, load_config, parse_spec
from toolkit.errors import ToolkitError, ToolkitWarning
from toolkit.mt.libretranslate import LibreTranslateEngine
from toolkit.mt.registry import engine_id

from conftest import run_cli
from faults import RUN_STATE, changed, one_line_error, snapshot
from hostile_server import hostile_server
from libretranslate_server import expected_output, libretranslate_server


def pool_spec(*urls: str, **options) -> EngineSpec:
    return parse_spec({"engine": "libretranslate", "urls": list(urls), **options})


def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (bound, then closed): connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def said():
    """The ToolkitWarnings raised inside (the CLI prints each as one `warning:` line)."""
    lines: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ToolkitWarning)
        yield lines
    lines.extend(str(w.message) for w in caught if issubclass(w.category, ToolkitWarning))


def sentences(n: int) -> list[str]:
    return [f"The storm number {i} hit the coast of region {i % 7} on Monday." for i in range(n)]


# -- configuration and the pool's id ---------------------------------------------------------------

def test_urls_in_toolkit_toml_make_a_pool(tmp_path):
    (tmp_path / "toolkit.toml").write_text(
        '[engines]\nde = { engine = "libretranslate", urls = ["http://mt1.lan:5000/", '
        '"https://editor:s3cret@mt2.lan"], batch_size = 8, concurrency = 3 }\n', encoding="utf-8")
    de = load_config(cwd=tmp_path).for_language("de")
    assert de.urls == ("http://mt1.lan:5000", "https://editor:s3cret@mt2.lan")
    assert de.url == "http://mt1.lan:5000"  # the first server names the pool
    assert de.servers() == de.urls and (de.batch_size, de.concurrency) == (8, 3)
    assert de.describe() == "libretranslate:http://mt1.lan:5000,https://***@mt2.lan"
    # the short form (--engine, or a string in the file) takes commas before http(s)://
    assert parse_spec("libretranslate:http://mt1.lan:5000,https://editor:s3cret@mt2.lan").urls == de.urls
    # one URL in the list is the single-server engine, the same spec as url = ...
    assert pool_spec("http://mt1.lan:5000") == parse_spec("libretranslate:http://mt1.lan:5000")
    assert parse_spec("libretranslate:http://mt1.lan:5000").servers() == ("http://mt1.lan:5000",)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('urls = []', "engines.de: urls must be a non-empty list of server URLs (strings), not []"),
        ('urls = "http://a:5000"', "urls must be a non-empty list of server URLs (strings), not 'http://a:5000'"),
        ('urls = ["http://a:5000", 5]', "urls must be a non-empty list of server URLs (strings), not "
                                        "['http://a:5000', 5]"),
        ('urls = ["http://a:5000", "mt.lan:5000"]',
         "engines.de: urls[1] must be an http(s) server URL such as http://127.0.0.1:5000, "
         "not 'mt.lan:5000'"),
        ('urls = ["http://a:99999"]', "engines.de: urls[0] 'http://a:99999' is not a valid URL"),
        ('urls = ["http://a:5000", "http://mt lan"]', "urls[1] 'http://mt lan' contains spaces"),
        ('urls = ["http://a:5000", "http://a:5000/"]', "engines.de: urls[1] repeats 'http://a:5000'"),
        ('url = "http://a:5000", urls = ["http://b:5000"]',
         "engines.de: give url (one server) or urls (a pool), not both"),
        ('urls = ["http://editor:s3cret@a:5000", 5]', "not ['http://***@a:5000', 5]"),
    ],
    ids=["empty", "a-string", "not-strings", "not-http", "bad-port", "space", "repeated", "both",
         "secret"],
)
def test_a_bad_urls_list_is_one_line_naming_the_file_and_key(tmp_path, options, message):
    """Through the real CLI, as tests/robustness/test_hostile_config.py checks the other keys."""
    from faults import cli

    (tmp_path / "toolkit.toml").write_text(
        f'[engines]\nde = {{ engine = "libretranslate", {options} }}\n', encoding="utf-8")
    before = snapshot(tmp_path)
    line = one_line_error(cli("models", "engines", cwd=tmp_path), f"error: {tmp_path / 'toolkit.toml'}: ",
                          message)
    assert "s3cret" not in line
    assert changed(before, snapshot(tmp_path)) == []


def test_a_pool_is_named_by_its_first_server_whichever_answers():
    """Drafts and cache keys record the engine. A pool's servers run the same models, so turning
    one server into a pool that starts with it keeps its drafts and cache entries; the id holds
    no password; putting another server first names another engine."""
    one = parse_spec("libretranslate:http://editor:s3cret@mt1.lan:5000")
    pool = pool_spec("http://editor:s3cret@mt1.lan:5000", "http://mt2.lan:5000", "http://mt3.lan:5000")
    assert engine_id("en", "de", pool) == engine_id("en", "de", one) == "libretranslate:http://***@mt1.lan:5000:en-de"
    assert engine_id("en", "de", pool_spec("http://mt1.lan:5000", "http://mt9.lan:5000")) == \
        "libretranslate:http://mt1.lan:5000:en-de"  # another second server: the same engine
    assert engine_id("en", "de", pool_spec("http://mt2.lan:5000", "http://mt1.lan:5000")) == \
        "libretranslate:http://mt2.lan:5000:en-de"


# -- the pool's rules, against real local HTTP servers ---------------------------------------------

def test_batches_go_round_robin_to_every_live_server():
    with hostile_server("echo") as a, hostile_server("echo") as b:
        engine = LibreTranslateEngine(pool_spec(a.url, b.url, batch_size=1, concurrency=1), "en", "de")
        out = engine.translate(sentences(10))
    assert [t.text for t in out] == sentences(10)
    # the second batch goes to the second server however fast the first one is
    assert a.translate_requests() >= 1 and b.translate_requests() >= 1
    assert a.translate_requests() + b.translate_requests() == 10
    assert engine.answered_by() == {a.url: a.translate_requests(), b.url: b.translate_requests()}
    assert [path for path, _, _ in a.requests[:1] + b.requests[:1]] == ["/languages", "/languages"]


def test_each_server_gets_its_own_credentials():
    with hostile_server("echo", user="editor", password="s3cret") as a, \
            hostile_server("echo", user="desk", password="other") as b:
        engine = LibreTranslateEngine(pool_spec(a.url.replace("://", "://editor:s3cret@"),
                                                b.url.replace("://", "://desk:other@"),
                                                batch_size=1), "en", "de")
        engine.translate(sentences(6))
    assert a.translate_requests() and b.translate_requests()
    assert {auth for _, _, auth in a.requests} == {"Basic ZWRpdG9yOnMzY3JldA=="}  # editor:s3cret
    assert {auth for _, _, auth in b.requests} == {"Basic ZGVzazpvdGhlcg=="}  # desk:other
    assert engine.model_id == f"libretranslate:{a.url.replace('://', '://***@')}:en-de"


def test_a_server_down_at_start_is_left_out_with_one_line():
    port = closed_port()
    with hostile_server("echo") as b, said() as lines:
        engine = LibreTranslateEngine(
            pool_spec(f"http://editor:s3cret@127.0.0.1:{port}", b.url, batch_size=2), "en", "de")
        out = engine.translate(sentences(8))
    assert [t.text for t in out] == sentences(8)
    assert b.translate_requests() == 4
    [line] = lines
    assert line.startswith(f"LibreTranslate at http://***@127.0.0.1:{port} is unreachable (")
    assert "Connection refused" in line and "not used for now, probed again in 30 s" in line
    assert "s3cret" not in line


def test_no_live_server_is_one_error_naming_every_server():
    ports = closed_port(), closed_port()
    spec = pool_spec(*(f"http://editor:s3cret@127.0.0.1:{p}" for p in ports), retries=1)
    start = time.monotonic()
    with said() as lines, pytest.raises(ToolkitError) as error:
        LibreTranslateEngine(spec, "en", "de", backoff=0.01)
    assert time.monotonic() - start < 5
    message = str(error.value)
    assert message.startswith("no LibreTranslate server can translate en -> de: ")
    for port in ports:
        assert f"http://***@127.0.0.1:{port} is unreachable ([Errno 111] Connection refused) after 2 tries" \
            in message
    assert "s3cret" not in message and "\n" not in message
    assert lines == []  # the error alone: no warning line before it


def test_servers_without_the_pair_are_not_used():
    with hostile_server("echo") as a, hostile_server("echo") as b:  # they offer en -> de only
        with pytest.raises(ToolkitError, match=r"^no LibreTranslate server can translate en -> el: "
                           r"LibreTranslate at .* cannot translate en -> el \(its targets: de\); "
                           r"LibreTranslate at .* cannot translate"):
            LibreTranslateEngine(pool_spec(a.url, b.url), "en", "el")


def test_a_server_without_the_pair_is_left_out_of_a_pool_that_has_it(libretranslate):
    with hostile_server("echo") as de_only, said() as lines:
        engine = LibreTranslateEngine(pool_spec(de_only.url, libretranslate.url, batch_size=2), "en", "el")
        out = engine.translate(sentences(6))
    assert [t.text for t in out] == [expected_output(s) for s in sentences(6)]
    assert de_only.translate_requests() == 0
    assert lines == [f"LibreTranslate at {de_only.url} cannot translate en -> el (its targets: de): "
                     "not used for en -> el"]


def test_a_hanging_server_is_taken_out_at_its_deadline_and_its_batch_goes_on():
    """The deadline still holds, and a failed connection is not retried on the same server."""
    with hostile_server("hang", max_seconds=30) as hang, hostile_server("echo") as b, said() as lines:
        engine = LibreTranslateEngine(pool_spec(hang.url, b.url, batch_size=1, concurrency=1, timeout=1,
                                                retries=3), "en", "de")
        start = time.monotonic()
        out = engine.translate(sentences(6))
        seconds = time.monotonic() - start
    assert [t.text for t in out] == sentences(6)
    assert hang.translate_requests() == 1 and b.translate_requests() == 6
    assert seconds < 4, seconds  # one deadline, no retries with backoff on the hanging server
    [line] = lines
    assert line == (f"LibreTranslate at {hang.url} is down (no answer within 1 s): its batches go to "
                     f"{b.url}; it is probed again in 30 s")


def test_a_failing_server_gets_its_retries_then_its_batches_go_elsewhere():
    with hostile_server("escape-error") as bad, hostile_server("echo") as b, said() as lines:
        engine = LibreTranslateEngine(pool_spec(bad.url, b.url, batch_size=1, concurrency=1, retries=2),
                                      "en", "de", backoff=0.01)
        out = engine.translate(sentences(5))
    assert [t.text for t in out] == sentences(5)
    assert bad.translate_requests() == 3  # its first batch, tried 1 + 2 times; then it is down
    assert b.translate_requests() == 5
    [line] = lines
    assert line.startswith(f"LibreTranslate at {bad.url} is down (HTTP 500 \\x1b[2J\\x1b[31mowned\\x07): ")
    assert "\x1b" not in line


def test_the_last_live_server_fails_as_a_single_server_does():
    port = closed_port()
    with hostile_server("escape-error") as bad, said() as lines:
        engine = LibreTranslateEngine(pool_spec(f"http://127.0.0.1:{port}", bad.url, retries=1), "en", "de",
                                      backoff=0.01)
        with pytest.raises(ToolkitError, match=rf"^LibreTranslate at {bad.url} refused /translate: HTTP 500 "
                                               r".* after 2 tries$"):
            engine.translate(sentences(3))
    assert bad.translate_requests() == 2
    assert len(lines) == 1 and "is unreachable" in lines[0]  # the closed port, at start


def test_a_down_server_is_probed_after_its_cooldown_and_gets_batches_again():
    port = closed_port()
    with hostile_server("echo") as b, said() as lines:
        engine = LibreTranslateEngine(pool_spec(f"http://127.0.0.1:{port}", b.url, batch_size=1,
                                                concurrency=1), "en", "de", cooldown=0.2)
        assert engine.pool.live() == [engine.pool.servers[1]]
        with hostile_server("echo", port=port) as back:  # the server is up again, where it was
            time.sleep(0.3)
            engine.translate(sentences(2))  # a batch to send: the rested server is probed
            deadline = time.monotonic() + 10
            while len(engine.pool.live()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(engine.pool.live()) == 2
            out = engine.translate(sentences(8))
    assert [t.text for t in out] == sentences(8)
    assert back.translate_requests() >= 1
    assert [path for path, _, _ in back.requests[:1]] == ["/languages"]  # the probe came first
    assert lines[0].startswith(f"LibreTranslate at http://127.0.0.1:{port} is unreachable (")
    assert f"LibreTranslate at http://127.0.0.1:{port} answers again: it gets batches again" in lines


# -- two real LibreTranslate servers -----------------------------------------------------------------

@pytest.fixture(scope="module")
def two_servers(libretranslate_executable):
    """Two real servers with request counters, for the whole module (never stopped by a test)."""
    with ExitStack() as stack:
        yield [stack.enter_context(libretranslate_server(executable=libretranslate_executable, metrics=True))
               for _ in range(2)]


@pytest.fixture
def victim(libretranslate_executable):
    """A real server of its own, for a test that kills it."""
    with libretranslate_server(executable=libretranslate_executable, metrics=True) as server:
        yield server


def test_both_real_servers_get_batches(two_servers):
    a, b = two_servers
    before = a.translate_requests(), b.translate_requests()
    engine = LibreTranslateEngine(pool_spec(a.url, b.url, batch_size=4), "en", "de")
    out = engine.translate(sentences(40))
    assert [t.text for t in out] == [expected_output(s) for s in sentences(40)]
    sent = a.translate_requests() - before[0], b.translate_requests() - before[1]
    assert sent[0] >= 1 and sent[1] >= 1 and sum(sent) == 10
    assert engine.answered_by() == {a.url: sent[0], b.url: sent[1]}


def test_a_real_server_killed_half_way_loses_nothing(two_servers, victim):
    survivor = two_servers[1]
    engine = LibreTranslateEngine(pool_spec(victim.url, survivor.url, batch_size=2, concurrency=2),
                                  "en", "de")
    texts = sentences(60)
    seen: list[str] = []
    killed_after: list[int] = []

    def done(batch, translations):
        seen.extend(batch)
        if not killed_after and engine.answered_by()[victim.url] >= 1:  # it has answered a batch
            killed_after.append(len(seen))
            victim.kill()  # batches in flight there are cut: they must go to the survivor

    with said() as lines:
        out = engine.translate(texts, done=done)
    assert [t.text for t in out] == [expected_output(s) for s in texts]
    assert sorted(seen) == sorted(texts)  # every batch reached `done` exactly once
    assert killed_after and killed_after[0] < len(texts) // 2
    answered = engine.answered_by()
    assert answered[victim.url] >= 1 and answered[victim.url] + answered[survivor.url] == 30
    assert answered[survivor.url] > answered[victim.url]  # the survivor took the rest
    [line] = lines
    assert line.startswith(f"LibreTranslate at {victim.url} is down (")
    assert line.endswith(f"): its batches go to {survivor.url}; it is probed again in 30 s")


# -- the real CLI: translate-batch over a pool -------------------------------------------------------

def write_articles(folder: Path, count: int = 6, per_article: int = 24) -> Path:
    folder.mkdir(parents=True)
    n = 0
    for a in range(count):
        paragraphs = [f"Storm report {a}"]
        for _ in range(per_article // 2):
            paragraphs.append(f"Officials in district {n} opened {n % 9} new shelters on Monday. "
                              f"The river near town {n} rose by {n % 5} metres overnight.")
            n += 1
        (folder / f"report-{a}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


def workspace(tmp_path: Path, name: str, urls: list[str], **options) -> Path:
    ws = tmp_path / name
    write_articles(ws / "articles")
    table = {"batch_size": 2, "concurrency": 1, "timeout": 20, "retries": 1, **options}
    extra = "".join(f", {key} = {value}" for key, value in table.items())
    listed = ", ".join(f'"{u}"' for u in urls)
    (ws / "toolkit.toml").write_text(
        f'[engines]\ndefault = {{ engine = "libretranslate", urls = [{listed}]{extra} }}\n', encoding="utf-8")
    return ws


def translate_batch(ws: Path, *extra: str):
    return run_cli("translate-batch", "articles", "--to", "de", "--from", "en", "--no-glossary", "--out",
                   "out", "--locales", "locales", *extra, cwd=ws,
                   env={"TOOLKIT_CACHE": str(ws / "cache.sqlite3")})


def warning_lines(result) -> list[str]:
    """The `warning:` lines of a run (stderr also has a progress line per article)."""
    assert "Traceback" not in result.stderr and "error" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


def catalogs(ws: Path) -> dict[str, list[tuple[str, str]]]:
    found = sorted((ws / "locales" / "de" / "LC_MESSAGES").glob("*.po"))
    return {p.name: [(e.msgid, e.msgstr) for e in polib.pofile(str(p))] for p in found}


def engines_recorded(ws: Path) -> set[str]:
    return {line for p in (ws / "locales").rglob("*.po") for e in polib.pofile(str(p))
            for line in e.tcomment.splitlines() if line.startswith("MT: ")}


def kill_when_busy(victim, survivor, after: int = 2) -> tuple[threading.Thread, dict]:
    """Kill `victim` from a thread once it has answered `after` /translate requests."""
    state: dict = {}

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if victim.translate_requests() >= after:
                state["survivor_before"] = survivor.translate_requests()
                victim.kill()
                state["killed"] = True
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread, state


@pytest.fixture(scope="module")
def reference(two_servers, tmp_path_factory):
    """The catalogs of the same articles translated by one server alone."""
    ws = tmp_path_factory.mktemp("one-server")
    write_articles(ws / "articles")
    (ws / "toolkit.toml").write_text(f'[engines]\ndefault = "libretranslate:{two_servers[0].url}"\n',
                                     encoding="utf-8")
    result = translate_batch(ws)
    assert result.returncode == 0, result.stderr
    found = catalogs(ws)
    assert len(found) == 6 and all(msgstr for entries in found.values() for _, msgstr in entries)
    return found


def test_translate_batch_with_a_server_killed_half_way(tmp_path, two_servers, victim, reference):
    survivor = two_servers[1]
    secret_url = victim.url.replace("://", "://editor:s3cret@")
    ws = workspace(tmp_path, "pool", [secret_url, survivor.url])
    thread, state = kill_when_busy(victim, survivor)
    result = translate_batch(ws)
    thread.join(timeout=5)
    assert result.returncode == 0, result.stderr
    assert state.get("killed"), "the run ended before the victim answered two batches"
    assert catalogs(ws) == reference  # nothing lost, nothing different
    assert survivor.translate_requests() > state["survivor_before"]  # it received the rest
    shown = victim.url.replace("://", "://***@")
    [line] = warning_lines(result)
    assert line.startswith(f"warning: LibreTranslate at {shown} is down (")
    assert f"its batches go to {survivor.url}" in line
    everything = result.stdout + result.stderr + "".join(
        p.read_text(encoding="utf-8") for p in ws.rglob("*") if p.suffix in (".po", ".pot"))
    assert "s3cret" not in everything
    assert engines_recorded(ws) == {f"MT: libretranslate:{shown}:en-de"}  # the pool's name


def test_translate_batch_skips_a_server_down_at_start(tmp_path, two_servers, reference):
    port = closed_port()
    ws = workspace(tmp_path, "down", [f"http://editor:s3cret@127.0.0.1:{port}", two_servers[0].url])
    result = translate_batch(ws)
    assert result.returncode == 0, result.stderr
    [line] = warning_lines(result)
    assert line.startswith(f"warning: LibreTranslate at http://***@127.0.0.1:{port} is unreachable (")
    assert line.endswith("not used for now, probed again in 30 s")
    assert catalogs(ws) == reference
    assert "s3cret" not in result.stdout + result.stderr


def test_translate_batch_with_every_server_down_is_one_line_and_writes_nothing(tmp_path):
    ports = closed_port(), closed_port()
    ws = workspace(tmp_path, "all-down", [f"http://editor:s3cret@127.0.0.1:{p}" for p in ports])
    before = snapshot(ws)
    result = translate_batch(ws)
    line = one_line_error(result, "error: no LibreTranslate server can translate en -> de: ",
                          f"http://***@127.0.0.1:{ports[0]} is unreachable (",
                          f"; http://***@127.0.0.1:{ports[1]} is unreachable (", "after 2 tries")
    assert "s3cret" not in line
    assert changed(before, snapshot(ws), allowed=RUN_STATE + ("cache.sqlite3",)) == []
    assert not list(ws.rglob("*.po"))


def test_adding_a_server_after_the_first_redoes_no_draft(tmp_path, two_servers):
    a, b = two_servers
    ws = workspace(tmp_path, "grow", [a.url])  # one server, written as a one-item list
    first = translate_batch(ws)
    assert first.returncode == 0, first.stderr
    drafts = catalogs(ws)
    assert engines_recorded(ws) == {f"MT: libretranslate:{a.url}:en-de"}

    workspace_toml = ws / "toolkit.toml"
    workspace_toml.write_text(workspace_toml.read_text(encoding="utf-8").replace(
        f'"{a.url}"', f'"{a.url}", "{b.url}"'), encoding="utf-8")
    before = a.translate_requests(), b.translate_requests()
    again = translate_batch(ws)
    assert again.returncode == 0, again.stderr
    assert "refreshed machine drafts" not in again.stdout
    assert catalogs(ws) == drafts and engines_recorded(ws) == {f"MT: libretranslate:{a.url}:en-de"}
    assert (a.translate_requests(), b.translate_requests()) == before  # not one request

    # another server first names another engine: its drafts are redone, and the run says so
    workspace_toml.write_text(workspace_toml.read_text(encoding="utf-8").replace(
        f'"{a.url}", "{b.url}"', f'"{b.url}", "{a.url}"'), encoding="utf-8")
    swapped = translate_batch(ws)
    assert swapped.returncode == 0, swapped.stderr
    assert "refreshed machine drafts: de " in swapped.stdout and "another engine made them" in swapped.stdout
    assert engines_recorded(ws) == {f"MT: libretranslate:{b.url}:en-de"}
    assert catalogs(ws) == drafts  # the same models: the same translations
