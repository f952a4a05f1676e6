"""The caller's languages from Accept-Language, best first (RFC 9110 q-values)."""

from __future__ import annotations


def accepted_languages(accept_language: str | None) -> list[str]:
    """Primary language subtags by q-value, then by position; `*` and q=0 left out."""
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
    return list(dict.fromkeys(lang for _, _, lang in sorted(ranked)))


def negotiate(accept_language: str | None, supported: tuple[str, ...], default: str) -> str:
    """The first accepted language that is supported, else `default`."""
    return next((lang for lang in accepted_languages(accept_language) if lang in supported), default)
