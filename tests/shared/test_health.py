"""A service's liveness answer says what each of its consumers has done since the start, so an
operator sees a consumer that applies nothing or dead-letters events without reading the logs."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def consumers_of(stack: Stack, service: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.url(service), timeout=10) as client:
        answer = await client.get("/healthz")
    assert answer.status_code == 200, answer.text
    consumers: dict[str, Any] = answer.json()["consumers"]
    return consumers


async def test_healthz_counts_what_each_consumer_applied(stack: Stack, gateway: httpx.AsyncClient) -> None:
    before = await consumers_of(stack, "reporting")
    counters = {"applied", "duplicates", "dead_lettered", "last_event_time"}
    assert before and all(set(c) == counters for c in before.values())
    applied = sum(c["applied"] for c in before.values())
    created = await gateway.post("/api/projects/projects", json=project_payload())
    assert created.status_code == 201, created.text

    async def counted() -> dict[str, Any] | None:
        now = await consumers_of(stack, "reporting")
        return now if sum(c["applied"] for c in now.values()) > applied else None

    now = await eventually(counted, what="the project's event applied by reporting")
    assert any(c["last_event_time"] for c in now.values())
