"""Hostile input gets a clean 4xx and changes nothing; limits, CORS and security headers."""

from __future__ import annotations

import httpx

from services.gateway.main import create_app
from tests.support.auth import Tokens, fetch_token, register_client
from tests.support.projects import project_payload
from tests.support.stack import Stack, gateway_settings, serve


async def count_projects(client: httpx.AsyncClient) -> int:
    return len((await client.get("/api/projects/projects", params={"limit": 500})).json()["items"])


async def test_oversized_deep_and_broken_bodies_are_refused_and_write_nothing(gateway: httpx.AsyncClient) -> None:
    before = await count_projects(gateway)
    json_headers = {"content-type": "application/json"}
    oversized = await gateway.post(
        "/api/projects/projects", content=b"[" + b"1," * 600_000 + b"1]", headers=json_headers
    )
    deep = await gateway.post(
        "/api/projects/projects", content=b'{"a":' * 100 + b"1" + b"}" * 100, headers=json_headers
    )
    very_deep = await gateway.post("/api/projects/projects", content=b"[" * 5000 + b"]" * 5000, headers=json_headers)
    bad_utf8 = await gateway.post(
        "/api/projects/projects", content=b'{"owner": "amb", "code": "\xff\xfe"}', headers=json_headers
    )
    truncated = await gateway.post("/api/projects/projects", content=b'{"owner": "amb"', headers=json_headers)
    bad_url = await gateway.get("/api/projects/projects?owner=%ff%fe")
    assert oversized.status_code == 413
    assert deep.status_code == 400 and deep.json()["type"].endswith("/json-too-deep")
    assert very_deep.status_code == 400
    assert bad_utf8.status_code == 400 and "UTF-8" in bad_utf8.json()["detail"]
    assert truncated.status_code == 400 and truncated.json()["type"].endswith("/malformed-json")
    assert bad_url.status_code == 400 and bad_url.json()["type"].endswith("/invalid-utf8")
    for response in (oversized, deep, very_deep, bad_utf8, truncated, bad_url):
        assert response.headers["content-type"].startswith("application/problem+json")
    assert await count_projects(gateway) == before


async def test_sql_looking_strings_are_stored_verbatim(gateway: httpx.AsyncClient) -> None:
    evil = "Robert'); DROP TABLE projects;-- \" OR 1=1 /* ' UNION SELECT * FROM clients"
    created = await gateway.post(
        "/api/projects/projects", json=project_payload(title={"ca": evil, "es": "%' AND '1'='1"})
    )
    assert created.status_code == 201
    read = await gateway.get(f"/api/projects/projects/{created.json()['id']}")
    assert read.json()["title"] == {"ca": evil, "es": "%' AND '1'='1"}
    listed = await gateway.get("/api/projects/projects", params={"owner": "x' OR '1'='1"})
    # Not an institution: refused by name, as any unknown filter value is, and nothing is listed.
    assert listed.status_code == 422, listed.text
    assert listed.json()["errors"][0]["value"] == "x' OR '1'='1"
    searched = await gateway.get("/api/projects/projects", params={"q": "x' OR '1'='1"})
    assert searched.status_code == 200 and searched.json()["items"] == []


async def test_unknown_fields_are_refused_by_name(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/projects/projects", json=project_payload(is_admin=True))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["is_admin"]


async def test_rate_limit_per_client_answers_429_with_retry_after(stack: Stack) -> None:
    app = create_app(
        gateway_settings(
            stack.infra,
            projects_url=stack.url("projects"),
            funding_url=stack.url("funding"),
            reporting_url=stack.url("reporting"),
            anonymous_rate_per_second=2,
            anonymous_burst=3,
        )
    )
    limited = await serve("gateway-limited", app)
    try:
        slow = await register_client(stack, "amb", "institution", ["projects:read"], rate=1)
        fast = await register_client(stack, "amb", "institution", ["projects:read"], rate=1000)
        async with httpx.AsyncClient(base_url=limited.url) as client:
            slow_token, fast_token = await fetch_token(limited.url, slow), await fetch_token(limited.url, fast)
            statuses = [
                (
                    await client.get("/api/reporting/portfolio", headers={"Authorization": f"Bearer {slow_token}"})
                ).status_code
                for _ in range(4)
            ]
            assert statuses[:2] == [200, 200]
            assert 429 in statuses[2:]
            refused = await client.get("/api/reporting/portfolio", headers={"Authorization": f"Bearer {slow_token}"})
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.json()["type"].endswith("/too-many-requests")
            # Limits are per client: another client is unaffected.
            other = await client.get("/api/reporting/portfolio", headers={"Authorization": f"Bearer {fast_token}"})
            assert other.status_code == 200
            anonymous = [(await client.get("/api/reporting/portfolio")).status_code for _ in range(6)]
            assert anonymous[0] == 200 and 429 in anonymous
            assert (await client.get("/healthz")).status_code == 200
    finally:
        await limited.stop()


async def test_cors_for_dashboards_and_security_headers(stack: Stack, tokens: Tokens) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        preflight = await client.options(
            "/api/projects/projects",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
        foreign = await client.options(
            "/api/projects/projects",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in foreign.headers
        response = await client.get("/api/reporting/portfolio", headers={"Origin": "http://localhost:3000"})
        assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
        assert "etag" in response.headers["access-control-expose-headers"].lower()
        for name in ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy"):
            assert name in response.headers
        authorized = await client.get("/api/projects/projects", headers=tokens.headers("ajuntament"))
        assert authorized.headers["cache-control"] == "no-store"


async def test_found_by_fuzzing_control_characters_nul_and_huge_integers_are_4xx(
    gateway: httpx.AsyncClient,
) -> None:
    before = await count_projects(gateway)
    control_in_path = await gateway.get("/api/projects/projects/%0B%C3%80")
    nul_in_query = await gateway.get("/api/projects/projects", params={"owner": "a\x00b"})
    nul_in_body = await gateway.post("/api/projects/projects", json=project_payload(title={"ca": "a\x00b"}))
    huge = await gateway.get("/api/gateway/audit", params={"before_id": str(2**70)})
    assert control_in_path.status_code == 422  # not a UUID; forwarded as sent, never re-encoded
    assert nul_in_query.status_code == 400 and nul_in_query.json()["type"].endswith("/nul-character")
    assert nul_in_body.status_code == 400 and nul_in_body.json()["type"].endswith("/control-character")
    assert huge.status_code == 422
    assert await count_projects(gateway) == before
    vertical_tab = await gateway.post("/api/projects/projects", json=project_payload(title={"ca": "a\x0bb"}))
    assert vertical_tab.status_code == 400 and vertical_tab.json()["type"].endswith("/control-character")
    tabs_and_lines = await gateway.post("/api/projects/projects", json=project_payload(title={"ca": "a\tb\nc\r"}))
    assert tabs_and_lines.status_code == 201
