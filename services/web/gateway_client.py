"""Typed reads of the gateway's public API, one small class per API area (no token: published data only)."""

from __future__ import annotations

import time
from typing import Any

import httpx

Params = dict[str, str]


class ApiError(Exception):
    """The API answered with an error the page cannot turn into content."""

    def __init__(self, status: int, path: str) -> None:
        super().__init__(f"{path} answered {status}")
        self.status = status


class Gateway:
    """One keep-alive client for the whole app, built in the lifespan."""

    def __init__(self, base_url: str, connect_timeout: float, read_timeout: float, cache_seconds: float) -> None:
        # Idle connections dropped before the gateway's 5 s keep-alive closes them (as the gateway's
        # own upstream pool): one reused as the server closes it fails with a ReadError, a 503 page.
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            limits=httpx.Limits(keepalive_expiry=2.0),
        )
        self.base_url = base_url.rstrip("/")
        self._cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, Any]] = {}
        self.reporting = ReportingApi(self)
        self.projects = ProjectsApi(self)
        self.funding = FundingApi(self)

    async def asyncapi(self) -> dict[str, Any]:
        return dict(await self.cached("/asyncapi.json"))

    async def get(self, path: str, params: Params | None = None, language: str | None = None) -> Any:
        headers = {"Accept-Language": language} if language else {}
        response = await self.http.get(path, params={k: v for k, v in (params or {}).items() if v}, headers=headers)
        if response.status_code != 200:
            raise ApiError(response.status_code, path)
        return response.json()

    async def cached(self, path: str) -> Any:
        """Reference data (codelists, networks) that changes with a deployment, not with the data."""
        hit = self._cache.get(path)
        if hit and time.monotonic() - hit[0] < self._cache_seconds:
            return hit[1]
        value = await self.get(path)
        self._cache[path] = (time.monotonic(), value)
        return value

    async def aclose(self) -> None:
        await self.http.aclose()


class ReportingApi:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def portfolio(self, as_of: str | None) -> dict[str, Any]:
        return dict(await self.gateway.get("/api/reporting/portfolio", {"as_of": as_of or ""}))

    async def sdg(self, params: Params) -> dict[str, Any]:
        return dict(await self.gateway.get("/api/reporting/sdg", params))

    async def breakdown(self, by: str, params: Params) -> dict[str, Any]:
        return dict(await self.gateway.get("/api/reporting/breakdown", {"by": by, **params}))

    async def zero_seven(self, params: Params) -> dict[str, Any]:
        return dict(await self.gateway.get("/api/reporting/zero-seven", params))

    async def results(self, params: Params) -> dict[str, Any]:
        return dict(await self.gateway.get("/api/reporting/results", params))

    async def project_money(self, project_id: str) -> dict[str, Any] | None:
        """One published project's money, in all and by the year it belongs to; None until reported."""
        body = await self.gateway.get("/api/reporting/projects", {"id": project_id, "by_year": "true", "limit": "1"})
        items = body["items"]
        return dict(items[0]["money"]) if items else None


class ProjectsApi:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def search(self, params: Params, language: str) -> dict[str, Any]:
        return dict(await self.gateway.get("/api/projects/projects", params, language))

    async def project(self, project_id: str, language: str) -> dict[str, Any]:
        return dict(await self.gateway.get(f"/api/projects/projects/{project_id}", language=language))

    async def codelist(self, name: str) -> dict[str, dict[str, str]]:
        """code -> names by language."""
        body = await self.gateway.cached(f"/api/projects/codelists/{name}")
        return {item["code"]: item["names"] for item in body["items"]}

    async def networks(self) -> dict[str, dict[str, str]]:
        body = await self.gateway.cached("/api/projects/networks")
        return {item["code"]: item["names"] for item in body["items"]}


class FundingApi:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def calls(self) -> list[dict[str, Any]]:
        return list((await self.gateway.get("/api/funding/grants/calls", {"limit": "100"}))["items"])

    async def resolution(self, call_id: str) -> dict[str, Any] | None:
        try:
            return dict(await self.gateway.get(f"/api/funding/grants/calls/{call_id}/resolution"))
        except ApiError as exc:
            if exc.status == 404:  # not resolved yet, or not published
                return None
            raise

    async def awarded(self, params: Params, language: str) -> dict[str, Any]:
        """The grants awarded by definitive resolutions (the transparency list), texts in `language`."""
        return dict(await self.gateway.get("/api/funding/grants/awarded", {**params, "lang": language}))
