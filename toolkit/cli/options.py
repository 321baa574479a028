"""Options several commands share, declared once so their names, defaults and help cannot drift.

Each is a type alias for a parameter annotation (``glossary: GlossaryPath = None``); the default
stays in the command's signature, where typer shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.errors import ToolkitError

DEFAULT_LANGS = "el,ru,de,tr"

ENGINE_HELP = (
    "Engine for every language (argos, ct2:MODEL_DIR, libretranslate:URL) or for one (LANG=SPEC); "
    "repeatable; overrides toolkit.toml."
)

# `\[` keeps rich from taking "[default: ...]" for markup and dropping it from --help.
GlossaryPath = Annotated[
    Path | None,
    typer.Option(
        "--glossary", help="Glossary file \\[default: toolkit.toml's glossary, else glossaries/defense.csv]."
    ),
]
NoGlossary = Annotated[bool, typer.Option("--no-glossary", help="Translate without a glossary.")]
Languages = Annotated[str, typer.Option("--to", help="Comma-separated target language codes.")]
LocalesDir = Annotated[
    Path, typer.Option("--locales", help="Folder of the gettext catalogs: <lang>/LC_MESSAGES/*.po.")
]
EngineSpecs = Annotated[list[str] | None, typer.Option("--engine", metavar="SPEC", help=ENGINE_HELP)]
BeamSize = Annotated[int, typer.Option("--beam", min=1, help="Beam size (n-best width).")]
DeviceName = Annotated[str | None, typer.Option(
    "--device", metavar="auto|cpu|cuda", show_default=False,
    help="Where CTranslate2 engines run: cuda when a GPU is there with auto "
    "\\[default: the engine's device key, else ARGOS_DEVICE_TYPE, else auto].",
)]


def parse_langs(value: str) -> list[str]:
    """The codes of a ``--to`` value (``el,ru,de,tr``); at least one."""
    langs = [code.strip() for code in value.split(",") if code.strip()]
    if not langs:
        raise ToolkitError("--to needs at least one language code, e.g. --to el,ru,de,tr")
    return langs


def glossary_line(glossary) -> str:
    """'glossary: PATH', or 'glossary: none' with how to get one."""
    from toolkit.terms.default import NO_GLOSSARY_HINT

    return f"glossary: {glossary.path}" if glossary else f"glossary: none ({NO_GLOSSARY_HINT})"
