"""Matching keys for place names, shared by the registry (its gazetteer and list filter) and the
reports (their city filter), so that both services match a city the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.text import fold

# Elided articles are written with any apostrophe (straight, typographic, modifier letter, grave,
# acute), or none at all: "L'Havana", "LHavana".
_APOSTROPHES = re.compile("['\u2019\u02bc`\u00b4\u2018]")
_SEPARATORS = re.compile(r"[\W_]+")


def place_key(name: str) -> str:
    """Lower case, accents and apostrophes dropped, any other punctuation a single space:
    "L'Havana", "l'havana" and "LHavana" give one key; "Saint-Louis" and "Saint Louis" one too."""
    folded = name.lower() if name.isascii() else fold(name)  # the same for ASCII, many times faster
    return " ".join(_SEPARATORS.sub(" ", _APOSTROPHES.sub("", folded)).split())


def city_keys(city: dict[str, object]) -> set[str]:
    """What a project's partner city is found by: its name, its names per language and aliases
    (each as `fold` and as `place_key`), and its GeoNames id; stored projection columns."""
    texts: list[str] = [str(city.get("name") or "")]
    names = city.get("names")
    if isinstance(names, dict):
        texts.extend(str(v) for v in names.values())
    aliases = city.get("aliases")
    if isinstance(aliases, Iterable) and not isinstance(aliases, str):
        texts.extend(str(a) for a in aliases)
    keys = {form for text in texts if text for form in (fold(text), place_key(text)) if form}
    if city.get("geonames_id") is not None:
        keys.add(str(city["geonames_id"]))
    return keys


def filter_keys(value: str) -> list[str]:
    """The stored keys a `city` filter value may match (a name, an alias or a GeoNames id)."""
    return sorted({fold(value), place_key(value)} - {""})
