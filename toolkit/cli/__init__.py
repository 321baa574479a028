"""`toolkit`: the command line, a thin shell over the library (see `toolkit.cli.app`).

One module per command group: `translate`, `catalogs` (compile, render, qa, report, detect),
`models`, `glossary`, `cache`, `eval`; `options` declares the options they share.
"""

from __future__ import annotations

from toolkit.cli.app import main

__all__ = ["main"]
