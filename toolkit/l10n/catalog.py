"""Gettext catalogs for an article: ``.pot`` / ``.po`` / ``.mo`` with msgmerge semantics, minus its
surprises.

One entry per `Block` (headings, captions and attribute values included), in document order::

    #. MT: argos:en-de@1.0                       <- who wrote msgstr (machine drafts only)
    #. MT-Checksum: 3f1c9a0b7d2e                 <- of that msgstr, to notice a translator's edits
    #. Term: NATO -> NATO (found)                <- how each glossary term was handled
    #. FLAGGED: term 'NATO' -> 'ΝΑΤΟ' missing: ...
    #. Note (NATO): The Alliance itself. ...     <- glossary guidance for this block's concepts
    #: examples/article.txt:6
    #, fuzzy
    msgid "Greece (Brussels Morning), ..."
    msgstr "Griechenland (Brussels Morning), ..."

``msgctxt`` is only used when two blocks have identical text; it is then ``block-<index>`` (the
0-based `Block.index`) for every copy, so each copy can be translated on its own. Machine output
is always ``fuzzy``: the flag means "no human has approved this", and only a translator removes it.
No entry ever carries ``python-format`` (an article's ``%`` is not a placeholder).

Updating is a plan/apply pair, so the pipeline only sends to the model what needs it:

* `plan_update` matches the new document against the old catalog: exact ``(msgctxt, msgid)``
  first, then the same text under another context (a duplicate that moved), then fuzzy matching
  (`similarity` >= 0.6, best pair first, each old entry used once). Obsolete ``#~`` entries take
  part too, so a paragraph that comes back gets its old translation back.
* `build_catalog` applies it. A reviewed msgstr (any human translation, fuzzy or not) is never
  replaced: an exact match keeps it byte for byte; a changed paragraph keeps it, becomes fuzzy,
  shows the text it was made for as ``#| msgid`` and gets the fresh MT as a translator comment
  ``# Suggestion (MT): ...``. A changed paragraph that only had an MT draft gets fresh MT. Old
  entries nothing matched become obsolete ``#~`` entries; old obsolete entries stay. Translator
  comments (``#``) of reused entries are kept.

An entry counts as a machine draft when it is fuzzy, its extracted comments have an ``MT:`` line
and its msgstr still matches the ``MT-Checksum:``; every other non-empty msgstr is human work
(a translator may improve a draft and leave it fuzzy until done). Once an entry is reviewed its
MT lines are dropped: the translation is the translator's.

``PO-Revision-Date`` only moves when a translation, flag or obsolete entry changed, so re-running
on an unchanged article rewrites the file byte for byte. Dates come from ``now``, else from
``SOURCE_DATE_EPOCH``, else the clock.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import os
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import polib

import toolkit
from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_bytes, atomic_write_text, read_bytes
from toolkit.formats.document import Block, Document

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary
    from toolkit.workflow.localize import BlockResult

KEEP = "keep"
REVIEW_CHANGED = "review-changed"
TRANSLATE = "translate"

FUZZY_THRESHOLD = 0.6
WRAPWIDTH = 78
MT_PREFIX = "MT: "
CHECKSUM_PREFIX = "MT-Checksum: "  # of the msgstr as the model wrote it: an edited draft is human work
SUGGESTION_PREFIX = "Suggestion (MT): "
_MT_ITEMS = (MT_PREFIX, CHECKSUM_PREFIX, "Term: ", "FLAGGED: ", "QA: ")  # comment items about the MT output
_CONTINUATION = "  "  # how a comment item that needs more than one line continues

_CHAR_RATIO_MAX_LEN = 300  # below this combined length texts are compared by characters
_TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*(?:@[A-Za-z0-9]+)?")
_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")
_KEYWORD_RE = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=\s|\"|$)")
_ESCAPES = '\\"ntrvbf'  # the escapes polib reads back (GNU's \a and octal are not supported)
_NPLURALS_RE = re.compile(r"nplurals\s*=\s*(\d+)")
_TEMPLATE_DATE = "YEAR-MO-DA HO:MI+ZONE"
_PLACEHOLDERS = (_TEMPLATE_DATE, "FULL NAME <EMAIL@ADDRESS>", "LANGUAGE <LL@li.org>", "EMAIL@ADDRESS")
# Header fields `build_catalog` owns; every other field of an old header is kept as it was.
_OWNED_FIELDS = (
    "Project-Id-Version",
    "PO-Revision-Date",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
    "X-Generator",
)


@dataclass
class BlockPlan:
    """What to do with one block: reuse the old entry, keep it for review, or translate."""

    block: Block
    msgctxt: str | None
    action: str  # KEEP | REVIEW_CHANGED | TRANSLATE
    old: polib.POEntry | None = None  # the old entry matched to this block, if any


@dataclass
class CatalogPlan:
    """The outcome of matching a document against an old catalog, before any model call."""

    blocks: list[BlockPlan]
    obsolete: list[polib.POEntry] = field(default_factory=list)
    header: dict[str, str] | None = None  # the old catalog's header fields (None: new catalog)
    header_comment: str | None = None  # the old catalog's top comment

    def needs_mt(self) -> list[Block]:
        """Blocks the model must translate: new or changed ones (a suggestion for reviewed ones)."""
        return [p.block for p in self.blocks if p.action in (TRANSLATE, REVIEW_CHANGED)]

    def counts(self) -> dict[str, int]:
        """How many blocks take each action, plus how many old entries end up obsolete."""
        counts = {KEEP: 0, REVIEW_CHANGED: 0, TRANSLATE: 0}
        for p in self.blocks:
            counts[p.action] += 1
        counts["obsolete"] = len(self.obsolete)
        return counts


# --------------------------------------------------------------------------------------------
# Paths


def check_domain(domain: str) -> str:
    """A gettext domain becomes a file name under locales/: it must not be able to leave it."""
    bad = (
        not isinstance(domain, str)
        or not domain
        or domain.startswith(".")
        or ".." in domain
        or any(c in domain for c in "/\\:")
        or any(ord(c) < 32 or ord(c) == 127 for c in domain)
        or domain != domain.strip()
    )
    if bad:
        raise ToolkitError(
            f"invalid gettext domain {domain!r}: use a plain file name such as 'article' "
            "(no '/', '\\', ':', '..' or leading '.')"
        )
    return domain


def check_lang(lang: str) -> str:
    """A language code such as 'el' or 'pt_BR'; it too becomes a directory name."""
    if not isinstance(lang, str) or not _LANG_RE.fullmatch(lang):
        raise ToolkitError(f"invalid language code {lang!r}: expected a code such as 'el' or 'pt_BR'")
    return lang


def po_path(locales_dir: str | Path, lang: str, domain: str) -> Path:
    """``locales/<lang>/LC_MESSAGES/<domain>.po``, the layout gettext and Babel expect."""
    return Path(locales_dir) / check_lang(lang) / "LC_MESSAGES" / f"{check_domain(domain)}.po"


def pot_path(locales_dir: str | Path, domain: str) -> Path:
    """``locales/<domain>.pot``."""
    return Path(locales_dir) / f"{check_domain(domain)}.pot"


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


def _check_syntax(text: str, path: Path) -> None:
    """Every string line must be one complete, properly escaped C string."""
    for number, raw in enumerate(_LINE_SPLIT_RE.split(text), start=1):
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


def _check_babel(data: bytes, path: Path) -> None:
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
# Planning


def block_contexts(doc: Document) -> dict[int, str | None]:
    """``block-<index>`` for every block whose text occurs more than once, None for the rest."""
    counts: dict[str, int] = {}
    for block in doc.blocks:
        counts[block.text] = counts.get(block.text, 0) + 1
    return {b.index: f"block-{b.index}" if counts[b.text] > 1 else None for b in doc.blocks}


def similarity(a: str, b: str) -> float:
    """difflib's ratio: by characters for short texts (a fixed typo in a heading still matches),
    by words and punctuation for paragraphs (faster, and closer to what changed for a reader)."""
    if len(a) + len(b) > _CHAR_RATIO_MAX_LEN:
        a_seq: Sequence[str] = _TOKEN_RE.findall(a)
        b_seq: Sequence[str] = _TOKEN_RE.findall(b)
    else:
        a_seq, b_seq = a, b
    matcher = difflib.SequenceMatcher(None, a_seq, b_seq, autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_THRESHOLD or matcher.quick_ratio() < FUZZY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def is_machine(entry: polib.POEntry) -> bool:
    """An untouched machine draft: fuzzy, with the ``#. MT:`` line the toolkit writes, and a msgstr
    nobody edited since (a translator may improve a draft and leave it fuzzy until done)."""
    lines = entry.comment.split("\n")
    if not entry.fuzzy or not any(line.startswith(MT_PREFIX) for line in lines):
        return False
    sums = [line[len(CHECKSUM_PREFIX) :].strip() for line in lines if line.startswith(CHECKSUM_PREFIX)]
    return not sums or sums[0] == _checksum(entry.msgstr)


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def is_human(entry: polib.POEntry) -> bool:
    """A translation made or approved by a person: the toolkit must never overwrite it."""
    return bool(entry.msgstr) and not is_machine(entry)


def plan_update(
    doc: Document, old: polib.POFile | None = None, *, overwrite_reviewed: bool = False
) -> CatalogPlan:
    """Match the document's blocks to an old catalog's entries and decide what to translate.

    A human translation is never replaced, unless `overwrite_reviewed` (``toolkit translate
    --overwrite-reviewed``): then its block is translated afresh like a new one.
    """
    contexts = block_contexts(doc)
    blocks = [b for b in doc.blocks if b.text]  # an empty msgid would be the header
    pool = _candidates(old)
    matched: dict[int, tuple[int, bool]] = {}  # block index -> (pool index, same text)
    # The same text, first under the same context, then under any (a duplicate that moved).
    _match_exact(blocks, pool, matched, lambda b: (contexts[b.index], b.text), lambda e: (e.msgctxt, e.msgid))
    _match_exact(blocks, pool, matched, lambda b: b.text, lambda e: e.msgid)
    _match_fuzzy(blocks, pool, matched)

    plans = []
    for block in blocks:
        i, exact = matched.get(block.index, (None, False))
        entry = pool[i] if i is not None else None
        if entry is None or not entry.msgstr or (overwrite_reviewed and is_human(entry)):
            action = TRANSLATE
        elif exact:
            action = KEEP
        else:
            action = REVIEW_CHANGED if is_human(entry) else TRANSLATE
        plans.append(BlockPlan(block, contexts[block.index], action, entry))
    if old is None:
        return CatalogPlan(plans)
    used = {id(pool[i]) for i, _exact in matched.values()}
    return CatalogPlan(
        plans,
        obsolete=[e for e in old if id(e) not in used],
        header=dict(old.metadata),
        # a template's comment describes the template, not this language's catalog
        header_comment=None if old.metadata.get("PO-Revision-Date") == _TEMPLATE_DATE else old.header,
    )


def _match_exact(blocks, pool, matched, block_key, entry_key) -> None:
    """Pair each unmatched block with the first unused old entry that has the same key."""
    free: dict[object, list[int]] = {}
    taken = {i for i, _exact in matched.values()}
    for i, entry in enumerate(pool):
        if i not in taken:
            free.setdefault(entry_key(entry), []).append(i)
    for block in blocks:
        if block.index not in matched and free.get(block_key(block)):
            matched[block.index] = (free[block_key(block)].pop(0), True)


def _match_fuzzy(blocks, pool, matched) -> None:
    """Best pair first, each old entry used once; ties go to live entries, then document order."""
    taken = {i for i, _exact in matched.values()}
    pairs = []
    for bpos, block in enumerate(blocks):
        if block.index in matched:
            continue
        for i, entry in enumerate(pool):
            if i not in taken:
                ratio = similarity(block.text, entry.msgid)
                if ratio >= FUZZY_THRESHOLD:
                    pairs.append((-ratio, entry.obsolete, bpos, i, block.index))
    for *_order, i, index in sorted(pairs):
        if i not in taken and index not in matched:
            taken.add(i)
            matched[index] = (i, False)


def _candidates(old: polib.POFile | None) -> list[polib.POEntry]:
    """Old entries a block may reuse: human translations first, live before obsolete, then file
    order. The order only matters when an old file has the same text twice (a live MT draft and an
    obsolete reviewed entry, say): the reviewed translation must win."""
    if old is None:
        return []
    entries = [e for e in old if e.msgid and not e.msgid_plural]
    rank = {id(e): n for n, e in enumerate(entries)}
    return sorted(entries, key=lambda e: (not is_human(e), not e.msgstr, e.obsolete, rank[id(e)]))


# --------------------------------------------------------------------------------------------
# Building


def plural_forms(lang: str) -> tuple[int, str]:
    """(nplurals, the Plural-Forms header value) from Babel's CLDR data."""
    from babel.core import UnknownLocaleError
    from babel.messages.plurals import get_plural

    try:
        plural = get_plural(check_lang(lang).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ToolkitError(f"unknown language code {lang!r}: cannot tell its plural forms") from None
    return plural.num_plurals, plural.plural_forms


def build_template(doc: Document, domain: str, *, now: datetime | None = None) -> polib.POFile:
    """The .pot: every block with an empty msgstr, and the placeholder header msginit expects."""
    check_domain(domain)
    po = polib.POFile(wrapwidth=WRAPWIDTH, encoding="utf-8")
    po.header = f"Translation template for {doc.path} (gettext domain {domain!r}).\nMade by toolkit."
    po.metadata_is_fuzzy = True
    po.metadata = {
        "Project-Id-Version": domain,
        "POT-Creation-Date": _timestamp(now),
        "PO-Revision-Date": _TEMPLATE_DATE,
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"toolkit {toolkit.__version__}",
    }
    contexts = block_contexts(doc)
    for block in doc.blocks:
        if block.text:
            po.append(
                polib.POEntry(
                    msgctxt=contexts[block.index],
                    msgid=block.text,
                    occurrences=[(doc.path, str(block.line))],
                )
            )
    return po


def build_catalog(
    doc: Document,
    lang: str,
    plan: CatalogPlan,
    results: Mapping[int, BlockResult],
    *,
    model_id: str | None,
    domain: str,
    glossary: Glossary | None = None,
    old_header: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> polib.POFile:
    """Apply a plan: the new catalog for `lang`, given MT `results` by block index.

    `results` only needs the blocks of `plan.needs_mt()`; a block without one (no model
    installed) gets an empty msgstr rather than a stale or invented one. `old_header` defaults to
    the header `plan_update` saw.
    """
    check_lang(lang)
    check_domain(domain)
    entries = [_entry(p, doc, lang, results.get(p.block.index), model_id, glossary) for p in plan.blocks]
    old = dict(old_header) if old_header is not None else plan.header
    changed = old is None or _changed(plan, entries)
    po = polib.POFile(wrapwidth=WRAPWIDTH, encoding="utf-8")
    po.header = plan.header_comment or _default_comment(doc, lang, domain)
    po.metadata = _po_metadata(lang, domain, old or {}, _timestamp(now), changed)
    po.extend(entries)
    po.extend(_obsolete_entries(plan.obsolete))
    return po


def _entry(
    plan: BlockPlan,
    doc: Document,
    lang: str,
    result: BlockResult | None,
    model_id: str | None,
    glossary: Glossary | None,
) -> polib.POEntry:
    block, old = plan.block, plan.old
    entry = polib.POEntry(
        msgctxt=plan.msgctxt, msgid=block.text, occurrences=[(doc.path, str(block.line))]
    )
    notes = _note_items(glossary, block, lang, result)
    if plan.action == KEEP:
        assert old is not None
        entry.msgstr = old.msgstr
        entry.flags = _own_flags(old.flags)
        entry.tcomment = old.tcomment
        items = _comment_items(old.comment)
        if not entry.fuzzy:  # reviewed: what the model did is history, the translation is human
            items = [i for i in items if not i.startswith(_MT_ITEMS)]
        if glossary is not None:
            items = [i for i in items if not i.startswith("Note (")] + notes
        entry.comment = _format_items(items)
        if entry.fuzzy:
            entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
        return entry
    tcomment = _without_suggestion(old.tcomment) if old is not None else ""
    mt = _mt_text(block.text, result)
    if plan.action == REVIEW_CHANGED:
        assert old is not None
        entry.msgstr = old.msgstr
        entry.flags = ["fuzzy", *(f for f in _own_flags(old.flags) if f != "fuzzy")]
        # `#|` shows the text the translation was made for: still the older one if it was pending.
        if old.fuzzy and old.previous_msgid is not None:
            entry.previous_msgctxt, entry.previous_msgid = old.previous_msgctxt, old.previous_msgid
        else:
            entry.previous_msgctxt, entry.previous_msgid = old.msgctxt, old.msgid
        entry.comment = _format_items(notes)
        entry.tcomment = "\n".join(filter(None, [tcomment, _suggestion(mt)]))
        return entry
    entry.tcomment = tcomment
    if mt:
        entry.msgstr = mt
        entry.flags = ["fuzzy"]
        assert result is not None
        items = [
            MT_PREFIX + (model_id or "unknown model"),
            CHECKSUM_PREFIX + _checksum(mt),
            *_term_items(result),
            *notes,
        ]
        entry.comment = _format_items(items)
    else:
        entry.comment = _format_items(notes)
    return entry


def annotate(po: polib.POFile, plan: CatalogPlan, items: Mapping[int, Sequence[str]]) -> None:
    """Add extracted-comment items (e.g. QA findings) to the fresh MT entries of blocks.

    Only blocks translated in this run are touched: a reviewed or reused entry keeps its
    comments as they are.
    """
    fresh = {p.block.index: p for p in plan.blocks if p.action == TRANSLATE}
    for index, new in items.items():
        bp = fresh.get(index)
        entry = po.find(bp.block.text, msgctxt=bp.msgctxt) if bp and new else None
        if entry is not None:
            lines = _comment_items(entry.comment)
            lines += [i for i in new if " ".join(i.split()) not in lines]
            entry.comment = _format_items(lines)


def _own_flags(flags: Iterable[str]) -> list[str]:
    """Old flags minus format flags: article text has no printf placeholders for msgfmt to check."""
    return [f for f in flags if not f.endswith("-format")]


def _mt_text(msgid: str, result: BlockResult | None) -> str:
    """The model's text for a block, with leading/trailing newlines matching the msgid (msgfmt)."""
    if result is None or not result.text.strip():
        return ""
    text = result.text
    if msgid.startswith("\n") != text.startswith("\n"):
        text = "\n" + text if msgid.startswith("\n") else text.lstrip("\n")
    if msgid.endswith("\n") != text.endswith("\n"):
        text = text + "\n" if msgid.endswith("\n") else text.rstrip("\n")
    return text


def _term_items(result: BlockResult) -> list[str]:
    """How the MT handled each glossary term, then everything flagged for a human."""
    items, flags = [], []
    for sentence in result.sentences:
        for term in sentence.terms:
            if term.how == "flagged":
                reason = term.reason or f"term '{term.term}' -> '{term.rendering}' missing"
                if reason not in sentence.flags:
                    flags.append(reason)
            else:
                items.append(f"Term: {term.term} -> {term.rendering} ({term.how})")
        flags += sentence.flags
    return _dedupe(items + [f"FLAGGED: {f}" for f in flags])


def _note_items(glossary: Glossary | None, block: Block, lang: str, result: BlockResult | None) -> list[str]:
    """Translator guidance from the glossary for the concepts that occur in this block."""
    if glossary is None:
        return []
    # From the source text alone, so a reused entry gets the same notes as a fresh one.
    try:
        from toolkit.terms.glossary import find_terms
    except ImportError:
        sentences = result.sentences if result is not None else []
        ids = [t.concept_id for s in sentences for t in s.terms]
    else:
        ids = [m.concept_id for m in find_terms(glossary, block.text)]
    concepts = {getattr(c, "id", None): c for c in getattr(glossary, "concepts", [])}
    items = []
    for concept_id in _dedupe(ids):
        concept = concepts.get(concept_id)
        if concept is None:
            continue
        name = getattr(concept, "term", concept_id)
        if getattr(concept, "note", ""):
            items.append(f"Note ({name}): {concept.note}")
        rendering = (getattr(concept, "renderings", None) or {}).get(lang)
        if getattr(rendering, "note", ""):
            items.append(f"Note ({name}, {lang}): {rendering.note}")
    return items


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# Comments are lists of items; an item longer than a line continues on lines indented by two
# spaces. Wrapping them here (rather than letting polib do it) keeps items apart after a round
# trip, so the toolkit can replace its own items and leave a translator's lines alone.


def _format_items(items: Iterable[str], width: int = WRAPWIDTH - 3) -> str:
    lines = []
    for item in items:
        lines += textwrap.wrap(
            " ".join(item.split()),
            width,
            subsequent_indent=_CONTINUATION,
            break_long_words=False,
            break_on_hyphens=False,
        )
    return "\n".join(lines)


def _comment_items(comment: str) -> list[str]:
    items: list[str] = []
    for line in comment.split("\n") if comment else []:
        if items and line.startswith(_CONTINUATION):
            items[-1] += " " + line.strip()
        else:
            items.append(line)
    return items


def _suggestion(mt: str) -> str:
    """The fresh MT as a translator comment; line breaks are shown as ``\\n``, as in msgstr."""
    if not mt:
        return ""
    return _format_items([SUGGESTION_PREFIX + _LINE_SPLIT_RE.sub("\\\\n", mt)])


def _without_suggestion(tcomment: str) -> str:
    """A translator comment minus an earlier suggestion (the line and its indented continuation)."""
    out: list[str] = []
    skipping = False
    for line in tcomment.split("\n") if tcomment else []:
        if line.startswith(SUGGESTION_PREFIX):
            skipping = True
        elif not (skipping and line.startswith(_CONTINUATION)):
            skipping = False
            out.append(line)
    return "\n".join(out)


def _obsolete_entries(entries: Iterable[polib.POEntry]) -> list[polib.POEntry]:
    """Old entries no block uses any more, as ``#~`` entries; exact repeats are written once."""
    out, seen = [], set()
    for old in entries:
        key = (old.msgctxt, old.msgid, old.msgid_plural, old.msgstr, tuple(sorted(old.msgstr_plural.items())))
        if key in seen:
            continue
        seen.add(key)
        out.append(
            polib.POEntry(
                msgctxt=old.msgctxt,
                msgid=old.msgid,
                msgid_plural=old.msgid_plural,
                msgstr=old.msgstr,
                msgstr_plural=dict(old.msgstr_plural),
                flags=_own_flags(old.flags),
                tcomment=old.tcomment,
                comment=old.comment,
                obsolete=True,
            )
        )
    return out


def _changed(plan: CatalogPlan, entries: Sequence[polib.POEntry]) -> bool:
    """Whether any translation, flag or entry differs from the old catalog (PO-Revision-Date)."""
    for p, new in zip(plan.blocks, entries, strict=True):
        old = p.old
        if old is None or old.obsolete:
            return True
        before = (old.msgctxt, old.msgid, old.msgstr, old.fuzzy, old.previous_msgid if old.fuzzy else None)
        if before != (new.msgctxt, new.msgid, new.msgstr, new.fuzzy, new.previous_msgid):
            return True
    return any(not old.obsolete for old in plan.obsolete)


def _timestamp(now: datetime | None) -> str:
    if now is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if epoch.isdigit():
            now = datetime.fromtimestamp(int(epoch), timezone.utc)
        else:
            now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return now.strftime("%Y-%m-%d %H:%M%z")


def _po_metadata(
    lang: str, domain: str, old: Mapping[str, str], stamp: str, changed: bool
) -> dict[str, str]:
    forms = plural_forms(lang)[1]
    revised = old.get("PO-Revision-Date", "")
    metadata = {
        "POT-Creation-Date": old.get("POT-Creation-Date") or stamp,
        "PO-Revision-Date": revised if revised and not changed and revised != _TEMPLATE_DATE else stamp,
        "Last-Translator": "",
        "Language-Team": "",
    }
    # Fields a translator (or their editor) set are theirs: Last-Translator, Language-Team, X-...
    # Template placeholders (a catalog started from the .pot) are nobody's.
    metadata.update(
        {k: v for k, v in old.items() if k not in _OWNED_FIELDS and v not in _PLACEHOLDERS}
    )
    metadata.update(
        {
            "Project-Id-Version": domain,
            "Language": lang,
            "MIME-Version": "1.0",
            "Content-Type": "text/plain; charset=UTF-8",
            "Content-Transfer-Encoding": "8bit",
            "Plural-Forms": forms,
            "X-Generator": f"toolkit {toolkit.__version__}",
        }
    )
    return metadata


def _default_comment(doc: Document, lang: str, domain: str) -> str:
    try:
        from babel import Locale

        name = f"{Locale.parse(lang.replace('-', '_')).english_name} ({lang})"
    except Exception:  # any unknown or odd code: the code itself is name enough
        name = lang
    return (
        f"{name} translation of {doc.path} (gettext domain {domain!r}).\n"
        "Machine translations and changed paragraphs are marked fuzzy: review them and remove\n"
        "the flag. toolkit never overwrites a translation a person made."
    )


# --------------------------------------------------------------------------------------------
# Writing, compiling, rendering


def format_po(po: polib.POFile) -> str:
    """The file text, as polib writes it, except that obsolete entries keep their ``#.`` lines
    (polib drops them, and with them the ``MT:`` mark that says an entry was a machine draft)."""
    live = polib.POFile(wrapwidth=po.wrapwidth, encoding="utf-8")
    live.header = po.header
    live.metadata = dict(po.metadata)
    live.metadata_is_fuzzy = bool(po.metadata_is_fuzzy)
    live.extend(e for e in po if not e.obsolete)
    chunks = [str(live)]
    for entry in po.obsolete_entries():
        lines = [f"# {line}".rstrip() for line in entry.tcomment.split("\n")] if entry.tcomment else []
        lines += [f"#. {line}".rstrip() for line in entry.comment.split("\n")] if entry.comment else []
        if entry.flags:
            lines.append("#, " + ", ".join(entry.flags))
        bare = polib.POEntry(
            msgctxt=entry.msgctxt,
            msgid=entry.msgid,
            msgid_plural=entry.msgid_plural,
            msgstr=entry.msgstr,
            msgstr_plural=entry.msgstr_plural,
            obsolete=True,
        )
        chunks.append("\n".join([*lines, bare.__unicode__(po.wrapwidth)]))
    return "\n".join(chunks)


def write_po(po: polib.POFile, path: str | Path) -> None:
    """Write a .po/.pot atomically, as UTF-8, refusing anything `read_po` (or msgfmt) would reject."""
    problem = _semantic_problem(po)
    if problem:
        raise ToolkitError(f"refusing to write an invalid catalog: {problem[0]}", path=path)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.encoding = "utf-8"
    # polib writes comments and #: file names raw, and a reader takes a lone CR for a line end:
    # comment lines are re-split at every line end, a file name with one is refused
    po.header = _LINE_SPLIT_RE.sub("\n", po.header or "")
    for entry in po:
        entry.tcomment = _LINE_SPLIT_RE.sub("\n", entry.tcomment or "")
        entry.comment = _LINE_SPLIT_RE.sub("\n", entry.comment or "")
        for ref, _line in entry.occurrences:
            if _LINE_SPLIT_RE.search(ref):
                raise ToolkitError(
                    f"refusing to write an invalid catalog: the source file name {ref!r} has a line break",
                    path=path,
                )
    text = format_po(po)
    try:  # the last safety net: what read_po checks before polib
        _check_syntax(text, Path(path))
        _check_babel(text.encode("utf-8"), Path(path))
    except ToolkitError as e:
        raise ToolkitError(f"refusing to write an invalid catalog: {e.message}", path=path) from None
    try:
        atomic_write_text(path, text)
    except OSError as e:
        raise ToolkitError(f"cannot write catalog: {e.strerror or e}", path=path) from None


def source_references(entry: polib.POEntry) -> list[tuple[str, str]]:
    """The entry's `#:` references as (file, line), file names with spaces whole again.

    polib splits "#: my story.txt:3" at the space into ("my", "") and ("story.txt", "3"); a
    name without a line number is joined to the next part until one with a line number.
    """
    refs, parts = [], []
    for ref, line in entry.occurrences:
        parts.append(ref)
        if line:
            refs.append((" ".join(parts), line))
            parts = []
    refs += [(part, "") for part in parts]
    return refs


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


def render_catalog(po: polib.POFile, doc: Document, *, include_fuzzy: bool = False) -> tuple[str, int]:
    """The translated article in the document's own format and layout, and how many blocks fell
    back to the English source (untranslated, or fuzzy unless `include_fuzzy`)."""
    contexts = block_contexts(doc)
    exact: dict[tuple[str | None, str], polib.POEntry] = {}
    by_text: dict[str, polib.POEntry] = {}
    for entry in po:
        if not entry.obsolete and not entry.msgid_plural:
            exact.setdefault((entry.msgctxt, entry.msgid), entry)
            by_text.setdefault(entry.msgid, entry)
    translations: dict[int, str] = {}
    fallbacks = 0
    for block in doc.blocks:
        if not block.text:
            continue
        entry = exact.get((contexts[block.index], block.text)) or by_text.get(block.text)
        if entry is not None and entry.msgstr and (include_fuzzy or not entry.fuzzy):
            translations[block.index] = entry.msgstr
        else:
            fallbacks += 1
    return doc.render(translations), fallbacks
