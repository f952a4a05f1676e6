"""Choosing the language of a read from Accept-Language.

Order: the caller's languages by q-value, then Catalan, Spanish, English, then whatever the
project has. The full multilingual texts are always returned as well.
"""

from __future__ import annotations

from shared.languages import accepted_languages

FALLBACK = ("ca", "es", "en")


def preferred_languages(accept_language: str | None) -> list[str]:
    return list(dict.fromkeys([*accepted_languages(accept_language), *FALLBACK]))


def choose_language(available: dict[str, str], preferred: list[str]) -> str:
    for language in preferred:
        if available.get(language):
            return language
    return next(iter(available), FALLBACK[0])
