"""The articles a run translates: finding them (files, folders, glob patterns) and checking that
they are in the language the models translate from.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.formats.document import FORMATS, Document, detect_format


def _is_article(path: Path) -> bool:
    """A file whose extension names a format `read_document` reads (.txt, .md, .html ...)."""
    try:
        detect_format(path)
    except ToolkitError:
        return False
    return path.is_file()


def discover_articles(sources: Sequence[str | Path]) -> list[Path]:
    """The article files named by `sources`, in order: each one a file, a folder (its articles,
    sorted; not recursive) or a glob pattern such as ``'articles/*.md'`` (its matches, sorted).

    A name that is neither a folder nor a pattern is taken as a file, so a missing or unreadable
    one fails when it is read, naming it. A pattern that matches nothing is an error, and so is
    finding no article at all.
    """
    paths: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            paths += sorted(p for p in path.iterdir() if _is_article(p))
        elif path.is_file() or glob.escape(str(source)) == str(source):  # not a pattern
            paths.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(str(source)))
            if not matches:
                raise ToolkitError(f"no articles match {str(source)!r}")
            paths += matches
    if not paths:
        raise ToolkitError(f"no articles ({', '.join(FORMATS)}) in {', '.join(map(str, sources))}")
    return paths


def require_english(doc: Document) -> None:
    """Refuse an article that is confidently not English (the models translate from English)."""
    from toolkit.qa.langid import detect_language

    found = detect_language("\n\n".join(b.text for b in doc.blocks))
    if found is not None and found.lang != "en" and found.probability >= 0.9:
        raise ToolkitError(
            f"this article looks like '{found.lang}' (p={found.probability:.2f}), not English; "
            f"pass --from {found.lang} if you have models from that language",
            path=doc.path,
        )
