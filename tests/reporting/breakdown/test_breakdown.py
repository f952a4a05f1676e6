"""Breakdowns by city, country, sector, network and year on a hand-computed project."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually


async def test_breakdowns_split_to_the_cent_and_add_up(gateway: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:6]
    cities = [{"name": f"Xcity {tag}", "country": "MZ"}, {"name": f"Ycity {tag}", "country": "ZA"}]
    project = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                partner_cities=cities,
                recipient_countries=[{"code": "MZ", "percentage": "75"}, {"code": "ZA", "percentage": "25"}],
                sectors=[{"code": "14030", "percentage": "70"}, {"code": "15112", "percentage": "30"}],
                networks=["uclg", "cideu"],
                modality="technical-cooperation",
            ),
        )
    ).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}/transactions"
    for type_, amount, on in (("2", "1000.01", "2024-04-01"), ("3", "100.00", "2025-02-01")):
        await gateway.post(
            base,
            json={
                "transaction_type": type_,
                "amount": amount,
                "currency": "EUR",
                "value_date": on,
                "instrument": "conveni",
            },
        )

    async def by(dimension: str) -> dict[str, Any] | None:
        body: dict[str, Any] = (
            await gateway.get("/api/reporting/breakdown", params={"by": dimension, "city": cities[0]["name"]})
        ).json()
        return body if body["totals"]["disbursed_eur"] == "100.00" else None

    def committed(body: dict[str, Any]) -> dict[str, str]:
        return {row["value"]: row["attributed"]["committed_eur"] for row in body["rows"]}

    city = await eventually(lambda: by("city"), what="the breakdown reflecting both bookings")
    assert committed(city) == {cities[0]["name"]: "500.01", cities[1]["name"]: "500.00"}
    assert {r["value"]: r["contributes_to"]["committed_eur"] for r in city["rows"]} == {
        cities[0]["name"]: "1000.01",
        cities[1]["name"]: "1000.01",
    }
    assert committed((await by("country")) or {}) == {"MZ": "750.01", "ZA": "250.00"}
    assert committed((await by("sector")) or {}) == {"14030": "700.01", "15112": "300.00"}
    assert committed((await by("network")) or {}) == {"cideu": "500.00", "uclg": "500.01"}
    assert committed((await by("modality")) or {}) == {"technical-cooperation": "1000.01"}
    years = (await by("year")) or {}
    assert {
        r["value"]: (r["attributed"]["committed_eur"], r["attributed"]["disbursed_eur"]) for r in years["rows"]
    } == {"2024": ("1000.01", "0.00"), "2025": ("0.00", "100.00")}
    assert (await gateway.get("/api/reporting/breakdown", params={"by": "mood"})).status_code == 422
    overview = (await gateway.get("/api/reporting/portfolio")).json()
    assert Decimal(overview["money"]["committed_eur"]) >= Decimal("1000.01")
    countries = {c["country"]: Decimal(c["committed_eur"]) for c in overview["top_countries"]}
    assert countries, "the dashboard's first screen shows where the money goes"
    assert list(countries.values()) == sorted(countries.values(), reverse=True)
