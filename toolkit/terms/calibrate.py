"""What the ladder measures on a model instead of assuming: the calibrations, cached per package.

`calibrate` finds the placeholder style (``STYLES``) a model copies best; `model_renders` finds
the mapped terms a model renders by itself, which `toolkit.terms.enforce` then tries on rung 1
instead of masking them at once. Each answer costs one batched model call the first time and is
kept in a JSON file under ``$XDG_CACHE_HOME/newsroom-toolkit/``. A read-only cache only costs a
re-measurement; a damaged one (garbage, the wrong shape) stops the run with one line naming it,
before anything is written, as the translation cache does.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from toolkit.errors import ToolkitError
from toolkit.fileio import atomic_write_text, decode_utf8

# Placeholder styles to try; index i -> the token for slot i. No `_` (Argos decodes it as a space).
STYLES: dict[str, Callable[[int], str]] = {
    "bracket": lambda i: f"⟦{i}⟧",
    "caps": lambda i: f"ZX{chr(ord('A') + i % 26)}{i // 26 or ''}Q",
    "angle": lambda i: f"<{i}>",
}
# Any placeholder, whole or in part, of any style: a bracket alone, a `ZX…Q` word (or its start,
# or lower-cased), an `<n>` tag. Text holding more of these than its source holds is broken.
PLACEHOLDER_FRAGMENT = re.compile(
    r"⟦\s*\d+\s*⟧|[⟦⟧]|(?<![A-Za-z0-9])ZX[A-Z]\d*Q?|(?<![A-Za-z0-9])(?i:zx[a-z]\d*q)(?![a-z])|<\s*\d+\s*>"
)


def stray_placeholders(text: str, source: str) -> list[re.Match[str]]:
    """The placeholder fragments in `text` that `source` does not hold itself, in text order
    (the first look-alikes of a fragment the source holds are taken as the source's)."""
    allowed: dict[str, int] = {}
    for m in PLACEHOLDER_FRAGMENT.finditer(source):
        allowed[m.group()] = allowed.get(m.group(), 0) + 1
    stray = []
    for m in PLACEHOLDER_FRAGMENT.finditer(text):
        if allowed.get(m.group(), 0):
            allowed[m.group()] -= 1
        else:
            stray.append(m)
    return stray


PROBES = [
    "The {0} said on Monday that the talks would continue.",
    "Officials from {0} and {1} met in Brussels.",
    "{0} is expected to announce new support for {1} next week.",
    "According to {0}, the decision was final.",
]
# Hypotheses per sentence on rung 1 of the ladder, and in the term calibration, which measures
# what rung 1 would see.
N_BEST = 4


def _calibration_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsroom-toolkit" / "placeholders.json"


_CALIBRATED: dict[str, str] = {}


def _read_store(path: Path, valid: Callable[[object], bool]) -> dict:
    """A calibration file's contents (missing: nothing measured yet); a damaged one is one
    ToolkitError naming it and the line or entry, before anything is measured or written."""
    advice = "delete the file (it is measured again on the next run)"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ToolkitError(f"cannot read the calibration cache: {exc.strerror or exc}", path=path) from None
    text = decode_utf8(raw, path, advice)
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise ToolkitError(f"damaged calibration cache (not JSON); {advice}", path=path, line=line) from None
    if not isinstance(data, dict):
        raise ToolkitError(f"damaged calibration cache (not a JSON object); {advice}", path=path)
    for key, value in data.items():
        if not valid(value):
            raise ToolkitError(f"damaged calibration cache (entry {key!r} is not a calibration); {advice}",
                               path=path)
    return data


def _write_store(path: Path, data: dict) -> None:
    try:
        atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True))
    except (OSError, ToolkitError):  # atomic writes report a read-only folder as ToolkitError
        pass  # a read-only cache only costs a re-measurement next run


def calibrate(engine, *, use_cache: bool = True) -> str:
    """The placeholder style this engine copies best, measured in one batched call and cached."""
    key = engine.model_id
    if use_cache and key in _CALIBRATED:
        return _CALIBRATED[key]
    path = _calibration_file()
    stored = _read_store(path, lambda v: isinstance(v, str) and v in STYLES) if use_cache else {}
    if stored.get(key) in STYLES:
        _CALIBRATED[key] = stored[key]
        return stored[key]
    probes, owners = [], []
    for name, make in STYLES.items():
        for probe in PROBES:
            probes.append(probe.format(make(0), make(1)))
            owners.append((name, [make(0), make(1)] if "{1}" in probe else [make(0)]))
    results = engine.translate(probes)
    scores = {name: 0 for name in STYLES}
    for (name, tokens), result in zip(owners, results, strict=True):
        if all(result.text.count(t) == 1 for t in tokens):
            scores[name] += 1
    best = max(STYLES, key=lambda name: scores[name])  # ties: the first listed style
    _CALIBRATED[key] = best
    if use_cache:
        _write_store(path, {**stored, key: best})
    return best


# Frames in which a term is translated to see whether the model renders it by itself.
TERM_PROBES = ["{0}", "They spoke about the {0} again today."]
# Short probes pack many hypotheses into one batch, and each hypothesis holds a vocabulary-wide
# score row while decoding: a bounded call keeps a glossary's first calibration within memory.
PROBES_PER_CALL = 32


def _terms_file() -> Path:
    return _calibration_file().with_name("term-calibration.json")


_RENDERS: dict[tuple[str, str], bool] = {}


def _term_key(concept, lang: str) -> str:
    rendering = concept.renderings[lang]
    raw = json.dumps([lang, concept.term, rendering.text, list(rendering.variants)], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def _is_term_entry(value: object) -> bool:
    """One model's entry of the term calibration: term key -> whether the model renders it."""
    return isinstance(value, dict) and all(isinstance(v, bool) for v in value.values())


def model_renders(engine, lang: str, concepts, *, use_cache: bool = True) -> set[str]:
    """Ids of the mapped concepts whose approved rendering this model produces by itself.

    Measured, not assumed: each unknown term is translated bare and in a neutral frame, in
    batched n-best calls of PROBES_PER_CALL, and counts as rendered if any hypothesis holds an
    accepted form. The answer is cached per package and term (a changed rendering is measured
    again). A model that renders a term in isolation usually renders it in context; one that
    never does would only fail rung 1 and cost a second call, so such terms are masked at once.
    """
    from toolkit.terms.verify import accepted_forms, find_rendering

    model = engine.model_id
    path = _terms_file()
    stored = _read_store(path, _is_term_entry) if use_cache else {}
    known = stored.get(model, {})
    keys = {c.id: _term_key(c, lang) for c in concepts}
    for key in keys.values():
        if use_cache and (model, key) not in _RENDERS and isinstance(known.get(key), bool):
            _RENDERS[model, key] = known[key]
    todo = [c for c in concepts if not use_cache or (model, keys[c.id]) not in _RENDERS]
    if todo:
        probes = [frame.format(c.term) for c in todo for frame in TERM_PROBES]
        results = []
        for start in range(0, len(probes), PROBES_PER_CALL):
            results += engine.translate(probes[start:start + PROBES_PER_CALL], num_hypotheses=N_BEST)
        per = len(TERM_PROBES)
        for i, concept in enumerate(todo):
            rendering = concept.renderings[lang]
            forms = accepted_forms(concept, lang) or [rendering.text]
            hyps = [h.text for r in results[i * per:(i + 1) * per] for h in r.hypotheses]
            _RENDERS[model, keys[concept.id]] = any(find_rendering(h, forms, lang) for h in hyps)
        if use_cache:
            measured = {keys[c.id]: _RENDERS[model, keys[c.id]] for c in todo}
            _write_store(path, {**stored, model: {**known, **measured}})
    return {cid for cid, key in keys.items() if _RENDERS[model, key]}
