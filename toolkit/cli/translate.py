"""`toolkit translate ARTICLE...` (alias `translate-batch`): articles -> catalogs and translations.

One article prints a summary per language; several print one row per article and the model
calls per language (all articles' sentences go to one call per language).
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
    EngineSpecs,
    GlossaryPath,
    Languages,
    LocalesDir,
    NoGlossary,
    enforced_glossary,
    parse_langs,
)
from toolkit.cli.output import console, err
from toolkit.errors import ToolkitError
from toolkit.l10n.discover import DEFAULT_LOCALES


def translate(
    articles: list[str] = typer.Argument(
        ..., help="Articles (.txt, .md, .html), folders of them, or glob patterns like 'articles/*.md'."
    ),
    to: Languages = DEFAULT_LANGS,
    out: Path = typer.Option(Path("out"), "--out", help="Folder for the translated articles."),
    locales: LocalesDir = DEFAULT_LOCALES,
    domain: str = typer.Option(
        None, "--domain", help="Catalog domain \\[default: the article's stem] (one article only)."
    ),
    from_code: str = typer.Option(
        None, "--from", help="Source language code \\[default: en, checked by language detection]."
    ),
    encoding: str = typer.Option(None, "--encoding", help="Input encoding if not UTF-8."),
    beam: BeamSize = 4,
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
        help="Re-translate entries a translator reviewed too (replaces their msgstr with fuzzy MT).",
    ),
    engine: EngineSpecs = None,
) -> None:
    """Translate each ARTICLE into each language.

    Writes LOCALES/<domain>.pot, LOCALES/<lang>/LC_MESSAGES/<domain>.po (machine output marked
    fuzzy; reviewed entries are never touched unless --overwrite-reviewed) and
    OUT/<stem>.<lang>.<ext>. Glossary terms are
    enforced (n-best, then placeholders) or the sentence is flagged.

    Several articles (files, folders, glob patterns) are translated in one process: one model
    load and one model call per language; each gets its own catalogs (domain = file stem).
    """
    from toolkit.formats.document import read_document
    from toolkit.workflow.articles import discover_articles, require_english
    from toolkit.workflow.engines import configured_engine_loader
    from toolkit.workflow.localize import localize_documents

    langs = parse_langs(to)
    docs = [read_document(p, encoding=encoding) for p in discover_articles(articles)]
    if domain and len(docs) > 1:
        raise ToolkitError(f"--domain is for one article; {len(docs)} articles get one each (the file stem)")
    if from_code is None:
        from_code = "en"
        for doc in docs:
            require_english(doc)
    terms = None if no_glossary else enforced_glossary(glossary)
    loader = configured_engine_loader(beam, engine or (), use_cache=not no_cache)
    with _progress_bar(len(docs), langs, from_code) as progress:
        reports = localize_documents(
            docs, langs, locales_dir=locales, domains=[domain] if domain else None, out_dir=out,
            from_code=from_code, engine_loader=loader, glossary=terms, skip_missing=skip_missing,
            progress=progress, overwrite_reviewed=overwrite_reviewed,
        )
    if len(docs) == 1:
        _print_languages(docs[0], reports[0], locales, out)
    else:
        _print_articles(docs, langs, reports)
    for report in reports[0]:
        if report.missing_model:
            err.print(f"warning: no {from_code}->{report.lang} model: its catalog has empty msgstr")


@contextmanager
def _progress_bar(articles: int, langs: Sequence[str], from_code: str) -> Iterator:
    """A transient bar on stderr (not even a blank line in logs and pipes); yields `progress`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    count = [MofNCompleteColumn()] if articles > 1 else []
    what = f"{articles} articles " if articles > 1 else ""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), *count, TimeElapsedColumn(), console=err,
        transient=True, disable=not err.is_terminal,  # not even a blank line in logs and pipes
    ) as bar:
        task = bar.add_task("loading models", total=articles * len(langs))

        def progress(lang: str, stage: str) -> None:
            if stage == "article":
                bar.advance(task)
            elif stage != "done":
                bar.update(task, description=f"{stage} {what}{from_code}->{lang}")

        yield progress


def _print_languages(doc, reports, locales: Path, out: Path) -> None:
    """One article: reuse, MT and glossary outcomes per language, then what was flagged."""
    from toolkit.terms.enforce import How

    table = Table(title=f"{doc.path}: {len(doc.blocks)} paragraphs")
    columns = ("lang", "reused", "translated", "sentences", "seconds", "terms ok", "n-best", "masked",
               "flagged")
    for col in columns:
        table.add_column(col, justify="left" if col == "lang" else "right")
    flagged = []
    for report in reports:
        result = report.result
        counts = result.term_counts() if result else {}
        table.add_row(
            report.lang,
            str(report.plan["keep"]),
            "no model" if report.missing_model else str(len(result.blocks) if result else 0),
            str(result.sentences if result else 0),
            f"{result.seconds:.2f}" if result else "0.00",
            *(str(counts.get(how.value, 0)) for how in How),
        )
        if result:
            flagged += [(report.lang, b.index, f) for b in result.blocks for f in b.flags]
    console.print(table)
    console.print(f"catalogs: {locales}/<lang>/LC_MESSAGES/{reports[0].po_path.name}   articles: {out}/")
    used = [f"{r.lang} {r.result.model_id}" for r in reports if r.result]
    if used:
        console.print("engines: " + ", ".join(used), highlight=False)
    for lang, index, flag in flagged:
        console.print(f"[yellow]flagged[/] {lang} block {index + 1}: {flag}", highlight=False)


def _print_articles(docs, langs: Sequence[str], reports) -> None:
    """Several articles: one row each, then the model calls per language."""
    table = Table(title=f"{len(docs)} articles -> {', '.join(langs)}")
    for col in ("article", "paragraphs", "reused", "translated", "flagged"):
        table.add_column(col, justify="left" if col == "article" else "right")
    for doc, per_lang in zip(docs, reports, strict=True):
        reused = sum(r.plan["keep"] for r in per_lang)
        translated = sum(len(r.result.blocks) for r in per_lang if r.result)
        flagged = sum(len(b.flags) for r in per_lang if r.result for b in r.result.blocks)
        table.add_row(doc.path, str(len(doc.blocks)), str(reused), str(translated), str(flagged))
    console.print(table)
    calls = {r.lang: r.result.model_calls for per in reports for r in per if r.result}
    console.print(f"model calls per language: {calls or 'none (everything reused)'}")
