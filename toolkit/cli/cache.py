"""`toolkit cache`: the persistent translation cache."""

from __future__ import annotations

import typer

from toolkit.cli.output import console

app = typer.Typer(help="The persistent translation cache.", no_args_is_help=True)


@app.command("info")
def cache_info() -> None:
    """Where the cache is and how many translations it holds."""
    from toolkit.mt.cache import open_cache  # lazily: sqlite3 is not needed for --help

    cache = open_cache()
    console.print(f"{cache.path}: {len(cache)} cached sentence translations")


@app.command("clear")
def cache_clear() -> None:
    """Forget every cached translation (the next run calls the models again)."""
    from toolkit.mt.cache import clear_cache  # deletes the file: a damaged cache is cleared too

    path, count = clear_cache()
    console.print(f"removed {count} cached translations from {path}" if count is not None
                  else f"removed the damaged translation cache {path}")
