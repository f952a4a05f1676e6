"""The gateway: one OpenAPI document, request ids, problems when a service is down."""

from __future__ import annotations

import httpx

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


async def test_request_id_is_passed_through(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/reporting/portfolio", headers={"X-Request-ID": "trace-me-123"})
    assert response.headers["x-request-id"] == "trace-me-123"
    missing = await gateway.get(
        "/api/projects/projects/00000000-0000-0000-0000-000000000000", headers={"X-Request-ID": "trace-me-404"}
    )
    assert missing.status_code == 404
    assert missing.json()["request_id"] == "trace-me-404"


async def test_unknown_api_is_a_404_problem(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/nowhere/things")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_service_that_is_down_gives_502_not_a_hang(stack: Stack) -> None:
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
            assert response.status_code == 502
            assert response.json()["type"].endswith("/upstream-unavailable")
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["projects"].startswith("unreachable")
            doc = (await client.get("/openapi.json")).json()
            assert doc["info"]["x-unavailable-services"] == ["projects"]
            assert "/api/funding/project-refs/{project_id}" in doc["paths"]
    finally:
        running.server.should_exit = True
        await running.task
