"""The ledger through the gateway: conversions, reversals, refusals, idempotency, exactness."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import orjson

from shared.kafka import FUNDING_TOPIC
from tests.support.funding import FundedProject, book, summary, txn
from tests.support.kafka import read_all
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def test_partner_currency_is_converted_with_its_provenance(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    rate = await gateway.put("/api/funding/rates/MZN/2025-03-07", json={"units_per_eur": "69.85", "note": "BdM"})
    assert rate.status_code == 200
    booked = await book(gateway, project["id"], txn("2", "100000.00", "MZN", "2025-03-09"))  # a Sunday
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert body["amount"] == "100000.00" and body["currency"] == "MZN"
    assert body["amount_eur"] == str((Decimal("100000.00") / Decimal("69.85")).quantize(Decimal("0.01")))
    assert (body["rate"], body["rate_date"], body["rate_source"]) == ("69.85000000", "2025-03-07", "manual")
    totals = await summary(gateway, project["id"])
    assert totals["totals"]["committed_eur"] == body["amount_eur"]
    assert totals["by_currency"] == [
        {"currency": "MZN", "committed": "100000.00", "disbursed": "0.00", "spent": "0.00", "incoming": "0.00"}
    ]


async def test_a_missing_rate_is_a_clear_422_and_books_nothing(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    refused = await book(gateway, project["id"], txn("2", "5000000", "COP", "1999-01-04"))
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"].endswith("/missing-exchange-rate")
    assert problem["errors"] == [
        {"field": "currency", "code": "no_exchange_rate", "message": "No exchange rate", "value": "COP@1999-01-04"}
    ]
    listed = (await gateway.get(f"/api/funding/projects/{project['id']}/transactions")).json()
    assert listed["items"] == []


async def test_reversal_negates_exactly_once(gateway: httpx.AsyncClient, funded_project: FundedProject) -> None:
    project = await funded_project()
    await gateway.put("/api/funding/rates/USD/2025-03-10", json={"units_per_eur": "1.0815"})
    original = (await book(gateway, project["id"], txn("2", "1234.56", "USD"))).json()
    assert (await summary(gateway, project["id"]))["totals"]["committed_eur"] == original["amount_eur"]
    reversal = await gateway.post(
        f"/api/funding/transactions/{original['id']}/reverse",
        json={"reason": "Booked on the wrong project", "value_date": "2025-03-11"},
    )
    assert reversal.status_code == 201, reversal.text
    body = reversal.json()
    assert body["reverses_id"] == original["id"]
    assert (body["amount"], body["amount_eur"]) == ("-1234.56", "-" + original["amount_eur"])
    assert body["rate"] == original["rate"], "the reversal uses the original's rate, not today's"
    after = await summary(gateway, project["id"])
    assert after["totals"]["committed_eur"] == "0.00"
    assert after["by_currency"][0]["committed"] == "0.00"
    again = await gateway.post(f"/api/funding/transactions/{original['id']}/reverse", json={"reason": "again"})
    assert again.status_code == 409 and again.json()["type"].endswith("/already-reversed")
    of_reversal = await gateway.post(f"/api/funding/transactions/{body['id']}/reverse", json={"reason": "undo"})
    assert of_reversal.status_code == 409
    ledger = (await gateway.get(f"/api/funding/projects/{project['id']}/transactions")).json()["items"]
    assert [t["id"] for t in ledger] == [original["id"], body["id"]], "append-only, in booking order"


async def test_disbursing_beyond_commitments_needs_a_reason(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    assert (await book(gateway, project["id"], txn("2", "100.00"))).status_code == 201
    assert (await book(gateway, project["id"], txn("3", "60.00"))).status_code == 201
    refused = await book(gateway, project["id"], txn("3", "40.01"))
    assert refused.status_code == 422 and refused.json()["type"].endswith("/over-disbursement")
    assert (await book(gateway, project["id"], txn("3", "40.00"))).status_code == 201
    flagged = await book(
        gateway, project["id"], txn("3", "15.00", over_commitment_reason="Advance agreed in the conveni")
    )
    assert flagged.status_code == 201
    totals = (await summary(gateway, project["id"]))["totals"]
    assert (totals["committed_eur"], totals["disbursed_eur"]) == ("100.00", "115.00")


async def test_unknown_cancelled_and_archived_projects_take_no_money(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    unknown = await book(gateway, str(uuid.uuid4()), txn("2", "10"))
    assert unknown.status_code == 404
    for operation, body in (("status", {"status": "5", "reason": "The partner withdrew"}), ("archive", None)):
        project = await funded_project()
        url = f"/api/projects/projects/{project['id']}/{operation}"
        changed = await gateway.post(url, json=body, headers={"If-Match": '"1"'})
        assert changed.status_code == 200

        async def refused(project_id: str = project["id"]) -> httpx.Response | None:
            response = await book(gateway, project_id, txn("2", "10"))
            return response if response.status_code == 409 else None

        response = await eventually(refused, what=f"booking refused after {operation}")
        assert response.json()["type"].endswith("/project-not-fundable")


async def test_a_retried_post_books_once(gateway: httpx.AsyncClient, funded_project: FundedProject) -> None:
    project = await funded_project()
    key = {"Idempotency-Key": f"txn-{uuid.uuid4()}"}
    first = await book(gateway, project["id"], txn("2", "250.00"), **key)
    retry = await book(gateway, project["id"], txn("2", "250.00"), **key)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"] and retry.headers["idempotent-replayed"] == "true"
    assert (await summary(gateway, project["id"]))["totals"]["committed_eur"] == "250.00"


async def test_decimal_exactness_and_the_rounding_rule(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    for amount in ("0.10", "0.20"):
        await book(gateway, project["id"], txn("2", amount))
    assert (await summary(gateway, project["id"]))["totals"]["committed_eur"] == "0.30"
    too_precise = await book(gateway, project["id"], txn("2", "10.005"))
    assert too_precise.status_code == 422 and too_precise.json()["errors"][0]["field"] == "amount"
    as_float = await gateway.post(
        f"/api/funding/projects/{project['id']}/transactions",
        content=b'{"transaction_type": "2", "amount": 0.1, "currency": "EUR", '
        b'"value_date": "2025-03-10", "instrument": "conveni"}',
        headers={"Content-Type": "application/json"},
    )
    assert as_float.status_code == 201 and as_float.json()["amount"] == "0.10"
    # Half a cent rounds up (Regulation 1103/97), not to even: 1.00 GBP at 8 per EUR is 0.125 -> 0.13.
    await gateway.put("/api/funding/rates/GBP/2025-03-10", json={"units_per_eur": "8"})
    half = (await book(gateway, project["id"], txn("2", "1.00", "GBP"))).json()
    assert half["amount_eur"] == "0.13"


async def test_rates_load_from_a_central_bank_csv(gateway: httpx.AsyncClient) -> None:
    csv = (
        "Date,USD,JPY,MZN,XYZ,\n2024-06-03,1.0866,170.52,N/A,1,\n2024-05-31,1.0848,170.55,69.3,1,\n"
        "yesterday,1,1,1,1,\n2024-05-30,1.0804,abc,69.1,1,\n"
    )
    loaded = await gateway.post(
        "/api/funding/rates/import",
        content=csv.encode(),
        headers={"Content-Type": "text/csv"},
        params={"source": "ECB", "note": "ECB test file"},
    )
    assert loaded.status_code == 200, loaded.text
    report = loaded.json()
    assert report["loaded"] == 7
    assert report["currencies"] == ["JPY", "MZN", "USD"]
    assert any("XYZ" in line for line in report["skipped"])
    assert any("yesterday" in line for line in report["skipped"])
    assert any("abc" in line for line in report["skipped"])
    saturday = (await gateway.get("/api/funding/rates/USD", params={"on": "2024-06-01"})).json()
    assert (saturday["rate_date"], saturday["units_per_eur"], saturday["source"]) == (
        "2024-05-31",
        "1.08480000",
        "ECB",
    )
    broken = await gateway.post(
        "/api/funding/rates/import", content=b"when,USD\n", headers={"Content-Type": "text/csv"}
    )
    assert broken.status_code == 422 and broken.json()["type"].endswith("/invalid-rate-file")


async def test_funding_events_carry_the_new_totals_and_version(
    gateway: httpx.AsyncClient, stack: Stack, funded_project: FundedProject
) -> None:
    project = await funded_project()
    first = (await book(gateway, project["id"], txn("2", "500.00"))).json()
    await book(gateway, project["id"], txn("3", "200.00"))
    await gateway.post(f"/api/funding/transactions/{first['id']}/reverse", json={"reason": "Re-booked below"})
    final = await summary(gateway, project["id"])

    async def all_three() -> list[dict[str, Any]] | None:
        records = await read_all(stack.infra.bootstrap, FUNDING_TOPIC, expect=1, timeout=15)
        mine = [orjson.loads(r.value) for r in records if r.key == project["id"].encode()]
        return mine if len(mine) == 3 else None

    events = await eventually(all_three, what="three funding events")
    assert [e["type"] for e in events] == [
        "funding.transaction-recorded",
        "funding.transaction-recorded",
        "funding.transaction-reversed",
    ]
    assert [e["data"]["version"] for e in events] == [1, 2, 3]
    assert events[-1]["data"]["totals"] == final["totals"]
    assert events[-1]["data"]["transaction"]["reverses_id"] == first["id"]


async def test_found_by_fuzzing_a_stray_carriage_return_is_an_invalid_file(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(
        "/api/funding/rates/import", content="\rÙ)딃\n2025-01-01,1".encode(), headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422 and response.json()["type"].endswith("/invalid-rate-file")
