"""Lint: problems a loadable glossary can still have (`toolkit glossary lint`, and before enforcing).

Loading (`toolkit.terms.glossary`) rejects what cannot be read; lint reports what can be read but
would make enforcement ambiguous or wrong (the same form in two concepts, a do-not-translate
rendering that differs from the term, mixed scripts), and review gaps as warnings.

Lint runs before every enforcing translate, so on a NATOTerm-size glossary (tens of thousands of
concepts) it must not cost a run each time: `cached_lint` keeps the result per glossary version
(the file's hash) under the user cache folder, and the overlap check looks concepts up in an
index of their words instead of comparing every pair.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from toolkit.errors import Severity, ToolkitError
from toolkit.fileio import atomic_write_text
from toolkit.terms.glossary import Concept, Glossary, cache_dir
from toolkit.terms.match import fold, normalise_form


@dataclass
class LintIssue:
    """One finding of `lint`; errors make the glossary unfit for enforcement."""

    path: Path | None
    line: int | None
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path or '<glossary>'}:{self.line}" if self.line else str(self.path or "")
        return f"{where}: {self.severity}: {self.message} [{self.code}]"


_SCRIPT_OF_LANGUAGE = {"el": "GREEK", "ru": "CYRILLIC", "de": "LATIN", "tr": "LATIN"}


def lint(glossary: Glossary) -> list[LintIssue]:
    """Problems a loadable glossary can still have, errors first within each line.

    Errors: duplicate ids; the same surface form in two concepts (the matcher could only pick
    one); a missing or empty rendering; a do-not-translate rendering that differs from the term;
    a form both accepted and rejected; a word mixing scripts (Latin A inside Greek ΝΑΤΟ).
    Warnings: two concepts whose terms partly overlap (``air defence`` / ``defence industry``
    make ``air defence industry`` ambiguous); repeated forms; approvals without reviewer or
    date; renderings whose status is ``rejected``; a rendering in an unexpected script.
    A term wholly inside another (``NATO`` in ``Major Non-NATO Ally``) is not reported: the
    longest match decides it deterministically.
    """
    issues: list[LintIssue] = []

    def add(concept: Concept, severity: Severity, code: str, message: str) -> None:
        issues.append(
            LintIssue(glossary.path, concept.line or None, severity, code,
                      f"{concept.id}: {message}")
        )

    ids: dict[str, Concept] = {}
    for concept in glossary.concepts:
        if concept.id in ids:
            add(concept, Severity.ERROR, "duplicate-id", f"id also used on line {ids[concept.id].line}")
        ids.setdefault(concept.id, concept)
    _lint_surface_forms(glossary, add)
    _lint_overlaps(glossary, add)
    for concept in glossary.concepts:
        _lint_renderings(glossary, concept, add)
    issues.sort(key=lambda i: (i.line or 0, Severity.rank(i.severity), i.code))
    return issues


def _surface_keys(concept: Concept) -> list[tuple[str, str]]:
    keys = []
    for form in concept.forms:
        folded = fold(normalise_form(form))  # the matcher's folding: one form, one key
        keys.append((folded, form))
        if not concept.case_sensitive and folded[-1:].isalpha():
            keys.append((_plural(folded), form))
    return keys


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def _lint_surface_forms(glossary: Glossary, add) -> None:
    owners: dict[str, tuple[Concept, str]] = {}
    for concept in glossary.concepts:
        own: dict[str, str] = {}
        for key, form in _surface_keys(concept):
            if key in own:
                if own[key] == form and form in concept.variants:
                    add(concept, Severity.WARNING, "duplicate-variant", f"'{form}' is listed twice")
                continue
            own[key] = form
            other = owners.get(key)
            if other is None:
                owners[key] = (concept, form)
                continue
            other_concept, other_form = other
            both_exact = concept.case_sensitive and other_concept.case_sensitive
            same = normalise_form(form) == normalise_form(other_form)
            if other_concept.id != concept.id and (not both_exact or same):
                add(concept, Severity.ERROR, "duplicate-term",
                    f"'{form}' is also a form of '{other_concept.id}' (line {other_concept.line})")


def _lint_overlaps(glossary: Glossary, add) -> None:
    words = [
        (concept, [re.findall(r"\w+", form.casefold()) for form in concept.forms])
        for concept in glossary.concepts
    ]
    # Which concepts start a form with which words: only concepts whose form ends with the start
    # of another's can overlap, so only those pairs are compared (in the order of the pairwise
    # loop this replaces, so the warnings come out as they did).
    starting: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for i, (_concept, forms) in enumerate(words):
        for form in forms:
            for k in range(1, len(form)):
                starting[tuple(form[:k])].add(i)
    pairs: set[tuple[int, int]] = set()
    for i, (_concept, forms) in enumerate(words):
        for form in forms:
            for k in range(1, len(form)):
                for j in starting.get(tuple(form[-k:]), ()):
                    if j != i:
                        pairs.add((min(i, j), max(i, j)))
    for i, j in sorted(pairs):
        (first, first_forms), (second, second_forms) = words[i], words[j]
        clash = _partial_overlap(first_forms, second_forms)
        if clash:
            add(second, Severity.WARNING, "overlap",
                f"'{clash[1]}' and '{clash[0]}' of '{first.id}' share '{clash[2]}', so text "
                "containing both is matched only as the longer one")


def _partial_overlap(
    first: list[list[str]], second: list[list[str]]
) -> tuple[str, str, str] | None:
    for a in first:
        for b in second:
            for x, y in ((a, b), (b, a)):
                for k in range(1, min(len(x), len(y))):
                    if x[-k:] == y[:k]:
                        return " ".join(a), " ".join(b), " ".join(x[-k:])
    return None


def _lint_renderings(glossary: Glossary, concept: Concept, add) -> None:
    for lang in concept.renderings:
        if lang not in glossary.languages:
            add(concept, Severity.ERROR, "unknown-language", f"rendering for '{lang}', not a column")
    for lang in glossary.languages:
        rendering = concept.renderings.get(lang)
        if rendering is None:
            add(concept, Severity.ERROR, "missing-language", f"no {lang} rendering")
            continue
        if not rendering.text.strip():
            add(concept, Severity.ERROR, "empty-rendering", f"{lang} rendering is empty")
            continue
        if concept.dnt and rendering.text != concept.term:
            add(concept, Severity.ERROR, "dnt-mismatch",
                f"do-not-translate, but {lang} rendering '{rendering.text}' differs from the term")
        accepted = {" ".join(f.casefold().split()): f for f in rendering.forms}
        for rejected in rendering.rejected:
            if " ".join(rejected.casefold().split()) in accepted:
                add(concept, Severity.ERROR, "rejected-accepted",
                    f"{lang} '{rejected}' is both accepted and rejected")
        if len(rendering.variants) != len(set(rendering.variants)) or (
            rendering.text in rendering.variants
        ):
            add(concept, Severity.WARNING, "duplicate-variant", f"{lang} variants repeat a form")
        for form in [*rendering.forms, *rendering.rejected]:
            for word in re.findall(r"\w+", form):
                scripts = {_script(ch) for ch in word if ch.isalpha()}
                if len(scripts) > 1:
                    add(concept, Severity.ERROR, "mixed-script",
                        f"{lang} '{form}' mixes {' and '.join(sorted(scripts))} letters in one"
                        " word")
        for form in rendering.inflections:
            if not _related(form, rendering.text):
                add(concept, Severity.WARNING, "form-unrelated",
                    f"{lang} form '{form}' shares no word stem with the rendering "
                    f"'{rendering.text}': forms left over from an earlier rendering?")
        expected = _SCRIPT_OF_LANGUAGE.get(lang)
        if expected and not concept.dnt:
            scripts = {_script(ch) for ch in rendering.text if ch.isalpha()}
            if scripts - {expected}:
                add(concept, Severity.WARNING, "script",
                    f"{lang} rendering '{rendering.text}' is not written in {expected} letters")
        if rendering.status == "rejected":
            add(concept, Severity.WARNING, "rendering-rejected",
                f"{lang} rendering is rejected; propose a new one")
        if rendering.status == "approved" and not (rendering.reviewer and rendering.date):
            add(concept, Severity.WARNING, "review-incomplete",
                f"{lang} approved without {lang}_reviewer and {lang}_date")


def _stems(text: str) -> set[str]:
    """The first three letters of each word, case- and accent-folded (πύραυλος, πυραύλων: πυρ)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", text.casefold())
                   if not unicodedata.combining(ch))
    return {word[:3] for word in re.findall(r"[^\W\d_]+", bare)}  # letters: "5" is no stem


def _related(form: str, rendering: str) -> bool:
    """Whether a listed form can be an inflection of the rendering: some word stem in common. A
    terminologist who changes a rendering and forgets its forms would have masking put the old
    rendering's forms back (a form is chosen by model score, not compared with the rendering)."""
    return bool(_stems(form) & _stems(rendering))


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


# --------------------------------------------------------------------------- the cache

_CACHE_SCHEMA = 1


def cached_lint(glossary: Glossary) -> list[LintIssue]:
    """`lint` of a glossary just loaded from its file, computed once per version of the file.

    The result is kept in ``$XDG_CACHE_HOME/newsroom-toolkit/lint-<sha256 of the file>.json``
    with the version of these rules (a hash of this module and the matcher), written atomically.
    A missing, corrupt or outdated entry is linted again and rewritten; a cache folder that cannot
    be written only costs the lint. The version is the one the glossary was read from
    (`Glossary.sha256`); a glossary without one is hashed from its file, and one without a readable
    file is linted directly.
    """
    if glossary.path is None:
        return lint(glossary)
    digest = glossary.sha256
    if digest is None:
        try:
            digest = hashlib.sha256(Path(glossary.path).read_bytes()).hexdigest()
        except OSError:
            return lint(glossary)
    cache = cache_dir() / f"lint-{digest[:32]}.json"
    issues = _read_cached(cache, digest, glossary.path)
    if issues is not None:
        return issues
    issues = lint(glossary.complete())  # a lazily read termbase is linted whole
    entry = {
        "schema": _CACHE_SCHEMA, "rules": _rules_version(), "sha256": digest,
        "issues": [[i.line, str(i.severity), i.code, i.message] for i in issues],
    }
    try:
        atomic_write_text(cache, json.dumps(entry, ensure_ascii=False))
    except ToolkitError:
        pass  # a read-only cache folder: lint again next time
    return issues


def _read_cached(cache: Path, digest: str, path: Path) -> list[LintIssue] | None:
    """The cached issues, or None when there are none usable (missing, corrupt, other rules)."""
    try:
        entry = json.loads(cache.read_text("utf-8"))
        if (entry["schema"], entry["rules"], entry["sha256"]) != (
            _CACHE_SCHEMA, _rules_version(), digest
        ):
            return None
        issues = []
        for line, severity, code, message in entry["issues"]:
            if not (isinstance(line, int | None) and isinstance(code, str)
                    and isinstance(message, str)):
                return None
            issues.append(LintIssue(path, line, Severity(severity), code, message))
        return issues
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        return None


_RULES: list[str] = []


def _rules_version() -> str:
    """A hash of the code that decides the issues: this module and the matcher's folding."""
    if not _RULES:
        from toolkit.terms import match

        code = Path(__file__).read_bytes() + Path(match.__file__).read_bytes()
        _RULES.append(hashlib.sha256(code).hexdigest()[:16])
    return _RULES[0]
