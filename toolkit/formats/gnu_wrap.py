"""GNU gettext's line breaking of PO strings (write-po.c + libunistring), so `msgcat` leaves the toolkit's
files alone. Checked against the real msgcat in tests/l10n/test_gnu_wrap.py."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

PAGE_WIDTH = 79  # GNU's default --width
_ESCAPE = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
    "\v": "\\v",
}
# A subset of UAX #14 line-break classes, enough for article text (Latin, Greek, Cyrillic, Turkish).
_CLOSE = set(")]}")  # CP/CL
_OPEN = set("([{")  # OP
_IS = set(",.:;")  # IS
_EX = set("!?")  # EX
_SY = set("/")  # SY
_HY = set("-")  # HY
_BA = set("\u2010\u2012\u2013\u00ad|")  # BA: break after
_B2 = set("\u2014")  # B2: em dash, break before and after
_QU = set("\"'\u2018\u2019\u201c\u201d\u00ab\u00bb\u201b\u201f\u2039\u203a")
_GL = set("\u00a0\u2007\u202f\u2060")  # GL: no break either side
_NS = set("\u203c\u2047\u2048\u2049\u3005\u301c\u309b\u309c")
_IN = set("\u2024\u2025\u2026")
_PR = set("$\u00a3\u00a5\u20ac+\\#")
_PO = set("%\u2030\u00b0\u2032\u2033")


# Ideographs, kana, Hangul syllables, fullwidth forms, pictographs: a line may break around each.
_ID_RANGES = (
    (0x2E80, 0x2FFF),
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFF01, 0xFF60),
    (0x1F000, 0x1FAFF),
    (0x20000, 0x3FFFD),
)


@lru_cache(maxsize=4096)  # a character's class never changes; a catalog asks for each ~1000 times
def _cls(c: str) -> str:
    if c == " ":
        return "SP"
    if c in "\n\r":
        return "LF"
    for name, chars in (
        ("CL", _CLOSE),
        ("OP", _OPEN),
        ("IS", _IS),
        ("EX", _EX),
        ("SY", _SY),
        ("HY", _HY),
        ("BA", _BA),
        ("B2", _B2),
        ("QU", _QU),
        ("GL", _GL),
        ("NS", _NS),
        ("IN", _IN),
        ("PR", _PR),
        ("PO", _PO),
    ):
        if c in chars:
            return name
    if c.isdigit():
        return "NU"
    if unicodedata.category(c) == "Cn":  # unassigned: XX, taken as AL (UAX #14 LB1)
        return "ID" if 0x20000 <= ord(c) <= 0x3FFFD else "AL"
    if unicodedata.combining(c):
        return "CM"
    if any(lo <= ord(c) <= hi for lo, hi in _ID_RANGES):
        return "ID"
    return "AL"


@lru_cache(maxsize=4096)
def _width(c: str) -> int:
    if unicodedata.category(c) == "Cn":
        return 2 if 0x20000 <= ord(c) <= 0x3FFFD else 1
    if unicodedata.combining(c) or unicodedata.category(c) in ("Cf", "Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _opportunities(chars: list[str]) -> list[bool]:
    """ok[i]: a line may break before chars[i] (UAX #14, the rules article text meets)."""
    classes = [_cls(c) for c in chars]
    ok = [False] * len(chars)
    for i in range(1, len(chars)):
        before, after = classes[i - 1], classes[i]
        if after in ("CM", "LF"):
            continue
        if after == "SP":
            continue  # LB7
        if after in ("CL", "EX", "IS", "SY"):
            continue  # LB13
        if before == "SP":
            j = i - 1
            while j >= 0 and classes[j] == "SP":
                j -= 1
            first = classes[j] if j >= 0 else None
            if first is None or first == "OP":  # LB14 (and LB2 at the start)
                continue
            if first == "QU" and after == "OP":  # LB15
                continue
            if first in ("CL",) and after == "NS":  # LB16
                continue
            if first == "B2" and after == "B2":  # LB17
                continue
            ok[i] = True  # LB18
            continue
        if before == "OP":
            continue  # LB14
        if before == "GL" or after == "GL":
            continue  # LB12
        if after in ("BA", "HY", "NS") or before == "BB":
            continue  # LB21
        if before == "B2" and after == "B2":
            continue
        if before == "QU" or after == "QU":
            continue  # LB19
        if after == "IN":
            continue  # LB22
        if before in ("HY", "SY", "IS") and after == "NU":
            continue  # LB25
        if before == "HY" or before == "BA" or before == "B2" or after == "B2":
            ok[i] = True
            continue
        if before == "SY":
            ok[i] = True
            continue
        if before == "IS":
            ok[i] = after not in ("NU",)
            continue
        if before == "ID" or after == "ID":
            ok[i] = not (before == "ID" and after in ("PO",)) and not (after == "ID" and before == "PR")
            continue
        if before == "EX" or before == "IN":
            ok[i] = before == "IN" or after not in ("PO", "NU") and after in ("AL", "OP", "PR")
            continue
        if before == "CL":
            ok[i] = after not in ("PO", "PR", "NS") and not (chars[i - 1] in ")]" and after in ("AL", "NU"))
            continue
    return ok


def _breaks(ok: list[bool], widths: list[int], room: int, startcol: int) -> list[int]:
    """Where lines break: libunistring's greedy ``ulc_width_linebreaks`` (spaces count)."""
    out: list[int] = []
    last, last_col, piece = None, startcol, 0
    for i, w in enumerate(widths):
        if ok[i]:
            if last is not None and last_col + piece > room:
                out.append(last)
                last_col = 0
            last = i
            last_col += piece
            piece = 0
        piece += w
    if last is not None and last_col + piece > room:
        out.append(last)
    return out


def _cuts(portion: str, widths: list[int], room: int, startcol: int) -> list[int]:
    """`_breaks` of a portion; one that fits breaks nowhere, so its opportunities are not needed."""
    if startcol + sum(widths) <= room:
        return []
    return _breaks(_opportunities(list(portion)), widths, room, startcol)


def wrap_string(keyword: str, value: str, prefix: str = "", width: int = PAGE_WIDTH) -> list[str]:
    """``keyword "value"`` as GNU writes it: broken after each ``\\n`` and where UAX #14 allows."""
    head = f"{prefix}{keyword} "
    if width <= 0:
        return [head + '"' + "".join(_ESCAPE.get(c, c) for c in value) + '"']
    portions: list[str] = []
    start = 0
    for i, c in enumerate(value):
        if c == "\n":
            portions.append(value[start : i + 1])
            start = i + 1
    if start < len(value) or not portions:
        portions.append(value[start:])
    room = width - 1 - len(prefix) - 1  # columns inside the quotes of a continuation line
    lines: list[str] = []
    first = True
    for n, portion in enumerate(portions):
        units = [_ESCAPE.get(c, c) for c in portion]
        widths = [len(u) if len(u) > 1 else _width(u) for u in units]
        cuts = _cuts(portion, widths, room, len(head) + 1 - len(prefix) - 1 if first else 0)
        if first and portion and (n < len(portions) - 1 or cuts):
            lines.append(head + '""')
            first = False
            cuts = _cuts(portion, widths, room, 0)
        bounds = [0, *cuts, len(units)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            text = '"' + "".join(units[a:b]) + '"'
            lines.append((head if first else prefix) + text)
            first = False
    return lines
