"""The demo portfolio loads through the API, and the events on the topic match the stored state
version by version."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

import httpx
import orjson
from lxml import etree

from shared.codelists import DATA_DIR
from shared.contracts.projects import ProjectStateV1
from shared.kafka import PROJECTS_TOPIC
from tests.support.auth import Tokens
from tests.support.kafka import read_all
from tests.support.stack import Stack
from tests.support.waiting import eventually
from xarxa.demo import demo_projects, load_demo_data


async def test_demo_portfolio_events_match_the_stored_state_version_by_version(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    admin = tokens.credentials["admin"]
    credentials = {"client_id": admin.client_id, "client_secret": admin.client_secret}
    ids = await asyncio.to_thread(load_demo_data, stack.gateway, credentials, only_if_empty=False)
    assert len(ids) == len(demo_projects()) >= 40

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


def announced(history: list[tuple[int, str]], born: dict[str, Any]) -> list[tuple[int, str]]:
    """The history's versions as events: a project born in a later status (a migration) or published
    is announced as such right after project.registered, with the same version."""
    follow_ups = [(1, "project.status-changed")] if born["status"] not in ("1", "2") else []
    follow_ups += [(1, "project.published")] if born["visibility"] == "published" else []
    return [history[0], *follow_ups, *history[1:]]


async def demo_exports_validate(gateway: httpx.AsyncClient, stored: dict[str, dict[str, Any]]) -> None:
    """Each owner institution's IATI export of the demo portfolio validates against the 2.03 XSD."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.parse(str(DATA_DIR / "iati" / "schema" / "iati-activities-schema.xsd"), parser))
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
            found = set(etree.fromstring(response.content, parser).xpath("//iati-identifier/text()"))
            return response.content if wanted <= found else None

        content = await eventually(exported, timeout=60, what=f"the demo projects of {institution} in the export")
        assert schema.validate(etree.fromstring(content, parser)), schema.error_log
