"""Dropping the read models and replaying the topics gives back exactly the live reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from services.reporting.config import Settings
from services.reporting.readmodels.snapshot import TIMEZONE
from services.reporting.rebuild import rebuild
from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def snapshot(gateway: httpx.AsyncClient) -> dict[str, Any]:
    today = datetime.now(TIMEZONE).date()
    yesterday = (today - timedelta(days=1)).isoformat()
    return {
        "as_of_yesterday": (await gateway.get("/api/reporting/sdg", params={"as_of": yesterday})).json(),
        "zero_seven_yesterday": (await gateway.get("/api/reporting/zero-seven", params={"as_of": yesterday})).json(),
        "sdg": (await gateway.get("/api/reporting/sdg")).json(),
        "equal": (await gateway.get("/api/reporting/sdg", params={"method": "equal-split"})).json(),
        "portfolio": (await gateway.get("/api/reporting/portfolio")).json(),
        "projects": (await gateway.get("/api/reporting/projects", params={"limit": 1000})).json(),
    }


async def test_rebuilt_reports_equal_the_live_ones(gateway: httpx.AsyncClient, stack: Stack) -> None:
    project = (await gateway.post("/api/projects/projects", json=project_payload())).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="project in funding")
    booked = await gateway.post(
        f"/api/funding/projects/{project['id']}/transactions",
        json={
            "transaction_type": "2",
            "amount": "4321.09",
            "currency": "EUR",
            "value_date": "2025-01-10",
            "instrument": "conveni",
        },
    )
    assert booked.status_code == 201

    async def applied() -> bool:
        report = (await gateway.get("/api/reporting/sdg")).json()
        positions = {(p["topic"], p["partition"]): p["offset"] for p in report["freshness"]["positions"]}
        return bool(positions) and report["totals"]["committed_eur"] != "0.00"

    await eventually(applied, what="the live reports")
    before = await snapshot(gateway)
    stats = await rebuild(
        Settings(database_url=stack.infra.database_url("reporting"), kafka_bootstrap=stack.infra.bootstrap)
    )
    assert stats.events > 0 and stats.skipped == 0
    assert set(stats.per_topic) == {"xarxa.projects.v1", "xarxa.funding.v1"}
    after = await snapshot(gateway)
    assert after == before
    # Yesterday's figures leave out today's project; they were rebuilt from the events, not copied.
    ids = {p["id"] for p in before["projects"]["items"]}
    assert project["id"] in ids
    assert before["as_of_yesterday"]["totals"]["committed_eur"] != before["sdg"]["totals"]["committed_eur"]
