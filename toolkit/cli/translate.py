"""`toolkit translate ARTICLE...` (alias `translate-batch`): articles -> catalogs and translations.

One article prints a summary per language; several print one row per article and the model
calls per language (a chunk of articles' sentences goes to one call per language).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from toolkit.cli.options import (
    DEFAULT_LANGS,
    BeamSize,
    DeviceName,
    EngineSpecs,
    GlossaryPath,
    Languages,
    LocalesDir,
    NoGlossary,
    glossary_line,
    parse_langs,
)
from toolkit.cli.output import console, err
from toolkit.cli.tables import print_table
from toolkit.errors import ToolkitError
from toolkit.l10n.discover import DEFAULT_LOCALES


def translate(
    articles: list[str] = typer.Argument(
        ..., help="Articles (.txt, .md, .html), folders of them, or glob patterns like 'articles/*.md'."
    ),
    to: Languages = DEFAULT_LANGS,
    out: Path = typer.Option(Path("out"), "-o", "--out", help="Folder for the translated articles."),
    locales: LocalesDir = DEFAULT_LOCALES,
    domain: str = typer.Option(
        None, "--domain",
        help="Catalog domain (one article only) \\[default: the file stem, or its path relative to "
        "the current folder made safe (2026-12-01-index) when another article or catalog has it].",
    ),
    layout: str = typer.Option(
        "flat", "--layout",
        help="Output file names: flat (OUT/article.el.md), bundle (Hugo: OUT/news/index.el.md) "
        "or folders (Jekyll, MkDocs: OUT/el/news/index.md).",
    ),
    hreflang_url: str = typer.Option(
        None, "--hreflang-url", metavar="PATTERN",
        help="Link the language versions of HTML pages (<link rel=alternate hreflang>) at URLs "
        "made from PATTERN: {lang} and {stem}, {domain}, {path}, e.g. https://x.org/{lang}/",
    ),
    front_matter_keys: str = typer.Option(
        None, "--front-matter-keys", metavar="KEYS",
        help="Markdown front matter keys to translate, comma-separated "
        "\\[default: title, description, summary].",
    ),
    from_code: str = typer.Option(
        None, "--from", help="Source language code \\[default: en, checked by language detection]."
    ),
    encoding: str = typer.Option(None, "--encoding", help="Input encoding if not UTF-8."),
    beam: BeamSize = 4,
    device: DeviceName = None,
    glossary: GlossaryPath = None,
    no_glossary: NoGlossary = False,
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Do not read or write the translation cache."
    ),
    skip_missing: bool = typer.Option(
        False, "--skip-missing", help="Languages without a model get catalogs with empty msgstr."
    ),
    overwrite_reviewed: bool = typer.Option(
        False, "--overwrite-reviewed",
        help="Re-translate entries a translator reviewed too (fuzzy MT replaces their msgstr; "
             "the reviewed one stays in a '# Previous translation' comment).",
    ),
    refresh_drafts: bool = typer.Option(
        False, "--refresh-drafts",
        help="Translate every unreviewed machine draft again \\[default: only drafts another "
        "engine made or whose glossary entries changed].",
    ),
    context_duplicates: bool = typer.Option(
        False, "--context-duplicates",
        help="Give each copy of a repeated text its own entry (msgctxt copy-1, copy-2...) "
        "\\[default: one entry with a #: reference per copy].",
    ),
    engine: EngineSpecs = None,
    no_tm: bool = typer.Option(
        False, "--no-tm", help="Do not use the translation memory (reviewed work of every catalog)."
    ),
    tm_accept_exact: bool = typer.Option(
        False, "--tm-accept-exact", show_default=False,
        help="Land paragraphs the memory has exactly as reviewed, not fuzzy "
        "\\[default: memory.accept_exact of toolkit.toml, else fuzzy].",
    ),
    tm_review_exact: bool = typer.Option(
        False, "--tm-review-exact", show_default=False,
        help="Keep them fuzzy for review even when toolkit.toml says memory.accept_exact.",
    ),
    tm_threshold: float = typer.Option(
        None, "--tm-threshold", min=1, max=100, metavar="PERCENT",
        help="Show reviewed translations at least this similar (1-100) "
        "\\[default: memory.threshold, else 75].",
    ),
) -> None:
    """Translate each ARTICLE into each language.

    Writes LOCALES/<domain>.pot, LOCALES/<lang>/LC_MESSAGES/<domain>.po (machine output marked
    fuzzy; reviewed entries are never touched unless --overwrite-reviewed) and
    OUT/<domain>.<lang>.<ext> (see --layout). Glossary terms are
    enforced (n-best, then placeholders) or the sentence is flagged.

    Several articles (files, folders, glob patterns) are translated in one process, about
    twenty at a time: one model call per language per chunk. Each gets its own catalogs (one
    domain per file), written as soon as it is done, so a stopped run resumes where it stopped.
    Without a terminal, a line per article says how far the run is (done/total, ETA).
    """
    from toolkit.fileio import check_writable_folder
    from toolkit.formats.document import read_document
    from toolkit.workflow.articles import discover_articles, require_english
    from toolkit.workflow.engines import configured_engine_ids, configured_engine_loader
    from toolkit.workflow.localize import localize_documents

    if tm_accept_exact and tm_review_exact:
        raise ToolkitError("--tm-accept-exact and --tm-review-exact contradict each other: choose one")
    accept = True if tm_accept_exact else False if tm_review_exact else None
    langs = parse_langs(to)
    for folder, what in ((out, "articles"), (locales, "catalogs")):  # before any cache is opened
        check_writable_folder(folder, what)
    keys = [k.strip() for k in front_matter_keys.split(",") if k.strip()] if front_matter_keys else None
    docs = [read_document(p, encoding=encoding, front_matter_keys=keys) for p in discover_articles(articles)]
    if domain and len(docs) > 1:
        raise ToolkitError(f"--domain is for one article; {len(docs)} articles get one each (the file stem)")
    if from_code is None:
        from_code = "en"
        for doc in docs:
            require_english(doc)
    from toolkit.terms.default import load_enforced_glossary  # lazily: not for --help

    terms = None if no_glossary else load_enforced_glossary(glossary)
    console.print(glossary_line(terms) if terms or not no_glossary else "glossary: none (--no-glossary)",
                  markup=False, highlight=False, soft_wrap=True)
    from toolkit.config import load_config

    config = load_config(engine or ())  # read once: the loader and the draft check use it
    loader = configured_engine_loader(beam, use_cache=not no_cache, device=device, config=config)
    memory = None if no_tm else _memory_options(accept, tm_threshold)
    with _progress_bar(len(docs), langs, from_code) as (progress, article_done):
        reports = localize_documents(
            docs, langs, locales_dir=locales, domains=[domain] if domain else None, out_dir=out,
            from_code=from_code, engine_loader=loader, glossary=terms, skip_missing=skip_missing,
            progress=progress, overwrite_reviewed=overwrite_reviewed, memory=memory,
            layout=layout, hreflang_url=hreflang_url, context_duplicates=context_duplicates,
            engine_ids=configured_engine_ids(config=config), refresh_drafts=refresh_drafts,
            article_done=article_done,
        )
    if len(docs) == 1:
        _print_languages(docs[0], reports[0], locales, out)
    else:
        _print_articles(docs, langs, reports)
    for report in reports[0]:
        if report.missing_model:
            err.print(f"warning: no {from_code}->{report.lang} model: its catalog has empty msgstr")
    _print_replaced(reports)
    _print_refreshed(reports)


def _print_refreshed(reports) -> None:
    """Which unreviewed drafts were made again, and why: the run says what it redid."""
    per_lang: dict[str, dict[str, int]] = {}
    for per_doc in reports:
        for report in per_doc:
            for why, n in report.refreshed.items():
                mine = per_lang.setdefault(report.lang, {})
                mine[why] = mine.get(why, 0) + n
    if per_lang:
        said = {"engine": "another engine made them", "glossary": "their glossary entries changed",
                "forced": "--refresh-drafts"}
        parts = [f"{lang} {sum(why.values())} ({', '.join(said[w] for w in why)})"
                 for lang, why in per_lang.items()]
        console.print(f"refreshed machine drafts: {'; '.join(parts)}",
                      markup=False, highlight=False, soft_wrap=True)


def _print_replaced(reports) -> None:
    """What --overwrite-reviewed replaced, per language: a translator's work is never lost quietly."""
    replaced: dict[str, int] = {}
    for per_doc in reports:
        for report in per_doc:
            replaced[report.lang] = replaced.get(report.lang, 0) + report.plan.get("replaced", 0)
    if any(replaced.values()):
        per_lang = ", ".join(f"{lang} {n}" for lang, n in replaced.items() if n)
        err.print(f"--overwrite-reviewed replaced {sum(replaced.values())} reviewed translation(s) with"
                  f" fuzzy MT ({per_lang}); each stays in its entry as"
                  " '# Previous translation (reviewed, replaced by MT): ...'",
                  markup=False, highlight=False, soft_wrap=True)


def _memory_options(accept_exact: bool | None, threshold: float | None):
    """The options win over the configuration file's [memory] table, which wins over defaults."""
    from toolkit.config import memory_settings
    from toolkit.l10n.memory_use import MemoryOptions

    settings = memory_settings()
    if accept_exact is not None:
        settings["accept_exact"] = accept_exact
    if threshold is not None:
        settings["threshold"] = threshold
    return MemoryOptions(**settings)


def _duration(seconds: float | None) -> str:
    """'1h02m', '3m05s', '42s'; '?' while not known."""
    if seconds is None:
        return "?"
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


def article_line(told) -> str:
    """The plain line a run of several articles prints per article written, where no bar is drawn:
    ``[12/100] news/story-011.txt: 196 sentences, 21.4/s, ETA 4m10s``."""
    rate = told.sentences / max(told.seconds, 1e-6)
    mine = sum(r.result.sentences for r in told.reports if r.result)
    return (f"[{told.done}/{told.total}] {told.path}: {mine} sentences, {rate:.1f}/s, "
            f"ETA {_duration(told.eta)}")


@contextmanager
def _progress_bar(articles: int, langs: Sequence[str], from_code: str) -> Iterator:
    """On a terminal, a transient bar on stderr: articles done / total, the stage (sentences and
    sentences per second while a model decodes), elapsed time and ETA. Elsewhere (logs, pipes) a
    run of several articles prints one plain line per article written, and one article nothing.
    Yields (`progress`, `article_done`) for `localize_documents`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    count = [MofNCompleteColumn()] if articles > 1 else []
    what = f"{articles} articles " if articles > 1 else ""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), *count, TimeElapsedColumn(),
        TextColumn("ETA {task.fields[eta]}"), console=err,
        transient=True, disable=not err.is_terminal,  # not even a blank line in logs and pipes
    ) as bar:
        task = bar.add_task("loading models", total=articles, eta="?")

        def progress(lang: str, stage: str) -> None:
            if stage != "article":
                bar.update(task, description=f"{stage} {what}{from_code}->{lang}")

        def article_done(told) -> None:
            bar.update(task, completed=told.done, eta=_duration(told.eta))
            if not err.is_terminal and articles > 1:
                err.print(article_line(told), markup=False, highlight=False, soft_wrap=True)

        yield progress, article_done


def _print_languages(doc, reports, locales: Path, out: Path) -> None:
    """One article: reuse, MT and glossary outcomes per language, then what was flagged."""
    from toolkit.terms.enforce import How

    table = Table(title=f"{doc.path}: {len(doc.blocks)} paragraphs")
    # memory last: scripts read the other columns by position
    columns = ("lang", "reused", "translated", "sentences", "seconds", "terms ok", "n-best", "masked",
               "flagged", "memory")
    for col in columns:
        table.add_column(col, justify="left" if col == "lang" else "right")
    flagged = []
    for report in reports:
        result = report.result
        counts = result.term_counts() if result else {}
        table.add_row(
            report.lang,
            str(report.plan["keep"] - report.memory_paragraphs),
            "no model" if report.missing_model else str(len(result.blocks) if result else 0),
            str(result.sentences if result else 0),
            f"{result.seconds:.2f}" if result else "0.00",
            *(str(counts.get(how.value, 0)) for how in How),
            _memory_cell(report),
        )
        if result:
            flagged += [(report.lang, b.index, f) for b in result.blocks for f in b.flags]
    print_table(table)
    console.print(f"catalogs: {locales}/<lang>/LC_MESSAGES/{reports[0].po_path.name}   articles: {out}/")
    used = [f"{r.lang} {r.result.model_id}" for r in reports if r.result]
    if used:
        console.print("engines: " + ", ".join(used), highlight=False)
    for lang, index, flag in flagged:
        console.print(f"[yellow]flagged[/] {lang} block {index + 1}: {flag}", highlight=False)


def _memory_cell(report) -> str:
    """'2' paragraphs from memory, '2+3s' with three sentences of translated paragraphs too."""
    sentences = f"+{report.memory_sentences}s" if report.memory_sentences else ""
    return f"{report.memory_paragraphs}{sentences}"


def _print_articles(docs, langs: Sequence[str], reports) -> None:
    """Several articles: one row each, then the model calls per language."""
    table = Table(title=f"{len(docs)} articles -> {', '.join(langs)}")
    for col in ("article", "paragraphs", "reused", "translated", "flagged", "memory"):
        table.add_column(col, justify="left" if col == "article" else "right")
    for doc, per_lang in zip(docs, reports, strict=True):
        reused = sum(r.plan["keep"] - r.memory_paragraphs for r in per_lang)
        memory = sum(r.memory_paragraphs for r in per_lang)
        sentences = sum(r.memory_sentences for r in per_lang)
        translated = sum(len(r.result.blocks) for r in per_lang if r.result)
        flagged = sum(len(b.flags) for r in per_lang if r.result for b in r.result.blocks)
        table.add_row(doc.path, str(len(doc.blocks)), str(reused), str(translated), str(flagged),
                      f"{memory}+{sentences}s" if sentences else str(memory))
    print_table(table)
    per_chunk = {(r.lang, r.chunk): r.result.model_calls for per in reports for r in per if r.result}
    calls: dict[str, int] = {}
    for (lang, _), n in per_chunk.items():
        calls[lang] = calls.get(lang, 0) + n
    chunks = len({chunk for _, chunk in per_chunk})
    said = f" ({chunks} chunks of articles)" if chunks > 1 else ""
    console.print(f"model calls per language: {calls or 'none (everything reused)'}{said}")
