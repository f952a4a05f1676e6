"""Ledger dates are facts: no payment after today (Barcelona), commitments within the project's
budget years, reversals not before what they reverse, and planned disbursements as their own kind."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson

from shared.kafka import FUNDING_TOPIC
from tests.support.funding import FundedProject, book, summary, txn
from tests.support.kafka import read_all
from tests.support.stack import Stack
from tests.support.waiting import eventually


def barcelona_today() -> date:
    return datetime.now(ZoneInfo("Europe/Madrid")).date()


def field_errors(response: httpx.Response) -> dict[str, Any]:
    return {e["field"]: e for e in response.json()["errors"]}


async def test_money_that_moved_is_not_dated_after_today(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    today, tomorrow = barcelona_today(), barcelona_today() + timedelta(days=1)
    reason = {"over_commitment_reason": "bridge payment"}
    for type_, extra in (("3", reason), ("4", {}), ("1", {}), ("7", {})):
        refused = await book(gateway, project["id"], txn(type_, "10.00", value_date=tomorrow.isoformat(), **extra))
        assert refused.status_code == 422, (type_, refused.text)
        assert refused.json()["type"].endswith("/future-dated")
        assert field_errors(refused)["value_date"]["value"] == tomorrow.isoformat()
        far = await book(gateway, project["id"], txn(type_, "10.00", value_date="2999-12-31", **extra))
        assert far.status_code == 422, far.text
    assert (await summary(gateway, project["id"]))["version"] == 0  # nothing was booked
    paid_today = await book(gateway, project["id"], txn("3", "10.00", value_date=today.isoformat(), **reason))
    assert paid_today.status_code == 201, paid_today.text
    # A commitment is an intention: it may be dated ahead (the project has no budget lines to hold it to).
    ahead = await book(gateway, project["id"], txn("2", "10.00", value_date=f"{today.year + 1}-01-01"))
    assert ahead.status_code == 201, ahead.text


async def test_commitments_fall_within_the_budget_years(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    line = {"period_start": "2024-07-01", "period_end": "2025-06-30", "amount": "5000.00", "currency": "EUR"}
    added = await gateway.post(f"/api/funding/projects/{project['id']}/budget-lines", json=line)
    assert added.status_code == 201, added.text
    for inside in ("2024-01-02", "2025-12-31"):  # the years the line touches, whole
        booked = await book(gateway, project["id"], txn("2", "100.00", value_date=inside))
        assert booked.status_code == 201, booked.text
    for outside in ("2023-12-31", "2026-01-01"):
        refused = await book(gateway, project["id"], txn("2", "100.00", value_date=outside))
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/outside-budget-years")
        error = field_errors(refused)["value_date"]
        assert error["value"] == outside and "[2024, 2025]" in error["message"]
    # Disbursements are not commitments: their budget year is not checked, only that they happened.
    paid = await book(gateway, project["id"], txn("3", "50.00", value_date="2023-05-05"))
    assert paid.status_code == 201, paid.text
    assert (await summary(gateway, project["id"]))["totals"]["committed_eur"] == "200.00"


async def test_a_reversal_is_not_dated_before_what_it_reverses(
    gateway: httpx.AsyncClient, funded_project: FundedProject
) -> None:
    project = await funded_project()
    original = (await book(gateway, project["id"], txn("2", "300.00", value_date="2025-03-10"))).json()
    url = f"/api/funding/transactions/{original['id']}/reverse"
    for before in ("2025-03-09", "2024-12-31", "1900-01-01"):
        refused = await gateway.post(url, json={"reason": "typo", "value_date": before})
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/reversal-before-original")
        assert field_errors(refused)["value_date"]["value"] == before
    same_day = await gateway.post(url, json={"reason": "typo", "value_date": "2025-03-10"})
    assert same_day.status_code == 201, same_day.text
    # A commitment of next year reversed without a date is reversed on its own date, not today.
    later = f"{barcelona_today().year + 1}-02-01"
    ahead = (await book(gateway, project["id"], txn("2", "40.00", value_date=later))).json()
    reversed_ = await gateway.post(f"/api/funding/transactions/{ahead['id']}/reverse", json={"reason": "dropped"})
    assert reversed_.status_code == 201, reversed_.text
    assert reversed_.json()["value_date"] == later
    # A reversal of a payment is itself money that moved: not after today either.
    paid = (await book(gateway, project["id"], txn("4", "20.00", value_date="2025-04-01"))).json()
    tomorrow = (barcelona_today() + timedelta(days=1)).isoformat()
    future = await gateway.post(
        f"/api/funding/transactions/{paid['id']}/reverse", json={"reason": "x", "value_date": tomorrow}
    )
    assert future.status_code == 422 and future.json()["type"].endswith("/future-dated"), future.text


async def test_planned_disbursements_are_their_own_kind(
    gateway: httpx.AsyncClient, funded_project: FundedProject, stack: Stack
) -> None:
    project = await funded_project()
    url = f"/api/funding/projects/{project['id']}/planned-disbursements"
    next_year = barcelona_today().year + 1
    body = {
        "period_start": f"{next_year}-01-01",
        "period_end": f"{next_year}-03-31",
        "amount": "1200.00",
        "currency": "EUR",
        "receiver_org": "Conselho Municipal de Maputo",
    }
    planned = await gateway.post(url, json=body)
    assert planned.status_code == 201, planned.text
    assert (planned.json()["planned_type"], planned.json()["amount_eur"]) == ("1", "1200.00")
    listed = (await gateway.get(url)).json()["items"]
    assert [p["id"] for p in listed] == [planned.json()["id"]]
    after = await summary(gateway, project["id"])
    assert after["totals"]["disbursed_eur"] == "0.00" and after["version"] == 1  # no total counts a plan
    assert (await gateway.get(f"/api/funding/projects/{project['id']}/transactions")).json()["items"] == []
    for hostile, field in (
        ({**body, "period_end": f"{next_year - 1}-12-31"}, None),
        ({**body, "amount": "0"}, "amount"),
        ({**body, "planned_type": "9"}, "planned_type"),
        ({**body, "value_date": "2025-01-01"}, "value_date"),
    ):
        refused = await gateway.post(url, json=hostile)
        assert refused.status_code == 422, (hostile, refused.text)
        if field:
            assert any(e["field"].endswith(field) for e in refused.json()["errors"]), refused.text

    async def the_event() -> dict[str, Any] | None:
        records = await read_all(stack.infra.bootstrap, FUNDING_TOPIC, expect=1, timeout=15)
        mine = [orjson.loads(r.value) for r in records if r.key == project["id"].encode()]
        return mine[0] if mine else None

    event = await eventually(the_event, what="the planned disbursement event")
    assert event["type"] == "funding.planned-disbursement-added"
    assert event["data"]["planned_disbursement"]["id"] == planned.json()["id"]
    assert event["data"]["transaction"] is None and event["data"]["totals"]["disbursed_eur"] == "0.00"
