"""The demo portfolio loads through the API, and the events on the topic match the stored state
version by version."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import httpx
import orjson

from shared.contracts.projects import ProjectStateV1
from shared.kafka import PROJECTS_TOPIC
from tests.support.auth import Tokens
from tests.support.iati import iati_schema, parse
from tests.support.kafka import read_all
from tests.support.stack import Stack
from tests.support.waiting import eventually
from xarxa.demo import demo_projects, load_demo_data
from xarxa.demo.funding import demo_bookings
from xarxa.demo.history import BARCELONA


async def test_demo_portfolio_events_match_the_stored_state_version_by_version(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    admin = tokens.credentials["admin"]
    credentials = {"client_id": admin.client_id, "client_secret": admin.client_secret}
    ids = await asyncio.to_thread(load_demo_data, stack.gateway, credentials, only_if_empty=False)
    assert len(ids) == len(demo_projects()) >= 40
    await demo_history_as_of(gateway, ids)

    owners = {(await gateway.get(f"/api/projects/projects/{i}")).json()["owner"] for i in ids}
    assert {"ajuntament-barcelona", "amb"} <= owners
    overview = (await gateway.get("/api/projects/projects", params={"limit": 500, "sdg_goal": "5"})).json()
    assert overview["total"] >= 3

    # A few more versions: a status change and a revised results framework.
    for project_id in ids[:5]:
        url = f"/api/projects/projects/{project_id}"
        current = await gateway.get(url)
        body = current.json()
        if body["status"] == "2":
            await gateway.post(
                f"{url}/status",
                json={"status": "6", "reason": "Elections in the partner city"},
                headers={"If-Match": current.headers["etag"]},
            )
        current = await gateway.get(url)
        await gateway.patch(
            url,
            content=b'{"tags": ["demo-check"]}',
            headers={"If-Match": current.headers["etag"], "Content-Type": "application/merge-patch+json"},
        )

    stored: dict[str, dict[str, Any]] = {}
    histories: dict[str, list[tuple[int, str]]] = {}
    for project_id in ids:
        read = (await gateway.get(f"/api/projects/projects/{project_id}")).json()
        read.pop("localized")
        read.pop("other_identifiers")  # the registry's view only (IATI imports), not in the event contract
        stored[project_id] = read
        history = (await gateway.get(f"/api/projects/projects/{project_id}/history")).json()["items"]
        histories[project_id] = [(h["version"], h["event_type"]) for h in history]
    expected_events = sum(len(h) for h in histories.values())
    # Every demo city was resolved in the gazetteer: a GeoNames id and its coordinates, none typed by hand.
    cities = [c for p in stored.values() for c in p["partner_cities"]]
    assert cities and all(c["geonames_id"] and c["latitude"] is not None and c["longitude"] is not None for c in cities)

    records = await read_all(stack.infra.bootstrap, PROJECTS_TOPIC, expect=expected_events, timeout=60)
    per_project: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        event = orjson.loads(record.value)
        if event["subject"] in stored:
            assert record.key == event["subject"].encode(), "keyed by project id"
            per_project[event["subject"]].append(event)

    for project_id, events in per_project.items():
        versions = [(e["data"]["version"], e["type"]) for e in events]
        assert versions == announced(histories[project_id], events[0]["data"]), project_id
        for event in events:
            ProjectStateV1.model_validate(event["data"])  # every event honours the published contract
            assert event["specversion"] == "1.0" and event["source"] == "/xarxa/projects"
        assert events[-1]["data"] == stored[project_id], "the last event carries the stored state"
    assert set(per_project) == set(ids)
    await demo_exports_validate(gateway, stored)


async def demo_history_as_of(gateway: httpx.AsyncClient, ids: list[str]) -> None:
    """The demo carries its recorded history: as of 31 December 2025 (the README tour) the reports
    show what had been recorded by then, not zeros and not today's figures."""
    projects = [(await gateway.get(f"/api/projects/projects/{i}")).json() for i in ids]
    sources = {s["code"]: s["id"] for s in (await gateway.get("/api/funding/sources")).json()["items"]}
    bookings = demo_bookings(projects, sources)
    amb = [p for p in projects if p["owner"] == "amb" and p["visibility"] == "published"]

    def expected(day: str) -> tuple[int, Decimal]:
        """From the demo's own plan: the projects registered and the commitments recorded by the day's end."""
        cutoff = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(), BARCELONA)
        registered = sum(1 for p in amb if datetime.fromisoformat(p["created_at"]) < cutoff)
        committed = sum(
            (
                Decimal(b.body["amount"])
                for b in bookings
                if b.owner == "amb" and b.body["transaction_type"] == "2" and b.recorded_at and b.recorded_at < cutoff
            ),
            Decimal(0),
        )
        return registered, committed

    async def report(**params: str) -> dict[str, Any]:
        response = await gateway.get("/api/reporting/sdg", params={"institution": "amb", **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    everything = sum(
        (Decimal(b.body["amount"]) for b in bookings if b.owner == "amb" and b.body["transaction_type"] == "2"),
        Decimal(0),
    )

    async def live() -> dict[str, Any] | None:
        body = await report()
        return body if Decimal(body["totals"]["committed_eur"]) >= everything else None

    await eventually(live, timeout=60, what="the demo portfolio in the reports")
    days = ("2021-06-30", "2022-12-31", "2025-12-31")
    for day in days:
        then = await report(as_of=day)
        assert (then["projects"], Decimal(then["totals"]["committed_eur"])) == expected(day), day
    assert 0 < expected(days[0])[1] < expected(days[1])[1] < expected(days[2])[1], "a history, not one day"
    before = await report(as_of="2020-12-31")
    assert (before["projects"], before["totals"]["committed_eur"]) == (0, "0.00")
    # A project finished in 2022 was in implementation as of the end of 2021, closed by the end of 2025.
    finished = next(p for p in amb if p["status"] == "4" and p["dates"]["actual_start"] <= "2021-12-31")
    row = {"institution": "amb", "limit": "500"}
    for day, status in (("2021-12-31", "2"), ("2025-12-31", "4")):
        listed = (await gateway.get("/api/reporting/projects", params={**row, "as_of": day})).json()["items"]
        assert [p["status"] for p in listed if p["id"] == finished["id"]] == [status], day
    # The 0.7 % report of that day shows the revenues then declared: 2025's budget (settled next May).
    zero_seven = await gateway.get(
        "/api/reporting/zero-seven",
        params={"institution": "amb", "year_from": 2025, "year_to": 2025, "as_of": "2025-12-31"},
    )
    (year,) = zero_seven.json()["rows"]
    assert (year["revenues"]["basis"], year["revenues"]["missing"]) == ("budgeted", [])
    assert Decimal(year["committed_eur"]) > 0


def announced(history: list[tuple[int, str]], born: dict[str, Any]) -> list[tuple[int, str]]:
    """The history's versions as events: a project born in a later status (a migration) or published
    is announced as such right after project.registered, with the same version."""
    follow_ups = [(1, "project.status-changed")] if born["status"] not in ("1", "2") else []
    follow_ups += [(1, "project.published")] if born["visibility"] == "published" else []
    return [history[0], *follow_ups, *history[1:]]


async def demo_exports_validate(gateway: httpx.AsyncClient, stored: dict[str, dict[str, Any]]) -> None:
    """Each owner institution's IATI export of the demo portfolio validates against the 2.03 XSD."""
    schema = iati_schema()
    for institution in ("amb", "ajuntament-barcelona"):
        expected = {
            p["iati_identifier"]
            for p in stored.values()
            if p["owner"] == institution and p["visibility"] == "published" and not p["archived"]
        }

        async def exported(owner: str = institution, wanted: set[str] = expected) -> bytes | None:
            response = await gateway.get("/api/reporting/exports/iati", params={"reporting_org": owner})
            if response.status_code != 200:
                return None
            found = set(parse(response.content).xpath("//iati-identifier/text()"))
            return response.content if wanted <= found else None

        content = await eventually(exported, timeout=60, what=f"the demo projects of {institution} in the export")
        assert schema.validate(parse(content)), schema.error_log
