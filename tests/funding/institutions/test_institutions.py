"""Declared revenues, the 0.7 % target and its gap; funding sources with their EU details."""

from __future__ import annotations

import httpx

from tests.support.auth import Tokens
from tests.support.funding import FundedProject
from tests.support.unique import unique_code, unique_year


async def test_zero_seven_target_budget_committed_disbursed_and_gap(
    gateway: httpx.AsyncClient, tokens: Tokens, funded_project: FundedProject
) -> None:
    year = unique_year()  # AMB's year to this test alone (disbursements are not dated ahead: a past one)
    url = f"/api/funding/institutions/amb/years/{year}"
    declared = await gateway.put(url, json={"own_revenues_eur": "1000000.00", "cooperation_budget_eur": "6500.00"})
    assert declared.status_code == 200, declared.text
    assert declared.headers["etag"] == '"1"'
    project = await funded_project(owner="amb")
    base = f"/api/funding/projects/{project['id']}/transactions"
    for type_, amount in (("2", "5000.00"), ("3", "3000.00")):
        await gateway.post(
            base,
            json={
                "transaction_type": type_,
                "amount": amount,
                "currency": "EUR",
                "value_date": f"{year}-06-01",
                "instrument": "direct-execution",
            },
        )
    report = (await gateway.get(url)).json()
    assert report["target_eur"] == "7000.00"
    assert (report["committed_eur"], report["disbursed_eur"]) == ("5000.00", "3000.00")
    assert (report["gap_committed_eur"], report["gap_disbursed_eur"]) == ("2000.00", "4000.00")
    assert report["committed_share_of_target"] == "71.43"
    assert report["cooperation_budget_eur"] == "6500.00"

    blind = await gateway.put(url, json={"own_revenues_eur": "1200000.00"})
    assert blind.status_code == 428
    stale = await gateway.put(url, json={"own_revenues_eur": "1200000.00"}, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    updated = await gateway.put(url, json={"own_revenues_eur": "1200000.00"}, headers={"If-Match": '"1"'})
    assert updated.json()["target_eur"] == "8400.00" and updated.headers["etag"] == '"2"'

    async with httpx.AsyncClient(base_url=str(gateway.base_url), headers=tokens.headers("ajuntament")) as other:
        assert (await other.put(url, json={"own_revenues_eur": "1"}, headers={"If-Match": '"2"'})).status_code == 403
        assert (await other.get(url)).status_code == 404


async def test_eu_sources_state_their_co_financing(gateway: httpx.AsyncClient, funded_project: FundedProject) -> None:
    feder = {
        "institution": "amb",
        "code": unique_code("FEDER"),
        "kind": "feder",
        "name": {"ca": "FEDER 2021-2027 (conveni Generalitat)"},
        "programme": "FEDER Catalunya 2021-2027",
    }
    missing = await gateway.post("/api/funding/sources", json=feder)
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "co_financing_rate"
    created = await gateway.post(
        "/api/funding/sources",
        json={**feder, "co_financing_rate": "50", "reporting_periods": [{"start": "2025-01-01", "end": "2025-12-31"}]},
    )
    assert created.status_code == 201, created.text
    source = created.json()
    listed = (await gateway.get("/api/funding/sources", params={"institution": "amb"})).json()["items"]
    assert source["id"] in {s["id"] for s in listed}
    project = await funded_project(owner="amb")
    ok = await gateway.post(
        f"/api/funding/projects/{project['id']}/transactions",
        json={
            "transaction_type": "11",
            "amount": "10000.00",
            "currency": "EUR",
            "value_date": "2025-04-01",
            "instrument": "conveni",
            "source_id": source["id"],
        },
    )
    assert ok.status_code == 201
    wrong_owner = await funded_project(owner="ajuntament-barcelona")
    refused = await gateway.post(
        f"/api/funding/projects/{wrong_owner['id']}/transactions",
        json={
            "transaction_type": "2",
            "amount": "1.00",
            "currency": "EUR",
            "value_date": "2025-04-01",
            "instrument": "conveni",
            "source_id": source["id"],
        },
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "source_id"
    by_source = (await gateway.get(f"/api/funding/projects/{project['id']}/summary")).json()["by_source"]
    assert by_source[0]["source_id"] == source["id"]


async def test_eu_sources_give_eligible_costs_eu_share_and_match_funding(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    source = (
        await gateway.post(
            "/api/funding/sources",
            json={
                "institution": "amb",
                "code": unique_code("EC"),
                "kind": "ec-call",
                "co_financing_rate": "75",
                "name": {"en": "EC call for water utilities"},
                "call_id": "EC-2025-WATER",
                "reporting_periods": [
                    {"start": "2025-01-01", "end": "2025-06-30", "due": "2025-09-30"},
                    {"start": "2025-07-01", "end": "2025-12-31"},
                ],
            },
        )
    ).json()
    project = await funded_project(owner="amb")
    url = f"/api/funding/projects/{project['id']}/transactions"

    def spend(amount: str, on: str, eligible: bool | None) -> dict[str, object]:
        body: dict[str, object] = {
            "transaction_type": "4",
            "amount": amount,
            "currency": "EUR",
            "value_date": on,
            "instrument": "direct-execution",
            "source_id": source["id"],
        }
        if eligible is not None:
            body["eu_eligible"] = eligible
        return body

    missing = await gateway.post(url, json=spend("100.00", "2025-02-01", None))
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "eu_eligible"
    not_eu = await gateway.post(url, json={**spend("1.00", "2025-02-01", True), "source_id": None})
    assert not_eu.status_code == 422
    await gateway.post(
        url,
        json={
            "transaction_type": "11",
            "amount": "5000.00",
            "currency": "EUR",
            "value_date": "2025-01-15",
            "instrument": "conveni",
            "source_id": source["id"],
        },
    )
    for amount, on, eligible in (
        ("6000.01", "2025-03-01", True),
        ("2000.00", "2025-08-01", True),
        ("1500.00", "2025-09-01", False),
    ):
        assert (await gateway.post(url, json=spend(amount, on, eligible))).status_code == 201
    summary = (await gateway.get(f"/api/funding/sources/{source['id']}/summary")).json()
    assert (summary["spent_eur"], summary["eligible_eur"], summary["non_eligible_eur"]) == (
        "9500.01",
        "8000.01",
        "1500.00",
    )
    # 75 % of 8000.01 is 6000.0075: half up to the cent gives 6000.01; the match is the rest.
    assert (summary["eu_share_eur"], summary["match_funding_eur"]) == ("6000.01", "2000.00")
    assert summary["received_eur"] == "5000.00" and summary["eu_balance_due_eur"] == "1000.01"
    assert [p["eligible_eur"] for p in summary["periods"]] == ["6000.01", "2000.00"]
