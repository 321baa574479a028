"""The one reader and writer of gettext PO files (``.po``/``.pot``), for catalogs and glossary exports.

polib alone accepts what msgfmt or Babel would reject (an unterminated string, two entries with the
same msgid, a wrong number of plural forms) and writes what they would reject (comments with a lone
CR); every such problem here is a one-line ToolkitError naming the file and line, on reading and on
writing alike. Knows PO syntax and gettext's rules, nothing about what the toolkit puts in entries.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from pathlib import Path

import polib

from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_text, read_bytes
from toolkit.formats.gnu_wrap import PAGE_WIDTH, wrap_string

WRAPWIDTH = 78
TEMPLATE_DATE = "YEAR-MO-DA HO:MI+ZONE"  # the date placeholder of a template's header
LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9]+)?")
_KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=\s|\"|$)")
_ESCAPES = '\\"ntrvbf'  # the escapes polib reads back (GNU's \a and octal are not supported)
_NPLURALS_RE = re.compile(r"nplurals\s*=\s*(\d+)")


# --------------------------------------------------------------------------------------------
# Languages


def check_lang(lang: str) -> str:
    """A language code such as 'el' or 'pt_BR'; it too becomes a directory name."""
    if not isinstance(lang, str) or not _LANG_RE.fullmatch(lang):
        raise ToolkitError(f"invalid language code {lang!r}: expected a code such as 'el' or 'pt_BR'")
    return lang


def plural_forms(lang: str) -> tuple[int, str]:
    """(nplurals, the Plural-Forms header value) from Babel's CLDR data."""
    from babel.core import UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        plural = get_plural(check_lang(lang).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ToolkitError(f"unknown language code {lang!r}: cannot tell its plural forms") from None
    return plural.num_plurals, plural.plural_forms


# --------------------------------------------------------------------------------------------
# Reading


def read_po(path: str | Path) -> polib.POFile:
    """Load a .po/.pot with polib, refusing what msgfmt or Babel would reject.

    polib alone accepts an unterminated string (and silently drops its last character), two
    entries with the same msgid and a wrong number of plural forms; each of these would make a
    later `msgfmt` fail far from its cause. Every problem is a ToolkitError naming file and line.
    """
    path = Path(path)
    data = read_bytes(path, "catalog file")
    encoding = polib.detect_encoding(str(path))
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ToolkitError(f"unknown charset {encoding!r} in Content-Type", path=path) from None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ToolkitError(
            f"not valid {encoding} (byte 0x{data[e.start]:02x}); check the Content-Type charset",
            path=path,
            line=line,
        ) from None
    except UnicodeError as e:  # a charset such as 'punycode' fails without a byte position
        raise ToolkitError(f"cannot decode as {encoding}: {e}", path=path) from None
    _check_syntax(text, path)
    try:
        po = polib.pofile(str(path), encoding=encoding, wrapwidth=WRAPWIDTH)
    except (OSError, ValueError) as e:
        m = re.search(r"\(line (\d+)\)(?::\s*(.*))?", str(e))
        line = int(m.group(1)) if m else None
        reason = (m.group(2) if m else None) or "syntax error"
        raise ToolkitError(f"invalid PO file: {reason}", path=path, line=line) from None
    _check_babel(data, path)
    problem = _semantic_problem(po)
    if problem:
        message, line = problem
        raise ToolkitError(message, path=path, line=line)
    return po


def _check_syntax(text: str, path: Path | None) -> None:
    """Every string line must be one complete, properly escaped C string."""
    for number, raw in enumerate(LINE_SPLIT_RE.split(text), start=1):
        line = raw.strip()
        if number == 1:
            line = line.lstrip("\ufeff")
        if line.startswith("#~"):
            line = line[2:].lstrip()
            if line.startswith("|"):
                line = line[1:].lstrip()
        elif line.startswith("#|"):
            line = line[2:].lstrip()
        elif line.startswith("#"):
            continue
        if not line or line.startswith("#"):
            continue
        m = _KEYWORD_RE.match(line)
        rest = line[m.end() :].lstrip() if m else line
        if not rest.startswith('"'):
            what = f"after {m.group(1)}" if m else f"unknown keyword {line.split()[0]!r}"
            raise ToolkitError(f"invalid PO file: expected a quoted string {what}", path=path, line=number)
        error = _string_error(rest)
        if error:
            raise ToolkitError(f"invalid PO file: {error}", path=path, line=number)


def _string_error(token: str) -> str | None:
    """Why `token` (starting with a quote) is not exactly one well-formed PO string."""
    i = 1
    while i < len(token):
        c = token[i]
        if c == "\\":
            if i + 1 >= len(token):
                break
            if token[i + 1] not in _ESCAPES:
                return f"unsupported escape sequence '\\{token[i + 1]}' in string"
            i += 2
        elif c == '"':
            if i != len(token) - 1:
                return "unescaped double quote in string (write it as \\\")"
            return None
        else:
            i += 1
    return "string is not closed: missing '\"' at the end of the line"


def _check_babel(data: bytes, path: Path | None) -> None:
    """The website's tooling reads catalogs with Babel: make sure it can."""
    from babel.messages.pofile import PoFileError
    from babel.messages.pofile import read_po as babel_read_po

    try:
        # a BOM (some Windows editors add one) trips Babel; the toolkit writes files without it
        babel_read_po(io.BytesIO(data.removeprefix(b"\xef\xbb\xbf")), abort_invalid=True)
    except PoFileError as e:
        line = e.lineno + 1 if isinstance(getattr(e, "lineno", None), int) else None
        raise ToolkitError(f"invalid PO file (Babel): {e}", path=path, line=line) from None
    except Exception as e:  # Babel has no single error type for bad headers or charsets
        raise ToolkitError(f"Babel cannot read this catalog: {e}", path=path) from None


def _nplurals(metadata: Mapping[str, str]) -> int:
    m = _NPLURALS_RE.search(metadata.get("Plural-Forms", ""))
    if m:
        return int(m.group(1))
    lang = metadata.get("Language", "")
    if lang:
        try:
            return plural_forms(lang)[0]
        except ToolkitError:
            pass
    return 2


def _semantic_problem(po: polib.POFile) -> tuple[str, int | None] | None:
    """The first problem msgfmt would refuse the catalog for: (message, line) or None."""
    seen: dict[tuple[str | None, str], polib.POEntry] = {}
    forms = po.metadata.get("Plural-Forms")
    if forms is not None and not _NPLURALS_RE.search(forms):  # msgfmt: "invalid nplurals value"
        return f"the Plural-Forms header {forms!r} has no nplurals=<number>", None
    nplurals = _nplurals(po.metadata)
    for entry in po:
        if entry.obsolete:
            continue
        line = entry.linenum
        key = (entry.msgctxt, entry.msgid)
        if not entry.msgid:
            return "an entry other than the header has an empty msgid", line
        if key in seen:
            first = seen[key].linenum
            ctxt = f" (msgctxt {entry.msgctxt!r})" if entry.msgctxt is not None else ""
            return f"duplicate msgid {_short(entry.msgid)}{ctxt}, first defined at line {first}", line
        seen[key] = entry
        for name, value in (("msgctxt", entry.msgctxt or ""), ("msgid", entry.msgid)):
            if "\x00" in value or "\x04" in value:
                return f"{name} contains a NUL or EOT control character", line
        strings = [entry.msgstr, *entry.msgstr_plural.values()]
        if any("\x00" in s for s in strings):
            return "msgstr contains a NUL character", line
        if entry.msgid_plural:
            indexes = sorted(entry.msgstr_plural)
            if indexes != list(range(nplurals)):
                return (
                    f"msgid {_short(entry.msgid)} has {len(indexes)} plural forms but the header's "
                    f"Plural-Forms says nplurals={nplurals}",
                    line,
                )
        if not entry.fuzzy:
            for s in strings:
                if s and _newline_mismatch(entry.msgid, s):
                    return (
                        f"msgid {_short(entry.msgid)} and its msgstr must both begin and end with "
                        "a newline, or neither",
                        line,
                    )
    return None


def _newline_mismatch(msgid: str, msgstr: str) -> bool:
    return msgid.startswith("\n") != msgstr.startswith("\n") or msgid.endswith("\n") != msgstr.endswith(
        "\n"
    )


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 3] + "...")


# --------------------------------------------------------------------------------------------
# Writing


def format_po(po: polib.POFile) -> str:
    """The file text exactly as GNU ``msgcat`` (gettext 0.21/0.22) would write it, so a Poedit or
    Weblate save (both use gettext's writer) gives no whitespace-only diff. Obsolete entries keep
    their comments (polib drops their ``#.`` lines).

    Strings are wrapped at ``po.wrapwidth`` + 1 columns as GNU's default ``--width=79`` (0:
    never wrapped)."""
    width = po.wrapwidth + 1 if po.wrapwidth else 0
    chunks = []
    header = polib.POEntry(msgid="", msgstr=_header_text(po), tcomment=po.header or "")
    if po.metadata_is_fuzzy:
        header.flags = ["fuzzy"]
    chunks.append(_format_entry(header, width))
    chunks += [_format_entry(e, width) for e in po if not e.obsolete]
    chunks += [_format_entry(e, width) for e in po.obsolete_entries()]
    return "\n".join(chunks)


def _header_text(po: polib.POFile) -> str:
    return "".join(f"{key}: {value}\n" for key, value in po.metadata.items())


def _comment_lines(mark: str, text: str) -> list[str]:
    return [f"{mark} {line}" if line else mark for line in text.split("\n")] if text else []


def _format_entry(entry: polib.POEntry, width: int) -> str:
    lines = _comment_lines("#", entry.tcomment) + _comment_lines("#.", entry.comment)
    if entry.occurrences:
        lines += format_references(entry.occurrences, width)
    flags = sorted(entry.flags, key=lambda f: f != "fuzzy")
    if flags:
        lines.append("#, " + ", ".join(flags))
    prefix = "#~ " if entry.obsolete else ""
    previous = "#~| " if entry.obsolete else "#| "
    if entry.previous_msgctxt is not None:
        lines += wrap_string("msgctxt", entry.previous_msgctxt, previous, width)
    if entry.previous_msgid is not None:
        lines += wrap_string("msgid", entry.previous_msgid, previous, width)
    if entry.previous_msgid_plural is not None:
        lines += wrap_string("msgid_plural", entry.previous_msgid_plural, previous, width)
    if entry.msgctxt is not None:
        lines += wrap_string("msgctxt", entry.msgctxt, prefix, width)
    lines += wrap_string("msgid", entry.msgid, prefix, width)
    if entry.msgid_plural:
        lines += wrap_string("msgid_plural", entry.msgid_plural, prefix, width)
        for index in sorted(entry.msgstr_plural, key=int):
            lines += wrap_string(f"msgstr[{index}]", entry.msgstr_plural[index], prefix, width)
    else:
        lines += wrap_string("msgstr", entry.msgstr, prefix, width)
    return "\n".join(lines) + "\n"


def format_references(occurrences: list[tuple[str, str]], width: int = PAGE_WIDTH) -> list[str]:
    """``#:`` lines as GNU writes them: a file name with a space inside U+2068/U+2069 (gettext
    0.22's isolation, which polib and gettext 0.21 read back whole), lines filled to `width`."""
    lines, line = [], "#:"
    for file, number in occurrences:
        if " " in file or "\t" in file:
            file = f"\u2068{file}\u2069"
        ref = f"{file}:{number}" if number else file
        if line != "#:" and width and len(line) + 1 + len(ref) > width:
            lines.append(line)
            line = "#:"
        line += " " + ref
    return [*lines, line]


def dump_po(po: polib.POFile, path: str | Path | None = None) -> str:
    """The text of a .po/.pot as UTF-8, refusing anything `read_po` (or msgfmt) would reject.

    `path` only names the file in errors. Sets the charset to UTF-8 and normalises comment line
    ends in `po` itself.
    """
    problem = _semantic_problem(po)
    if problem:
        raise ToolkitError(f"refusing to write an invalid catalog: {problem[0]}", path=path)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.encoding = "utf-8"
    # polib writes comments and #: file names raw, and a reader takes a lone CR for a line end:
    # comment lines are re-split at every line end, a file name with one is refused
    po.header = LINE_SPLIT_RE.sub("\n", po.header or "")
    for entry in po:
        entry.tcomment = LINE_SPLIT_RE.sub("\n", entry.tcomment or "")
        entry.comment = LINE_SPLIT_RE.sub("\n", entry.comment or "")
        for ref, _line in entry.occurrences:
            if LINE_SPLIT_RE.search(ref):
                raise ToolkitError(
                    f"refusing to write an invalid catalog: the source file name {ref!r} has a line break",
                    path=path,
                )
    text = format_po(po)
    where = Path(path) if path is not None else None
    try:  # the last safety net: what read_po checks before polib
        _check_syntax(text, where)
        _check_babel(text.encode("utf-8"), where)
    except ToolkitError as e:
        raise ToolkitError(f"refusing to write an invalid catalog: {e.message}", path=path) from None
    return text


def write_po(po: polib.POFile, path: str | Path) -> None:
    """Write a .po/.pot atomically, as UTF-8, refusing anything `read_po` (or msgfmt) would reject."""
    text = dump_po(po, path)
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise ToolkitError(f"cannot write catalog: {e.strerror or e}", path=path) from None
