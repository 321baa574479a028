"""Plain-text articles: paragraphs separated by blank (or whitespace-only) lines.

Single line breaks stay in the block; nothing in a text file is markup, so blocks have no
protected spans and a translation is spliced in as it is.
"""

from __future__ import annotations

from toolkit.formats.spans import Draft, line_pieces

__all__ = ["parse"]


def parse(src: str, path: str) -> list[Draft]:
    """Paragraphs: runs of lines that are not blank."""
    drafts = []
    start: int | None = None
    end = 0
    pos = 0
    for line in src.split("\n"):
        if line.strip():
            if start is None:
                start = pos
            end = pos + len(line)
        elif start is not None:
            drafts.append(Draft(line_pieces(src, start, end), "paragraph"))
            start = None
        pos += len(line) + 1
    if start is not None:
        drafts.append(Draft(line_pieces(src, start, end), "paragraph"))
    return drafts
