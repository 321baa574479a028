"""Publishing a locales folder for the website: every catalog compiled to .mo, or none.

One broken catalog stops the run before any .mo is written, so the site never gets a mix of
fresh and stale translations.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.l10n.discover import locale_catalogs


def compile_locales(locales_dir: str | Path, *, use_fuzzy: bool = False) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` under `locales_dir`; the .mo paths written.

    Fuzzy (unreviewed) entries are left out unless `use_fuzzy`. Every catalog is read and
    checked first: one that does not parse raises before anything is written.
    """
    from toolkit.formats.po import read_po
    from toolkit.l10n.compile import compile_catalog

    pos = locale_catalogs(locales_dir)
    for po in pos:  # one broken catalog stops the run before any .mo is written
        read_po(po)
    return [compile_catalog(po, use_fuzzy=use_fuzzy) for po in pos]
