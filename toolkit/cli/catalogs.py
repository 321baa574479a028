"""Commands over the catalogs a translation wrote: compile, render, qa, report; and detect."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from toolkit.cli.options import GlossaryPath, LocalesDir, glossary_line
from toolkit.cli.output import console
from toolkit.cli.tables import print_table
from toolkit.errors import ToolkitError
from toolkit.l10n.discover import DEFAULT_LOCALES


def compile_(
    locales: LocalesDir = DEFAULT_LOCALES,
    include_fuzzy: bool = typer.Option(
        False, "--include-fuzzy", help="Include fuzzy (unreviewed) entries, as `render` does."
    ),
    use_fuzzy: bool = typer.Option(False, "--use-fuzzy", hidden=True),  # old name, kept for scripts
) -> None:
    """Compile every .po under LOCALES to .mo for the website (fuzzy entries left out)."""
    from toolkit.l10n.publish import compile_locales

    for mo in compile_locales(locales, use_fuzzy=include_fuzzy or use_fuzzy):
        console.print(f"{mo}")


def render(
    po: Path = typer.Argument(..., help="A translated catalog (.po)."),
    out: Path = typer.Option(..., "-o", "--out", help="Where to write the translated article."),
    source: Path = typer.Option(
        None, "--source", help="The source article \\[default: from the catalog's #: references]."
    ),
    include_fuzzy: bool = typer.Option(False, "--include-fuzzy", help="Use unreviewed MT too."),
    force: bool = typer.Option(
        False, "--force", help="Write the page even if a msgstr breaks its markup (QA check markup)."
    ),
) -> None:
    """Rebuild the translated article from a catalog, in the source's own layout and format.

    Refused when a msgstr drops, breaks or adds markup (the entry's line is named) unless --force."""
    from toolkit.fileio import atomic_write_text
    from toolkit.formats.document import read_document
    from toolkit.formats.po import read_po
    from toolkit.l10n.discover import catalog_source
    from toolkit.l10n.render import markup_errors, render_catalog

    if out.is_dir():
        raise ToolkitError("is a folder: --out names the file to write", path=out)
    catalog = read_po(po)
    if source is None:
        source = catalog_source(catalog, po)
    if out.resolve() == source.resolve():
        raise ToolkitError("--out is the source article itself: choose another file", path=out)
    doc = read_document(source)
    broken = markup_errors(catalog, doc, include_fuzzy=include_fuzzy)
    if broken and not force:
        first = broken[0]
        more = f" (and {len(broken) - 1} more)" if len(broken) > 1 else ""
        raise ToolkitError(
            f"markup error in the msgstr: {first.problem}{more}; fix it or pass --force",
            path=po, line=first.line,
        )
    text, fallbacks = render_catalog(catalog, doc, include_fuzzy=include_fuzzy)
    atomic_write_text(out, text)
    console.print(f"wrote {out} ({fallbacks} blocks left in the source language)")


def detect(file: Path = typer.Argument(..., help="A text, Markdown or HTML file.")) -> None:
    """Print the language of FILE and the detector's probability (langdetect, seeded)."""
    from toolkit.formats.document import read_document
    from toolkit.qa.langid import detect_language

    doc = read_document(file)
    found = detect_language("\n\n".join(b.text for b in doc.blocks))
    if found is None:
        raise ToolkitError("too little text to tell its language", path=file)
    console.print(f"{found.lang}\t{found.probability:.3f}")


def qa(
    paths: list[Path] = typer.Argument(None, help="PO files or locales folders \\[default: locales]."),
    glossary: GlossaryPath = None,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable findings on stdout."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
) -> None:
    """Check catalogs for what MT gets wrong; exit 1 when there are errors."""
    from rich.markup import escape

    from toolkit.l10n.discover import catalog_paths
    from toolkit.qa.catalog_report import check_catalog, reports_json
    from toolkit.terms.default import load_enforced_glossary  # lazily: not for --help


    terms = load_enforced_glossary(glossary)
    reports = [check_catalog(p, glossary=terms) for p in catalog_paths(paths or [])]
    errors = sum(r.errors() for r in reports)
    warnings = sum(r.warnings() for r in reports)
    if as_json:
        print(reports_json(reports))
    else:
        console.print(glossary_line(terms), markup=False, highlight=False, soft_wrap=True)
        for r in reports:
            table = Table(title=f"{r.path} ({r.lang}): {r.errors()} errors, {r.warnings()} warnings")
            for col in ("line", "article", "check", "severity", "entry", "message"):
                table.add_column(col, overflow="fold")
            for e in r.entries:
                for f in e.findings:
                    style = "red" if f.severity == "error" else "yellow"
                    entry = escape(e.msgid)  # whole: the table folds or wraps it, never cuts it
                    severity = f"[{style}]{f.severity}[/]"
                    table.add_row(str(e.line or ""), e.source, f.check_id, severity, entry, f.message)
            print_table(table)
    if errors or (strict and warnings):
        raise typer.Exit(1)


def report(
    targets: list[Path] = typer.Argument(..., help="A domain (e.g. article) or PO files."),
    out: Path = typer.Option(Path("review.html"), "-o", "--out", help="The HTML file to write."),
    locales: LocalesDir = DEFAULT_LOCALES,
    glossary: GlossaryPath = None,
) -> None:
    """Write one self-contained review page: source and translations side by side, with QA."""
    from toolkit.l10n.discover import catalog_paths
    from toolkit.qa.catalog_report import check_catalog
    from toolkit.qa.review_page import catalogs_for_domain, write_report

    if len(targets) == 1 and targets[0].suffix != ".po" and not targets[0].exists():
        pos = catalogs_for_domain(locales, str(targets[0]))
    else:
        pos = catalog_paths(targets)
    from toolkit.terms.default import load_enforced_glossary  # lazily: not for --help

    terms = load_enforced_glossary(glossary)
    findings = {}
    for po in pos:
        r = check_catalog(po, glossary=terms)
        for e in r.entries:
            if e.findings:
                findings[(r.lang, e.msgctxt, e.msgid)] = e.findings
    path = write_report(pos, out, glossary=terms, findings=findings)
    console.print(f"wrote {path} ({len(pos)} catalogs)")
