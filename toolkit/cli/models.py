"""`toolkit models`: Argos packages (install, list, remove), CTranslate2 conversion, engines."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from toolkit.cli.options import DEFAULT_LANGS, EngineSpecs, Languages, parse_langs
from toolkit.cli.output import console, err
from toolkit.cli.tables import print_table
from toolkit.errors import ToolkitError

app = typer.Typer(
    help="Argos packages (install, list, remove), CTranslate2 conversion, engines per language.",
    no_args_is_help=True,
)


def _size(num: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if num < 1024 or unit == "GB":
            return f"{num:.0f} {unit}" if unit == "B" else f"{num:.1f} {unit}"
        num /= 1024
    return str(num)


@app.command("list")
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
        table.add_row(m.pair, f"{m.version} (test)" if m.test else m.version, _size(m.size), str(m.path))
    print_table(table)


@app.command("available")
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
    print_table(table)


@app.command("install")
def models_install(
    source: str = typer.Argument(..., help="Source language code, or a .argosmodel file."),
    targets: list[str] = typer.Argument(None, help="Target language codes (after a source code)."),
    force: bool = typer.Option(False, "--force", help="Reinstall pairs that are already installed."),
    upgrade: bool = typer.Option(
        False, "--upgrade", help="Install newer index versions of installed pairs (all of SOURCE's "
        "when no target is given)."
    ),
) -> None:
    """Install `en el ru de tr` from the Argos index, or a local FILE.argosmodel (offline).

    Pairs already installed are skipped unless --upgrade finds a newer version in the index or
    --force reinstalls; a test package (the toolkit's fixtures) is always replaced.
    """
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    from toolkit.mt import packages as models

    if not targets and upgrade and not Path(source).exists():
        targets = [m.to_code for m in models.installed_models() if m.from_code == source]
        if not targets:
            console.print(f"no {source}-* packages installed, nothing to upgrade")
            return
    if not targets:
        if Path(source).suffix != ".argosmodel" and not Path(source).exists():
            raise ToolkitError("give a pair (`toolkit models install en el`) or a .argosmodel file")
        model = models.install_file(source)
        console.print(f"installed {model.pair} {model.version} at {model.path}")
        return
    have = {m.to_code: m for m in models.installed_models() if m.from_code == source}
    for target in targets:
        old = have.get(target)
        newest = models.newest_in_index(source, target) if old and upgrade and not old.test else None
        if not models.needs_install(old, force=force, upgrade=upgrade,
                                    index_version=newest.version if newest else None):
            if upgrade:
                console.print(f"{old.pair} {old.version} is the newest version in the index")
            else:
                console.print(f"{old.pair} is already installed (--upgrade for a newer version, "
                              "--force to reinstall)")
            continue
        if old is not None and old.test:
            console.print(f"replacing the test package {old.pair} {old.version} with the index's")
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


@app.command("remove")
def models_remove(
    source: str = typer.Argument(..., help="Source language code."),
    target: str = typer.Argument(..., help="Target language code."),
) -> None:
    """Uninstall the package for a pair."""
    from toolkit.mt.packages import remove

    model = remove(source, target)
    console.print(f"removed {model.pair} {model.version} ({model.path})")


@app.command("convert")
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
    from toolkit.mt.convert import convert_model
    from toolkit.mt.ct2 import detect_family

    convert_model(source, output, quantization=quantization, force=force)
    console.print(f"converted {source} -> {output} ({detect_family(output)}, {quantization})")


@app.command("engines")
def models_engines(to: Languages = DEFAULT_LANGS, engine: EngineSpecs = None) -> None:
    """Which engine each language would use (toolkit.toml, pyproject.toml, --engine)."""
    from toolkit.config import load_config

    config = load_config(engine or ())
    table = Table(title=f"engines ({config.source or 'no toolkit.toml: defaults'})")
    for col in ("lang", "engine"):
        table.add_column(col)
    for lang in parse_langs(to):
        table.add_row(lang, config.for_language(lang).describe())
    print_table(table)
