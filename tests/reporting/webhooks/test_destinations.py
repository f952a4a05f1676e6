"""Through the gateway: a subscription to an internal destination is refused and nothing is kept;
a stopped subscription sends nothing more (its pending retry is cancelled) and cannot be replayed;
replaying another tenant's delivery answers like replaying none.

The stack allows 127.0.0.1 (the tests' receivers, as an operator allows an internal one), so the
hostile catalogue here avoids that one address; tests/shared/test_outbound.py has every notation."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI, Request, Response

from shared.db import asyncpg_dsn
from shared.outbound import NOT_PUBLIC
from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.stack import Stack, serve
from tests.support.waiting import eventually

HOSTILE = [
    "http://localhost:9/hook",
    "http://localhost./hook",
    "http://api.localhost/hook",
    "http://127.0.0.2/hook",
    "http://2130706434/hook",
    "http://0x7f.0.0.2/hook",
    "http://0177.0.0.2/hook",
    "http://127.2/hook",
    "http://[::1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://10.0.0.1/hook",
    "http://10.1/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://192.0.2.1/hook",
    "https://example.org@10.0.0.1/hook",
    "https://user:pass@example.org/hook",
    "http://does-not-exist.invalid/hook",
]


async def _stored_urls(stack: Stack) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(stack.infra.database_url("reporting")))
    try:
        return [r["url"] for r in await conn.fetch("SELECT url FROM webhook_subscriptions")]
    finally:
        await conn.close()


async def test_internal_destinations_are_refused_and_nothing_is_kept(stack: Stack, tokens: Tokens) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as integrator:
        for url in HOSTILE:
            refused = await integrator.post(
                "/api/integrations/webhooks", json={"url": url, "event_types": ["project.registered"]}
            )
            assert refused.status_code == 422, (url, refused.text)
            problem = refused.json()
            assert [e["field"] for e in problem["errors"]] == ["url"], (url, problem)
            if problem["type"].endswith("/webhook-destination-not-allowed"):
                assert problem["errors"][0]["message"] in (NOT_PUBLIC, "must not contain a user name or password")
            # Nothing about what a name resolved to: the answer is no map of the network.
            assert "127.0.0.1" not in refused.text and "getaddrinfo" not in refused.text.lower()
    stored = await _stored_urls(stack)
    marks = ("localhost", "10.0.0.1", "169.254", "[::1]", "127.0.0.2", "user:pass")
    assert not [u for u in stored if any(mark in u for mark in marks)]


def always_failing() -> tuple[FastAPI, list[bytes]]:
    """Answers 500 to everything, so each delivery stays pending with a retry due."""
    app = FastAPI()
    received: list[bytes] = []

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        received.append(await request.body())
        return Response(status_code=500)

    return app, received


async def test_a_stopped_subscription_sends_nothing_more(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    app, received = always_failing()
    server = await serve("failing-receiver", app)
    try:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as integrator:
            created = await integrator.post(
                "/api/integrations/webhooks", json={"url": f"{server.url}/hook", "event_types": ["project.registered"]}
            )
            assert created.status_code == 201, created.text
            subscription = created.json()
            project = (await gateway.post("/api/projects/projects", json=project_payload())).json()

            def ours() -> list[bytes]:
                return [body for body in received if project["id"].encode() in body]

            async def first_attempt() -> list[bytes]:
                return ours()

            await eventually(first_attempt, what="the first (failing) attempt", timeout=30)
            assert (await integrator.delete(f"/api/integrations/webhooks/{subscription['id']}")).status_code == 204
            after_delete = len(ours())
            # Retries come 1, 2, 4 s apart: several would have arrived by now.
            await asyncio.sleep(8)
            assert len(ours()) == after_delete

            log_url = f"/api/integrations/webhooks/{subscription['id']}/deliveries"
            deliveries: list[dict[str, Any]] = (await integrator.get(log_url)).json()["items"]
            mine = next(d for d in deliveries if d["event"]["data"]["id"] == project["id"])
            assert mine["status"] == "cancelled"
            assert mine["log"][-1]["cancelled"] == "subscription stopped"
            assert all(e.get("status") == 500 for e in mine["log"][:-1]) and mine["attempts"] == after_delete

            replay = await integrator.post(f"/api/integrations/webhooks/deliveries/{mine['id']}/replay")
            assert replay.status_code == 409, replay.text
            assert replay.json()["type"].endswith("/subscription-stopped")
            await asyncio.sleep(1)
            assert len(ours()) == after_delete
    finally:
        await server.stop()


async def test_replaying_another_tenants_delivery_answers_like_replaying_none(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    app, _ = always_failing()
    server = await serve("replay-receiver", app)
    try:
        async with (
            httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as integrator,
            httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as other,
        ):
            created = await integrator.post(
                "/api/integrations/webhooks", json={"url": f"{server.url}/hook", "event_types": ["project.registered"]}
            )
            subscription = created.json()
            project = (await gateway.post("/api/projects/projects", json=project_payload())).json()
            log_url = f"/api/integrations/webhooks/{subscription['id']}/deliveries"

            async def a_delivery() -> list[dict[str, Any]]:
                items: list[dict[str, Any]] = (await integrator.get(log_url)).json()["items"]
                return [d for d in items if d["event"]["data"]["id"] == project["id"]]

            delivery_id = (await eventually(a_delivery, what="a delivery row"))[0]["id"]
            theirs = await other.post(f"/api/integrations/webhooks/deliveries/{delivery_id}/replay")
            missing_id = str(uuid.uuid4())
            none = await other.post(f"/api/integrations/webhooks/deliveries/{missing_id}/replay")
            assert theirs.status_code == none.status_code == 404

            def shape(problem: dict[str, Any], asked: str) -> dict[str, Any]:
                return {
                    k: (v.replace(asked, "ID") if isinstance(v, str) else v)
                    for k, v in problem.items()
                    if k not in ("request_id",)
                }

            assert shape(theirs.json(), delivery_id) == shape(none.json(), missing_id)
            assert subscription["id"] not in theirs.text
            assert (await integrator.delete(f"/api/integrations/webhooks/{subscription['id']}")).status_code == 204
    finally:
        await server.stop()
