"""Projects that the funding service knows, and bookings in their ledger, through the gateway."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.support.projects import project_payload
from tests.support.waiting import eventually

FundedProject = Callable[..., Awaitable[dict[str, Any]]]


async def funded(gateway: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    """Create a project and wait until its event has reached the funding service."""
    created = await gateway.post("/api/projects/projects", json=project_payload(**overrides))
    assert created.status_code == 201, created.text
    project: dict[str, Any] = created.json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="the project in the funding service")
    return project


def txn(type_: str, amount: str, currency: str = "EUR", value_date: str = "2025-03-10", **extra: Any) -> dict[str, Any]:
    return {
        "transaction_type": type_,
        "amount": amount,
        "currency": currency,
        "value_date": value_date,
        "instrument": "conveni",
        **extra,
    }


async def book(gateway: httpx.AsyncClient, project_id: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await gateway.post(f"/api/funding/projects/{project_id}/transactions", json=body, headers=headers)


async def summary(gateway: httpx.AsyncClient, project_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await gateway.get(f"/api/funding/projects/{project_id}/summary")).json()
    return body
