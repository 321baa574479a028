"""The translation memory in `toolkit translate` and `toolkit tm`, through the real CLI.

A translator reviews the example article's footer in Greek; a new article that repeats it gets
the reviewed Greek without a model call, and a paragraph one word away shows it as a suggestion.
"""

from __future__ import annotations

import re
import shutil

import polib
import pytest

from toolkit.l10n.comments import is_machine

from conftest import ARTICLE, find_row, run_cli, table_row

OPINIONS = ARTICLE.read_text(encoding="utf-8").split("\n")[37]  # the footer: op-ed disclaimer
OPINIONS_EL = (
    "Οι απόψεις της στήλης γνώμης ανήκουν αποκλειστικά στον συγγραφέα και δεν εκφράζουν την επίσημη "
    "θέση της εφημερίδας μας. Πιστεύουμε σε ένα βήμα για ένα ευρύ φάσμα φωνών και οπτικών, ακόμη και "
    "όσων αμφισβητούν τις δικές μας ή διαφέρουν από αυτές. Παραμένουμε αφοσιωμένοι στην υψηλής ποιότητας, "
    "δίκαιη και ισορροπημένη δημοσιογραφία για τους αναγνώστες μας. Σας ευχαριστούμε για τη συνεχή "
    "υποστήριξή σας."
)
DEAR, DEAR_EL = "Dear reader,", "Αγαπητέ αναγνώστη,"
ABOUT, ABOUT_EL = "About Us", "Σχετικά με εμάς"
REVIEWED = {OPINIONS: OPINIONS_EL, DEAR: DEAR_EL, ABOUT: ABOUT_EL}
ONE_WORD_OFF = OPINIONS.replace("stance of our newspaper", "stance of this newspaper")
SENTENCE = "We remain committed to providing our readers with high-quality, fair, and balanced journalism."
MIXED = f"{SENTENCE} The weather in Brussels was fine today."


def review(po_path, reviewed: dict[str, str]) -> None:
    """What a translator does in Poedit: new msgstr, fuzzy dropped."""
    po = polib.pofile(str(po_path))
    for entry in po:
        if entry.msgid in reviewed:
            entry.msgstr = reviewed[entry.msgid]
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.save(str(po_path))


def entry(po_path, msgid: str) -> polib.POEntry:
    return next(e for e in polib.pofile(str(po_path)) if e.msgid == msgid)


@pytest.fixture(scope="module")
def reviewed_locales(installed_models, tmp_path_factory):
    """The example article translated into Greek, its footer reviewed by a person."""
    base = tmp_path_factory.mktemp("tm")
    locales = base / "loc"
    result = run_cli("translate", str(ARTICLE), "--to", "el", "--locales", str(locales),
                     "--out", str(base / "out"), "--no-cache")
    assert result.returncode == 0, result.stderr
    review(locales / "el" / "LC_MESSAGES" / "article.po", REVIEWED)
    return locales


@pytest.fixture
def locales(reviewed_locales, tmp_path):
    """A private copy of the reviewed locales folder."""
    copy = tmp_path / "loc"
    shutil.copytree(reviewed_locales, copy)
    return copy


def translate(tmp_path, locales, text: str, *args: str, name: str = "follow-up", env=None):
    article = tmp_path / f"{name}.txt"
    article.write_text(text, encoding="utf-8")
    result = run_cli("translate", str(article), "--to", "el", "--locales", str(locales),
                     "--out", str(tmp_path / "out"), "--no-cache", *args, env=env)
    assert result.returncode == 0, result.stderr
    return result, locales / "el" / "LC_MESSAGES" / f"{name}.po"


def summary_row(stdout: str, lang: str = "el") -> list[str]:
    return find_row(stdout, lang)


def test_a_new_article_gets_the_reviewed_footer_and_suggestions(locales, tmp_path):
    text = f"{DEAR}\n\n{OPINIONS}\n\n{ONE_WORD_OFF}\n\n{MIXED}\n"
    result, po_path = translate(tmp_path, locales, text)

    exact = entry(po_path, OPINIONS)
    assert exact.msgstr == OPINIONS_EL and exact.fuzzy  # reviewed Greek, for a second look by default
    # a translator comment, per language, where msgmerge keeps it (a `#.` would be the template's)
    assert re.fullmatch(r"TM: 100% article:\d+", exact.tcomment) and "TM" not in exact.comment
    assert "MT:" not in exact.tcomment  # no model wrote it
    assert entry(po_path, DEAR).msgstr == DEAR_EL

    near = entry(po_path, ONE_WORD_OFF)  # one word off: the reviewed Greek is a suggestion, scored
    assert is_machine(near)  # msgstr stays a machine draft
    items = " ".join(near.tcomment.split())
    found = re.search(r"TM (\d+)% \(article:\d+\): " + re.escape(f"{OPINIONS} => {OPINIONS_EL}"), items)
    assert found, near.tcomment
    assert 95 <= int(found.group(1)) < 100
    # its three unchanged sentences came from the memory, only the changed one from the model
    assert re.search(r"TM: 3 of 4 sentences from memory \(article:\d+\)", items)
    assert near.msgstr.endswith(OPINIONS_EL.split(". ", 1)[1])

    mixed = entry(po_path, MIXED)
    assert mixed.msgstr.startswith("Παραμένουμε αφοσιωμένοι") and "Παραμένουμε" not in mixed.msgstr[30:]
    assert re.search(r"TM: 1 of 2 sentences from memory \(article:\d+\)", " ".join(mixed.tcomment.split()))
    assert is_machine(mixed)  # half machine: a draft like any other

    row = summary_row(result.stdout)
    assert row[-1] == "2+4s"  # memory: two paragraphs, and four sentences of two others
    assert row[2] == "2"  # translated: those two

    page = tmp_path / "review.html"
    report = run_cli("report", str(po_path), "-o", str(page))
    assert report.returncode == 0, report.stderr
    html = page.read_text(encoding="utf-8")
    assert html.count(">TM 100%</span>") == 2 and html.count(">TM sentences</span>") == 2
    assert 'title="From the translation memory: 100% article:' in html


def test_reused_paragraphs_need_no_model_at_all(locales, tmp_path):
    empty = tmp_path / "no-models"
    empty.mkdir()
    result, po_path = translate(tmp_path, locales, f"{ABOUT}\n\n{OPINIONS}\n",
                                env={"ARGOS_PACKAGES_DIR": str(empty)})
    assert entry(po_path, OPINIONS).msgstr == OPINIONS_EL
    assert entry(po_path, ABOUT).msgstr == ABOUT_EL
    assert "engines:" not in result.stdout  # nothing went to a model
    assert summary_row(result.stdout)[-1] == "2"
    # the copies are fuzzy and not new approvals: the memory still knows each once
    stats = run_cli("tm", "stats", "--locales", str(locales))
    assert "follow-up" not in stats.stdout


def test_accept_exact_lands_reviewed_and_no_tm_translates(locales, tmp_path):
    _, po_path = translate(tmp_path, locales, f"{OPINIONS}\n", "--tm-accept-exact", name="accepted")
    accepted = entry(po_path, OPINIONS)
    assert accepted.msgstr == OPINIONS_EL and not accepted.fuzzy

    (tmp_path / "toolkit.toml").write_text("[memory]\naccept_exact = true\n", encoding="utf-8")
    _, po_path = translate(tmp_path, locales, f"{OPINIONS}\n", name="configured",
                           env={"TOOLKIT_CONFIG": str(tmp_path / "toolkit.toml")})
    assert not entry(po_path, OPINIONS).fuzzy
    # the configuration says accept; this run asks for review
    config = {"TOOLKIT_CONFIG": str(tmp_path / "toolkit.toml")}
    _, po_path = translate(tmp_path, locales, f"{OPINIONS}\n", "--tm-review-exact", name="review", env=config)
    assert entry(po_path, OPINIONS).msgstr == OPINIONS_EL and entry(po_path, OPINIONS).fuzzy
    both = run_cli("translate", str(tmp_path / "review.txt"), "--to", "el", "--locales", str(locales),
                   "--out", str(tmp_path / "never"), "--tm-accept-exact", "--tm-review-exact")
    assert both.returncode == 1 and both.stderr == (
        "error: --tm-accept-exact and --tm-review-exact contradict each other: choose one\n")
    assert not (tmp_path / "never").exists()

    result, po_path = translate(tmp_path, locales, f"{OPINIONS}\n", "--no-tm", name="fresh")
    fresh = entry(po_path, OPINIONS)
    assert fresh.msgstr != OPINIONS_EL and is_machine(fresh)
    assert summary_row(result.stdout)[-1] == "0"


def test_translate_batch_has_the_memory_column_and_no_tm(locales, tmp_path):
    for name in ("one", "two"):
        (tmp_path / f"{name}.txt").write_text(f"{OPINIONS}\n\n{MIXED}\n", encoding="utf-8")
    args = ("translate-batch", str(tmp_path / "one.txt"), str(tmp_path / "two.txt"), "--to", "el",
            "--locales", str(locales), "--out", str(tmp_path / "out"), "--no-cache")
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    for name in ("one", "two"):
        line = next(line for line in result.stdout.splitlines() if f"{name}.txt" in line)
        assert table_row(line)[-1] == "1+1s", line  # memory: the disclaimer, one sentence
    (tmp_path / "three.txt").write_text(f"{OPINIONS}\n", encoding="utf-8")
    fresh = run_cli(*args[:1], str(tmp_path / "three.txt"), *args[3:], "--no-tm")  # the alias has it too
    assert fresh.returncode == 0, fresh.stderr
    assert is_machine(entry(locales / "el" / "LC_MESSAGES" / "three.po", OPINIONS))


def test_threshold_option_and_config_are_checked(locales, tmp_path):
    result, po_path = translate(tmp_path, locales, f"{ONE_WORD_OFF}\n", "--tm-threshold", "99.5")
    assert "TM 9" not in entry(po_path, ONE_WORD_OFF).tcomment
    (tmp_path / "toolkit.toml").write_text("[memory]\nthreshold = 150\n", encoding="utf-8")
    bad = run_cli("translate", str(ARTICLE), "--to", "el", "--locales", str(locales), "--out",
                  str(tmp_path / "o"), env={"TOOLKIT_CONFIG": str(tmp_path / "toolkit.toml")})
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "memory.threshold must be at most 100" in bad.stderr


def test_the_glossary_wins_over_the_memory(installed_models, tmp_path):
    locales = tmp_path / "loc"
    po = polib.POFile()
    po.metadata = {"Language": "el", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="NATO held a summit.", msgstr="Το NATO έκανε σύνοδο."))  # Latin NATO
    (locales / "el" / "LC_MESSAGES").mkdir(parents=True)
    po.save(str(locales / "el" / "LC_MESSAGES" / "old.po"))
    _, po_path = translate(tmp_path, locales, "NATO held a summit.\n", "--tm-accept-exact")
    reused = entry(po_path, "NATO held a summit.")
    assert reused.msgstr == "Το NATO έκανε σύνοδο." and reused.fuzzy  # not landed reviewed
    said = " ".join(f"{reused.tcomment}\n{reused.comment}".split())  # the finding, like any other
    assert "QA: error [glossary] 'NATO' rendered as rejected 'NATO'" in said and "TM: 100% old:" in said


def test_a_match_that_differs_in_numbers_is_offered_repaired_first(installed_models, tmp_path):
    locales = tmp_path / "loc"
    po = polib.POFile()
    po.metadata = {"Language": "el", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="The ministry bought 180 drones in 2019.",
                            msgstr="Το υπουργείο αγόρασε 180 drones το 2019."))
    po.append(polib.POEntry(msgid="The ministry bought 180 drones in 2019 and 2020.",
                            msgstr="Το υπουργείο αγόρασε 180 drones το 2019 και το 2020."))
    (locales / "el" / "LC_MESSAGES").mkdir(parents=True)
    po.save(str(locales / "el" / "LC_MESSAGES" / "old.po"))
    text = "The ministry bought 200 drones in 2024 and 2020."
    _, po_path = translate(tmp_path, locales, text + "\n")
    items = [" ".join(i.split()) for i in re.split(r"\n(?!  )", entry(po_path, text).tcomment)]
    tm = [i for i in items if i.startswith("TM ")]
    assert len(tm) == 2
    assert re.fullmatch(
        r"TM \d+% \(old:\d+\), repaired \(numbers: 180 -> 200, 2019 -> 2024\): "
        r"The ministry bought 180 drones in 2019 and 2020\. => "
        r"Το υπουργείο αγόρασε 200 drones το 2024 και το 2020\.",
        tm[0],
    ), tm
    assert tm[1].endswith("=> Το υπουργείο αγόρασε 180 drones το 2019.")


def test_a_match_that_differs_in_a_glossary_term_is_offered_repaired_first(installed_models, tmp_path):
    """Hezbollah -> Hamas in the English: the reviewed Greek with Χεζμπολάχ -> Χαμάς, said."""
    locales = tmp_path / "loc"
    po = polib.POFile()
    po.metadata = {"Language": "el", "Content-Type": "text/plain; charset=UTF-8"}
    po.append(polib.POEntry(msgid="Hezbollah fired rockets at northern Israel in 2024.",
                            msgstr="Η Χεζμπολάχ εκτόξευσε ρουκέτες κατά του βόρειου Ισραήλ το 2024."))
    (locales / "el" / "LC_MESSAGES").mkdir(parents=True)
    po.save(str(locales / "el" / "LC_MESSAGES" / "old.po"))
    text = "Hamas fired rockets at northern Israel in 2023."
    _, po_path = translate(tmp_path, locales, text + "\n")
    new = entry(po_path, text)
    assert is_machine(new)  # the msgstr stays the MT draft; the repair is a suggestion
    items = [" ".join(i.split()) for i in re.split(r"\n(?!  )", new.tcomment)]
    [tm] = [i for i in items if i.startswith("TM ")]
    assert re.fullmatch(
        r"TM \d+% \(old:\d+\), repaired \(terms: Χεζμπολάχ -> Χαμάς; numbers: 2024 -> 2023\): "
        r"Hezbollah fired rockets at northern Israel in 2024\. => "
        r"Η Χαμάς εκτόξευσε ρουκέτες κατά του βόρειου Ισραήλ το 2023\.",
        tm,
    ), tm


# -------------------------------------------------------------------------- toolkit tm


def test_tm_stats_search_export_import(locales, tmp_path):
    stats = run_cli("tm", "stats", "--locales", str(locales))
    assert stats.returncode == 0, stats.stderr
    row = next(line for line in stats.stdout.splitlines() if "el/LC_MESSAGES/article.po" in line)
    assert table_row(row) == ["el", "catalog", "el/LC_MESSAGES/article.po",
                                                                "3", "4"]

    found = run_cli("tm", "search", "balanced journalism", "--lang", "el", "--locales", str(locales))
    assert found.returncode == 0, found.stderr
    assert "ισορροπημένη δημοσιογραφία" in found.stdout and "article:" in found.stdout
    nothing = run_cli("tm", "search", "zeppelin", "--lang", "el", "--locales", str(locales))
    assert nothing.returncode == 0 and "no el translation" in nothing.stdout

    out = tmp_path / "el.tmx"
    exported = run_cli("tm", "export", "-o", str(out), "--lang", "el", "--locales", str(locales))
    assert exported.returncode == 0 and "wrote 3 units" in exported.stdout
    from translate.storage import tmx as tt_tmx

    units = {(u.source, u.target) for u in tt_tmx.tmxfile.parsefile(str(out)).units}
    assert units == set(REVIEWED.items())

    other = tmp_path / "other"
    imported = run_cli("tm", "import", str(out), "--locales", str(other))
    assert imported.returncode == 0 and "imported 7 units" in imported.stdout  # 3 paragraphs + 4 sentences
    again = run_cli("tm", "stats", "--locales", str(other))
    assert "import" in again.stdout and "el.tmx" in again.stdout


LATIN1_PO = 'msgid ""\nmsgstr ""\n"Language: el\\n"\n\nmsgid "caf\xe9"\nmsgstr "x"\n'.encode("latin-1")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.tmx", b"", "empty.tmx"),
        ("entity.tmx", b'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x "y">]><tmx version="1.4"/>',
         "entity.tmx"),
        ("notes.txt", b"hello", "expected a .tmx or .po file"),
        ("latin1.po", LATIN1_PO, "latin1.po"),
    ],
)
def test_tm_import_bad_input_is_one_line_and_imports_nothing(tmp_path, name, content, needle):
    locales = tmp_path / "loc"
    locales.mkdir()
    (tmp_path / name).write_bytes(content)
    result = run_cli("tm", "import", str(tmp_path / name), "--locales", str(locales))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and needle in result.stderr, result.stderr
    stats = run_cli("tm", "stats", "--locales", str(locales))
    assert "the memory is empty" in stats.stdout


@pytest.mark.slow
def test_tm_commands_refuse_a_bad_language_and_a_missing_folder(tmp_path):
    missing = run_cli("tm", "stats", "--locales", str(tmp_path / "nope"))
    assert missing.returncode == 1 and "no such locales folder" in missing.stderr
    (tmp_path / "loc").mkdir()
    bad = run_cli("tm", "search", "x", "--lang", "../etc", "--locales", str(tmp_path / "loc"))
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
