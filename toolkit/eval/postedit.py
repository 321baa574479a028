"""Post-edit evaluation: how much did translators change each engine's drafts?

Every reviewed catalog entry is a post-edit of a machine draft, so a newsroom's catalogs already
say which engine works on its own copy. For each reviewed entry (`is_human`) whose draft is in the
drafts store (`toolkit.mt.drafts`), the pair (draft, final) is scored per language and engine:

* entries reviewed, and the share accepted unchanged (final == draft, byte for byte);
* chrF++, TER and BLEU of the drafts against the finals (sacrebleu corpus scores; TER here is
  HTER, the share of words the translators had to edit);
* glossary term accuracy of the drafts and of the finals (`check_translation`): the share of the
  source's term occurrences rendered as the glossary requires;
* QA findings per 100 drafts (`check_entry`, the checks `toolkit qa` runs).

Entries still waiting for review (untouched drafts), entries translated by hand without a draft,
and drafts of a source text that has since changed are left out. `since` keeps only entries whose
draft was written on or after that date.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import ToolkitError
from toolkit.eval.figures import COMET, Measure, Row, metric_measures
from toolkit.eval.metrics import METRICS, Metric, TermTally, glossary_language, load_comet, score_corpus
from toolkit.formats.po import read_po
from toolkit.l10n.comments import is_human
from toolkit.l10n.discover import locale_catalogs
from toolkit.langs import primary_language
from toolkit.mt.drafts import Draft, drafts_path, open_drafts, parse_since
from toolkit.qa.checks import check_entry

if TYPE_CHECKING:
    from toolkit.terms.glossary import Glossary


@dataclass
class Pair:
    """One reviewed entry and the draft it was made from."""

    source: str
    draft: str
    final: str


@dataclass
class EngineFigures:
    """Post-edit figures of one engine in one language."""

    lang: str
    engine: str
    reviewed: int = 0
    accepted: int = 0  # finals identical to the draft
    scores: dict[str, float | None] = field(default_factory=dict)  # by metric key (chrf, ter, ...)
    signatures: dict[str, str] = field(default_factory=dict)  # sacrebleu's, by metric key
    term_occurrences: int | None = None  # None: no glossary, or none for this language
    terms_found_draft: int = 0
    terms_found_final: int = 0
    qa_findings: int = 0  # in the drafts

    @property
    def accepted_share(self) -> float | None:
        return self.accepted / self.reviewed if self.reviewed else None

    @property
    def term_accuracy_draft(self) -> float | None:
        return self.terms_found_draft / self.term_occurrences if self.term_occurrences else None

    @property
    def term_accuracy_final(self) -> float | None:
        return self.terms_found_final / self.term_occurrences if self.term_occurrences else None

    @property
    def qa_per_100(self) -> float | None:
        return self.qa_findings * 100 / self.reviewed if self.reviewed else None

    def values(self) -> dict[str, float | int | None]:
        return {
            "reviewed": self.reviewed,
            "accepted_share": self.accepted_share,
            **self.scores,
            "term_accuracy_draft": self.term_accuracy_draft,
            "term_accuracy_final": self.term_accuracy_final,
            "qa_per_100": self.qa_per_100,
        }


@dataclass
class PostEditReport:
    """Every language and engine found in a locales folder's reviewed catalogs."""

    locales: str
    since: str | None
    figures: list[EngineFigures] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metrics: Mapping[str, Metric] = field(default_factory=lambda: METRICS, repr=False)
    title: str = "Post-edit evaluation: how much translators changed each engine's drafts"

    def measures(self) -> list[Measure]:
        scores = metric_measures(self.metrics, {"ter": "HTER"})
        if any("comet" in f.scores for f in self.figures):
            scores.append(COMET)
        return [
            Measure("reviewed", "reviewed", digits=0, chart=False),
            Measure("accepted_share", "accepted unchanged", percent=True),
            *scores,
            Measure("term_accuracy_draft", "terms in drafts", percent=True),
            Measure("term_accuracy_final", "terms in finals", percent=True),
            Measure("qa_per_100", "QA findings / 100", higher_is_better=False),
        ]

    @property
    def subject(self) -> str:
        since = f", drafts written since {self.since}" if self.since else ""
        reviewed = sum(f.reviewed for f in self.figures)
        return f"reviewed entries in {self.locales}{since}: {reviewed} paired with their machine drafts"

    def rows(self) -> list[Row]:
        return [Row(f.lang, f.engine, f.values()) for f in self.figures]

    def to_dict(self) -> dict:
        return {
            "mode": "post-edit",
            "locales": self.locales,
            "since": self.since,
            "languages": [
                {**{k: v for k, v in asdict(f).items() if k not in ("scores", "signatures")},
                 **_rounded(f.values()), "signatures": f.signatures}
                for f in self.figures
            ],
            "notes": self.notes,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _rounded(values: Mapping[str, float | int | None]) -> dict[str, float | int | None]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}


def collect_pairs(
    locales_dir: str | Path, *, since: str | date | datetime | None = None
) -> tuple[dict[tuple[str, str], list[Pair]], list[str]]:
    """Reviewed entries paired with their drafts, by (language, engine), and notes on what is missing."""
    locales = Path(locales_dir)
    if not locales.is_dir():
        raise ToolkitError("no such locales directory", path=locales)
    catalogs = locale_catalogs(locales)
    cutoff = parse_since(since)
    groups: dict[tuple[str, str], list[Pair]] = {}
    if not drafts_path(locales).is_file():
        return groups, [f"no drafts store yet ({drafts_path(locales)}): drafts are kept from the next "
                        "`toolkit translate` on, and reviewed entries can be scored after that"]
    with open_drafts(locales) as store:
        for path in catalogs:
            lang, domain = path.parent.parent.name, path.stem
            drafts: dict[tuple[str | None, str], Draft] = store.drafts_for(domain, lang, since=cutoff)
            if not drafts:
                continue
            for entry in read_po(path):
                if entry.obsolete or entry.msgid_plural or not is_human(entry):
                    continue
                draft = drafts.get((entry.msgctxt, entry.msgid))
                if draft is not None:
                    groups.setdefault((lang, draft.engine), []).append(
                        Pair(entry.msgid, draft.text, entry.msgstr))
    return groups, []


def evaluate_postedit(
    locales_dir: str | Path,
    *,
    glossary: Glossary | None = None,
    since: str | date | datetime | None = None,
    comet_model: str | Path | None = None,
    metrics: Mapping[str, Metric] = METRICS,
) -> PostEditReport:
    """Post-edit figures per language and engine for every catalog under `locales_dir`."""
    cutoff = parse_since(since)
    groups, notes = collect_pairs(locales_dir, since=cutoff)
    report = PostEditReport(str(locales_dir), cutoff.isoformat() if cutoff else None, notes=notes,
                            metrics=metrics)
    if not groups and not notes:
        report.notes.append("no reviewed entry has a recorded draft")
    comet, comet_note = load_comet(comet_model) if groups else (None, None)
    no_column: set[str] = set()
    for (lang, engine), pairs in sorted(groups.items()):
        figures = EngineFigures(lang, engine, reviewed=len(pairs))
        figures.accepted = sum(p.final == p.draft for p in pairs)
        scores = score_corpus([p.draft for p in pairs], [p.final for p in pairs], lang, metrics)
        figures.scores, figures.signatures = scores.values, scores.signatures
        if comet is not None:
            figures.scores["comet"] = comet([p.source for p in pairs], [p.draft for p in pairs],
                                            [p.final for p in pairs])
        column = glossary_language(glossary, lang)
        usable = glossary if column is not None else None  # check_entry needs the column too
        if usable is not None and column is not None:
            drafts, finals = TermTally(), TermTally()
            for p in pairs:
                drafts.add(usable, p.source, p.draft, column)
                finals.add(usable, p.source, p.final, column)
            figures.term_occurrences = drafts.occurrences
            figures.terms_found_draft, figures.terms_found_final = drafts.found, finals.found
        elif glossary is not None:
            no_column.add(primary_language(lang))
        figures.qa_findings = sum(len(check_entry(p.source, p.draft, lang, glossary=usable)) for p in pairs)
        report.figures.append(figures)
    if comet_note:
        report.notes.append(comet_note)
    for column in sorted(no_column):
        report.notes.append(f"the glossary has no '{column}' column: no term accuracy for it")
    return report
