"""Wire the stages: read -> segment -> (protect terms) -> translate -> (restore, verify) -> write.

Each stage is a plain function over plain data; this module only orders them. One model call per
language covers every sentence of the article (or of many articles, see `translate_documents`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_text, locked
from toolkit.formats.document import Block, Document
from toolkit.l10n.segment import Segment, join, segment_block
from toolkit.mt.engine import Engine, load_engine, release_memory
from toolkit.terms.enforce import TermOutcome, Unit, translate_units
from toolkit.terms.glossary import Glossary

EngineLoader = Callable[[str, str], Engine]
Progress = Callable[[str, str], None]  # (language, stage message)

# Longest sentence (in model tokens) sent to the model at once; longer ones are split first.
MAX_SENTENCE_TOKENS = 200


@dataclass
class SentenceResult:
    source: str
    text: str
    truncated: bool = False
    flags: list[str] = field(default_factory=list)
    terms: list[TermOutcome] = field(default_factory=list)


@dataclass
class BlockResult:
    index: int
    source: str
    text: str
    sentences: list[SentenceResult]

    @property
    def flags(self) -> list[str]:
        return [f for s in self.sentences for f in s.flags]


@dataclass
class LanguageResult:
    lang: str
    model_id: str
    blocks: list[BlockResult]
    seconds: float = 0.0
    model_calls: int = 0

    @property
    def sentences(self) -> int:
        return sum(len(b.sentences) for b in self.blocks)

    @property
    def translations(self) -> dict[int, str]:
        return {b.index: b.text for b in self.blocks}

    def term_counts(self) -> dict[str, int]:
        """How each glossary occurrence was satisfied: found / n-best / mask / flagged."""
        counts = {"found": 0, "n-best": 0, "mask": 0, "flagged": 0}
        for block in self.blocks:
            for sentence in block.sentences:
                for term in sentence.terms:
                    counts[term.how] += 1
        return counts


def mt_text(sentence: str) -> str:
    """What the model sees: line breaks and runs of spaces inside a sentence become one space."""
    return " ".join(sentence.split())


def segment_blocks(
    blocks: Sequence[Block], length: Callable[[str], int] | None = None
) -> list[list[Segment]]:
    return [
        segment_block(b.text, b.index, max_len=MAX_SENTENCE_TOKENS, length=length) for b in blocks
    ]


def translate_blocks(
    blocks: Sequence[Block], engine: Engine, lang: str, *, glossary: Glossary | None = None
) -> LanguageResult:
    """Translate blocks with glossary enforcement; every block keeps its exact layout."""
    start = time.perf_counter()
    calls_before = engine.calls
    segmented = segment_blocks(blocks, length=lambda s: len(engine.tokenize(s)))
    units = [
        Unit(seg.text, _markup_in(block, seg))
        for block, segs in zip(blocks, segmented, strict=True)
        for seg in segs
    ]
    outcomes = iter(translate_units(units, engine, lang, glossary=glossary, normalize=mt_text))
    results = []
    for block, segs in zip(blocks, segmented, strict=True):
        sentences = []
        for seg in segs:
            out = next(outcomes)
            sentences.append(SentenceResult(seg.text, out.text, out.truncated, out.flags, out.terms))
        text = join(block.text, segs, [s.text for s in sentences])
        results.append(BlockResult(block.index, block.text, text, sentences))
    return LanguageResult(
        lang=lang,
        model_id=engine.model_id,
        blocks=results,
        seconds=time.perf_counter() - start,
        model_calls=engine.calls - calls_before,
    )


def _markup_in(block: Block, seg: Segment) -> tuple[tuple[int, int], ...]:
    """The block's protected markup spans that fall inside this sentence, in its coordinates."""
    return tuple(
        (s - seg.start, e - seg.start)
        for s, e in block.protected
        if seg.start <= s and e <= seg.end
    )


def translate_document(
    doc: Document,
    langs: Sequence[str],
    *,
    from_code: str = "en",
    engine_loader: EngineLoader = load_engine,
    glossary: Glossary | None = None,
    progress: Progress | None = None,
) -> dict[str, LanguageResult]:
    """Translate a document into each language. Every model is checked before any work starts."""
    if not doc.blocks:
        raise ToolkitError("nothing to translate", path=doc.path)
    engines = {lang: engine_loader(from_code, lang) for lang in langs}
    results = {}
    for lang in langs:
        if progress:
            progress(lang, "translating")
        results[lang] = translate_blocks(doc.blocks, engines[lang], lang, glossary=glossary)
        if progress:
            progress(lang, "done")
    return results


def output_path(doc: Document, out_dir: str | Path, lang: str) -> Path:
    """`DIR/<stem>.<lang>.<ext>`; the stem is the file's own name, so it cannot escape DIR."""
    src = Path(doc.path)
    return Path(out_dir) / f"{src.stem}.{lang}{src.suffix or '.txt'}"


def write_translations(
    doc: Document, results: dict[str, LanguageResult], out_dir: str | Path
) -> list[Path]:
    written = []
    for lang, result in results.items():
        path = output_path(doc, out_dir, lang)
        atomic_write_text(path, doc.render(result.translations))
        written.append(path)
    return written


@dataclass
class LanguageReport:
    """What `localize_document` did for one language."""

    lang: str
    po_path: Path
    out_path: Path | None
    plan: dict[str, int]  # keep / review-changed / translate / obsolete
    result: LanguageResult | None  # MT of the blocks that needed it (None: nothing needed)
    fallbacks: int = 0  # blocks of the rendered article left in the source language
    missing_model: bool = False


def localize_document(
    doc: Document,
    langs: Sequence[str],
    *,
    locales_dir: str | Path,
    domain: str | None = None,
    out_dir: str | Path | None = None,
    from_code: str = "en",
    engine_loader: EngineLoader = load_engine,
    glossary: Glossary | None = None,
    skip_missing: bool = False,
    progress: Progress | None = None,
    lock_wait: float = 60.0,
    overwrite_reviewed: bool = False,
) -> list[LanguageReport]:
    """Article -> .pot and one .po per language (msgmerge semantics), plus rendered articles.

    Only blocks the existing catalog cannot answer go to the model: an unchanged article makes
    no model call and loads no model. Every model needed is loaded before anything is written,
    and one run at a time holds the locales folder. Reviewed translations are kept unless
    `overwrite_reviewed`; even then, never for a language whose model is missing.
    """
    return localize_documents(
        [doc], langs, locales_dir=locales_dir, domains=[domain] if domain else None, out_dir=out_dir,
        from_code=from_code, engine_loader=engine_loader, glossary=glossary,
        skip_missing=skip_missing, progress=progress, lock_wait=lock_wait,
        overwrite_reviewed=overwrite_reviewed,
    )[0]


def localize_documents(
    docs: Sequence[Document],
    langs: Sequence[str],
    *,
    locales_dir: str | Path,
    domains: Sequence[str] | None = None,
    out_dir: str | Path | None = None,
    from_code: str = "en",
    engine_loader: EngineLoader = load_engine,
    glossary: Glossary | None = None,
    skip_missing: bool = False,
    progress: Progress | None = None,
    lock_wait: float = 60.0,
    overwrite_reviewed: bool = False,
) -> list[list[LanguageReport]]:
    """Many articles at once: per language, the sentences of ALL articles go to one model call.

    Returns one list of LanguageReport per document, in order.
    """
    for doc in docs:
        if not doc.blocks:
            raise ToolkitError("nothing to translate", path=doc.path)
    domains = list(domains) if domains else [Path(doc.path).stem for doc in docs]
    seen: dict[str, str] = {}
    for doc, domain in zip(docs, domains, strict=True):
        if domain in seen:
            raise ToolkitError(f"two articles share the catalog domain '{domain}' ({seen[domain]})",
                               path=doc.path)
        seen[domain] = doc.path
    with locked(locales_dir, wait=lock_wait):
        return _localize(
            docs, domains, langs, Path(locales_dir), out_dir, from_code, engine_loader, glossary,
            skip_missing, progress, overwrite_reviewed,
        )


def _unload(engine) -> None:
    """Give a model's memory back between languages (engines that cannot, keep it)."""
    unload = getattr(engine, "unload", None)
    if unload is not None:
        unload()
    release_memory()


def _qa_items(result: LanguageResult, lang: str, glossary: Glossary | None) -> dict[int, list[str]]:
    """QA findings on fresh machine output, as `#. QA: ...` items for the catalog entries."""
    from toolkit.qa.checks import check_entry

    items = {}
    for block in result.blocks:
        truncated = any(s.truncated for s in block.sentences)
        findings = check_entry(block.source, block.text, lang, glossary=glossary, truncated=truncated)
        items[block.index] = [f"QA: {f.severity} [{f.check_id}] {f.message}" for f in findings]
    return items


def _localize(
    docs, domains, langs, locales_dir, out_dir, from_code, engine_loader, glossary, skip_missing, progress,
    overwrite_reviewed=False,
) -> list[list[LanguageReport]]:
    from toolkit.l10n.catalog import (
        annotate,
        build_catalog,
        build_template,
        plan_update,
        plural_forms,
        po_path,
        pot_path,
        read_po,
        render_catalog,
        write_po,
    )

    plans, olds = {}, {}  # (doc number, lang) -> CatalogPlan, old catalog or None
    for lang in langs:
        for d, (doc, domain) in enumerate(zip(docs, domains, strict=True)):
            path = po_path(locales_dir, lang, domain)
            olds[d, lang] = read_po(path) if path.exists() else None
            plans[d, lang] = plan_update(doc, olds[d, lang], overwrite_reviewed=overwrite_reviewed)
    engines, missing = {}, set()
    for lang in langs:
        if any(plans[d, lang].needs_mt() for d in range(len(docs))):
            try:
                engines[lang] = engine_loader(from_code, lang)
            except ToolkitError:
                if not skip_missing:
                    raise
                missing.add(lang)
                for d, doc in enumerate(docs):  # no model: a reviewed msgstr is never blanked
                    plans[d, lang] = plan_update(doc, olds[d, lang])
            else:
                _unload(engines[lang])  # loading checked it; one model in memory at a time
    for lang in langs:
        plural_forms(lang)  # an unknown code fails here, not after other catalogs were written

    # Translate every language before writing anything: a failure leaves the catalogs as they
    # were, and the language detector (QA) is never in memory together with a model's batch.
    results: dict[tuple[int, str], LanguageResult] = {}
    if engines:
        from toolkit.qa.checks import release_detector

        release_detector()  # the input's language check loaded it; QA reloads it after
    for lang in langs:
        if lang not in engines:
            continue
        if progress:
            progress(lang, "translating")
        needed = [(d, b) for d in range(len(docs)) for b in plans[d, lang].needs_mt()]
        together = translate_blocks([b for _, b in needed], engines[lang], lang, glossary=glossary)
        _unload(engines[lang])
        for d in range(len(docs)):
            mine = [r for (owner, _), r in zip(needed, together.blocks, strict=True) if owner == d]
            if mine:
                results[d, lang] = LanguageResult(
                    lang, together.model_id, mine, together.seconds, together.model_calls
                )

    for doc, domain in zip(docs, domains, strict=True):
        write_po(build_template(doc, domain), pot_path(locales_dir, domain))
    reports: list[list[LanguageReport]] = [[] for _ in docs]
    for lang in langs:
        for d, (doc, domain) in enumerate(zip(docs, domains, strict=True)):
            plan, result = plans[d, lang], results.get((d, lang))
            by_index = {b.index: b for b in result.blocks} if result else {}
            po = build_catalog(
                doc,
                lang,
                plan,
                by_index,
                model_id=result.model_id if result else None,
                domain=domain,
                glossary=glossary,
            )
            if result:
                annotate(po, plan, _qa_items(result, lang, glossary))
            path = po_path(locales_dir, lang, domain)
            write_po(po, path)
            out_path, fallbacks = None, 0
            if out_dir is not None:
                text, fallbacks = render_catalog(po, doc, include_fuzzy=True)
                out_path = output_path(doc, out_dir, lang)
                atomic_write_text(out_path, text)
            reports[d].append(
                LanguageReport(lang, path, out_path, plan.counts(), result, fallbacks, lang in missing)
            )
            if progress:
                progress(lang, "article")
        if progress:
            progress(lang, "done")
    return reports
