"""The `toolkit` typer app: its commands and groups, --version, and how errors leave.

Commands parse options, call one library function, and print. Errors from the library arrive as
`ToolkitError` and leave as one line on stderr with exit status 1. Heavy modules (ctranslate2,
argostranslate) are imported inside commands so `toolkit --help` starts fast.
"""

from __future__ import annotations

import inspect
import sys
import warnings

import typer

from toolkit import __version__
from toolkit.cli import cache, catalogs, glossary, models, tm
from toolkit.cli.eval import evaluate
from toolkit.cli.output import console, err
from toolkit.cli.translate import translate
from toolkit.errors import ToolkitError, ToolkitWarning

app = typer.Typer(
    help="Offline translation and localization for newsrooms: English articles into Greek, "
    "Russian, German and Turkish with Argos Translate models, on your own machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(models.app, name="models")
app.add_typer(glossary.app, name="glossary")
app.add_typer(cache.app, name="cache")
app.add_typer(tm.app, name="tm")

app.command()(translate)
# The same function under its old name, so the two cannot drift; `translate` takes several
# articles, folders and glob patterns too.
app.command(
    "translate-batch",
    help=f"The same as `toolkit translate` (kept for scripts).\n\n{inspect.getdoc(translate)}",
    short_help="Translate many articles in one process: one model load and one model call per "
    "language.",
)(translate)
app.command("compile")(catalogs.compile_)
app.command()(catalogs.render)
app.command()(catalogs.detect)
app.command()(catalogs.qa)
app.command()(catalogs.report)
app.command("eval")(evaluate)


def _reflow(doc: str | None) -> str | None:
    """A docstring's paragraphs as single lines, so rich wraps them to the terminal (it keeps
    the source's line breaks, which gave half-empty lines at 80 columns). Paragraphs with
    indented or bulleted lines keep their layout."""
    if not doc:
        return doc
    paragraphs = []
    for paragraph in inspect.cleandoc(doc).split("\n\n"):
        lines = paragraph.split("\n")
        if any(line.startswith((" ", "-", "*", "\b")) for line in lines):
            paragraphs.append(paragraph)
        else:
            paragraphs.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(paragraphs)


def _reflow_help(typer_app: typer.Typer) -> None:
    for info in typer_app.registered_commands:
        info.help = _reflow(info.help or inspect.getdoc(info.callback))
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _reflow_help(group.typer_instance)


_reflow_help(app)


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


def one_line(exc: Exception) -> str:
    """The error as one line: a line break quoted from a file (a Babel message, a CSV cell)
    must not split it."""
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """The library's ToolkitWarnings as `warning: ...` lines; other warnings as Python shows them."""
    if issubclass(category, ToolkitWarning):
        err.print(f"warning: {message}", markup=False, highlight=False, soft_wrap=True)
    else:
        _python_show_warning(message, category, filename, lineno, file, line)


_python_show_warning = warnings.showwarning


def main() -> None:
    """Console-script entry point: run the app, turning ToolkitError into one line + exit 1."""
    warnings.simplefilter("always", ToolkitWarning)  # every occurrence is one line, none hidden
    warnings.showwarning = _show_warning
    try:
        app()
    except ToolkitError as exc:
        err.print(f"error: {one_line(exc)}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as exc:
        if exc.code == 130 and _caused_by_ctrl_c(exc):  # typer's silent Exit(130) for a Ctrl-C
            _interrupted()
        raise


def _interrupted() -> None:
    err.print("interrupted", markup=False, highlight=False)
    sys.exit(130)


def _caused_by_ctrl_c(exc: BaseException) -> bool:
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False
