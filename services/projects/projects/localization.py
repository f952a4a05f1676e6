"""Choosing the language of a read from Accept-Language.

Order: the caller's languages by q-value, then Catalan, Spanish, English, then whatever the
project has. The full multilingual texts are always returned as well.
"""

from __future__ import annotations

FALLBACK = ("ca", "es", "en")


def preferred_languages(accept_language: str | None) -> list[str]:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().split("-")[0].lower()
        if quality > 0 and language != "*":
            ranked.append((-quality, index, language))
    ordered = [lang for _, _, lang in sorted(ranked)]
    return list(dict.fromkeys([*ordered, *FALLBACK]))


def choose_language(available: dict[str, str], preferred: list[str]) -> str:
    for language in preferred:
        if available.get(language):
            return language
    return next(iter(available), FALLBACK[0])
