"""`toolkit glossary`: create (init) and lint the terminology glossary, check translations against
it, and the translators' review loop (export, import, stats, extract)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from toolkit.cli.options import GlossaryPath
from toolkit.cli.output import console
from toolkit.cli.tables import print_table
from toolkit.errors import ToolkitError

app = typer.Typer(
    help="The terminology glossary: create it, lint it, check translations against it.",
    no_args_is_help=True,
)


@app.command("init")
def glossary_init(
    folder: Path = typer.Argument(Path("."), help="Project folder: writes FOLDER/glossaries/defense.csv."),
    force: bool = typer.Option(False, "--force", help="Replace a glossary that is already there."),
) -> None:
    """Copy the defense glossary shipped with the toolkit to ./glossaries/defense.csv, to edit.

    Commands look for the glossary in this order: --glossary FILE, `glossary = "FILE"` in
    toolkit.toml, then ./glossaries/defense.csv; never in the install folder.
    """
    from toolkit.terms.default import init_glossary

    console.print(f"wrote {init_glossary(folder, force=force)}", markup=False)


def _source(path: Path | None, glossary: Path | None) -> Path:
    """The glossary a command works on: PATH or --glossary (not two different ones), else the
    default lookup (`toolkit.terms.default.default_glossary_path`)."""
    from toolkit.terms.default import default_glossary_path

    if path and glossary and path != glossary:
        raise ToolkitError("give the glossary once: as PATH or as --glossary")
    return default_glossary_path(path or glossary)


@app.command("lint")
def glossary_lint(
    path: Path = typer.Argument(
        None, help="Glossary file \\[default: toolkit.toml's glossary, else glossaries/defense.csv]."
    ),
    glossary: GlossaryPath = None,  # the name every other command uses for it
) -> None:
    """Duplicates, conflicts, overlapping terms, missing languages, empty renderings."""
    from toolkit.terms.glossary import load_glossary
    from toolkit.terms.lint import cached_lint

    source = _source(path, glossary)
    issues = cached_lint(load_glossary(source))
    for issue in issues:
        style = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{style}]{issue}[/]", highlight=False)
    errors = sum(issue.severity == "error" for issue in issues)
    console.print(f"{source}: {errors} errors, {len(issues) - errors} warnings")
    if errors:
        raise typer.Exit(1)


@app.command("check")
def glossary_check(
    translation: Path = typer.Argument(..., help="The translated article."),
    lang: str = typer.Option(..., "--lang", help="Language of the translation (el, ru, de, tr)."),
    source: Path = typer.Option(..., "--source", help="The English source article."),
    glossary: GlossaryPath = None,
) -> None:
    """Is every glossary term of SOURCE rendered as approved in TRANSLATION? (inflection-aware)"""
    from toolkit.formats.document import read_document
    from toolkit.terms.default import load_default_glossary
    from toolkit.terms.verify import check_translation

    terms = load_default_glossary(glossary)
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
    print_table(table)
    bad = [c for c in checks if c.status != "found"]
    console.print(f"{len(checks) - len(bad)} found, {len(bad)} missing or forbidden")
    if bad:
        raise typer.Exit(1)


@app.command("export")
def glossary_export(
    lang: str = typer.Option(..., "--lang", help="el, ru, de, tr, or all (CSV and TBX only)."),
    out: Path = typer.Option(..., "-o", "--out", help="File to write: .po, .csv or .tbx."),
    fmt: str = typer.Option(None, "--format", help="po, csv or tbx \\[default: from --out]."),
    status: str = typer.Option(None, "--status", help="Only proposed, approved or rejected renderings."),
    article: Path = typer.Option(None, "--article", help="Show the article sentences with each term."),
    bom: bool = typer.Option(False, "--bom", help="Start a CSV with a byte order mark (Excel)."),
    glossary: GlossaryPath = None,
) -> None:
    """Write the glossary for translators to review: PO, CSV (spreadsheets) or TBX-Basic (CAT tools)."""
    from toolkit.fileio import atomic_write_bytes
    from toolkit.formats.document import read_document
    from toolkit.terms.default import load_default_glossary
    from toolkit.terms.exchange import export_glossary

    data = export_glossary(
        load_default_glossary(glossary), fmt or out.suffix.lstrip(".").lower(), lang,
        status=status, article=read_document(article) if article else None, bom=bom,
    )
    atomic_write_bytes(out, data)
    console.print(f"wrote {out}", markup=False)


@app.command("import")
def glossary_import(
    path: Path = typer.Argument(..., help="A reviewed .po, .csv or .tbx export."),
    reviewer: str = typer.Option(None, "--reviewer", help="Who reviewed \\[default: from the file]."),
    add_new: bool = typer.Option(False, "--add-new", help="Add unknown terms as proposed."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would change; write nothing."),
    glossary: GlossaryPath = None,
) -> None:
    """Fold a translator's decisions (approvals, new renderings, rejections) into the glossary."""
    from toolkit.terms.default import default_glossary_path
    from toolkit.terms.exchange import diff_lines, import_glossary
    from toolkit.terms.glossary import load_glossary, write_glossary

    source = default_glossary_path(glossary)
    result = import_glossary(load_glossary(source), path, reviewer=reviewer, add_new=add_new)
    for line in diff_lines(result):
        console.print(line, markup=False, highlight=False)  # '[el]' is not rich markup
    if not dry_run and (result.changes or result.added):
        write_glossary(result.glossary, source)


@app.command("extract")
def glossary_extract(
    article: Path = typer.Argument(..., help="Article (.txt, .md, .html)."),
    min_count: int = typer.Option(1, "--min-count", help="Only phrases seen at least this often."),
    glossary: GlossaryPath = None,
) -> None:
    """Terms of ARTICLE the glossary does not cover yet: acronyms, names, recurring phrases."""
    from rich.markup import escape

    from toolkit.formats.document import read_document
    from toolkit.terms.default import load_default_glossary
    from toolkit.terms.extract import extract_terms

    doc = read_document(article)
    text = "\n\n".join(b.text for b in doc.blocks)  # the text, without Markdown/HTML around it
    table = Table()
    for col in ("count", "kind", "phrase", "first seen in"):
        table.add_column(col)
    for c in extract_terms(text, load_default_glossary(glossary), min_count=min_count):
        table.add_row(str(c.count), c.kind, escape(c.phrase), escape(c.first_context))
    print_table(table)


@app.command("stats")
def glossary_stats(
    blocking: bool = typer.Option(
        False, "--blocking", help="List the concepts not approved yet; exit 1 if there are any."
    ),
    check: bool = typer.Option(False, "--check", help="Exit 1 unless every rendering is approved."),
    glossary: GlossaryPath = None,
) -> None:
    """Review progress per language: proposed, approved, rejected, missing."""
    from toolkit.terms.default import load_default_glossary
    from toolkit.terms.stats import blocking_terms
    from toolkit.terms.stats import glossary_stats as stats_of

    terms = load_default_glossary(glossary)
    table = Table()
    table.add_column("lang")
    for status in ("proposed", "approved", "rejected", "missing"):
        table.add_column(status, justify="right")
    for lang, counts in stats_of(terms).items():
        table.add_row(lang, *(str(n) for n in counts.values()))
    print_table(table)
    blockers = blocking_terms(terms)
    if blocking:
        for lang, ids in blockers.items():
            console.print(f"{lang}: {', '.join(ids) or '-'}", markup=False)
    if (check or blocking) and any(blockers.values()):
        raise typer.Exit(1)


@app.command("propose-forms")
def glossary_propose_forms(
    path: Path = typer.Argument(
        None, help="Glossary file \\[default: toolkit.toml's glossary, else glossaries/defense.csv]."
    ),
    lang: str = typer.Option("tr,ru", "--lang", help="Comma-separated languages to generate forms for."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the proposals; write nothing."),
    glossary: GlossaryPath = None,
) -> None:
    """Fill EMPTY xx_forms with generated forms (Turkish apostrophe suffixes, Russian cases), to review.

    Forms a person wrote are never replaced and xx_status is left as it is: the generated forms
    are proposals, reviewed like any rendering.
    """
    from rich.markup import escape

    from toolkit.terms.glossary import load_glossary, write_glossary
    from toolkit.terms.inflect import propose_forms

    source = _source(path, glossary)
    langs = [code.strip() for code in lang.split(",") if code.strip()]
    if not langs:
        raise ToolkitError("--lang needs at least one language code, e.g. --lang tr,ru")
    terms = load_glossary(source)
    proposals = propose_forms(terms, langs)
    table = Table(title="Proposed forms (generated: review them like any rendering)")
    for col in ("concept", "lang", "forms"):
        table.add_column(col)
    for proposal in proposals:
        table.add_row(escape(proposal.concept_id), proposal.lang, escape(" | ".join(proposal.forms)))
    print_table(table)
    if dry_run or not proposals:
        console.print(f"{len(proposals)} renderings with proposed forms; nothing written", markup=False)
        return
    write_glossary(terms, source)
    console.print(f"wrote {source}: {len(proposals)} renderings with proposed forms to review", markup=False)
