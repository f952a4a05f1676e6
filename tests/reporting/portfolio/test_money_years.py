"""Money by the year it belongs to, against the real stack, on hand-computed figures.

One project (SDG 6 at 60 %, SDG 11 at 40 %) in a city of its own:
- commitment 1000.00 on 2024-03-01; disbursements 300.00 on 2024-06-01 and 200.01 on 2025-02-01;
  expenditure 100.00 on 2025-05-01;
- a budget line of 3650.00 from 2024-07-01 to 2025-06-30: 184 of its 365 days in 2024 (1840.00),
  181 in 2025 (1810.00).
Goal shares per year are the shares of the running total minus the year before's: disbursed
300.00 by 2024 -> 180.00 / 120.00; 500.01 by 2025 -> 300.01 / 200.00 (the odd cent to the larger
remainder), so 2025 gives goal 6 120.01 and goal 11 80.00.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually

Params = dict[str, str | int]
FIELDS = ("budgeted_eur", "committed_eur", "disbursed_eur", "spent_eur")


def money(budgeted: str, committed: str, disbursed: str, spent: str) -> dict[str, str]:
    return dict(zip(FIELDS, (budgeted, committed, disbursed, spent), strict=True))


def amounts(block: dict[str, Any]) -> dict[str, str]:
    return {f: block[f] for f in FIELDS}


async def booked_project(gateway: httpx.AsyncClient, city: str) -> dict[str, Any]:
    project: dict[str, Any] = (
        await gateway.post(
            "/api/projects/projects",
            json=project_payload(
                partner_cities=[{"name": city, "country": "MZ"}],
                sdg_goals=[{"goal": "6", "share": "60"}, {"goal": "11", "share": "40"}],
                dates={"planned_start": "2023-01-01"},
            ),
        )
    ).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    base = f"/api/funding/projects/{project['id']}"
    for type_, amount, on in (
        ("2", "1000.00", "2024-03-01"),
        ("3", "300.00", "2024-06-01"),
        ("3", "200.01", "2025-02-01"),
        ("4", "100.00", "2025-05-01"),
    ):
        booked = await gateway.post(
            f"{base}/transactions",
            json={
                "transaction_type": type_,
                "amount": amount,
                "currency": "EUR",
                "value_date": on,
                "instrument": "conveni",
            },
        )
        assert booked.status_code == 201, booked.text
    line = await gateway.post(
        f"{base}/budget-lines",
        json={"period_start": "2024-07-01", "period_end": "2025-06-30", "amount": "3650.00", "currency": "EUR"},
    )
    assert line.status_code == 201, line.text
    return project


async def test_money_years_split_filter_and_add_up(gateway: httpx.AsyncClient) -> None:
    city = f"Anyville {uuid.uuid4().hex[:8]}"
    await booked_project(gateway, city)

    async def sdg(**params: str | int) -> dict[str, Any]:
        response = await gateway.get("/api/reporting/sdg", params={"city": city, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def settled() -> dict[str, Any] | None:
        body = await sdg()
        return body if body["totals"]["spent_eur"] == "100.00" and body["totals"]["budgeted_eur"] != "0.00" else None

    lifetime = await eventually(settled, what="every booking in the SDG report")
    assert amounts(lifetime["totals"]) == money("3650.00", "1000.00", "500.01", "100.00")
    assert "years" not in lifetime["totals"], "years only when asked for"

    # The money-year filter: 2025's money only (the old year filters kept the lifetime money).
    only_2025 = await sdg(money_year_from=2025, money_year_to=2025)
    assert amounts(only_2025["totals"]) == money("1810.00", "0.00", "200.01", "100.00")
    goals = {g["goal"]: g for g in only_2025["goals"]}
    assert amounts(goals["6"]["attributed"]) == money("1086.00", "0.00", "120.01", "60.00")
    assert amounts(goals["11"]["attributed"]) == money("724.00", "0.00", "80.00", "40.00")
    assert amounts(goals["6"]["contributes_to"]) == amounts(only_2025["totals"])
    assert only_2025["definition"]["money_year_from"] == 2025
    for params in ({"active_from": 2025, "active_to": 2025}, {"year_from": 2025, "year_to": 2025}):
        active = await sdg(**params)  # "active in 2025" selects projects, not money
        assert amounts(active["totals"]) == amounts(lifetime["totals"]), params
        assert active["definition"]["active_from"] == 2025

    # by_year: every row and the totals carry their years, which add up to them.
    split = await sdg(by_year="true")
    assert {y: amounts(m) for y, m in split["totals"]["years"].items()} == {
        "2024": money("1840.00", "1000.00", "300.00", "0.00"),
        "2025": money("1810.00", "0.00", "200.01", "100.00"),
    }
    six = next(g for g in split["goals"] if g["goal"] == "6")
    assert {y: amounts(m) for y, m in six["attributed"]["years"].items()} == {
        "2024": money("1104.00", "600.00", "180.00", "0.00"),
        "2025": money("1086.00", "0.00", "120.01", "60.00"),
    }
    for method in ("declared-shares", "equal-split", "principal-goal"):
        body = await sdg(by_year="true", method=method)
        blocks = [body["totals"], body["unattributed"]]
        for goal in body["goals"]:
            blocks += [goal["attributed"], goal["contributes_to"]]
            blocks += [b for t in goal["targets"] for b in (t["attributed"], t["contributes_to"])]
        for block in blocks:
            for f in FIELDS:
                assert sum(Decimal(m[f]) for m in block["years"].values()) == Decimal(block[f]), (method, f)
        lifetime_of_method = await sdg(method=method)
        assert [amounts(g["attributed"]) for g in body["goals"]] == [
            amounts(g["attributed"]) for g in lifetime_of_method["goals"]
        ], "the year path gives the same lifetime figures as the kept attribution"

    # Breakdowns: by year within the window; by city with years adding up.
    by_year = (
        await gateway.get(
            "/api/reporting/breakdown",
            params={"by": "year", "city": city, "money_year_from": 2025, "money_year_to": 2030},
        )
    ).json()
    assert [(r["value"], amounts(r["attributed"])) for r in by_year["rows"]] == [
        ("2025", money("1810.00", "0.00", "200.01", "100.00"))
    ]
    assert amounts(by_year["totals"]) == money("1810.00", "0.00", "200.01", "100.00")
    cities = (
        await gateway.get("/api/reporting/breakdown", params={"by": "city", "city": city, "by_year": "true"})
    ).json()
    (row,) = cities["rows"]
    assert {y: amounts(m) for y, m in row["attributed"]["years"].items()} == {
        y: amounts(m) for y, m in split["totals"]["years"].items()
    }

    # The CSV export of the same report under the same window.
    csv = await gateway.get(
        "/api/reporting/exports/sdg", params={"city": city, "money_year_from": 2025, "money_year_to": 2025}
    )
    total_line = next(line for line in csv.text.splitlines() if line.startswith("total,"))
    assert total_line.split(",")[5:9] == ["1810.00", "0.00", "200.01", "100.00"]


async def test_the_project_list_filters_pages_and_carries_money(gateway: httpx.AsyncClient) -> None:
    city = f"Listville {uuid.uuid4().hex[:8]}"
    first = await booked_project(gateway, city)
    second = (
        await gateway.post(
            "/api/projects/projects", json=project_payload(partner_cities=[{"name": city, "country": "MZ"}])
        )
    ).json()
    await gateway.post(
        "/api/projects/projects",
        json=project_payload(partner_cities=[{"name": city, "country": "MZ"}], visibility="draft"),
    )

    async def page(**params: str | int) -> dict[str, Any]:
        response = await gateway.get("/api/reporting/projects", params={"city": city, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def both() -> dict[str, Any] | None:
        body = await page()
        money_of = {p["id"]: p["money"]["spent_eur"] for p in body["items"]}
        return body if money_of.get(first["id"]) == "100.00" and second["id"] in money_of else None

    everything = await eventually(both, what="both published projects listed with their money")
    assert len(everything["items"]) == 2, "the draft is not listed"
    assert everything["next_cursor"] is None
    one = await page(limit=1)
    rest = await page(limit=1, cursor=one["next_cursor"])
    assert [p["id"] for p in one["items"] + rest["items"]] == [p["id"] for p in everything["items"]]
    assert rest["next_cursor"] is None
    windowed = await page(money_year_from=2025, money_year_to=2025, by_year="true")
    mine = next(p for p in windowed["items"] if p["id"] == first["id"])
    assert amounts(mine["money"]) == money("1810.00", "0.00", "200.01", "100.00")
    assert list(mine["money"]["years"]) == ["2025"]


async def test_unknown_filter_values_are_refused_by_name(gateway: httpx.AsyncClient) -> None:
    import base64

    def crafted(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).decode()

    cases: list[tuple[str, Params, str]] = [
        ("/api/reporting/sdg", {"institution": "nowhere"}, "institution"),
        ("/api/reporting/sdg", {"status": "9"}, "status"),
        ("/api/reporting/sdg", {"country": "ZZ"}, "country"),
        ("/api/reporting/sdg", {"network": "no-such-network"}, "network"),
        ("/api/reporting/sdg", {"modality": "telepathy"}, "modality"),
        ("/api/reporting/sdg", {"active_from": 2025, "active_to": 2024}, "active_from"),
        ("/api/reporting/sdg", {"year_from": 2025, "year_to": 2024}, "active_from"),
        ("/api/reporting/sdg", {"year_from": 2020, "active_from": 2021}, "active_from"),
        ("/api/reporting/breakdown", {"by": "city", "money_year_from": 2030, "money_year_to": 2029}, "money_year_from"),
        ("/api/reporting/exports/projects", {"institution": "nowhere"}, "institution"),
        ("/api/reporting/zero-seven", {"institution": "nowhere"}, "institution"),
        ("/api/reporting/zero-seven", {"year_from": 2030, "year_to": 2029}, "year_from"),
        ("/api/reporting/results", {"institution": "nowhere"}, "institution"),
        ("/api/reporting/results", {"sdg_indicator": "99.9.9"}, "sdg_indicator"),
        ("/api/reporting/projects", {"owner": "nowhere"}, "institution"),
        ("/api/reporting/projects", {"owner": "amb", "institution": "ajuntament-barcelona"}, "owner"),
        ("/api/reporting/projects", {"cursor": "not a cursor"}, "cursor"),
        ("/api/reporting/projects", {"cursor": crafted('{"v":1,"k":[1,2,3]}')}, "cursor"),
        ("/api/reporting/projects", {"cursor": crafted('{"v":1,"k":["a","b","not-a-uuid"]}')}, "cursor"),
        ("/api/reporting/projects", {"cursor": crafted('{"v":2,"k":["a","b","' + str(uuid.uuid4()) + '"]}')}, "cursor"),
        ("/api/reporting/projects", {"cursor": crafted("[]")}, "cursor"),
        ("/api/reporting/projects", {"cursor": "%%%"}, "cursor"),
    ]
    for path, params, field in cases:
        response = await gateway.get(path, params=params)
        assert response.status_code == 422, (path, params, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, (path, params, response.json())
    good = crafted('{"v":1,"k":["a","b","' + str(uuid.uuid4()) + '"]}').rstrip("=")
    assert (await gateway.get("/api/reporting/projects", params={"cursor": good})).status_code == 200
