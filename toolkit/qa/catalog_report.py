"""QA over a whole .po catalog: every entry checked against its msgid, and the report's JSON form.

`toolkit qa` prints a `CatalogReport` as a table or, with ``--json``, as `reports_json`; the
review page shows the same findings per cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import Severity, ToolkitError
from toolkit.formats.po import read_po
from toolkit.l10n.comments import is_truncated_draft
from toolkit.langs import primary_language
from toolkit.qa.checks import check_entry
from toolkit.qa.registry import Finding
from toolkit.terms.glossary import Glossary


@dataclass
class EntryFindings:
    """The findings for one catalog entry; `line` is where the entry starts in the .po file,
    `source` where its text is in the article (the first ``#:`` reference, ``article.txt:12``):
    a translator fixes the catalog, an editor looks at the article."""

    msgid: str
    msgctxt: str | None
    line: int | None
    fuzzy: bool
    findings: list[Finding] = field(default_factory=list)
    source: str = ""


@dataclass
class CatalogReport:
    """Every non-obsolete entry of a catalog, with or without findings, in file order."""

    path: str
    lang: str
    entries: list[EntryFindings] = field(default_factory=list)

    def errors(self) -> int:
        return self._count(Severity.ERROR)

    def warnings(self) -> int:
        return self._count(Severity.WARNING)

    def _count(self, severity: Severity) -> int:
        return sum(f.severity == severity for e in self.entries for f in e.findings)

    def to_json(self) -> dict[str, Any]:
        """The catalog's findings as plain data: one record per finding, in file order."""
        return {
            "catalog": self.path,
            "lang": self.lang,
            "findings": [
                {"line": e.line, "source": e.source, "msgid": e.msgid, "msgctxt": e.msgctxt, "fuzzy": e.fuzzy,
                 "check": f.check_id, "severity": f.severity, "message": f.message}
                for e in self.entries for f in e.findings
            ],
        }


def reports_json(reports: Iterable[CatalogReport]) -> str:
    """What ``toolkit qa --json`` prints: a list with one `CatalogReport.to_json` per catalog."""
    return json.dumps([r.to_json() for r in reports], ensure_ascii=False, indent=1)


def check_catalog(path: str | Path, *, glossary: Glossary | None = None) -> CatalogReport:
    """Check every translated entry of a .po file against its msgid.

    The language comes from the ``Language`` header. Fuzzy entries (machine drafts) are checked
    like the rest and marked as fuzzy; an empty msgstr is reported as untranslated and nothing
    else; obsolete entries are ignored. A machine draft whose comments say the model hit its
    output limit (``FLAGGED: truncated``) is checked with ``truncated=True``. Plural entries are
    checked on their first form. A malformed catalog raises ToolkitError (from `read_po`).
    """
    po = read_po(path)
    raw_lang = po.metadata.get("Language", "").strip()
    if not raw_lang:
        raise ToolkitError("the catalog has no Language header: cannot tell the target language", path=path)
    lang = primary_language(raw_lang)
    if glossary is not None and lang not in glossary.languages:
        raise ToolkitError(
            f"the glossary has no '{lang}' column (it covers {', '.join(glossary.languages)})",
            path=glossary.path or path,
        )
    report = CatalogReport(str(path), lang)
    for entry in po:
        if entry.obsolete:
            continue
        translation = entry.msgstr or (entry.msgstr_plural.get(0, "") if entry.msgstr_plural else "")
        truncated = is_truncated_draft(entry)
        findings = check_entry(entry.msgid, translation, lang, glossary=glossary, truncated=truncated)
        source = ":".join(p for p in entry.occurrences[0] if p) if entry.occurrences else ""
        report.entries.append(EntryFindings(entry.msgid, entry.msgctxt, entry.linenum, entry.fuzzy, findings,
                                            source))
    return report
