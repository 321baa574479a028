"""Compiling a catalog into the binary ``.mo`` gettext and the website load at run time.

Only reviewed translations are compiled by default: fuzzy entries (every machine draft is fuzzy)
stay out of the website unless asked for.
"""

from __future__ import annotations

from pathlib import Path

import polib

from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_bytes
from toolkit.formats.po import read_po


def compile_catalog(
    po_path: str | Path, mo_path: str | Path | None = None, *, use_fuzzy: bool = False
) -> Path:
    """Compile a .po into a .mo (beside it by default). Fuzzy entries are left out unless
    `use_fuzzy`: by default the website only ever shows reviewed translations."""
    po_path = Path(po_path)
    target = Path(mo_path) if mo_path is not None else po_path.with_suffix(".mo")
    po = read_po(po_path)
    mo = polib.POFile(encoding="utf-8")
    mo.metadata = {**po.metadata, "Content-Type": "text/plain; charset=UTF-8"}
    for e in po:
        if e.obsolete or (e.fuzzy and not use_fuzzy):
            continue
        if not (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr):
            continue
        mo.append(
            polib.POEntry(
                msgctxt=e.msgctxt,
                msgid=e.msgid,
                msgstr=e.msgstr,
                msgid_plural=e.msgid_plural,
                msgstr_plural=dict(e.msgstr_plural),
            )
        )
    try:
        atomic_write_bytes(target, mo.to_binary())
    except OSError as e:
        raise ToolkitError(f"cannot write compiled catalog: {e.strerror or e}", path=target) from None
    return target
