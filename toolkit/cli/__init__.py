"""`toolkit`: the command line, a thin shell over the library.

Commands parse options, call one library function, and print. Errors from the library arrive as
`ToolkitError` and leave as one line on stderr with exit status 1. Heavy modules (ctranslate2,
argostranslate) are imported inside commands so `toolkit --help` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from toolkit import __version__
from toolkit.errors import ToolkitError

DEFAULT_LANGS = "el,ru,de,tr"
REPO_GLOSSARY = Path(__file__).resolve().parents[2] / "glossaries" / "defense.csv"

app = typer.Typer(
    help="Offline translation and localization for newsrooms: English articles into Greek, "
    "Russian, German and Turkish with Argos Translate models, on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(
    help="Argos packages (install, list, remove), CTranslate2 conversion, engines per language.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")
glossary_app = typer.Typer(
    help="The terminology glossary: lint it, check translations against it.", no_args_is_help=True
)
app.add_typer(glossary_app, name="glossary")
cache_app = typer.Typer(help="The persistent translation cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")

console = Console()
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        console.print(f"toolkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Offline translation and localization toolkit for newsrooms."""


def _langs(value: str) -> list[str]:
    langs = [code.strip() for code in value.split(",") if code.strip()]
    if not langs:
        raise ToolkitError("--to needs at least one language code, e.g. --to el,ru,de,tr")
    return langs


def _require_english(doc) -> None:
    """Refuse an article that is confidently not English (the models translate from English)."""
    from toolkit.qa.checks import detect_article_language

    found = detect_article_language("\n\n".join(b.text for b in doc.blocks))
    if found is not None and found.lang != "en" and found.probability >= 0.9:
        raise ToolkitError(
            f"this article looks like '{found.lang}' (p={found.probability:.2f}), not English; "
            f"pass --from {found.lang} if you have models from that language",
            path=doc.path,
        )


def _engine_loader(beam: int, no_cache: bool, engines: list[str] | None = None):
    """Engines loaded once per process, chosen per language by toolkit.toml and --engine;
    wrapped by the persistent cache unless --no-cache."""
    from toolkit.config import load_config
    from toolkit.mt.engine import load_engine

    config = load_config(engines or ())

    def load(src: str, tgt: str):
        return load_engine(src, tgt, beam_size=beam, spec=config.for_language(tgt))

    if no_cache:
        return load
    from toolkit.mt.cache import CachedEngine

    cache = _open_cache()
    return lambda src, tgt: CachedEngine(load(src, tgt), cache)


ENGINE_HELP = (
    "Engine for every language (argos, ct2:MODEL_DIR, libretranslate:URL) or for one (LANG=SPEC); "
    "repeatable; overrides toolkit.toml."
)


def _open_cache():
    from toolkit.mt.cache import open_cache  # lazily: sqlite3 is not needed for --help

    return open_cache()


def _load_glossary(path: Path | None):
    """The glossary to enforce: the given file, else glossaries/defense.csv (cwd, then repo)."""
    from toolkit.terms.glossary import lint, load_glossary

    if path is None and not (Path("glossaries/defense.csv").is_file() or REPO_GLOSSARY.is_file()):
        err.print("warning: no glossaries/defense.csv here: translating without a glossary")
        return None
    glossary = load_glossary(path if path is not None else _glossary_path(None))
    # One surface form in two concepts: enforcement could only ever pick one of them.
    for issue in lint(glossary):
        if issue.code == "duplicate-term":
            raise ToolkitError(
                f"{issue.message} (see `toolkit glossary lint`)", path=glossary.path, line=issue.line
            )
    return glossary


def _size(num: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if num < 1024 or unit == "GB":
            return f"{num:.0f} {unit}" if unit == "B" else f"{num:.1f} {unit}"
        num /= 1024
    return str(num)


@app.command()
def translate(
    article: Path = typer.Argument(..., help="The article to translate (UTF-8 .txt, .md or .html)."),
    to: str = typer.Option(DEFAULT_LANGS, "--to", help="Comma-separated target language codes."),
    out: Path = typer.Option(Path("out"), "--out", help="Folder for the translated articles."),
    locales: Path = typer.Option(Path("locales"), "--locales", help="Folder for the gettext catalogs."),
    domain: str = typer.Option(None, "--domain", help="Catalog domain [default: the article's stem]."),
    from_code: str = typer.Option(
        None, "--from", help="Source language code [default: en, checked by language detection]."
    ),
    encoding: str = typer.Option(None, "--encoding", help="Input encoding if not UTF-8."),
    beam: int = typer.Option(4, "--beam", min=1, help="Beam size (n-best width)."),
    glossary: Path = typer.Option(
        None, "--glossary", help="Glossary to enforce [default: glossaries/defense.csv]."
    ),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Translate without a glossary."),
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
    engine: list[str] = typer.Option(None, "--engine", metavar="SPEC", help=ENGINE_HELP),
) -> None:
    """Translate ARTICLE into each language.

    Writes LOCALES/<domain>.pot, LOCALES/<lang>/LC_MESSAGES/<domain>.po (machine output marked
    fuzzy; reviewed entries are never touched unless --overwrite-reviewed) and
    OUT/<stem>.<lang>.<ext>. Glossary terms are
    enforced (n-best, then placeholders) or the sentence is flagged.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from toolkit.formats.document import read_document
    from toolkit.workflow.localize import localize_document

    langs = _langs(to)
    doc = read_document(article, encoding=encoding)
    if from_code is None:
        from_code = "en"
        _require_english(doc)
    terms = None if no_glossary else _load_glossary(glossary)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err,
        transient=True, disable=not err.is_terminal,  # not even a blank line in logs and pipes
    ) as bar:
        task = bar.add_task("loading models", total=len(langs))

        def progress(lang: str, stage: str) -> None:
            if stage == "done":
                bar.advance(task)
            else:
                bar.update(task, description=f"{stage} {from_code}->{lang}")

        reports = localize_document(
            doc,
            langs,
            locales_dir=locales,
            domain=domain,
            out_dir=out,
            from_code=from_code,
            engine_loader=_engine_loader(beam, no_cache, engine),
            glossary=terms,
            skip_missing=skip_missing,
            progress=progress,
            overwrite_reviewed=overwrite_reviewed,
        )

    table = Table(title=f"{article}: {len(doc.blocks)} paragraphs")
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
            *(str(counts.get(k, 0)) for k in ("found", "n-best", "mask", "flagged")),
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
    for report in reports:
        if report.missing_model:
            err.print(f"warning: no {from_code}->{report.lang} model: its catalog has empty msgstr")


@app.command("translate-batch")
def translate_batch(
    sources: list[str] = typer.Argument(..., help="Folders and/or glob patterns of articles."),
    to: str = typer.Option(DEFAULT_LANGS, "--to", help="Comma-separated target language codes."),
    out: Path = typer.Option(Path("out"), "--out", help="Folder for the translated articles."),
    locales: Path = typer.Option(Path("locales"), "--locales", help="Folder for the gettext catalogs."),
    from_code: str = typer.Option("en", "--from", help="Source language code."),
    encoding: str = typer.Option(None, "--encoding", help="Input encoding if not UTF-8."),
    beam: int = typer.Option(4, "--beam", min=1, help="Beam size (n-best width)."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Translate without a glossary."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the translation cache."),
    engine: list[str] = typer.Option(None, "--engine", metavar="SPEC", help=ENGINE_HELP),
) -> None:
    """Translate many articles in one process: one model load and one model call per language.

    Each article gets its own catalogs (domain = file stem) and translated files, as with
    `toolkit translate`.
    """
    import glob

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from toolkit.formats.document import FORMATS, read_document
    from toolkit.workflow.localize import localize_documents

    paths: list[Path] = []
    for source in sources:
        if Path(source).is_dir():
            paths += sorted(
                p for p in Path(source).iterdir()
                if p.is_file() and p.suffix.lower() in {".txt", ".text", ".md", ".markdown", ".html", ".htm"}
            )
        else:
            matches = sorted(Path(m) for m in glob.glob(source))
            if not matches:
                raise ToolkitError(f"no articles match {source!r}")
            paths += matches
    if not paths:
        raise ToolkitError(f"no articles ({', '.join(FORMATS)}) in {', '.join(sources)}")
    docs = [read_document(p, encoding=encoding) for p in paths]
    langs = _langs(to)
    terms = None if no_glossary else _load_glossary(glossary)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("loading models", total=len(docs) * len(langs))

        def progress(lang: str, stage: str) -> None:
            if stage == "article":
                bar.advance(task)
            elif stage != "done":
                bar.update(task, description=f"{stage} {len(docs)} articles {from_code}->{lang}")

        reports = localize_documents(
            docs, langs, locales_dir=locales, out_dir=out, from_code=from_code,
            engine_loader=_engine_loader(beam, no_cache, engine), glossary=terms, progress=progress,
        )
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


@app.command("compile")
def compile_(
    locales: Path = typer.Option(Path("locales"), "--locales", help="Folder with <lang>/LC_MESSAGES/*.po."),
    use_fuzzy: bool = typer.Option(False, "--use-fuzzy", help="Include fuzzy (unreviewed) entries."),
) -> None:
    """Compile every .po under LOCALES to .mo for the website (fuzzy entries left out)."""
    from toolkit.l10n.catalog import compile_catalog, read_po

    pos = sorted(locales.glob("*/LC_MESSAGES/*.po"))
    if not pos:
        raise ToolkitError(f"no catalogs under {locales}/<lang>/LC_MESSAGES/")
    for po in pos:  # one broken catalog stops the run before any .mo is written
        read_po(po)
    for po in pos:
        console.print(f"{compile_catalog(po, use_fuzzy=use_fuzzy)}")


@app.command()
def render(
    po: Path = typer.Argument(..., help="A translated catalog (.po)."),
    out: Path = typer.Option(..., "--out", help="Where to write the translated article."),
    source: Path = typer.Option(
        None, "--source", help="The source article [default: from the catalog's #: references]."
    ),
    include_fuzzy: bool = typer.Option(False, "--include-fuzzy", help="Use unreviewed MT too."),
) -> None:
    """Rebuild the translated article from a catalog, in the source's own layout and format."""
    from toolkit.fileio import atomic_write_text
    from toolkit.formats.document import read_document
    from toolkit.l10n.catalog import read_po, render_catalog, source_references

    catalog = read_po(po)
    if source is None:
        refs = [source_references(entry) for entry in catalog if entry.occurrences]
        if not refs:
            raise ToolkitError("the catalog has no #: source reference; pass --source", path=po)
        source = Path(refs[0][0][0])
    text, fallbacks = render_catalog(catalog, read_document(source), include_fuzzy=include_fuzzy)
    atomic_write_text(out, text)
    console.print(f"wrote {out} ({fallbacks} blocks left in the source language)")


@app.command()
def detect(file: Path = typer.Argument(..., help="A text, Markdown or HTML file.")) -> None:
    """Print the language of FILE and the detector's probability (langdetect, seeded)."""
    from toolkit.formats.document import read_document
    from toolkit.qa.checks import detect_article_language

    doc = read_document(file)
    found = detect_article_language("\n\n".join(b.text for b in doc.blocks))
    if found is None:
        raise ToolkitError("too little text to tell its language", path=file)
    console.print(f"{found.lang}\t{found.probability:.3f}")


def _catalog_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths or [Path("locales")]:
        if path.is_dir():
            out += sorted(path.glob("*/LC_MESSAGES/*.po")) or sorted(path.glob("**/*.po"))
        elif path.exists():
            out.append(path)
        else:
            raise ToolkitError("no such file or folder", path=path)
    if not out:
        raise ToolkitError("no .po catalogs found", path=paths[0] if paths else "locales")
    return out


@app.command()
def qa(
    paths: list[Path] = typer.Argument(None, help="PO files or locales folders [default: locales]."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable findings on stdout."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
) -> None:
    """Check catalogs for what MT gets wrong; exit 1 when there are errors."""
    import json

    from toolkit.qa.checks import check_catalog

    terms = _load_glossary(glossary)
    reports = [check_catalog(p, glossary=terms) for p in _catalog_paths(paths or [])]
    errors = sum(r.errors() for r in reports)
    warnings = sum(r.warnings() for r in reports)
    if as_json:
        data = [
            {
                "catalog": r.path,
                "lang": r.lang,
                "findings": [
                    {"line": e.line, "msgid": e.msgid, "msgctxt": e.msgctxt, "fuzzy": e.fuzzy,
                     "check": f.check_id, "severity": f.severity, "message": f.message}
                    for e in r.entries for f in e.findings
                ],
            }
            for r in reports
        ]
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for r in reports:
            table = Table(title=f"{r.path} ({r.lang}): {r.errors()} errors, {r.warnings()} warnings")
            for col in ("line", "check", "severity", "entry", "message"):
                table.add_column(col, overflow="fold")
            for e in r.entries:
                for f in e.findings:
                    style = "red" if f.severity == "error" else "yellow"
                    entry = e.msgid if len(e.msgid) <= 40 else e.msgid[:39] + "…"
                    severity = f"[{style}]{f.severity}[/]"
                    table.add_row(str(e.line or ""), f.check_id, severity, entry, f.message)
            console.print(table)
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command()
def report(
    targets: list[Path] = typer.Argument(..., help="A domain (e.g. article) or PO files."),
    out: Path = typer.Option(Path("review.html"), "-o", "--out", help="The HTML file to write."),
    locales: Path = typer.Option(Path("locales"), "--locales", help="Where a domain's catalogs are."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
) -> None:
    """Write one self-contained review page: source and translations side by side, with QA."""
    from toolkit.qa.checks import check_catalog
    from toolkit.qa.review_page import catalogs_for_domain, write_report

    if len(targets) == 1 and targets[0].suffix != ".po" and not targets[0].exists():
        pos = catalogs_for_domain(locales, str(targets[0]))
    else:
        pos = _catalog_paths(targets)
    terms = _load_glossary(glossary)
    findings = {}
    for po in pos:
        r = check_catalog(po, glossary=terms)
        for e in r.entries:
            if e.findings:
                findings[(r.lang, e.msgctxt, e.msgid)] = e.findings
    path = write_report(pos, out, glossary=terms, findings=findings)
    console.print(f"wrote {path} ({len(pos)} catalogs)")


@models_app.command("list")
def models_list() -> None:
    """Installed packages: pair, version, path, size."""
    from toolkit.mt.packages import installed_models, packages_dir

    models = installed_models()
    if not models:
        console.print(
            f"No models installed in {packages_dir()}. Try `toolkit models install en de`."
        )
        return
    table = Table()
    for col in ("pair", "version", "size", "path"):
        table.add_column(col)
    for m in models:
        table.add_row(m.pair, m.version, _size(m.size), str(m.path))
    console.print(table)


@models_app.command("available")
def models_available(
    from_code: str = typer.Option(None, "--from", help="Only packages from this language."),
) -> None:
    """Translation packages in the Argos package index (needs the network)."""
    from toolkit.mt.packages import available_models

    table = Table()
    for col in ("pair", "version", "name"):
        table.add_column(col)
    for m in available_models():
        if from_code and m.from_code != from_code:
            continue
        table.add_row(f"{m.from_code}-{m.to_code}", m.version, m.name)
    console.print(table)


@models_app.command("install")
def models_install(
    source: str = typer.Argument(..., help="Source language code, or a .argosmodel file."),
    targets: list[str] = typer.Argument(None, help="Target language codes (after a source code)."),
    force: bool = typer.Option(False, "--force", help="Reinstall pairs that are already installed."),
) -> None:
    """Install `en el ru de tr` from the Argos index, or a local FILE.argosmodel (offline).

    Pairs already installed are skipped (use --force to reinstall or upgrade).
    """
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from toolkit.mt import packages as models

    if not targets:
        if Path(source).suffix != ".argosmodel" and not Path(source).exists():
            raise ToolkitError("give a pair (`toolkit models install en el`) or a .argosmodel file")
        model = models.install_file(source)
        console.print(f"installed {model.pair} {model.version} at {model.path}")
        return
    have = {m.to_code for m in models.installed_models() if m.from_code == source}
    for target in targets:
        if target in have and not force:
            console.print(f"{source}-{target} is already installed (--force to reinstall)")
            continue
        with Progress(
            *Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(),
            console=err, transient=True, disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task(f"downloading {source}->{target}", total=None)
            model = models.install_from_index(
                source, target, progress=lambda done, total, task=task: bar.update(
                    task, completed=done, total=total or None
                )
            )
        console.print(f"installed {model.pair} {model.version} at {model.path}")


@models_app.command("remove")
def models_remove(
    source: str = typer.Argument(..., help="Source language code."),
    target: str = typer.Argument(..., help="Target language code."),
) -> None:
    """Uninstall the package for a pair."""
    from toolkit.mt.packages import remove

    model = remove(source, target)
    console.print(f"removed {model.pair} {model.version} ({model.path})")


@models_app.command("convert")
def models_convert(
    source: Path = typer.Argument(
        ..., help="A downloaded Hugging Face model folder (Marian/OPUS-MT, NLLB, M2M-100)."
    ),
    output: Path = typer.Argument(..., help="The CTranslate2 model folder to write."),
    quantization: str = typer.Option("int8", "--quantization", help="int8, int8_float32, float16..."),
    force: bool = typer.Option(False, "--force", help="Replace OUTPUT if it exists."),
) -> None:
    """Convert a model for the `ct2` engine (wraps ct2-transformers-converter; offline).

    Download the model once (e.g. `huggingface-cli download Helsinki-NLP/opus-mt-tc-big-en-tr
    --local-dir opus-mt-tc-big-en-tr`), convert it here, then use it with
    `--engine tr=ct2:OUTPUT` or in toolkit.toml. Needs transformers and torch (converting only).
    """
    from toolkit.mt.ct2 import convert_model, detect_family

    convert_model(source, output, quantization=quantization, force=force)
    console.print(f"converted {source} -> {output} ({detect_family(output)}, {quantization})")


@models_app.command("engines")
def models_engines(
    to: str = typer.Option(DEFAULT_LANGS, "--to", help="Comma-separated target language codes."),
    engine: list[str] = typer.Option(None, "--engine", metavar="SPEC", help=ENGINE_HELP),
) -> None:
    """Which engine each language would use (toolkit.toml, pyproject.toml, --engine)."""
    from toolkit.config import load_config

    config = load_config(engine or ())
    table = Table(title=f"engines ({config.source or 'no toolkit.toml: defaults'})")
    for col in ("lang", "engine"):
        table.add_column(col)
    for lang in _langs(to):
        table.add_row(lang, config.for_language(lang).describe())
    console.print(table)


def _glossary_path(path: Path | None) -> Path:
    for candidate in (path, Path("glossaries/defense.csv"), REPO_GLOSSARY):
        if candidate is not None and candidate.is_file():
            return candidate
    raise ToolkitError(f"no glossary file: {path or 'glossaries/defense.csv'}")


@glossary_app.command("lint")
def glossary_lint(
    path: Path = typer.Argument(None, help="Glossary file [default: glossaries/defense.csv]."),
) -> None:
    """Duplicates, conflicts, overlapping terms, missing languages, empty renderings."""
    from toolkit.terms.glossary import lint, load_glossary

    source = _glossary_path(path)
    issues = lint(load_glossary(source))
    for issue in issues:
        style = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{style}]{issue}[/]", highlight=False)
    errors = sum(issue.severity == "error" for issue in issues)
    console.print(f"{source}: {errors} errors, {len(issues) - errors} warnings")
    if errors:
        raise typer.Exit(1)


@glossary_app.command("check")
def glossary_check(
    translation: Path = typer.Argument(..., help="The translated article."),
    lang: str = typer.Option(..., "--lang", help="Language of the translation (el, ru, de, tr)."),
    source: Path = typer.Option(..., "--source", help="The English source article."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
) -> None:
    """Is every glossary term of SOURCE rendered as approved in TRANSLATION? (inflection-aware)"""
    from toolkit.formats.document import read_document
    from toolkit.terms.glossary import load_glossary
    from toolkit.terms.verify import check_translation

    terms = load_glossary(_glossary_path(glossary))
    src, out = read_document(source), read_document(translation)
    checks = check_translation(terms, src.source, out.source, lang)
    table = Table(title=f"{translation} ({lang}) against {source}")
    for col in ("term", "status", "expected", "found"):
        table.add_column(col)
    for check in checks:
        style = {"found": "green", "missing": "red", "forbidden": "red"}[check.status]
        table.add_row(
            check.term, f"[{style}]{check.status}[/]", check.expected, check.found or check.forbidden or ""
        )
    console.print(table)
    bad = [c for c in checks if c.status != "found"]
    console.print(f"{len(checks) - len(bad)} found, {len(bad)} missing or forbidden")
    if bad:
        raise typer.Exit(1)


@glossary_app.command("export")
def glossary_export(
    lang: str = typer.Option(..., "--lang", help="el, ru, de, tr, or all (CSV and TBX only)."),
    out: Path = typer.Option(..., "--out", "-o", help="File to write: .po, .csv or .tbx."),
    fmt: str = typer.Option(None, "--format", help="po, csv or tbx [default: from --out]."),
    status: str = typer.Option(None, "--status", help="Only proposed, approved or rejected renderings."),
    article: Path = typer.Option(None, "--article", help="Show the article sentences with each term."),
    bom: bool = typer.Option(False, "--bom", help="Start a CSV with a byte order mark (Excel)."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
) -> None:
    """Write the glossary for translators to review: PO, CSV (spreadsheets) or TBX-Basic (CAT tools)."""
    from toolkit.fileio import atomic_write_bytes
    from toolkit.formats.document import read_document
    from toolkit.terms.exchange import export_glossary
    from toolkit.terms.glossary import load_glossary

    data = export_glossary(
        load_glossary(_glossary_path(glossary)), fmt or out.suffix.lstrip(".").lower(), lang,
        status=status, article=read_document(article) if article else None, bom=bom,
    )
    atomic_write_bytes(out, data)
    console.print(f"wrote {out}", markup=False)


@glossary_app.command("import")
def glossary_import(
    path: Path = typer.Argument(..., help="A reviewed .po, .csv or .tbx export."),
    reviewer: str = typer.Option(None, "--reviewer", help="Who reviewed [default: from the file]."),
    add_new: bool = typer.Option(False, "--add-new", help="Add unknown terms as proposed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
) -> None:
    """Fold a translator's decisions (approvals, new renderings, rejections) into the glossary."""
    from toolkit.terms.exchange import diff_lines, import_glossary
    from toolkit.terms.glossary import load_glossary, write_glossary

    source = _glossary_path(glossary)
    result = import_glossary(load_glossary(source), path, reviewer=reviewer, add_new=add_new)
    for line in diff_lines(result):
        console.print(line, markup=False, highlight=False)  # '[el]' is not rich markup
    if not dry_run and (result.changes or result.added):
        write_glossary(result.glossary, source)


@glossary_app.command("extract")
def glossary_extract(
    article: Path = typer.Argument(..., help="Article (.txt, .md, .html)."),
    min_count: int = typer.Option(1, "--min-count", help="Only phrases seen at least this often."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
) -> None:
    """Terms of ARTICLE the glossary does not cover yet: acronyms, names, recurring phrases."""
    from rich.markup import escape

    from toolkit.formats.document import read_document
    from toolkit.terms.exchange import extract_terms
    from toolkit.terms.glossary import load_glossary

    doc = read_document(article)
    text = "\n\n".join(b.text for b in doc.blocks)  # the text, without Markdown/HTML around it
    table = Table()
    for col in ("count", "kind", "phrase", "first seen in"):
        table.add_column(col)
    for c in extract_terms(text, load_glossary(_glossary_path(glossary)), min_count=min_count):
        table.add_row(str(c.count), c.kind, escape(c.phrase), escape(c.first_context))
    console.print(table)


@glossary_app.command("stats")
def glossary_stats(
    blocking: bool = typer.Option(False, "--blocking", help="List the concepts not approved yet."),
    check: bool = typer.Option(False, "--check", help="Exit 1 unless every rendering is approved."),
    glossary: Path = typer.Option(None, "--glossary", help="Glossary [default: glossaries/defense.csv]."),
) -> None:
    """Review progress per language: proposed, approved, rejected, missing."""
    from toolkit.terms.exchange import blocking_terms
    from toolkit.terms.exchange import glossary_stats as stats_of
    from toolkit.terms.glossary import load_glossary

    terms = load_glossary(_glossary_path(glossary))
    table = Table()
    table.add_column("lang")
    for status in ("proposed", "approved", "rejected", "missing"):
        table.add_column(status, justify="right")
    for lang, counts in stats_of(terms).items():
        table.add_row(lang, *(str(n) for n in counts.values()))
    console.print(table)
    blockers = blocking_terms(terms)
    if blocking:
        for lang, ids in blockers.items():
            console.print(f"{lang}: {', '.join(ids) or '-'}", markup=False)
    if check and any(blockers.values()):
        raise typer.Exit(1)


@cache_app.command("info")
def cache_info() -> None:
    """Where the cache is and how many translations it holds."""
    cache = _open_cache()
    console.print(f"{cache.path}: {len(cache)} cached sentence translations")


@cache_app.command("clear")
def cache_clear() -> None:
    """Forget every cached translation (the next run calls the models again)."""
    cache = _open_cache()
    console.print(f"removed {cache.clear()} cached translations from {cache.path}")


def one_line(exc: Exception) -> str:
    """The error as one line: a line break quoted from a file (a Babel message, a CSV cell)
    must not split it."""
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def main() -> None:
    """Console-script entry point: run the app, turning ToolkitError into one line + exit 1."""
    try:
        app()
    except ToolkitError as exc:
        err.print(f"error: {one_line(exc)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
