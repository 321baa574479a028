"""`toolkit tm`: the translation memory (reviewed work of every catalog, plus imported TMX/PO).

Every command first brings the memory up to date with the catalogs of LOCALES (only changed
catalogs are re-read; `toolkit.l10n.memory`), and says on stderr which catalogs cannot be read.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from toolkit.cli.options import LocalesDir
from toolkit.cli.output import console, err
from toolkit.cli.tables import print_table
from toolkit.errors import ToolkitError
from toolkit.l10n.discover import DEFAULT_LOCALES

app = typer.Typer(
    help="The translation memory: every reviewed translation of the catalogs, plus imported "
    "TMX/PO files; `toolkit translate` reuses it.",
    no_args_is_help=True,
)

Lang = typer.Option(..., "--lang", help="Target language code (el, ru, ...).")


def _open(locales: Path):
    from toolkit.l10n.memory import open_memory  # lazily: sqlite3 and polib are not for --help

    if not locales.is_dir():
        raise ToolkitError("no such locales folder (translate an article first, or pass --locales)",
                           path=locales)
    memory = open_memory(locales)
    report = memory.last_refresh
    for error in report.errors if report else []:
        err.print(f"warning: {error}", markup=False, highlight=False, soft_wrap=True)
    return memory


@app.command("stats")
def tm_stats(locales: LocalesDir = DEFAULT_LOCALES) -> None:
    """Units per language and source (catalog or imported file): paragraphs and aligned sentences."""
    with _open(locales) as memory:
        stats = memory.stats()
    if not stats.rows:
        console.print(f"{locales}: the memory is empty (no reviewed translations yet)")
        return
    table = Table(title=f"translation memory of {locales}: {stats.units} units")
    for col in ("lang", "source", "name", "paragraphs", "sentences"):
        table.add_column(col, justify="right" if col in ("paragraphs", "sentences") else "left")
    for row in sorted(stats.rows, key=lambda r: (r.lang, r.origin.value, r.name)):
        table.add_row(row.lang, row.origin.value, row.name, str(row.paragraphs), str(row.sentences))
    print_table(table)


@app.command("search")
def tm_search(
    text: str = typer.Argument(..., help="An English word or phrase (whole words, any case)."),
    lang: str = Lang,
    limit: int = typer.Option(20, "--limit", min=1, help="Show at most this many units."),
    locales: LocalesDir = DEFAULT_LOCALES,
) -> None:
    """Concordance: how TEXT was translated before, and where (domain:line or file:line)."""
    from toolkit.formats.po import check_lang

    check_lang(lang)
    with _open(locales) as memory:
        matches = memory.search(text, lang, limit=limit)
    if not matches:
        console.print(f"no {lang} translation of English with '{text}' in the memory", highlight=False)
        return
    table = Table(title=f"'{text}' -> {lang}: {len(matches)} units", show_lines=True)
    for col in ("where", "English", "translation"):
        table.add_column(col, overflow="fold")
    for m in matches:
        table.add_row(m.where, m.source, m.target)
    print_table(table)


@app.command("import")
def tm_import(
    file: Path = typer.Argument(..., help="A TMX 1.4b file, or a PO file (Trados, memoQ, OmegaT, Weblate)."),
    lang: str = typer.Option(None, "--lang", help="The PO file's language, if it has no Language header."),
    locales: LocalesDir = DEFAULT_LOCALES,
) -> None:
    """Import translation units; importing a file of the same name again replaces its units.
    All or nothing: a bad file is one error line and the memory is unchanged."""
    locales.mkdir(parents=True, exist_ok=True)
    with _open(locales) as memory:
        count = memory.import_file(file, lang)
    console.print(f"imported {count} units from {file}", highlight=False)


@app.command("export")
def tm_export(
    out: Path = typer.Option(..., "-o", "--out", help="The TMX file to write."),
    lang: str = typer.Option(..., "--lang", help="A language code, or 'all'."),
    sentences: bool = typer.Option(False, "--sentences", help="Add the aligned sentence pairs."),
    locales: LocalesDir = DEFAULT_LOCALES,
) -> None:
    """Write the memory as TMX 1.4b (one language or all), for other CAT tools."""
    from toolkit.formats.po import check_lang

    wanted = None if lang == "all" else check_lang(lang)
    with _open(locales) as memory:
        count = memory.export_tmx(out, wanted, sentences=sentences)
    console.print(f"wrote {count} units to {out}", highlight=False)
