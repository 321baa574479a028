"""Where commands print: results on stdout, progress bars, warnings and errors on stderr."""

from __future__ import annotations

from rich.console import Console

console = Console()
err = Console(stderr=True)
