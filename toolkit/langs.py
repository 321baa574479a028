"""Language codes as users and files write them: one home for reading them, below every layer.

Catalogs, glossary exports and the review page meet codes such as ``el``, ``de_AT``, ``pt-BR`` or
``sr@latin``; the glossary and the checks work per primary language, and pages show English
language names.
"""

from __future__ import annotations

import re


def primary_language(lang: str) -> str:
    """'de_AT', 'pt-BR', 'sr@latin' -> 'de', 'pt', 'sr': glossary columns and checks are per language."""
    return re.split(r"[-_@.]", lang.strip(), maxsplit=1)[0].lower()


def language_name(lang: str) -> str:
    """'Greek' for 'el'; the code itself if Babel does not know it."""
    try:
        from babel import Locale

        return Locale.parse(lang.replace("-", "_")).english_name or lang
    except Exception:  # Babel raises several types for unknown or malformed codes
        return lang
