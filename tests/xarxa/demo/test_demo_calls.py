"""The demo grant calls load through the API (once, whichever test or start loads them first): two past
calls resolved and under way, this year's open."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import httpx

from tests.support.auth import Tokens
from tests.support.stack import Stack
from xarxa.demo import fetch_token
from xarxa.demo.grants import load_grants_demo


def _load(gateway: str, credentials: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {fetch_token(gateway, credentials)}"}
    with httpx.Client(base_url=gateway, timeout=60, headers=headers) as client:
        load_grants_demo(client)
        load_grants_demo(client)  # a second start finds them and adds nothing


async def test_demo_calls(stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient) -> None:
    admin = tokens.credentials["admin"]
    await asyncio.to_thread(_load, stack.gateway, {"client_id": admin.client_id, "client_secret": admin.client_secret})
    year = datetime.now(UTC).year
    calls = {c["code"]: c for c in (await gateway.get("/api/funding/grants/calls")).json()["items"]}
    assert calls[f"CONV-{year - 2}"]["status"] == "resolved"
    assert calls[f"CONV-{year - 1}"]["status"] == "resolved"
    assert calls[f"CONV-{year}"]["status"] == "open"
    for past in (year - 2, year - 1):
        call = calls[f"CONV-{past}"]
        resolution = (await gateway.get(f"/api/funding/grants/calls/{call['id']}/resolution")).json()
        figures = resolution["figures"]
        assert resolution["kind"] == "definitive" and 0 < figures["funded"] <= figures["at_or_above_minimum"]
        for budget_year, granted in figures["granted_by_year"].items():
            assert Decimal(granted) <= Decimal(call["budget_by_year"][budget_year])
        states = {
            a["state"]
            for a in (await gateway.get(f"/api/funding/grants/calls/{call['id']}/applications")).json()["items"]
        }
        assert ("closed" if past == year - 2 else "in-execution") in states
    open_apps = (await gateway.get(f"/api/funding/grants/calls/{calls[f'CONV-{year}']['id']}/applications")).json()
    assert {a["state"] for a in open_apps["items"]} == {"submitted"} and len(open_apps["items"]) == 5
