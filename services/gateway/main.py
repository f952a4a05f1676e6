"""The gateway: the single entry point. Routing, one OpenAPI document, request ids, uniform errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request

from services.gateway.config import Settings
from services.gateway.openapi.endpoints import router as openapi_router
from services.gateway.openapi.service import OpenApiMerger
from services.gateway.proxy.endpoints import router as proxy_router
from services.gateway.proxy.service import Upstreams
from shared.http import RequestIdMiddleware
from shared.logs import configure_logging
from shared.problems import install_problem_handlers, problem_response

DESCRIPTION = (
    "Xarxa: the international city-to-city cooperation of Barcelona City Council and the "
    "Barcelona Metropolitan Area - projects, funding and SDG reporting."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        upstreams = Upstreams(
            settings.upstreams(), settings.connect_timeout, settings.read_timeout, settings.max_connections_per_service
        )
        app.state.upstreams = upstreams
        app.state.openapi = OpenApiMerger(upstreams.clients, settings.openapi_cache_seconds)
        try:
            yield
        finally:
            await upstreams.aclose()

    app = FastAPI(
        title="Xarxa API",
        description=DESCRIPTION,
        version="1.0.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_middleware(RequestIdMiddleware)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Readiness: every service is ready")
    async def readyz(request: Request) -> Any:
        upstreams: Upstreams = request.app.state.upstreams

        async def probe(name: str) -> str:
            try:
                response = await upstreams.clients[name].get("/readyz", timeout=5.0)
                return "ok" if response.status_code == 200 else f"not ready ({response.status_code})"
            except httpx.HTTPError as exc:
                return f"unreachable: {type(exc).__name__}"

        names = list(upstreams.clients)
        checks = dict(zip(names, await asyncio.gather(*(probe(n) for n in names)), strict=True))
        if all(v == "ok" for v in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(503, "not-ready", "Not ready", request, "A service is not ready", checks=checks)

    app.include_router(openapi_router)
    app.include_router(proxy_router)
    return app
