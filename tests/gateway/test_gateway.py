"""The gateway: one OpenAPI document, request ids, problems when a service is down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from services.gateway.main import create_app
from shared.infra.ports import free_port
from tests.support.stack import Stack, gateway_settings, serve


async def test_merged_openapi_has_every_service_path(gateway: httpx.AsyncClient) -> None:
    doc = (await gateway.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    paths = set(doc["paths"])
    assert {
        "/api/projects/projects",
        "/api/projects/projects/{project_id}",
        "/api/funding/project-refs/{project_id}",
        "/api/reporting/portfolio",
    } <= paths
    # Every $ref resolves inside the merged document.
    schemas = doc["components"]["schemas"]
    refs: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    refs.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(doc)
    assert refs
    for ref in refs:
        assert ref.rsplit("/", 1)[1] in schemas, ref
    docs = await gateway.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


async def test_request_ids_are_the_gateways_own_and_reach_the_services(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/reporting/portfolio", headers={"X-Request-ID": "trace-me-123"})
    assert response.headers["x-request-id"] != "trace-me-123"  # a caller cannot choose (or repeat) an id
    missing = await gateway.get(
        "/api/projects/projects/00000000-0000-0000-0000-000000000000", headers={"X-Request-ID": "trace-me-404"}
    )
    assert missing.status_code == 404
    assert missing.json()["request_id"] == missing.headers["x-request-id"], "the service saw the gateway's id"


async def test_unknown_api_is_a_404_problem(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/nowhere/things")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_service_that_is_down_gives_503_with_retry_after_not_a_hang(stack: Stack) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    app = create_app(
        gateway_settings(
            stack.infra,
            projects_url=dead,
            funding_url=stack.url("funding"),
            reporting_url=stack.url("reporting"),
            connect_timeout=1.0,
        )
    )
    running = await serve("gateway-with-dead-upstream", app)
    try:
        async with httpx.AsyncClient(base_url=running.url, timeout=10) as client:
            response = await client.get("/api/projects/projects")
            # Never reached: nothing happened there, so the caller may simply retry.
            assert response.status_code == 503
            assert response.json()["type"].endswith("/upstream-unreachable")
            assert int(response.headers["retry-after"]) > 0
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["projects"].startswith("unavailable")
            doc = (await client.get("/openapi.json")).json()
            assert doc["info"]["x-unavailable-services"] == ["projects"]
            assert "/api/funding/project-refs/{project_id}" in doc["paths"]
    finally:
        running.server.should_exit = True
        await running.task


Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")  # the request reached the service ...
    writer.close()  # ... which breaks off without answering


async def _never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    await asyncio.sleep(30)


@asynccontextmanager
async def _gateway_in_front_of(stack: Stack, behaviour: Behaviour) -> AsyncIterator[str]:
    broken = await asyncio.start_server(behaviour, "127.0.0.1", 0)
    port = broken.sockets[0].getsockname()[1]
    app = create_app(
        gateway_settings(
            stack.infra,
            projects_url=f"http://127.0.0.1:{port}",
            funding_url=stack.url("funding"),
            reporting_url=stack.url("reporting"),
            read_timeout=1.0,
        )
    )
    running = await serve("gateway-with-broken-upstream", app)
    try:
        yield running.url
    finally:
        running.server.should_exit = True
        await running.task
        broken.close()


@pytest.mark.parametrize(
    ("behaviour", "status", "kind"),
    [(_hang_up, 502, "upstream-broke-off"), (_never_answer, 504, "upstream-timeout")],
)
async def test_a_service_that_got_the_request_and_failed_is_not_reported_as_safe_to_retry(
    stack: Stack, behaviour: Behaviour, status: int, kind: str
) -> None:
    async with (
        _gateway_in_front_of(stack, behaviour) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        response = await client.get("/api/projects/projects")
    assert response.status_code == status, response.text
    assert response.json()["type"].endswith(f"/{kind}")
    assert "retry-after" not in response.headers
