"""The gazetteer through the gateway: public city search by alias, partner cities resolved on
create and edit, list and report filters by any name or the GeoNames id, and the city breakdown
carrying each city's id and coordinates."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually

PLACES = "/api/projects/places/cities"
PROJECTS = "/api/projects/projects"
HAVANA = 3553478


async def test_city_search_is_public_and_ignores_accents_case_and_apostrophes(anonymous: httpx.AsyncClient) -> None:
    for q in ("habana", "L'Havana", "L\u2019HAVANA", "La Habana", "havana"):
        response = await anonymous.get(PLACES, params={"q": q, "country": "CU"})
        assert response.status_code == 200, response.text
        first = response.json()["items"][0]
        assert first["geonames_id"] == HAVANA, q
        assert (first["latitude"], first["longitude"]) == (23.13302, -82.38304)
        assert first["names"]["es"] == "La Habana"
    medellin = (await anonymous.get(PLACES, params={"q": "MEDELLIN"})).json()["items"][0]
    assert (medellin["name"], medellin["country"]) == ("Medellín", "CO")
    one = await anonymous.get(f"{PLACES}/{HAVANA}")
    assert one.status_code == 200 and one.json()["name"] == "Havana"
    assert "GeoNames" in (await anonymous.get(PLACES, params={"q": "x"})).json()["source"]


async def test_city_search_refuses_what_it_cannot_answer(anonymous: httpx.AsyncClient) -> None:
    unknown_country = await anonymous.get(PLACES, params={"q": "habana", "country": "QQ"})
    assert unknown_country.status_code == 422
    assert [(e["field"], e["value"]) for e in unknown_country.json()["errors"]] == [("country", "QQ")]
    refused: list[dict[str, str | int]] = [{"q": ""}, {}, {"q": "habana", "limit": 0}, {"q": "habana", "country": "cu"}]
    for params in refused:
        assert (await anonymous.get(PLACES, params=params)).status_code == 422, params
    missing = await anonymous.get(f"{PLACES}/999999999")
    assert missing.status_code == 404 and missing.json()["type"].endswith("/city-not-found")


async def test_partner_cities_are_resolved_on_create_and_edit(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:8]
    unlisted = f"Barri {tag}"
    created = await gateway.post(
        PROJECTS,
        json=project_payload(
            partner_cities=[{"name": "L'Havana", "country": "CU"}, {"name": unlisted, "country": "CU"}],
            recipient_countries=[{"code": "CU", "percentage": "100"}],
            visibility="draft",
        ),
    )
    assert created.status_code == 201, created.text
    body = created.json()
    havana, flagged = body["partner_cities"]
    assert havana["name"] == "L'Havana" and havana["geonames_id"] == HAVANA
    assert (havana["latitude"], havana["longitude"]) == (23.13302, -82.38304)
    assert "La Habana" in havana["aliases"] and havana["names"]["en"] == "Havana"
    assert flagged["geonames_id"] is None and flagged["latitude"] is None  # kept as given, flagged

    # The list filter finds it by any of its names, whatever the accents, case or apostrophe, and by id.
    for city in ("havana", "LA HABANA", "L\u2019Havana", str(HAVANA), unlisted.upper()):
        page = (await gateway.get(PROJECTS, params={"city": city, "q": body["code"]})).json()
        assert [p["id"] for p in page["items"]] == [body["id"]], city

    # A read sent back as it is (names and aliases included) is a valid replacement.
    url, etag = f"{PROJECTS}/{body['id']}", created.headers["etag"]
    editable = {k: body[k] for k in ("title", "description", "partner_cities", "sectors", "sdg_goals", "dates")}
    editable["recipient_countries"] = body["recipient_countries"]
    replaced = await gateway.put(url, json=editable, headers={"If-Match": etag})
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["partner_cities"] == body["partner_cities"]

    # Mistakes are refused naming the field, and nothing changes.
    etag = replaced.headers["etag"]
    mistakes: list[tuple[list[dict[str, Any]], str]] = [
        ([{"name": "Maputo", "country": "CU", "geonames_id": HAVANA}], "partner_cities.0.name"),
        ([{"name": "Havana", "country": "MZ", "geonames_id": HAVANA}], "partner_cities.0.geonames_id"),
        ([{"name": "Havana", "country": "CU", "latitude": 40.4, "longitude": -3.7}], "partner_cities.0.latitude"),
        ([{"name": "Havana", "country": "CU"}, {"name": "La Habana", "country": "CU"}], "partner_cities.1"),
    ]
    for cities, field in mistakes:
        response = await gateway.patch(
            url,
            json={"partner_cities": cities},
            headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
        )
        assert response.status_code == 422, (field, response.text)
        problem = response.json()
        assert problem["type"].endswith("/partner-city-mismatch")
        assert [e["field"] for e in problem["errors"]] == [field]
    after = await gateway.get(url)
    assert after.headers["etag"] == etag and after.json()["partner_cities"] == body["partner_cities"]

    # Resolving the flagged city by editing it with a listed name.
    fixed = await gateway.patch(
        url,
        json={"partner_cities": [{"name": "La Habana", "country": "CU"}, {"name": "Matanzas", "country": "CU"}]},
        headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert fixed.status_code == 200, fixed.text
    assert all(c["geonames_id"] for c in fixed.json()["partner_cities"])


async def test_the_city_breakdown_carries_each_citys_id_and_coordinates(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:8]
    unlisted = f"Poble {tag}"
    # Two projects naming Havana differently, one with a place the gazetteer does not list.
    for cities in (
        [{"name": "La Habana", "country": "CU"}, {"name": unlisted, "country": "CU"}],
        [{"name": "L'Havana", "country": "CU"}, {"name": unlisted, "country": "CU"}],
    ):
        response = await gateway.post(
            PROJECTS,
            json=project_payload(partner_cities=cities, recipient_countries=[{"code": "CU", "percentage": "100"}]),
        )
        assert response.status_code == 201, response.text

    async def both() -> dict[str, Any] | None:
        body: dict[str, Any] = (
            await gateway.get("/api/reporting/breakdown", params={"by": "city", "city": unlisted.lower()})
        ).json()
        return body if body["projects"] == 2 else None

    report = await eventually(both, timeout=60, what="both projects in the city breakdown")
    rows = {row["value"]: row for row in report["rows"]}
    assert set(rows) == {"L'Havana", unlisted} or set(rows) == {"La Habana", unlisted}  # one row per city
    havana = next(row for value, row in rows.items() if value != unlisted)
    assert havana["projects"] == 2
    assert havana["place"] == {
        "geonames_id": HAVANA,
        "country": "CU",
        "latitude": 23.13302,
        "longitude": -82.38304,
        "names": {"es": "La Habana", "en": "Havana"},
    }
    assert rows[unlisted]["place"]["geonames_id"] is None and rows[unlisted]["place"]["latitude"] is None

    # The CSV export says the same, after its money columns.
    exported = await gateway.get(
        "/api/reporting/exports/breakdown", params={"by": "city", "city": unlisted.lower(), "format": "csv"}
    )
    assert exported.status_code == 200, exported.text
    table = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    by_city = {row["city"]: row for row in table}
    assert list(table[0])[-4:] == ["geonames_id", "country_code", "latitude", "longitude"]
    exported_havana = by_city[havana["value"]]
    assert (exported_havana["geonames_id"], exported_havana["country_code"]) == (str(HAVANA), "CU")
    assert (float(exported_havana["latitude"]), float(exported_havana["longitude"])) == (23.13302, -82.38304)
    assert by_city[unlisted]["geonames_id"] == "" and by_city[unlisted]["latitude"] == ""

    # The report's city filter takes any of the city's names, accents and case ignored, or its id.
    for city in ("HAVANA", "la habana", "L\u2019Havana", str(HAVANA)):
        body = (await gateway.get("/api/reporting/breakdown", params={"by": "city", "city": city})).json()
        assert any(row["place"] and row["place"]["geonames_id"] == HAVANA for row in body["rows"]), city
        assert body["projects"] >= 2, city
