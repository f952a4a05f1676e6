"""Partner cities resolved in the gazetteer (no servers): id and coordinates from GeoNames; an
unknown name kept as given and flagged; mistakes refused naming the field."""

from __future__ import annotations

import pytest

from services.projects.places.service import CityMismatch, distance_km, resolve_partner_cities
from shared.contracts.project_input import PartnerCity

HAVANA = 3553478


def city(**fields: object) -> PartnerCity:
    return PartnerCity.model_validate(fields)


async def test_a_city_by_alias_gets_the_gazetteers_id_coordinates_names_and_aliases() -> None:
    [resolved] = await resolve_partner_cities([city(name="L'Havana", country="CU")])
    assert resolved.name == "L'Havana"  # the project's own word stays
    assert resolved.geonames_id == HAVANA
    assert (resolved.latitude, resolved.longitude) == (23.13302, -82.38304)
    assert resolved.names["es"] == "La Habana"
    assert "La Habana" in resolved.aliases


async def test_a_city_by_geonames_id_must_be_in_its_country_and_called_so() -> None:
    [by_id] = await resolve_partner_cities([city(name="Havana", country="CU", geonames_id=HAVANA)])
    assert by_id.geonames_id == HAVANA
    with pytest.raises(CityMismatch) as wrong_country:
        await resolve_partner_cities([city(name="Havana", country="MZ", geonames_id=HAVANA)])
    assert [e["field"] for e in wrong_country.value.errors or []] == ["partner_cities.0.geonames_id"]
    with pytest.raises(CityMismatch) as wrong_name:
        await resolve_partner_cities([city(name="Maputo", country="CU", geonames_id=HAVANA)])
    [error] = wrong_name.value.errors or []
    assert error["field"] == "partner_cities.0.name" and error["code"] == "not_a_name_of"
    assert error["params"]["city"] == f"Havana ({HAVANA})"


async def test_an_unknown_name_is_kept_as_given_and_flagged() -> None:
    given = city(name="Barri de Qqqq", country="SN", region="Dakar", latitude=14.7, longitude=-17.4)
    maputo, kept = await resolve_partner_cities([city(name="Maputo", country="MZ"), given])
    assert maputo.geonames_id == 1040652
    assert kept.geonames_id is None and kept.names == {} and kept.aliases == []
    assert (kept.name, kept.region, kept.latitude, kept.longitude) == ("Barri de Qqqq", "Dakar", 14.7, -17.4)
    [bare] = await resolve_partner_cities([city(name="Barri de Qqqq", country="SN")])
    assert (bare.latitude, bare.longitude) == (None, None)  # no coordinates are made up


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [(-25.9692, 32.5732, None), (32.5732, -25.9692, "latitude"), (-25.9692, None, "longitude")],
)
async def test_given_coordinates_must_be_near_the_city(
    latitude: float, longitude: float | None, field: str | None
) -> None:
    given = city(name="Maputo", country="MZ", latitude=latitude, longitude=longitude)
    if field is None:
        [resolved] = await resolve_partner_cities([given])
        assert (resolved.latitude, resolved.longitude) == (-25.96553, 32.58322)
        return
    with pytest.raises(CityMismatch) as refused:
        await resolve_partner_cities([given])
    assert [e["field"] for e in refused.value.errors or []] == [f"partner_cities.0.{field}"]


async def test_one_city_twice_by_two_names_is_refused() -> None:
    with pytest.raises(CityMismatch) as refused:
        await resolve_partner_cities([city(name="La Habana", country="CU"), city(name="Havana", country="CU")])
    assert [e["field"] for e in refused.value.errors or []] == ["partner_cities.1"]


async def test_sent_names_and_aliases_are_replaced_by_the_gazetteers() -> None:
    [resolved] = await resolve_partner_cities(
        [city(name="Maputo", country="MZ", names={"ca": "Invented"}, aliases=["Nowhere"])]
    )
    assert "ca" not in resolved.names and "Nowhere" not in resolved.aliases


def test_distance() -> None:
    assert distance_km(41.3874, 2.1686, 41.3874, 2.1686) == 0
    assert 500 < distance_km(41.3874, 2.1686, 40.4168, -3.7038) < 510  # Barcelona-Madrid


async def test_a_grant_proposal_is_read_leniently() -> None:
    """From an event there is nobody to answer a 422: a wrong id, far coordinates and a city given
    twice give way to the gazetteer's reading of the names."""
    cities = [
        city(name="Havana", country="CU", geonames_id=1040652, latitude=40.4, longitude=-3.7),
        city(name="La Habana", country="CU"),
        city(name="Barri de Qqqq", country="CU"),
    ]
    havana, flagged = await resolve_partner_cities(cities, lenient=True)
    assert havana.geonames_id == HAVANA and (havana.latitude, havana.longitude) == (23.13302, -82.38304)
    assert flagged.geonames_id is None
    with pytest.raises(CityMismatch):
        await resolve_partner_cities(cities)
