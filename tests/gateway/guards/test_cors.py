"""CORS for third-party dashboards: exact configured origins may read the public API with GET/HEAD
from a browser, preflight included; an unlisted origin, another method, a request header beyond the
public read's, or credentials get no CORS headers; credentials are never allowed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import ValidationError

from services.gateway.config import Settings
from services.gateway.main import create_app
from tests.support.auth import Tokens
from tests.support.stack import Stack, gateway_settings, serve

DASHBOARD = "https://dashboard.example.org"
LOCAL_DASHBOARD = "http://127.0.0.1:8050"

# Near misses of the listed origins: each is another origin to a browser.
UNLISTED = [
    "https://evil.example",
    "http://dashboard.example.org",  # another scheme
    "https://dashboard.example.org:8443",  # another port
    "https://dashboard.example.org.evil.example",  # a suffix
    "https://evil-dashboard.example.org",
    "https://sub.dashboard.example.org",
    "https://DASHBOARD.example.org",  # browsers send hosts in lower case
    "https://dashboard.example.org/",
    "null",  # sandboxed frames, file: pages
    "*",
    "http://127.0.0.1:8051",
    "",
]


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.example.org",
        "https://dashboard.example.org/",
        "https://dashboard.example.org/path",
        "https://dashboard.example.org?x=1",
        "https://user@dashboard.example.org",
        "ftp://dashboard.example.org",
        "dashboard.example.org",
        "https://Dashboard.example.org",
        "https://dashboard.example.org:99999",
        "null",
        "",
    ],
)
def test_only_exact_origins_can_be_configured(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(public_api_origins=[value])
    assert caught.value.errors()[0]["loc"] == ("public_api_origins",)


def test_exact_origins_are_kept_as_given() -> None:
    origins = [DASHBOARD, LOCAL_DASHBOARD, "http://[::1]:3000"]
    assert Settings(public_api_origins=origins).public_api_origins == origins
    assert Settings().public_api_origins == []


@pytest.fixture
async def dashboards_gateway(stack: Stack) -> AsyncIterator[str]:
    settings = gateway_settings(
        stack.infra,
        projects_url=stack.url("projects"),
        funding_url=stack.url("funding"),
        reporting_url=stack.url("reporting"),
        web_url=stack.url("web"),
        public_api_origins=[DASHBOARD, LOCAL_DASHBOARD],
    )
    server = await serve("gateway-cors", create_app(settings))
    try:
        yield server.url
    finally:
        await server.stop()


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


async def test_a_listed_dashboard_reads_the_public_api_preflight_included(dashboards_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=dashboards_gateway, timeout=30) as client:
        for origin in (DASHBOARD, LOCAL_DASHBOARD):
            preflight = await client.options(
                "/api/reporting/sdg",
                headers={
                    "Origin": origin,
                    "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": "accept-language, if-none-match",
                },
            )
            assert preflight.status_code == 204
            assert preflight.headers["access-control-allow-origin"] == origin
            assert preflight.headers["access-control-allow-methods"] == "GET, HEAD"
            allowed = {h.strip() for h in preflight.headers["access-control-allow-headers"].split(",")}
            assert {"accept-language", "if-none-match"} <= allowed and "authorization" not in allowed
            assert "access-control-allow-credentials" not in preflight.headers
            assert "Origin" in preflight.headers["vary"]
            for path in ("/api/reporting/sdg", "/api/reporting/portfolio", "/api/projects/projects"):
                response = await client.get(path, headers={"Origin": origin})
                assert response.status_code == 200
                assert response.headers["access-control-allow-origin"] == origin
                assert "etag" in response.headers["access-control-expose-headers"].lower()
                assert "access-control-allow-credentials" not in response.headers
                assert "Origin" in response.headers["vary"]
            head = await client.head("/api/reporting/portfolio", headers={"Origin": origin})
            assert head.headers["access-control-allow-origin"] == origin
            # An error is readable too (a dashboard can show the problem), still without credentials.
            bad = await client.get("/api/reporting/sdg", params={"country": "ZZ"}, headers={"Origin": origin})
            assert bad.status_code == 422 and bad.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("origin", UNLISTED)
async def test_an_unlisted_origin_gets_nothing(dashboards_gateway: str, origin: str) -> None:
    async with httpx.AsyncClient(base_url=dashboards_gateway, timeout=30) as client:
        preflight = await client.options(
            "/api/reporting/sdg", headers={"Origin": origin, "Access-Control-Request-Method": "GET"}
        )
        assert not cors_headers(preflight), preflight.headers
        response = await client.get("/api/reporting/sdg", headers={"Origin": origin})
        assert response.status_code == 200 and not cors_headers(response)


async def test_a_listed_dashboard_gets_no_write_no_token_and_nothing_outside_the_api(
    dashboards_gateway: str, tokens: Tokens
) -> None:
    async with httpx.AsyncClient(base_url=dashboards_gateway, timeout=30) as client:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            preflight = await client.options(
                "/api/projects/projects",
                headers={"Origin": DASHBOARD, "Access-Control-Request-Method": method},
            )
            assert not cors_headers(preflight), method
        for asked in ("authorization", "content-type", "idempotency-key", "accept-language, authorization"):
            preflight = await client.options(
                "/api/reporting/sdg",
                headers={
                    "Origin": DASHBOARD,
                    "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": asked,
                },
            )
            assert not cors_headers(preflight), asked
        # A token or a cookie would make it a read with credentials: no CORS for it.
        authorized = await client.get("/api/projects/projects", headers={"Origin": DASHBOARD, **tokens.headers("amb")})
        assert authorized.status_code == 200 and not cors_headers(authorized)
        with_cookie = await client.get("/api/reporting/sdg", headers={"Origin": DASHBOARD, "Cookie": "session=x"})
        assert not cors_headers(with_cookie)
        posted = await client.post("/api/projects/projects", json={}, headers={"Origin": DASHBOARD})
        assert not cors_headers(posted)
        page = await client.get("/en/", headers={"Origin": DASHBOARD})
        assert page.status_code == 200 and not cors_headers(page)


async def test_the_first_party_front_end_keeps_its_own_cors(dashboards_gateway: str) -> None:
    async with httpx.AsyncClient(base_url=dashboards_gateway, timeout=30) as client:
        preflight = await client.options(
            "/api/projects/projects",
            headers={
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
