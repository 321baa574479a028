"""The translation memory: every translation a person approved, found again for new English.

What is in it:

* every reviewed msgstr (`is_human`: non-empty and not an untouched machine draft) of every
  catalog under a locales folder (``<locales>/<lang>/LC_MESSAGES/<domain>.po``, all domains).
  Obsolete ``#~`` entries are left out (no article uses them; `plan_update` brings them back by
  itself), and so is a fuzzy entry with a ``#| msgid``: its msgstr was made for that previous
  English, and whether the translator has started adapting it cannot be told; and so is a fuzzy
  copy the memory made (``TM: 100% ...``): its original is in the memory already;
* the translation units a user imported from TMX 1.4b or PO files (Trados, memoQ, OmegaT,
  Weblate): in a PO, every translated entry that is not fuzzy. They stay until the same file
  name is imported again (which replaces them) and survive every refresh;
* for each of those paragraph pairs with more than one sentence, its sentence pairs, where
  `toolkit.l10n.align` trusts the alignment.

The catalogs stay the truth: `refresh` (run by `open_memory`) re-reads exactly the catalogs whose
size or mtime changed and whose content hash then differs too, and replaces everything each one
contributed in one transaction, so a reviewed translation edited or deleted in a catalog is
edited or gone in the memory, and a catalog deleted takes its units with it. A catalog that
cannot be read any more loses its units (nothing stale is served) and its error is reported by
every refresh until it is fixed. Call `refresh` again in a long-running process to see edits.

The index lives in ``<locales>/.toolkit/memory.sqlite3`` (`toolkit.l10n.memory_index`).

Lookups: `lookup_paragraph` / `lookup_sentence` find the same English (whitespace-normalised);
`fuzzy` scores with rapidfuzz's ``fuzz.ratio`` (0-100, by characters, case-sensitive) the
candidates the word index proposes (a text of several sentences only against paragraph units,
not against one sentence aligned out of one) and returns the best ones with old English, reviewed
translation and where (``domain:line`` or ``file.tmx:line``); when numbers are all that differ, a
match offers the translation with them replaced (`toolkit.l10n.repair`). `search` is the
concordance: the units whose English has a phrase, as whole words, casefolded.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError
from toolkit.fileio import read_bytes
from toolkit.formats.po import check_lang, read_po
from toolkit.formats.tmx import TmxUnit, is_english, read_tmx, write_tmx
from toolkit.l10n.align import align, primary, split_sentences
from toolkit.l10n.comments import TM_PREFIX, entry_items, is_human
from toolkit.l10n.memory_index import MemoryIndex, NewUnit, SourceRow, UnitRow, normalize
from toolkit.l10n.repair import Repair, repair

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary

INDEX_PATH = Path(".toolkit") / "memory.sqlite3"
FUZZY_THRESHOLD = 75.0
CONCORDANCE_SCAN = 5000  # units a concordance search looks at, at most
RACY_NS = 2_000_000_000  # a file modified this close to a refresh may change again unseen by its mtime


class MatchKind(str, Enum):
    PARAGRAPH = "paragraph"  # the same English paragraph
    SENTENCE = "sentence"  # the same English sentence
    FUZZY = "fuzzy"  # similar English (`score` says how similar)
    CONCORDANCE = "concordance"  # English that has the phrase searched for


class UnitKind(str, Enum):
    PARAGRAPH = "paragraph"  # a catalog entry or an imported unit as it is
    SENTENCE = "sentence"  # a sentence pair aligned out of a paragraph pair


class SourceKind(str, Enum):
    CATALOG = "catalog"
    IMPORT = "import"


@dataclass(frozen=True)
class Match:
    """One translation from the memory."""

    kind: MatchKind
    score: float  # 100.0 for the same English
    source: str  # the English the translation was approved for
    target: str  # the reviewed translation
    lang: str
    where: str  # 'article:12' (catalog domain and line) or 'trados.tmx:34'
    origin: SourceKind
    repair: Repair | None = None  # the translation adapted to the new English, if mechanical
    note: str = ""


@dataclass
class RefreshReport:
    """What `refresh` did; `errors` lists every catalog that cannot be read (one line each)."""

    read: list[str] = field(default_factory=list)  # catalogs (re-)read
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)  # catalogs gone from the folder
    errors: list[str] = field(default_factory=list)
    units: int = 0  # units stored from the catalogs read


@dataclass(frozen=True)
class StatsRow:
    lang: str
    origin: SourceKind
    name: str  # catalog path under the locales folder, or the imported file's name
    paragraphs: int
    sentences: int


@dataclass
class MemoryStats:
    rows: list[StatsRow]

    @property
    def units(self) -> int:
        return sum(r.paragraphs + r.sentences for r in self.rows)

    def by_language(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.lang] = out.get(r.lang, 0) + r.paragraphs + r.sentences
        return out

    def by_source(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.name] = out.get(r.name, 0) + r.paragraphs + r.sentences
        return out


def normalize_lang(tag: str, path: str | Path | None = None, line: int | None = None) -> str:
    """A TMX/PO language tag in the toolkit's form: 'EL-gr' -> 'el_GR', 'sr-Latn' -> 'sr_Latn'."""
    parts = re.split(r"[-_]", tag.strip())
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.upper() if len(part) == 2 else part.title() if len(part) == 4 else part)
    try:
        return check_lang("_".join(out))
    except ToolkitError as exc:
        raise ToolkitError(exc.message, path=path, line=line) from None


def compatible(wanted: str, stored: str) -> bool:
    """Whether a unit in `stored` answers a lookup for `wanted`: the same tag, or the same language
    where one of them names no region ('el' and 'el_GR'; not 'pt_BR' and 'pt_PT')."""
    if wanted == stored:
        return True
    return primary(wanted) == primary(stored) and (primary(wanted) == wanted or primary(stored) == stored)


def has_memory(locales_dir: str | Path) -> bool:
    """Whether a locales folder has a memory to look in: an index, or catalogs to build one from
    (a run that finds neither writes nothing for the memory)."""
    folder = Path(locales_dir)
    return (folder / INDEX_PATH).is_file() or any(folder.glob("*/LC_MESSAGES/*.po"))


def open_memory(locales_dir: str | Path, *, refresh: bool = True) -> Memory:
    """The memory of a locales folder, brought up to date with its catalogs (unless not `refresh`)."""
    memory = Memory(locales_dir)
    if refresh:
        memory.last_refresh = memory.refresh()
    return memory


class Memory:
    def __init__(self, locales_dir: str | Path):
        self.locales_dir = Path(locales_dir)
        self.index = MemoryIndex(self.locales_dir / INDEX_PATH)
        self.last_refresh: RefreshReport | None = None

    def close(self) -> None:
        self.index.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping up with the catalogs

    def refresh(self) -> RefreshReport:
        """Re-read the catalogs that changed since the last refresh; drop those that are gone."""
        report = RefreshReport()
        known = self.index.sources(SourceKind.CATALOG)
        found = self._catalogs()
        changes: list[_Change] = []
        for name, (path, lang, domain) in found.items():
            change = _check_catalog(name, path, lang, domain, known.get(name))
            if change.units is None and change.error is None:
                report.unchanged += 1
            if change.units is not None or change.error is not None or change.stat_only:
                changes.append(change)
        with self.index.write():
            for name in sorted(set(known) - set(found)):
                self.index.delete_source(known[name].id)
                report.removed.append(name)
            for c in changes:
                if c.stat_only:
                    self.index.set_stat(known[c.name].id, c.size, c.mtime_ns)
                    continue
                source_id = self.index.save_source(
                    SourceKind.CATALOG, c.name, c.domain, size=c.size, mtime_ns=c.mtime_ns,
                    sha256=c.sha256, error=c.error,
                )
                self.index.delete_units(source_id)
                if c.units is not None:
                    self.index.add_units(source_id, c.units)
                    report.read.append(c.name)
                    report.units += len(c.units)
        report.errors = [s.error for s in self.index.sources(SourceKind.CATALOG).values() if s.error]
        return report

    def _catalogs(self) -> dict[str, tuple[Path, str, str]]:
        """name -> (path, lang, domain) of every catalog in the folder."""
        out = {}
        for path in sorted(self.locales_dir.glob("*/LC_MESSAGES/*.po")):
            lang = path.parent.parent.name
            try:
                check_lang(lang)
            except ToolkitError:
                continue  # not a language folder
            out[path.relative_to(self.locales_dir).as_posix()] = (path, lang, path.stem)
        return out

    # -- imported memories

    def import_file(self, path: str | Path, lang: str | None = None) -> int:
        """Import a TMX or PO file's translations, replacing an earlier import of the same file
        name; how many units were stored. All or nothing: any problem is a ToolkitError and the
        memory is as it was. `lang` names the target language of a PO without a Language header."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".tmx":
            records = read_tmx(path)
        elif suffix in (".po", ".pot"):
            records = _po_records(path, lang)
        else:
            raise ToolkitError("cannot import this file: expected a .tmx or .po file", path=path)
        units: list[NewUnit] = []
        for r in records:
            units += _unit_pair(
                r.source, r.target, normalize_lang(r.target_lang, path, r.line), r.line, r.note, r.properties
            )
        if not units:
            raise ToolkitError("no translations to import in this file", path=path)
        with self.index.write():
            source_id = self.index.save_source(SourceKind.IMPORT, path.name, path.name)
            self.index.delete_units(source_id)
            self.index.add_units(source_id, units)
        return len(units)

    def export_tmx(self, path: str | Path, lang: str | None = None, *, sentences: bool = False) -> int:
        """Write the memory (one language, or all) as TMX 1.4b: the paragraph units, and the
        aligned sentence pairs too if `sentences`. Each unit says where it came from in a
        ``x-toolkit-where`` property. How many units were written."""
        rows = self.index.all_units(primary(lang) if lang else None, sentences=sentences)
        seen, units = set(), []
        for row in rows:
            if (lang and not compatible(lang, row.lang)) or (row.key, row.target, row.lang) in seen:
                continue
            seen.add((row.key, row.target, row.lang))
            props = (*row.props, ("x-toolkit-where", _where(row)))
            units.append(TmxUnit(row.source, row.target, "en", row.lang, row.note, props))
        write_tmx(path, units, segtype="block" if sentences else "paragraph")
        return len(units)

    def stats(self) -> MemoryStats:
        """Units per language and source."""
        table: dict[tuple[str, str, str], list[int]] = {}
        for lang, origin, name, kind, n in self.index.counts():
            table.setdefault((lang, origin, name), [0, 0])[kind == UnitKind.SENTENCE] += n
        return MemoryStats(
            [StatsRow(lang, SourceKind(origin), name, p, s) for (lang, origin, name), (p, s) in table.items()]
        )

    # -- lookups

    def lookup_paragraph(self, text: str, lang: str) -> list[Match]:
        """Reviewed translations of the same English paragraph (whitespace-normalised)."""
        rows = self.index.exact(primary(lang), normalize(text))
        return self._matches(rows, lang, MatchKind.PARAGRAPH)

    def lookup_sentence(self, text: str, lang: str) -> list[Match]:
        """Reviewed translations of the same English sentence: aligned sentence pairs and
        single-sentence units."""
        rows = self.index.exact(primary(lang), normalize(text), sentences_only=True)
        return self._matches(rows, lang, MatchKind.SENTENCE)

    def fuzzy(
        self, text: str, lang: str, limit: int = 3, threshold: float = FUZZY_THRESHOLD, *,
        glossary: Glossary | None = None,
    ) -> list[Match]:
        """The `limit` most similar units (score >= `threshold`, 0-100), best first; each with
        the translation repaired when only numbers (or, with a `glossary`, its terms) differ."""
        from rapidfuzz import fuzz, process  # here: only fuzzy lookups pay its import (~10 ms)

        if not 0 < threshold <= 100:
            raise ToolkitError(f"the fuzzy threshold is a similarity from 1 to 100, got {threshold}")
        key = normalize(text)
        if not key or limit < 1:
            return []
        # a text of several sentences is matched with paragraphs, not with one sentence of one
        paragraphs_only = len(split_sentences(key)) > 1
        candidates = {
            uid: ukey
            for uid, ukey, kind in self.index.fuzzy_candidates(primary(lang), key, threshold)
            if not (paragraphs_only and kind == UnitKind.SENTENCE)
        }
        scored = process.extract(key, candidates, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
        scored.sort(key=lambda hit: (-hit[1], hit[2]))
        scores = {uid: score for _, score, uid in scored}
        rows = {r.id: r for r in self.index.rows([uid for _, _, uid in scored[: 8 * limit + 8]])}
        ordered = sorted(
            rows.values(), key=lambda r: (-scores[r.id], r.source_kind, r.source_name, r.line, r.id)
        )
        matches = self._matches(ordered, lang, MatchKind.FUZZY, scores)[:limit]
        return [
            m if m.score >= 100 else _with_repair(m, repair(text, m.source, m.target, glossary=glossary,
                                                            lang=lang))
            for m in matches
        ]

    def search(self, phrase: str, lang: str, limit: int = 20) -> list[Match]:
        """Concordance: units whose English has `phrase` (whole words, casefolded), with where.

        Candidates are the units holding the phrase's rarest word, at most `CONCORDANCE_SCAN`
        of them: a phrase of common words only may find fewer than all its occurrences."""
        key = normalize(phrase)
        if not key:
            return []
        pattern = re.compile(r"(?<!\w)" + re.escape(key.casefold()) + r"(?!\w)")
        rows = self.index.containing(primary(lang), key, CONCORDANCE_SCAN)
        rows = [r for r in rows if pattern.search(r.key.casefold())]
        rows.sort(key=lambda r: (r.kind != UnitKind.SENTENCE, r.source_kind, r.source_name, r.line, r.id))
        return self._matches(rows, lang, MatchKind.CONCORDANCE)[:limit]

    def _matches(
        self, rows: list[UnitRow], lang: str, kind: MatchKind, scores: dict[int, float] | None = None
    ) -> list[Match]:
        """Matches for `lang`, one per distinct (English, translation), in the order of `rows`."""
        out, seen = [], set()
        for row in rows:
            if not compatible(lang, row.lang) or (row.key, row.target) in seen:
                continue
            seen.add((row.key, row.target))
            score = scores[row.id] if scores else 100.0
            out.append(Match(kind, score, row.source, row.target, row.lang, _where(row),
                             SourceKind(row.source_kind), note=row.note))
        return out


@dataclass
class _Change:
    """What `refresh` found out about one catalog before writing anything."""

    name: str
    domain: str
    size: int = -1
    mtime_ns: int = -1
    sha256: str | None = None
    units: list[NewUnit] | None = None  # None: nothing to store (unchanged, or an error)
    error: str | None = None
    stat_only: bool = False  # the same content under a new mtime: only the stat is updated


def _check_catalog(name: str, path: Path, lang: str, domain: str, old: SourceRow | None) -> _Change:
    """Stat first (then the content hash) and read the catalog only if its content changed.

    A file modified less than `RACY_NS` before now keeps no mtime, so the next refresh hashes it
    again: an edit within the same clock tick and of the same size would not change the stat.
    """
    try:
        st = path.stat()
        if old and old.error is None and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns):
            return _Change(name, domain)
        digest = hashlib.sha256(read_bytes(path, "catalog file")).hexdigest()
    except (OSError, ToolkitError) as exc:
        return _Change(name, domain, error=str(exc))
    mtime = st.st_mtime_ns if time.time_ns() - st.st_mtime_ns > RACY_NS else -1
    if old and old.error is None and old.sha256 == digest:
        return _Change(name, domain, st.st_size, mtime, digest, stat_only=True)
    try:
        return _Change(name, domain, st.st_size, mtime, digest, units=_catalog_units(path, lang))
    except ToolkitError as exc:
        return _Change(name, domain, st.st_size, mtime, error=str(exc))


def _where(row: UnitRow) -> str:
    return f"{row.label}:{row.line}"


def _with_repair(match: Match, fixed: Repair | None) -> Match:
    if fixed is None:
        return match
    return Match(match.kind, match.score, match.source, match.target, match.lang, match.where,
                 match.origin, fixed, match.note)


def _unit_pair(
    source: str, target: str, lang: str, line: int, note: str = "", props: tuple[tuple[str, str], ...] = ()
) -> list[NewUnit]:
    """The paragraph unit of a translation and the sentence units aligned out of it."""
    alignment = align(source, target, lang)
    units = [NewUnit(UnitKind.PARAGRAPH, lang, source, target, alignment.sentences, line, note, props)]
    units += [NewUnit(UnitKind.SENTENCE, lang, s, t, 1, line) for s, t in alignment.pairs]
    return units


def _catalog_units(path: Path, lang: str) -> list[NewUnit]:
    """The reviewed translations of one catalog (see the module docstring for what counts)."""
    units: list[NewUnit] = []
    for entry in read_po(path):
        if entry.obsolete or not entry.msgid or entry.msgid_plural or not is_human(entry):
            continue
        if entry.fuzzy and entry.previous_msgid:
            continue  # made for the previous English
        if entry.fuzzy and any(item.startswith(TM_PREFIX + "100%") for item in entry_items(entry)):
            continue  # a copy from the memory nobody approved here yet: its original is in already
        units += _unit_pair(entry.msgid, entry.msgstr, lang, entry.linenum)
    return units


def _po_records(path: Path, lang: str | None) -> list[TmxUnit]:
    """An imported PO's translated, non-fuzzy entries; a plural entry refuses the whole file."""
    po = read_po(path)
    target = lang or po.metadata.get("Language", "").strip()
    if not target:
        raise ToolkitError("no Language header in this PO file: say which language it is in", path=path)
    if is_english(target):
        raise ToolkitError(f"the PO file's language is {target!r}: import translations from English",
                           path=path)
    records = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgid_plural:
            raise ToolkitError(
                "a plural entry (msgid_plural) cannot be imported into the memory: remove it or "
                "export the memory without plurals",
                path=path,
                line=entry.linenum,
            )
        if entry.fuzzy or not entry.msgstr.strip():
            continue
        records.append(TmxUnit(entry.msgid, entry.msgstr, "en", target, entry.tcomment, (), entry.linenum))
    return records
