"""Where a glossary's review stands, per language (`toolkit glossary stats`).

Counts of proposed, approved, rejected and missing renderings, and the concepts standing between
a language and "all approved" (what a release checklist needs).
"""

from __future__ import annotations

from toolkit.terms.glossary import STATUSES, Glossary


def glossary_stats(glossary: Glossary) -> dict[str, dict[str, int]]:
    """Per language, how many concepts are proposed, approved, rejected or missing a rendering."""
    stats = {}
    for lang in glossary.languages:
        counts = dict.fromkeys((*STATUSES, "missing"), 0)
        for concept in glossary.concepts:
            rendering = concept.renderings.get(lang)
            counts["missing" if rendering is None or not rendering.text else rendering.status] += 1
        stats[lang] = counts
    return stats


def blocking_terms(glossary: Glossary) -> dict[str, list[str]]:
    """Per language, the concept ids standing between the glossary and 'all approved'."""
    return {
        lang: [
            c.id for c in glossary.concepts
            if (r := c.renderings.get(lang)) is None or not r.text or r.status != "approved"
        ]
        for lang in glossary.languages
    }
