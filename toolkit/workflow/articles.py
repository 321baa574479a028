"""The articles a run translates: finding them (files, folders, glob patterns), giving each its
own catalog domain, and checking that they are in the language the models translate from.

One catalog per article, always: an article keeps the domain of the catalog it already has;
otherwise a domain is the file's stem (``article``) unless another article of the run has the
same stem, or the catalog of that name belongs to another source file (its ``#:`` references
tell); then it is the path relative to the project folder, made safe (``2026-12-01-index``, then
``article-html``). A run that cannot tell its articles apart is refused
before anything is written, so no run obsoletes another article's entries.
"""

from __future__ import annotations

import glob
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.formats.document import FORMATS, Document, detect_format


def _is_article(path: Path) -> bool:
    """A file whose extension names a format `read_document` reads (.txt, .md, .html ...)."""
    try:
        detect_format(path)
    except ToolkitError:
        return False
    return path.is_file()


def discover_articles(sources: Sequence[str | Path]) -> list[Path]:
    """The article files named by `sources`, in order: each one a file, a folder (its articles,
    sorted; not recursive) or a glob pattern such as ``'articles/*.md'`` or ``'news/**/*.md'``
    (its matches, sorted; ``**`` walks subfolders).

    A name that is neither a folder nor a pattern is taken as a file, so a missing or unreadable
    one fails when it is read, naming it. A pattern that matches nothing is an error, and so is
    finding no article at all.
    """
    paths: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            paths += sorted(p for p in path.iterdir() if _is_article(p))
        elif path.is_file() or glob.escape(str(source)) == str(source):  # not a pattern
            paths.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(str(source), recursive=True))
            matches = [m for m in matches if _is_article(m)] if "**" in str(source) else matches
            if not matches:
                raise ToolkitError(f"no articles match {str(source)!r}")
            paths += matches
    if not paths:
        raise ToolkitError(f"no articles ({', '.join(FORMATS)}) in {', '.join(map(str, sources))}")
    return paths


def require_english(doc: Document) -> None:
    """Refuse an article that is confidently not English (the models translate from English)."""
    from toolkit.qa.langid import detect_language

    found = detect_language("\n\n".join(b.text for b in doc.blocks))
    if found is not None and found.lang != "en" and found.probability >= 0.9:
        raise ToolkitError(
            f"this article looks like '{found.lang}' (p={found.probability:.2f}), not English; "
            f"pass --from {found.lang} if you have models from that language",
            path=doc.path,
        )


def _safe(name: str) -> str:
    """A file-name-safe gettext domain: path separators become ``-``, odd characters ``_``."""
    name = re.sub(r"[\\/]+", "-", name)
    name = re.sub(r"[^\w.-]", "_", name).lstrip(".") or "article"
    return re.sub(r"\.{2,}", ".", name)


def _candidates(path: Path, project: Path) -> list[str]:
    """The domains an article may get, most readable first."""
    try:
        rel = path.resolve().relative_to(project.resolve())
    except ValueError:
        rel = Path(path.name)
    plain = rel.with_suffix("").as_posix()
    # the stem as it is (an invalid one is refused, naming it); the paths made safe
    return [path.stem, _safe(plain), _safe(plain + "-" + rel.suffix.lstrip("."))]


def catalog_owner(locales_dir: str | Path, domain: str) -> Path | None:
    """The source file the existing catalogs of `domain` were made from (None: no catalog)."""
    from toolkit.formats.po import read_po
    from toolkit.l10n.catalog import pot_path
    from toolkit.l10n.comments import source_references

    pot = pot_path(locales_dir, domain)
    paths = [pot] if pot.exists() else sorted(Path(locales_dir).glob(f"*/LC_MESSAGES/{domain}.po"))
    for path in paths[:1]:
        try:
            catalog = read_po(path)
        except ToolkitError:
            return None
        for entry in catalog:
            refs = source_references(entry) if entry.occurrences else []
            if refs:
                return Path(refs[0][0])
    return None


def _same_file(a: Path, b: Path) -> bool:
    return a == b or a.resolve() == b.resolve()


def article_domains(
    paths: Sequence[str | Path],
    locales_dir: str | Path,
    domains: Sequence[str] | None = None,
    *,
    project: str | Path | None = None,
) -> list[str]:
    """One catalog domain per article (see the module docstring); `domains` given are checked.

    `project` [default: the current folder] is what paths are taken relative to. A domain whose
    catalogs belong to another source file, or that two articles would share, is a ToolkitError.
    """
    from toolkit.l10n.catalog import check_domain

    files = [Path(p) for p in paths]

    def owner_ok(domain: str, path: Path) -> bool:
        owner = catalog_owner(locales_dir, domain)
        return owner is None or _same_file(owner, path)

    if domains:
        seen: dict[str, Path] = {}
        for path, domain in zip(files, domains, strict=True):
            check_domain(domain)
            if domain in seen:
                raise ToolkitError(
                    f"two articles share the catalog domain '{domain}' ({seen[domain]})", path=path
                )
            seen[domain] = path
            owner = catalog_owner(locales_dir, domain)
            if owner is not None and not _same_file(owner, path):
                raise ToolkitError(
                    f"the catalogs of domain '{domain}' belong to {owner}: choose another --domain",
                    path=path,
                )
        return list(domains)
    root = Path.cwd() if project is None else Path(project)
    candidates = [_candidates(p, root) for p in files]
    chosen: list[str | None] = [None] * len(files)
    taken: set[str] = set()
    for i, path in enumerate(files):  # an article keeps the catalog it already has
        for domain in candidates[i]:
            owner = catalog_owner(locales_dir, domain)
            if owner is not None and _same_file(owner, path) and domain not in taken:
                chosen[i] = domain
                taken.add(domain)
                break
    for level in range(3):
        pending = [i for i, d in enumerate(chosen) if d is None]
        counts = Counter(candidates[i][level] for i in pending)
        for i in pending:
            domain = candidates[i][level]
            if domain in taken or not owner_ok(domain, files[i]):
                continue
            if counts[domain] == 1:
                chosen[i] = domain
                taken.add(domain)
    for i, domain in enumerate(chosen):
        if domain is not None:
            check_domain(domain)
        else:
            raise ToolkitError(
                f"cannot give this article a catalog of its own (domain '{candidates[i][-1]}' "
                "is taken): rename it or translate it alone with --domain",
                path=files[i],
            )
    return [d for d in chosen if d is not None]


LAYOUTS = ("flat", "bundle", "folders")
"""Where `output_path` puts a translated article: ``flat`` ``OUT/<domain>.<lang>.<ext>``,
``bundle`` (Hugo page bundles, multilingual by file name) ``OUT/<folders>/<stem>.<lang>.<ext>``,
``folders`` (Jekyll, MkDocs: one tree per language) ``OUT/<lang>/<folders>/<name>``; the folders
are the article's, relative to the project folder."""


def _relative(path: Path, project: Path) -> Path:
    """`path` relative to `project`, or only its name when it is elsewhere (never ``..``)."""
    try:
        return path.resolve().relative_to(project.resolve())
    except ValueError:
        return Path(path.name)


def output_path(
    path: str | Path,
    out_dir: str | Path,
    lang: str,
    *,
    domain: str | None = None,
    layout: str = "flat",
    project: str | Path | None = None,
) -> Path:
    """Where the `lang` translation of the article at `path` goes (see `LAYOUTS`); inside
    `out_dir` always: a name or a path relative to the project folder cannot leave it."""
    src = Path(path)
    suffix = src.suffix or ".txt"
    if layout == "flat":
        return Path(out_dir) / f"{domain or src.stem}.{lang}{suffix}"
    rel = _relative(src, Path.cwd() if project is None else Path(project))
    if layout == "bundle":
        return Path(out_dir) / rel.parent / f"{src.stem}.{lang}{suffix}"
    if layout == "folders":
        return Path(out_dir) / lang / rel
    raise ToolkitError(f"unknown output layout '{layout}': use {', '.join(LAYOUTS)}")


def check_output_paths(
    paths: Sequence[str | Path],
    domains: Sequence[str],
    langs: Sequence[str],
    out_dir: str | Path,
    layout: str = "flat",
) -> None:
    """Every output path of a run, checked before the first file is written: no two articles
    write one file, none overwrites its own source, and none is in the place of a folder."""
    seen: dict[Path, Path] = {}
    for path, domain in zip(paths, domains, strict=True):
        for lang in langs:
            out = output_path(path, out_dir, lang, domain=domain, layout=layout)
            key = out.resolve()
            if key in seen:
                raise ToolkitError(f"two articles would be written to {out} ({seen[key]})", path=path)
            if key == Path(path).resolve():
                raise ToolkitError(f"the translation would overwrite its source ({out})", path=path)
            if out.is_dir():
                raise ToolkitError(f"is a folder, not a file: cannot write the article {out}", path=path)
            seen[key] = Path(path)


def alternate_urls(
    pattern: str,
    path: str | Path,
    langs: Sequence[str],
    *,
    domain: str | None = None,
    layout: str = "flat",
) -> dict[str, str]:
    """The URL of each language version of an article, from a pattern such as
    ``https://example.org/{lang}/{stem}/``: ``{lang}``, ``{stem}`` (the file's), ``{domain}`` and
    ``{path}`` (the version's output path, relative to the output folder) are filled in."""
    src = Path(path)
    urls = {}
    for lang in langs:
        rel = output_path(src, ".", lang, domain=domain, layout=layout).as_posix()
        fields = {"lang": lang, "stem": src.stem, "domain": domain or src.stem, "path": rel}
        try:
            urls[lang] = pattern.format(**fields)
        except (KeyError, IndexError, ValueError) as e:
            raise ToolkitError(
                f"bad --hreflang-url pattern {pattern!r} ({e}): use {{lang}}, {{stem}}, {{domain}} "
                "or {path}"
            ) from None
    return urls
