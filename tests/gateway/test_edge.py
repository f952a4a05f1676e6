"""The edge: whose address counts, request ids, and every write attempt in the audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from services.gateway.guards.client_address import real_client, trusted_networks
from services.gateway.main import create_app
from tests.support.auth import Credentials, Tokens, register_client
from tests.support.projects import project_payload
from tests.support.stack import Stack, gateway_settings, serve
from tests.support.waiting import eventually

PROXIES = trusted_networks(["10.0.0.0/8", "127.0.0.1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.7", ["1.2.3.4"], "203.0.113.7"),  # not a proxy: its header means nothing
        ("127.0.0.1", [], "127.0.0.1"),
        ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the left is the caller's to forge
        ("127.0.0.1", ["6.6.6.6", "198.51.100.1, 10.1.2.3"], "198.51.100.1"),  # through two proxies
        ("127.0.0.1", ["10.9.9.9, 10.1.2.3"], "10.9.9.9"),  # proxies all the way: the farthest one
        ("127.0.0.1", ["not-an-ip"], "127.0.0.1"),
        ("127.0.0.1", ["198.51.100.1, garbage"], "127.0.0.1"),
        ("127.0.0.1", ["[2001:db8::1]:4711"], "2001:db8::1"),
        ("127.0.0.1", ["198.51.100.1:80"], "198.51.100.1"),
        ("127.0.0.1", ["::ffff:10.1.1.1, ::ffff:198.51.100.9"], "198.51.100.9"),
        ("::ffff:127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
    ],
)
def test_the_real_client_is_the_rightmost_address_that_is_not_a_trusted_proxy(
    peer: str, forwarded: list[str], expected: str
) -> None:
    assert real_client(peer, forwarded, PROXIES) == expected


def test_without_trusted_proxies_forwarding_headers_are_ignored() -> None:
    assert real_client("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"


@asynccontextmanager
async def _gateway(stack: Stack, **overrides: Any) -> AsyncIterator[str]:
    settings: dict[str, Any] = {
        "projects_url": stack.url("projects"),
        "funding_url": stack.url("funding"),
        "reporting_url": stack.url("reporting"),
        **overrides,
    }
    running = await serve("gateway-edge", create_app(gateway_settings(stack.infra, **settings)))
    try:
        yield running.url
    finally:
        await running.stop()


async def _audit(stack: Stack, tokens: Tokens, request_ids: set[str]) -> dict[str, dict[str, Any]]:
    """The trail's rows of these requests (attempts the gateway refused itself land within a moment)."""
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as client:
        rows: dict[str, dict[str, Any]] = {}

        async def found() -> bool:
            items = (await client.get("/api/gateway/audit", params={"limit": 500})).json()["items"]
            rows.update({e["request_id"]: e for e in items if e["request_id"] in request_ids})
            return set(rows) == request_ids

        try:
            await eventually(found, timeout=20, what="the attempts in the audit trail")
        except AssertionError:
            raise AssertionError(f"not in the trail: {request_ids - set(rows)}; found {list(rows.values())}") from None
        return rows


async def test_forged_forwarding_headers_neither_dodge_limits_nor_reach_the_trail(stack: Stack, tokens: Tokens) -> None:
    async with (
        _gateway(stack, anonymous_rate_per_second=0.01, anonymous_burst=3) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        statuses = []
        for i in range(6):
            forged = {"X-Forwarded-For": f"198.51.100.{i}", "X-Real-IP": f"198.51.100.{i}", "Forwarded": "for=1.1.1.1"}
            statuses.append((await client.get("/api/reporting/portfolio", headers=forged)).status_code)
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429, 429]
        write = await client.post(
            "/api/projects/projects", json=project_payload(), headers={"X-Forwarded-For": "198.51.100.77"}
        )
    assert write.status_code == 429  # the limit still counts this address
    trail = await _audit(stack, tokens, {write.headers["x-request-id"]})
    assert trail[write.headers["x-request-id"]]["remote_addr"] == "127.0.0.1"


async def test_a_configured_proxy_is_believed(stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient) -> None:
    async with (
        _gateway(stack, trusted_proxies=["127.0.0.1"]) as url,
        httpx.AsyncClient(base_url=url, headers=tokens.headers("ajuntament")) as client,
    ):
        write = await client.post(
            "/api/projects/projects",
            json=project_payload(),
            headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.23"},
        )
    assert write.status_code == 201, write.text
    trail = await _audit(stack, tokens, {write.headers["x-request-id"]})
    assert trail[write.headers["x-request-id"]]["remote_addr"] == "198.51.100.23"


async def test_every_write_attempt_is_audited_with_the_gateways_own_request_id(stack: Stack, tokens: Tokens) -> None:
    big = b'{"a": "' + b"x" * 2_000_000 + b'"}'
    async with (
        _gateway(stack, anonymous_rate_per_second=0.01, anonymous_burst=2) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        attempts = {
            "bad token": await client.post(
                "/api/projects/projects", json=project_payload(), headers={"Authorization": "Bearer nope"}
            ),
            "too large": await client.post(
                "/api/projects/projects",
                content=big,
                headers={**tokens.headers("ajuntament"), "content-type": "application/json"},
            ),
            "not json": await client.post(
                "/api/projects/projects",
                content=b"<x/>",
                headers={**tokens.headers("ajuntament"), "content-type": "application/xml"},
            ),
            "token refused": await client.post(
                "/oauth/token", data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
            ),
            "anonymous": await client.post("/api/projects/projects", json=project_payload()),
            "rate limited": await client.post("/api/projects/projects", json=project_payload()),
            "forged id": await client.post(
                "/api/projects/projects",
                json=project_payload(),
                headers={**tokens.headers("ajuntament"), "X-Request-ID": "mine-1 <script>\"';{x}"},
            ),
        }
    expected = {
        "bad token": 401,
        "too large": 413,
        "not json": 422,  # refused by the service, which reads JSON only
        "anonymous": 401,
        "rate limited": 429,
        "token refused": 401,
        "forged id": 201,
    }
    assert {k: r.status_code for k, r in attempts.items()} == expected
    ids = {k: r.headers["x-request-id"] for k, r in attempts.items()}
    assert ids["forged id"] != "mine-1" and len(set(ids.values())) == len(ids), "the gateway's own, unique ids"
    trail = await _audit(stack, tokens, set(ids.values()))
    assert {k: trail[i]["status"] for k, i in ids.items()} == expected, "every attempt is in the trail"
    forged = trail[ids["forged id"]]
    assert forged["client_request_id"] == "mine-1scriptx", "the caller's id is kept apart, sanitised"
    assert forged["client_id"] == tokens.credentials["ajuntament"].client_id


async def _token(client: httpx.AsyncClient, creds: Credentials, secret: str, address: str) -> httpx.Response:
    return await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": secret},
        headers={"X-Forwarded-For": address},
    )


async def test_failed_authentications_are_limited_per_address_and_per_client_id(stack: Stack) -> None:
    victim = await register_client(stack, "amb", "institution", ["projects:read"])
    bystander = await register_client(stack, "amb", "institution", ["projects:read"])
    async with (
        _gateway(
            stack,
            trusted_proxies=["127.0.0.1"],  # so that the test can speak from several addresses
            token_failures_per_address_per_minute=4,
            token_failures_per_client_per_minute=6,
        ) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        hammering = [(await _token(client, bystander, "wrong", "198.51.100.66")).status_code for _ in range(7)]
        assert hammering[:4] == [401] * 4 and hammering[4:] == [429] * 3
        refused = await _token(client, bystander, bystander.client_secret, "198.51.100.66")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["type"].endswith("/too-many-failed-authentications")
        # Another address is not affected, and the right secret still works there.
        assert (await _token(client, bystander, bystander.client_secret, "198.51.100.67")).status_code == 200
        # Concurrent attempts cannot all slip through before the first of them has failed.
        burst = await asyncio.gather(*(_token(client, victim, "wrong", "198.51.100.88") for _ in range(12)))
        assert sorted(r.status_code for r in burst) == [401] * 4 + [429] * 8
        # Spread over many addresses, the failures for one client id still stop at its own limit
        # (two of its six were spent just above).
        spread = [(await _token(client, victim, "wrong", f"203.0.113.{i}")).status_code for i in range(4)]
        assert spread[:2] == [401] * 2 and spread[2:] == [429] * 2
