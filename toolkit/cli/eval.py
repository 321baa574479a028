"""`toolkit eval`: which engine for which language, from translators' post-edits or a reference.

Post-edit mode (``toolkit eval [LOCALES]``) scores the reviewed entries of a locales folder
against the machine drafts they were made from (`toolkit.eval.postedit`); reference mode
(``--source``, ``--ref``, ``--engine``) translates a file's lines with each engine given and
scores each against a reference translation (`toolkit.eval.reference`). Both print the same kind
of table (or ``--json``), and ``--html`` writes the figures as bar charts (`toolkit.eval.charts`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from toolkit.cli.options import GlossaryPath, NoGlossary
from toolkit.cli.output import console, err
from toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from toolkit.eval.reference import ReferenceReport
    from toolkit.terms.glossary import Glossary


def evaluate(
    locales: Path = typer.Argument(
        None, help="Post-edit mode: the folder of reviewed catalogs \\[default: locales]."
    ),
    source: Path = typer.Option(
        None, "--source", help="Reference mode: the source text, one segment per line (eng_Latn.devtest)."
    ),
    ref: Path = typer.Option(
        None, "--ref", help="Reference mode: the reference translation, line by line with --source."
    ),
    engine: list[str] = typer.Option(
        None, "--engine", metavar="[LANG=]SPEC",
        help="Reference mode: an engine to compare (argos, ct2:MODEL_DIR, libretranslate:URL); repeatable.",
    ),
    lang: str = typer.Option(
        None, "--lang",
        help="Reference mode: the reference's language \\[default: from its file name, as in ref.tr.txt].",
    ),
    since: str = typer.Option(
        None, "--since", metavar="DATE",
        help="Post-edit mode: only entries whose draft was written on or after DATE (YYYY-MM-DD).",
    ),
    as_json: bool = typer.Option(False, "--json", help="The figures as JSON on stdout."),
    html: Path = typer.Option(None, "--html", metavar="FILE", help="Also write the figures as bar charts."),
    glossary: GlossaryPath = None,
    no_glossary: NoGlossary = False,
    comet_model: Path = typer.Option(
        None, "--comet-model", metavar="DIR", help="A local COMET model folder (needs unbabel-comet)."
    ),
) -> None:
    """Score engines per language: how much translators changed their drafts, or against a reference.

    `toolkit eval` pairs every reviewed entry under LOCALES with the machine draft it was made from
    (kept by `toolkit translate` in LOCALES/.toolkit/drafts.sqlite3) and reports per language and
    engine: entries reviewed, accepted unchanged, chrF++, HTER, BLEU, glossary terms in drafts and
    finals, QA findings per 100 drafts.

    `toolkit eval --source src.en.txt --ref ref.tr.txt --engine tr=argos --engine tr=ct2:DIR`
    translates the source lines with each engine and scores them side by side against the
    reference (chrF++, BLEU, TER, terms, seconds per sentence).
    """
    from toolkit.eval.charts import write_eval_page
    from toolkit.eval.figures import format_report
    from toolkit.terms.default import NO_GLOSSARY_HINT, load_enforced_glossary

    reference_mode = _check_mode(locales, source, ref, engine, lang, since)
    terms = None if no_glossary else load_enforced_glossary(glossary)
    if reference_mode:
        report = _reference(source, ref, engine or [], lang, terms, comet_model)
    else:
        from toolkit.eval.postedit import evaluate_postedit
        from toolkit.l10n.discover import DEFAULT_LOCALES

        report = evaluate_postedit(locales or DEFAULT_LOCALES, glossary=terms, since=since,
                                   comet_model=comet_model)
    if terms is None and not no_glossary:  # a note, not a warning: bad input stays one line
        report.notes.append(f"no glossary here ({NO_GLOSSARY_HINT}): no term accuracy")
    if as_json:
        print(report.to_json(), end="")
    else:
        console.print(format_report(report), end="", markup=False, highlight=False, soft_wrap=True)
    if html is not None:
        path = write_eval_page(html, report)
        (err if as_json else console).print(f"wrote {path}", highlight=False)


def _check_mode(locales: Path | None, source: Path | None, ref: Path | None, engine: list[str] | None,
                lang: str | None, since: str | None) -> bool:
    """Whether the options ask for reference mode; options of the other mode are an error."""
    if source is None and ref is None:
        if engine or lang:
            raise ToolkitError("--engine and --lang are for reference mode: give --source and --ref too")
        return False
    if source is None or ref is None:
        raise ToolkitError("reference mode needs both --source (the text) and --ref (its translation)")
    if locales is not None:
        raise ToolkitError(f"{locales}: a locales folder is for post-edit mode, not with --source and --ref")
    if since is not None:
        raise ToolkitError("--since is for post-edit mode (drafts written since a date), not with --source")
    return True


def _reference(source: Path, ref: Path, engines: list[str], lang: str | None, glossary: Glossary | None,
               comet_model: Path | None) -> ReferenceReport:
    """Reference mode: the language (from --lang or the file name), its engines, the scores."""
    from toolkit.eval.reference import engine_specs, evaluate_reference, target_language

    target = target_language(ref, lang)
    specs = engine_specs(engines, target)

    def progress(name: str) -> None:
        if err.is_terminal:  # not even a line in logs and pipes
            err.print(f"translating with {name}", highlight=False)

    return evaluate_reference(source, ref, target, specs, glossary=glossary, comet_model=comet_model,
                              progress=progress)
