"""The gateway: the single entry point. Tokens, routing, one OpenAPI document, limits, audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import text
from starlette.middleware.cors import CORSMiddleware

from services.gateway.audit.endpoints import router as audit_router
from services.gateway.audit.middleware import AuditMiddleware
from services.gateway.audit.service import AuditBuffer
from services.gateway.clients.endpoints import router as clients_router
from services.gateway.clients.failures import FailureLimits
from services.gateway.clients.revocations import RevocationList, follow_revocations
from services.gateway.config import Settings
from services.gateway.guards.client_address import ClientAddressMiddleware
from services.gateway.guards.cors import PublicReadCorsMiddleware
from services.gateway.guards.gate import GateMiddleware, GateState, Rate
from services.gateway.guards.headers import SecurityHeadersMiddleware
from services.gateway.oidc.endpoints import router as oidc_router
from services.gateway.oidc.service import Issuer, registered_clients
from services.gateway.openapi.endpoints import router as openapi_router
from services.gateway.openapi.service import OpenApiMerger
from services.gateway.proxy.endpoints import router as proxy_router
from services.gateway.proxy.service import Upstreams
from services.gateway.tokens.endpoints import router as tokens_router
from services.gateway.tokens.service import KeyRing
from services.gateway.users.endpoints import router as users_router
from services.gateway.users.service import SignInPolicy
from shared.auth import TokenVerifier, access
from shared.db import create_engine, create_sessionmaker, transaction
from shared.guards import InputGuardMiddleware
from shared.http import ProbeCache, RequestIdMiddleware
from shared.logs import configure_logging
from shared.problems import install_problem_handlers, problem_response


class NotReady(Exception):
    """A service answered its readiness probe with something else than 200."""


DESCRIPTION = (
    "Xarxa: the international city-to-city cooperation of Barcelona City Council and the "
    "Barcelona Metropolitan Area - projects, funding and SDG reporting. Get a token with the "
    "OAuth2 client-credentials grant at `POST /oauth/token`; published figures need none."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        engine = create_engine(settings.database_url)
        sessions = create_sessionmaker(engine)
        keys = KeyRing()
        async with transaction(sessions) as session:
            await keys.load(session)
        upstreams = Upstreams(
            settings.upstreams(), settings.connect_timeout, settings.read_timeout, settings.max_connections_per_service
        )
        revoked = RevocationList()
        gate = GateState(
            verifier=TokenVerifier(settings.jwt_issuer, keys.verification_keys, revoked=revoked),
            revoked=revoked,
            anonymous=Rate(settings.anonymous_rate_per_second, settings.anonymous_burst),
            probes=Rate(settings.probe_rate_per_second, settings.probe_burst),
        )
        app.state.failure_limits = FailureLimits(
            settings.token_failures_per_address_per_minute, settings.token_failures_per_client_per_minute
        )
        app.state.sessions, app.state.keys, app.state.gate = sessions, keys, gate
        # People: the OpenID Connect provider and its sign-in limits (apart from the API clients').
        app.state.oidc_clients = registered_clients(settings)
        app.state.oidc_issuer = Issuer(keys, settings, app.state.oidc_clients)
        app.state.signin_policy = SignInPolicy(
            FailureLimits(settings.signin_failures_per_address_per_minute, settings.signin_lockout_failures),
            settings.signin_lockout_failures,
            settings.signin_lockout_seconds,
        )
        app.state.token_verifier = gate.verifier
        app.state.upstreams = upstreams
        # Apart from the API's upstreams: the portal is neither in /readyz nor in the merged OpenAPI.
        app.state.portal = Upstreams(
            {"web": settings.web_url},
            settings.connect_timeout,
            settings.read_timeout,
            settings.max_connections_per_service,
        )
        app.state.openapi = OpenApiMerger(upstreams.clients, settings.openapi_cache_seconds)
        revocations = asyncio.create_task(follow_revocations(settings.database_url, sessions, gate.revoked, keys))
        app.state.audit_buffer = AuditBuffer(sessions)
        auditing = asyncio.create_task(app.state.audit_buffer.run())
        try:
            yield
        finally:
            revocations.cancel()
            app.state.audit_buffer.stop()  # lets the batch in flight land, then writes the rest
            await asyncio.gather(revocations, auditing, return_exceptions=True)
            await upstreams.aclose()
            await app.state.portal.aclose()
            await engine.dispose()

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
    # Outermost last: request id, the real client address, the audit of write attempts, security
    # headers, the dashboards' public-read CORS, CORS, the input guard, then the gate.
    app.add_middleware(GateMiddleware)
    app.add_middleware(
        InputGuardMiddleware, max_body_bytes=settings.max_body_bytes, max_json_depth=settings.max_json_depth
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "If-Match",
            "Idempotency-Key",
            "X-Request-ID",
            "Accept-Language",
            "traceparent",
        ],
        expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"],
        max_age=600,
    )
    # Third-party dashboards' public reads (outside the first-party CORS, which answers the rest).
    app.add_middleware(PublicReadCorsMiddleware, origins=settings.public_api_origins, first_party=settings.cors_origins)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(AuditMiddleware)
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=settings.trusted_proxies)
    app.add_middleware(RequestIdMiddleware, generate=True)

    @app.get("/healthz", tags=["health"], summary="Liveness", openapi_extra=access("none"))
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    probes = ProbeCache()

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Readiness: the gateway's database and every service are ready",
        openapi_extra=access("none"),
    )
    async def readyz(request: Request) -> Any:
        upstreams: Upstreams = request.app.state.upstreams

        async def own_database() -> None:
            async with request.app.state.sessions() as session:
                await session.execute(text("SELECT 1"))

        def service_ready(name: str) -> Callable[[], Awaitable[None]]:
            async def probe() -> None:
                response = await upstreams.clients[name].get("/readyz", timeout=5.0)
                if response.status_code != 200:
                    raise NotReady(f"not ready ({response.status_code})")

            return probe

        names = ["database", *upstreams.clients]
        results = await asyncio.gather(
            probes.check("database", own_database), *(probes.check(n, service_ready(n)) for n in upstreams.clients)
        )
        checks = dict(zip(names, results, strict=True))
        if all(v == "ok" for v in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(
            503,
            "not-ready",
            "Not ready",
            request,
            "A dependency is not ready",
            checks=checks,
            headers={"Retry-After": "5"},
        )

    app.include_router(tokens_router)
    app.include_router(audit_router)
    app.include_router(users_router)
    app.include_router(clients_router)
    app.include_router(oidc_router)
    app.include_router(openapi_router)
    app.include_router(proxy_router)
    return app
