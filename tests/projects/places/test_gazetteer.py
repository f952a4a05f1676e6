"""The gazetteer built from the installed GeoNames package: lookups by any name or alias, accents,
case and apostrophes ignored; names per language only where CLDR states them; every demo city
resolves to its coordinates and is found by its aliases."""

from __future__ import annotations

import pytest

from services.projects.places.gazetteer import City, Gazetteer, build, gazetteer
from shared.place_names import city_keys, filter_keys, place_key
from xarxa.demo import demo_projects
from xarxa.demo.grants import CITIES as GRANT_CITIES

HAVANA = 3553478


@pytest.fixture(scope="module")
def places() -> Gazetteer:
    return gazetteer()


def demo_cities() -> set[tuple[str, str]]:
    cities = {(c["name"], c["country"]) for p in demo_projects() for c in p.get("partner_cities", [])}
    return cities | set(GRANT_CITIES)


@pytest.mark.parametrize(
    ("a", "b"),
    [("L'Havana", "LHavana"), ("L\u2019Havana", "l'havana"), ("MEDELLÍN", "medellin"), ("Saint-Louis", "saint louis")],
)
def test_place_keys_ignore_accents_case_and_punctuation(a: str, b: str) -> None:
    assert place_key(a) == place_key(b)


def test_different_names_keep_different_keys() -> None:
    assert place_key("Santiago de Cuba") != place_key("Santiago")
    assert place_key("   ") == ""


@pytest.mark.parametrize("name", ["L'Havana", "L\u2019Havana", "La Habana", "Havana", "habana", "LA HABANA", "Гавана"])
def test_havana_is_found_by_every_alias(places: Gazetteer, name: str) -> None:
    found = places.lookup(name, "CU")
    assert found and found[0].geonames_id == HAVANA, name


def test_a_lookup_is_within_the_country(places: Gazetteer) -> None:
    paris = places.lookup("Paris", "FR")[0]
    assert {c.country for c in places.lookup("Paris", "US")} == {"US"} and paris.country == "FR"  # Paris, Texas
    assert places.lookup("Maputo", "CU") == []


def test_names_per_language_only_where_cldr_states_them(places: Gazetteer) -> None:
    havana = places.get(HAVANA)
    assert havana is not None
    assert havana.names["es"] == "La Habana" and havana.names["en"] == "Havana"
    assert havana.local_language == "es"
    assert "ca" not in havana.names  # CLDR has no Catalan exemplar for it: nothing is made up
    bogota = places.lookup("Bogota", "CO")[0]
    assert bogota.names["ca"] == "Bogotà"
    medellin = places.lookup("Medellin", "CO")[0]
    assert medellin.names == {}  # not a time zone's exemplar city: GeoNames name and aliases only
    assert medellin.name == "Medellín"


def test_search_ranks_exact_matches_then_population(places: Gazetteer) -> None:
    assert places.search("habana", "CU")[0].geonames_id == HAVANA
    santiagos = places.search("santiago", limit=100)
    assert santiagos[0].name == "Santiago" and santiagos[0].country == "CL"
    populations = [c.population for c in santiagos if place_key(c.name) == "santiago"]
    assert populations == sorted(populations, reverse=True)
    assert all(c.country == "CO" for c in places.search("san", "CO"))
    assert places.search("''") == []


@pytest.mark.parametrize(("name", "country"), sorted(demo_cities()))
def test_every_demo_city_has_coordinates_and_its_aliases_find_it(places: Gazetteer, name: str, country: str) -> None:
    found = places.lookup(name, country)
    assert found, f"{name} ({country}) is not in the gazetteer"
    city = found[0]
    assert -90 <= city.latitude <= 90 and -180 <= city.longitude <= 180
    latin = [a for a in city.aliases if place_key(a).isascii() and place_key(a)]
    assert latin, city
    for alias in [city.name, *latin]:
        assert city in places.lookup(alias, country), alias
        assert city in places.search(alias, country, limit=100), alias


def test_a_built_gazetteer_from_records() -> None:
    records: dict[str, dict[str, object]] = {
        "1": {
            "geonameid": 1,
            "name": "Vila",
            "countrycode": "AD",
            "latitude": 42.5,
            "longitude": 1.5,
            "population": 9000,
            "timezone": "Europe/Andorra",
            "admin1code": "04",
            "alternatenames": ["Vila d'Encamp", "Vila"],
        }
    }
    built = build(records)
    vila = built.get(1)
    assert isinstance(vila, City) and vila.aliases == ("Vila d'Encamp",)
    assert built.lookup("vila dencamp", "AD") == [vila]


def test_stored_keys_and_filter_keys_meet() -> None:
    city = {"name": "La Habana", "geonames_id": HAVANA, "names": {"en": "Havana"}, "aliases": ["LHavana"]}
    keys = city_keys(city)
    for query in ("L'Havana", "havana", "La Habana", str(HAVANA)):
        assert set(filter_keys(query)) & keys, query
    assert not set(filter_keys("Maputo")) & keys
