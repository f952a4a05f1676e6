"""Webhooks to a local receiver: signature verified, a retry after a 500, the delivery log, replay,
and nothing of another tenant."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import httpx
import orjson
from fastapi import FastAPI, Request, Response

from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.stack import Stack, serve
from tests.support.waiting import eventually


def receiver() -> tuple[FastAPI, list[dict[str, Any]]]:
    """Answers 500 to the first attempt of each delivery, 200 afterwards; records everything."""
    app = FastAPI()
    received: list[dict[str, Any]] = []

    @app.post("/hook")
    async def hook(request: Request) -> Response:
        delivery = request.headers["xarxa-webhook-id"]
        first = not any(r["id"] == delivery for r in received)
        received.append(
            {
                "id": delivery,
                "timestamp": request.headers["xarxa-webhook-timestamp"],
                "signature": request.headers["xarxa-webhook-signature"],
                "body": await request.body(),
                "answered": 500 if first else 200,
            }
        )
        return Response(status_code=500 if first else 200)

    return app, received


async def test_signed_deliveries_with_retry_log_and_replay(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    app, received = receiver()
    server = await serve("webhook-receiver", app)
    try:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as integrator:
            bad = await integrator.post(
                "/api/integrations/webhooks", json={"url": f"{server.url}/hook", "event_types": ["project.exploded"]}
            )
            assert bad.status_code == 422
            created = await integrator.post(
                "/api/integrations/webhooks", json={"url": f"{server.url}/hook", "event_types": ["project.registered"]}
            )
            assert created.status_code == 201, created.text
            subscription = created.json()
            secret = subscription["secret"]
            assert "secret" not in (await integrator.get("/api/integrations/webhooks")).json()["items"][0]

            ours = (await gateway.post("/api/projects/projects", json=project_payload())).json()
            theirs = (await gateway.post("/api/projects/projects", json=project_payload(owner="amb"))).json()

            def delivered() -> list[dict[str, Any]] | None:
                ok = [r for r in received if r["answered"] == 200 and ours["id"].encode() in r["body"]]
                return ok or None

            async def delivered_async() -> list[dict[str, Any]] | None:
                return delivered()

            ok = (await eventually(delivered_async, what="the delivery after its retry", timeout=30))[0]
            expected = hmac.new(secret.encode(), ok["timestamp"].encode() + b"." + ok["body"], hashlib.sha256)
            assert hmac.compare_digest(ok["signature"], "v1=" + expected.hexdigest())
            assert abs(int(ok["timestamp"]) - time.time()) < 120
            event = orjson.loads(ok["body"])
            assert (event["type"], event["data"]["id"], event["data"]["owner"]) == (
                "project.registered",
                ours["id"],
                "ajuntament-barcelona",
            )
            attempts = [r for r in received if r["id"] == ok["id"]]
            assert [r["answered"] for r in attempts] == [500, 200]

            log_url = f"/api/integrations/webhooks/{subscription['id']}/deliveries"

            async def logged() -> dict[str, Any] | None:
                # The deliverer writes the outcome once the receiver's answer is in: a moment after it.
                deliveries = (await integrator.get(log_url)).json()["items"]
                found = next(d for d in deliveries if d["id"] == ok["id"])
                return found if found["status"] != "pending" else None

            mine = await eventually(logged, what="the delivery's outcome in the log", timeout=30)
            deliveries = (await integrator.get(log_url)).json()["items"]
            assert (mine["status"], mine["attempts"]) == ("delivered", 2)
            assert [entry["status"] for entry in mine["log"]] == [500, 200]
            assert not any(d["event"]["data"]["id"] == theirs["id"] for d in deliveries)
            assert not any(theirs["id"].encode() in r["body"] for r in received)

            replayed = await integrator.post(f"/api/integrations/webhooks/deliveries/{ok['id']}/replay")
            assert replayed.status_code == 200 and replayed.json()["status"] == "pending"

            async def sent_again() -> bool:
                return len([r for r in received if r["id"] == ok["id"]]) == 3

            await eventually(sent_again, what="the replayed delivery")
            async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as other:
                assert (await other.get(log_url)).status_code == 404
            assert (await integrator.delete(f"/api/integrations/webhooks/{subscription['id']}")).status_code == 204
    finally:
        await server.stop()
