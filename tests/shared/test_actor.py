"""The one request actor: who acts, for which service, in which trace and request (no servers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI

from shared.actor import Actor, actor_of
from shared.auth import Principal, Unauthorized
from shared.http import RequestIdMiddleware
from shared.problems import install_problem_handlers

PRINCIPALS = {
    "officer": Principal("officer-client", "AJB", "institution", frozenset({"funding:write"})),
    "admin": Principal("admin-client", "AJB", "institution", frozenset({"admin"})),
    "reader": Principal("reader-client", "AJB", "institution", frozenset({"reports:read"})),
}


class Verifier:
    async def verify(self, token: str) -> Principal:
        if token not in PRINCIPALS:
            raise Unauthorized("unknown test token")
        return PRINCIPALS[token]


def _app() -> FastAPI:
    app = FastAPI()
    app.state.token_verifier = Verifier()
    app.state.runtime = SimpleNamespace(settings=SimpleNamespace(source="/services/test"))
    install_problem_handlers(app)
    app.add_middleware(RequestIdMiddleware)

    def shown(actor: Actor) -> dict[str, Any]:
        return {
            "client_id": actor.principal.client_id,
            "request_id": actor.request_id,
            "source": actor.source,
            "traceparent": actor.traceparent,
            "recorded_at": actor.recorded_at.isoformat() if actor.recorded_at else None,
        }

    @app.post("/plain")
    async def plain(actor: Annotated[Actor, actor_of("funding:write")]) -> dict[str, Any]:
        return shown(actor)

    @app.post("/recorded")
    async def recorded(actor: Annotated[Actor, actor_of("funding:write", recorded_at=True)]) -> dict[str, Any]:
        return shown(actor)

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as http:
        yield http


def _as(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


async def test_the_actor_names_the_principal_the_service_the_request_and_the_trace(client: httpx.AsyncClient) -> None:
    trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    answer = await client.post("/plain", headers=_as("officer", traceparent=trace, **{"X-Request-ID": "req-42"}))
    assert answer.status_code == 200
    assert answer.json() == {
        "client_id": "officer-client",
        "request_id": "req-42",
        "source": "/services/test",
        "traceparent": trace,
        "recorded_at": None,
    }


async def test_without_token_or_scope_there_is_no_actor(client: httpx.AsyncClient) -> None:
    assert (await client.post("/plain")).status_code == 401
    refused = await client.post("/plain", headers=_as("reader"))
    assert refused.status_code == 403 and refused.json()["type"].endswith("insufficient-scope")


async def test_recorded_at_is_for_admins_and_never_in_the_future(client: httpx.AsyncClient) -> None:
    past = "2024-02-01T09:00:00+01:00"
    taken = await client.post("/recorded", params={"recorded_at": past}, headers=_as("admin"))
    assert taken.status_code == 200
    assert datetime.fromisoformat(taken.json()["recorded_at"]) == datetime.fromisoformat(past)
    assert (await client.post("/recorded", headers=_as("officer"))).json()["recorded_at"] is None
    not_admin = await client.post("/recorded", params={"recorded_at": past}, headers=_as("officer"))
    assert not_admin.status_code == 403 and not_admin.json()["errors"][0]["field"] == "recorded_at"
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    ahead = await client.post("/recorded", params={"recorded_at": future}, headers=_as("admin"))
    assert ahead.status_code == 422 and ahead.json()["errors"][0]["field"] == "recorded_at"
