"""The article workflow: article -> update plan -> translate what needs it -> catalogs -> articles.

Each stage is a plain function over plain data (`toolkit.l10n.plan`, `toolkit.l10n.translate`,
`toolkit.l10n.catalog`, QA, the translation memory in `toolkit.workflow.memory_stage`); this
module only orders them. One model call per language covers every sentence of the article; an
archive goes chunk by chunk (`CHUNK_WORDS`), each chunk one call per language and written before
the next, so memory stays bounded and a stopped run keeps what it finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polib

from toolkit.errors import ModelNotInstalled, ToolkitError
from toolkit.fileio import atomic_write_text, check_writable_folder, locked
from toolkit.formats.document import Document
from toolkit.formats.po import plural_forms, read_po, write_po
from toolkit.l10n.catalog import annotate, build_catalog, build_template, po_path, pot_path
from toolkit.l10n.comments import qa_item
from toolkit.l10n.memory_use import MemoryOptions, MemoryUse, sentence_lookup
from toolkit.l10n.plan import CatalogPlan, DraftPolicy, plan_update
from toolkit.l10n.render import render_catalog
from toolkit.l10n.translate import LanguageResult, translate_blocks
from toolkit.mt.ctranslate import release_memory
from toolkit.mt.drafts import Draft
from toolkit.mt.registry import load_engine
from toolkit.mt.types import Engine
from toolkit.terms.glossary import Glossary
from toolkit.workflow.articles import (
    alternate_urls,
    article_domains,
    check_output_paths,
    output_path,
)
from toolkit.workflow.drafts import check_drafts_store, fresh_drafts, record_run_drafts
from toolkit.workflow.memory_stage import RunMemory, apply_memory, memory_items

EngineLoader = Callable[[str, str], Engine]
Progress = Callable[[str, str], None]  # (language, stage message)
Key = tuple[int, str]  # (document number, language)
ArticleDone = Callable[["ArticleProgress"], None]


@dataclass(frozen=True)
class LocalizeOptions:
    """How a run localizes: the same for every article and language of it."""

    locales_dir: Path
    out_dir: Path | None = None  # rendered articles go here (None: catalogs only)
    from_code: str = "en"
    engine_loader: EngineLoader = load_engine
    glossary: Glossary | None = None
    skip_missing: bool = False  # a language without an installed model gets empty msgstrs
    progress: Progress | None = None
    lock_wait: float = 60.0  # seconds to wait for another run holding the locales folder
    overwrite_reviewed: bool = False
    memory: MemoryOptions | None = None  # use the locales folder's translation memory (None: not)
    layout: str = "flat"  # where rendered articles go (toolkit.workflow.articles.LAYOUTS)
    hreflang_url: str | None = None  # HTML pages link their language versions (alternate_urls)
    alternate_langs: tuple[str, ...] = ()  # the languages those links name
    context_duplicates: bool = False  # identical text: one entry per copy (copy-<n>), not one
    # (from_code, lang) -> the model_id of the engine this run would use, without loading it
    # (toolkit.workflow.engines.configured_engine_ids); None: drafts are not compared by engine
    engine_ids: Callable[[str, str], str | None] | None = None
    refresh_drafts: bool = False  # every unreviewed machine draft is translated again
    # told once each article's catalogs and pages are written, with how far the run is
    article_done: ArticleDone | None = None


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
    drafts: list[Draft] = field(default_factory=list)  # the fresh machine drafts written
    memory_paragraphs: int = 0  # paragraphs the translation memory gave whole (no model call)
    memory_sentences: int = 0  # sentences of translated paragraphs the memory gave
    refreshed: dict[str, int] = field(default_factory=dict)  # drafts made again, by Refresh reason
    chunk: int = 0  # which chunk of the run's articles (`CHUNK_WORDS`) it was translated with


@dataclass(frozen=True)
class ArticleProgress:
    """An article written, and how far the run is (for progress bars and per-article lines)."""

    index: int  # the document's number in the run
    path: Path  # its source file
    done: int  # articles written so far, this one included
    total: int
    reports: list[LanguageReport]
    sentences: int  # sentences the model translated so far in the run, every language
    seconds: float  # since the first chunk began (after every model was checked)
    eta: float | None  # seconds left, by the model input still to translate (None: not known yet)


def localize_document(
    doc: Document, langs: Sequence[str], *, domain: str | None = None, **options: Any
) -> list[LanguageReport]:
    """Article -> .pot and one .po per language (msgmerge semantics), plus rendered articles.

    Only blocks the existing catalog cannot answer go to the model: an unchanged article makes
    no model call and loads no model. Every model needed is loaded before anything is written,
    and one run at a time holds the locales folder. Reviewed translations are kept unless
    `overwrite_reviewed`; even then, never for a language whose model is missing. The options
    are `localize_documents`' (one list of them, so the two cannot drift apart).
    """
    return localize_documents([doc], langs, domains=[domain] if domain else None, **options)[0]


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
    memory: MemoryOptions | None = None,
    layout: str = "flat",
    hreflang_url: str | None = None,
    context_duplicates: bool = False,
    engine_ids: Callable[[str, str], str | None] | None = None,
    refresh_drafts: bool = False,
    article_done: ArticleDone | None = None,
) -> list[list[LanguageReport]]:
    """Many articles at once: per language, the sentences of a chunk of articles (`CHUNK_WORDS`)
    go to one model call, and each chunk's articles are written before the next is translated.

    Returns one list of LanguageReport per document, in order.
    """
    options = LocalizeOptions(
        locales_dir=Path(locales_dir), out_dir=Path(out_dir) if out_dir is not None else None,
        from_code=from_code, engine_loader=engine_loader, glossary=glossary, skip_missing=skip_missing,
        progress=progress, lock_wait=lock_wait, overwrite_reviewed=overwrite_reviewed, memory=memory,
        layout=layout, hreflang_url=hreflang_url, alternate_langs=(from_code, *langs),
        context_duplicates=context_duplicates, engine_ids=engine_ids, refresh_drafts=refresh_drafts,
        article_done=article_done,
    )
    return _run(docs, langs, domains, options)


def _run(
    docs: Sequence[Document], langs: Sequence[str], domains: Sequence[str] | None, options: LocalizeOptions
) -> list[list[LanguageReport]]:
    for doc in docs:
        if not doc.blocks:
            raise ToolkitError("nothing to translate", path=doc.path)
    # one catalog per article (see toolkit.workflow.articles): refused now, before any writing
    domains = article_domains([doc.path for doc in docs], options.locales_dir, domains)
    if options.out_dir is not None:  # a file there fails now, not after the catalogs are written
        check_writable_folder(options.out_dir, "articles")
        check_output_paths([d.path for d in docs], domains, langs, options.out_dir, options.layout)
        if options.hreflang_url:  # a bad pattern fails now too
            alternate_urls(options.hreflang_url, docs[0].path, options.alternate_langs, layout=options.layout)
    with locked(options.locales_dir, wait=options.lock_wait):
        return _localize(docs, domains, langs, options)


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
        items[block.index] = [qa_item(f.severity, f.check_id, f.message) for f in findings]
    return items


def _draft_policy(lang: str, options: LocalizeOptions) -> DraftPolicy:
    """Which of the language's machine drafts stay: those this run's engine and glossary made."""
    engine_id = options.engine_ids(options.from_code, lang) if options.engine_ids is not None else None
    return DraftPolicy(lang, engine_id, options.glossary, options.refresh_drafts)


CHUNK_WORDS = 20_000
CHUNK_ARTICLES = 20
"""A run translates an archive chunk by chunk: consecutive articles with at most `CHUNK_WORDS`
English words for the model (of the blocks that need it, in the language that needs most) and
at most `CHUNK_ARTICLES` articles, about twenty 1000-word articles. Each chunk's articles are
written before the next chunk is translated, so what a run holds (results, the model's batch) is
bounded however many articles it has, and a run stopped half-way keeps what it finished (the
next run finds those articles unchanged; the cache keeps the chunk it was decoding). One chunk
is still large enough to fill the model's batches; an article longer than this is a chunk of
its own."""


def _chunks(words: Sequence[int]) -> list[range]:
    """Consecutive articles, as `CHUNK_WORDS` and `CHUNK_ARTICLES` bound them."""
    chunks, start, total = [], 0, 0
    for d, mine in enumerate(words):
        if d > start and (total + mine > CHUNK_WORDS or d - start == CHUNK_ARTICLES):
            chunks.append(range(start, d))
            start, total = d, 0
        total += mine
    chunks.append(range(start, len(words)))
    return chunks


def _model_words(d: int, langs: Sequence[str], plans: dict[Key, CatalogPlan]) -> int:
    """The words of an article the model must translate, in the language that needs most."""
    return max(sum(len(b.text.split()) for b in plans[d, lang].needs_mt()) for lang in langs)


class _Pace:
    """How far a run is: articles written, sentences translated, an ETA by model input left."""

    def __init__(self, words: Sequence[int]):
        self.words, self.left = words, sum(words)
        self.started = time.monotonic()
        self.done = self.done_words = self.sentences = 0

    def translated(self, chunk: range, results: dict[Key, LanguageResult]) -> None:
        """A chunk's model calls are over: its words and sentences count as done."""
        words = sum(self.words[d] for d in chunk)
        self.done_words, self.left = self.done_words + words, self.left - words
        self.sentences += sum(r.sentences for r in results.values())

    def written(self, d: int, path: Path, reports: list[LanguageReport]) -> ArticleProgress:
        self.done += 1
        seconds = time.monotonic() - self.started
        eta = 0.0 if not self.left else seconds * self.left / self.done_words if self.done_words else None
        return ArticleProgress(d, path, self.done, len(self.words), reports, self.sentences, seconds, eta)


def _localize(
    docs: Sequence[Document], domains: Sequence[str], langs: Sequence[str], options: LocalizeOptions
) -> list[list[LanguageReport]]:
    check_drafts_store(options.locales_dir)  # a damaged store is one line, before anything is written
    plans: dict[Key, CatalogPlan] = {}
    olds: dict[Key, polib.POFile | None] = {}
    for lang in langs:
        policy = _draft_policy(lang, options)
        for d, (doc, domain) in enumerate(zip(docs, domains, strict=True)):
            path = po_path(options.locales_dir, lang, domain)
            olds[d, lang] = read_po(path) if path.exists() else None
            plans[d, lang] = plan_update(doc, olds[d, lang], overwrite_reviewed=options.overwrite_reviewed,
                                         context_duplicates=options.context_duplicates, drafts=policy)
    tm = None
    if options.memory is not None:  # before any model: what reviewed work answers needs none
        tm = apply_memory(options.locales_dir, plans, langs, len(docs), options.memory,
                          glossary=options.glossary, overwrite_reviewed=options.overwrite_reviewed)
    reports: list[list[LanguageReport]] = [[] for _ in docs]
    written = False
    try:
        engines, missing = _load_engines(docs, langs, plans, olds, options)
        del olds  # read again by nobody: an archive's old catalogs need not stay in memory
        for lang in missing if tm is not None else ():
            tm.apply(plans, lang, len(docs))  # its plan was redone: reviewed work still answers
        for lang in langs:
            plural_forms(lang)  # an unknown code fails here, not after other catalogs were written
        words = [_model_words(d, langs, plans) for d in range(len(docs))]  # plans of missing redone
        pace = _Pace(words)
        for number, chunk in enumerate(_chunks(words)):
            # The chunk in every language before any of its articles is written: a failure leaves
            # them as they were, and the language detector (QA) is never in memory together with
            # a model's batch.
            results = _translate(chunk, langs, plans, engines, options, tm)
            pace.translated(chunk, results)
            drafts = []
            for d in chunk:
                reports[d] = _write_article(docs[d], domains[d], d, langs, plans, results, missing,
                                            options, tm, chunk=number)
                written = True
                drafts += [draft for report in reports[d] for draft in report.drafts]
                told = pace.written(d, docs[d].path, reports[d])
                if options.article_done is not None:
                    options.article_done(told)
            del results
            record_run_drafts(options.locales_dir, drafts, glossary=options.glossary)  # `toolkit eval`
    except BaseException:
        if tm is not None and not written:
            tm.abandon()  # nothing written: not even a memory index this run created
        raise
    finally:
        if tm is not None:
            tm.close()
    return reports


def _write_article(
    doc: Document,
    domain: str,
    d: int,
    langs: Sequence[str],
    plans: dict[Key, CatalogPlan],
    results: dict[Key, LanguageResult],
    missing: set[str],
    options: LocalizeOptions,
    tm: RunMemory | None,
    *,
    chunk: int = 0,
) -> list[LanguageReport]:
    """The template, then each language's catalog and page, of one translated article
    (`chunk`: the run's chunk of articles it was translated with)."""
    pot = pot_path(options.locales_dir, domain)
    old_pot = read_po(pot) if pot.exists() else None
    template = build_template(doc, domain, glossary=options.glossary, old=old_pot,
                              context_duplicates=options.context_duplicates)
    write_po(template, pot)
    reports = []
    for lang in langs:
        reports.append(_write(doc, domain, lang, plans[d, lang], results.get((d, lang)), lang in missing,
                              options, tm.uses.get((d, lang)) if tm else None, template=template,
                              chunk=chunk))
        if options.progress:
            options.progress(lang, "article")
    return reports


def _load_engines(
    docs: Sequence[Document],
    langs: Sequence[str],
    plans: dict[Key, CatalogPlan],
    olds: dict[Key, polib.POFile | None],
    options: LocalizeOptions,
) -> tuple[dict[str, Engine], set[str]]:
    """Load (and so check) every model needed before any work; with `skip_missing`, a language
    without an installed model is left out, and its plan redone so no reviewed msgstr is blanked."""
    engines, missing = {}, set()
    for lang in langs:
        if any(plans[d, lang].needs_mt() for d in range(len(docs))):
            try:
                engines[lang] = options.engine_loader(options.from_code, lang)
            except ModelNotInstalled:
                if not options.skip_missing:
                    raise
                missing.add(lang)
                for d, doc in enumerate(docs):  # no model: a reviewed msgstr is never blanked
                    plans[d, lang] = plan_update(doc, olds[d, lang],
                                                 context_duplicates=options.context_duplicates)
            else:
                _unload(engines[lang])  # loading checked it; one model in memory at a time
    return engines, missing


def _translate(
    chunk: range,
    langs: Sequence[str],
    plans: dict[Key, CatalogPlan],
    engines: dict[str, Engine],
    options: LocalizeOptions,
    tm: RunMemory | None = None,
) -> dict[Key, LanguageResult]:
    """Per language, one batch of the blocks the chunk's documents need, split back by document."""
    results: dict[Key, LanguageResult] = {}
    if engines:
        from toolkit.qa.langid import release_detector

        release_detector()  # the input's language check loaded it; QA reloads it after
    for lang in langs:
        if lang not in engines:
            continue
        needed = [(d, b) for d in chunk for b in plans[d, lang].needs_mt()]
        if not needed:
            continue
        engine = engines[lang]
        if options.progress:
            options.progress(lang, "translating")
            engine = _Reporting(engine, lambda stage, lang=lang: options.progress(lang, stage))
        reuse = tm is not None and not options.overwrite_reviewed
        lookup = sentence_lookup(tm.memory, lang) if reuse else None
        together = translate_blocks(
            [b for _, b in needed], engine, lang, glossary=options.glossary, memory=lookup
        )
        _unload(engines[lang])
        for d in chunk:
            mine = [r for (owner, _), r in zip(needed, together.blocks, strict=True) if owner == d]
            if mine:
                results[d, lang] = LanguageResult(
                    lang, together.model_id, mine, together.seconds, together.model_calls
                )
    return results


class _Reporting:
    """An engine that says how many sentences it has translated, chunk by chunk where the engine
    streams (CTranslate2 models, servers), so a long run's progress moves while it decodes."""

    def __init__(self, engine: Engine, say: Callable[[str], None]):
        self.engine = engine
        self.say = say
        self.sentences = 0
        self.started = time.monotonic()

    def __getattr__(self, name):  # model_id, tokenize, score, calls ... come from the engine
        return getattr(self.engine, name)

    def _tick(self, count: int) -> None:
        self.sentences += count
        rate = self.sentences / max(time.monotonic() - self.started, 1e-6)
        self.say(f"translating ({self.sentences} sentences, {rate:.0f}/s)")

    def translate(self, sentences, *, num_hypotheses: int = 1, **options):
        if getattr(self.engine, "streams_results", False):
            given = options.pop("done", None)

            def done(batch, translations):
                if given is not None:
                    given(batch, translations)
                self._tick(len(batch))

            return self.engine.translate(sentences, num_hypotheses=num_hypotheses, done=done, **options)
        out = self.engine.translate(sentences, num_hypotheses=num_hypotheses, **options)
        self._tick(len(sentences))
        return out


def _write(
    doc: Document,
    domain: str,
    lang: str,
    plan: CatalogPlan,
    result: LanguageResult | None,
    missing_model: bool,
    options: LocalizeOptions,
    use: MemoryUse | None = None,
    template: polib.POFile | None = None,
    chunk: int = 0,
) -> LanguageReport:
    """The catalog of one document and language (with QA items on fresh MT), and its article."""
    by_index = {b.index: b for b in result.blocks} if result else {}
    po = build_catalog(
        doc,
        lang,
        plan,
        by_index,
        model_id=result.model_id if result else None,
        domain=domain,
        glossary=options.glossary,
        template=template,
    )
    items = _qa_items(result, lang, options.glossary) if result else {}
    if use is not None:  # the memory's items: its sentences, then similar reviewed translations
        for p in plan.blocks:
            extra = memory_items(use, by_index.get(p.block.index), p.block.index)
            if extra:
                items[p.block.index] = [*extra, *items.get(p.block.index, [])]
    if items:
        annotate(po, plan, items)
    path = po_path(options.locales_dir, lang, domain)
    write_po(po, path)
    out_path, fallbacks = None, 0
    if options.out_dir is not None:
        alternates = None
        if options.hreflang_url:
            alternates = alternate_urls(options.hreflang_url, doc.path, options.alternate_langs,
                                        domain=domain, layout=options.layout)
        text, fallbacks = render_catalog(po, doc, include_fuzzy=True, alternates=alternates)
        out_path = output_path(doc.path, options.out_dir, lang, domain=domain, layout=options.layout)
        atomic_write_text(out_path, text)
    drafts = fresh_drafts(po, plan, domain=domain, lang=lang) if result else []
    sentences = sum(len(b.memory) for b in result.blocks) if result else 0
    return LanguageReport(lang, path, out_path, plan.counts(), result, fallbacks, missing_model, drafts,
                          len(use.exact) if use else 0, sentences, plan.refreshed(), chunk)
