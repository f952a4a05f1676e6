"""Text helpers shared by services."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: 'Medellín' and 'medellin' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
