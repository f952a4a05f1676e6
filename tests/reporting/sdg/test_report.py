"""The SDG report on a small hand-computed portfolio, built from events end to end."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually


def money(row: dict[str, Any], field: str = "committed_eur") -> str:
    return str(row[field])


async def test_sdg_report_adds_up_exactly_under_every_method(gateway: httpx.AsyncClient) -> None:
    city = f"Sdgtest {uuid.uuid4().hex[:8]}"
    here = [{"name": city, "country": "MZ"}]
    a = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                partner_cities=here,
                sdg_goals=[{"goal": "5", "share": "60", "targets": ["5.2"]}, {"goal": "11", "share": "40"}],
            ),
        )
    ).json()
    b = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(partner_cities=here, sdg_goals=[{"goal": "16", "share": "100"}]),
        )
    ).json()
    c = (await gateway.post("/api/projects/projects", json=project_payload(partner_cities=here, sdg_goals=[]))).json()
    draft = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(partner_cities=here, visibility="draft", sdg_goals=[{"goal": "5", "share": "100"}]),
        )
    ).json()

    async def all_known() -> bool:
        statuses = [(await gateway.get(f"/api/funding/project-refs/{p['id']}")).status_code for p in (a, b, c, draft)]
        return statuses == [200, 200, 200, 200]

    await eventually(all_known, what="the projects in the funding service")

    def txn(type_: str, amount: str) -> dict[str, str]:
        return {
            "transaction_type": type_,
            "amount": amount,
            "currency": "EUR",
            "value_date": "2025-05-05",
            "instrument": "conveni",
        }

    base = "/api/funding/projects/{}/transactions"
    await gateway.post(base.format(a["id"]), json=txn("2", "1000.01"))
    await gateway.post(base.format(a["id"]), json=txn("3", "333.33"))
    await gateway.post(base.format(b["id"]), json=txn("2", "500.00"))
    wrong = (await gateway.post(base.format(b["id"]), json=txn("2", "200.00"))).json()
    await gateway.post(f"/api/funding/transactions/{wrong['id']}/reverse", json={"reason": "duplicate"})
    await gateway.post(base.format(c["id"]), json=txn("2", "100.00"))
    await gateway.post(base.format(draft["id"]), json=txn("2", "999.00"))

    async def report(method: str = "declared-shares") -> dict[str, Any] | None:
        body: dict[str, Any] = (await gateway.get("/api/reporting/sdg", params={"city": city, "method": method})).json()
        return (
            body
            if body["totals"]["committed_eur"] == "1600.01" and body["totals"]["disbursed_eur"] == "333.33"
            else None
        )

    declared = await eventually(report, what="the report reflecting every booking")
    assert declared["method"] == {"name": "declared-shares", "version": "1"}
    assert declared["projects"] == 3, "the draft is not in published figures"
    goals = {row["goal"]: row for row in declared["goals"]}
    assert {g: money(r["attributed"]) for g, r in goals.items()} == {"5": "600.01", "11": "400.00", "16": "500.00"}
    assert {g: money(r["attributed"], "disbursed_eur") for g, r in goals.items()} == {
        "5": "200.00",
        "11": "133.33",
        "16": "0.00",
    }
    assert {g: money(r["contributes_to"]) for g, r in goals.items()} == {
        "5": "1000.01",
        "11": "1000.01",
        "16": "500.00",
    }
    assert money(declared["unattributed"]) == "100.00"
    attributed_sum = sum((Decimal(r["attributed"]["committed_eur"]) for r in declared["goals"]), Decimal(0))
    assert attributed_sum + Decimal(declared["unattributed"]["committed_eur"]) == Decimal("1600.01")
    assert goals["5"]["targets"] == [
        {
            "target": "5.2",
            "projects": 1,
            "attributed": goals["5"]["attributed"],
            "contributes_to": goals["5"]["contributes_to"],
        }
    ]
    assert goals["5"]["label"]["ca"] == "Igualtat de Gènere"
    assert declared["freshness"]["last_event_time"] and declared["freshness"]["positions"]

    equal = await report("equal-split")
    assert equal is not None
    assert {r["goal"]: money(r["attributed"]) for r in equal["goals"]} == {
        "5": "500.01",
        "11": "500.00",
        "16": "500.00",
    }
    principal = await report("principal-goal")
    assert principal is not None
    assert {r["goal"]: money(r["attributed"]) for r in principal["goals"]} == {
        "5": "1000.01",
        "11": "0.00",
        "16": "500.00",
    }
    bad = await gateway.get("/api/reporting/sdg", params={"method": "by-feel"})
    assert bad.status_code == 422


async def test_as_of_must_be_a_day_in_range(gateway: httpx.AsyncClient) -> None:
    for bad in ("2020-13-01", "9999-12-31", "yesterday", "1949-12-31"):
        response = await gateway.get("/api/reporting/sdg", params={"as_of": bad})
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    fine = await gateway.get("/api/reporting/sdg", params={"as_of": "2025-12-31"})
    assert fine.status_code == 200
    assert fine.json()["freshness"]["cutoff"] == "2026-01-01T00:00:00+01:00"


async def test_the_kept_attribution_equals_the_one_computed_from_the_history(gateway: httpx.AsyncClient) -> None:
    """The live report (SQL over sdg_attribution) and the as-of one (computed project by project
    from the history tables) agree on the same data, under every method and with a filter."""
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    await test_sdg_report_adds_up_exactly_under_every_method(gateway)  # some data of its own
    for params in ({}, {"country": "MZ"}):
        for method in ("declared-shares", "equal-split", "principal-goal"):
            live = (await gateway.get("/api/reporting/sdg", params={**params, "method": method})).json()
            computed = (
                await gateway.get("/api/reporting/sdg", params={**params, "method": method, "as_of": tomorrow})
            ).json()
            for key in ("projects", "totals", "unattributed", "goals"):
                assert live[key] == computed[key], (method, params, key)
