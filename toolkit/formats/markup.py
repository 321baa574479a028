"""The markup of a msgid and of its msgstr compared: what a translation must carry over as is.

A translator (or an engine) may reword text but not markup: the tags with their attributes, the
character references kept as markup (``&amp;``, ``&lt;``) and the protected tokens (URLs, e-mail
addresses, domains, @handles, #hashtags, ``{{...}}`` template tags, see
`toolkit.formats.spans.TOKEN_RE`) of the msgid must all be in the msgstr, and nothing else may
look like markup there: a dropped ``</a>``, a broken attribute or an added ``<script>`` is a
problem. The QA check ``markup`` and ``toolkit render`` use `markup_problems`.
"""

from __future__ import annotations

import re
from collections import Counter

from toolkit.formats.spans import TOKEN_RE, decodable

__all__ = ["markup_items", "markup_problems"]

_TAG_RE = re.compile(r"<(?:/?[A-Za-z][^<>]*|!--.*?--)>", re.S)
_REF_RE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_STRAY_TAG_RE = re.compile(r"</?[A-Za-z]")


# alt and title values of an inline tag are text the translator translates (toolkit.formats.html)
_TEXT_ATTR_RE = re.compile(r"""(\s(?:alt|title)\s*=\s*)("[^"]*"|'[^']*')""", re.I)


def _tag(tag: str) -> str:
    """A tag as compared: its ``alt``/``title`` values left out (they are translated)."""
    return _TEXT_ATTR_RE.sub(lambda m: m.group(1) + m.group(2)[0] + "…" + m.group(2)[0], tag)


def markup_items(text: str) -> Counter[str]:
    """The tags (``alt``/``title`` values aside), character references and protected tokens
    of `text`, counted."""
    items: Counter[str] = Counter(_tag(m.group()) for m in _TAG_RE.finditer(text))
    rest = _TAG_RE.sub(" ", text)
    # a reference to a character (&#8217;, &rsquo;) is text: the character itself will do
    items.update(m.group() for m in _REF_RE.finditer(rest) if not decodable(m.group()))
    rest = _REF_RE.sub(" ", rest)
    items.update(m.group() for m in TOKEN_RE.finditer(rest))
    return items


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def markup_problems(msgid: str, msgstr: str) -> list[str]:
    """One line per difference between the markup of `msgid` and of `msgstr` (none: fine)."""
    if not msgstr:
        return []
    source, target = markup_items(msgid), markup_items(msgstr)
    problems = [
        f"missing {_clip(item)!r}" + (f" ({n - target[item]} of {n})" if n > 1 else "")
        for item, n in source.items()
        if target[item] < n
    ]
    problems += [
        f"not in the source: {_clip(item)!r}" for item, n in target.items() if source[item] < n
    ]
    leftover = _TAG_RE.sub(" ", msgstr)
    if _STRAY_TAG_RE.search(leftover) and not _STRAY_TAG_RE.search(_TAG_RE.sub(" ", msgid)):
        stray = _STRAY_TAG_RE.search(leftover)
        assert stray is not None
        problems.append(f"broken tag: {_clip(leftover[stray.start() :].split(chr(10))[0], 30)!r}")
    return problems
