"""The FastAPI app every service is built from: lifespan, request ids, problems, health."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import TokenVerifier, access, jwks_keys
from shared.db import transaction
from shared.guards import InputGuardMiddleware
from shared.logs import configure_logging, request_id_var
from shared.problems import install_problem_handlers, problem_response
from shared.runtime import ConsumerSpec, Runtime
from shared.settings import ServiceSettings

log = logging.getLogger("xarxa.http")

REQUEST_ID_HEADER = "x-request-id"


class RequestIdMiddleware:
    """Take the caller's X-Request-ID (the gateway always sends one) or make one; echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")[:128]
                break
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with transaction(request.app.state.sessions) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit can
# never be reported to the client as a success.
SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness", openapi_extra=access("none"))
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the database and Kafka answer", openapi_extra=access("none"))
    async def readyz(request: Request) -> Any:
        runtime = runtime_of(request)
        checks: dict[str, str] = {}
        for name, probe in (("database", runtime.check_database), ("kafka", runtime.check_kafka)):
            try:
                await probe()
                checks[name] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks[name] = f"unavailable: {type(exc).__name__}"
        if all(v == "ok" for v in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(503, "not-ready", "Not ready", request, "A dependency is unavailable", checks=checks)

    return router


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    produces: list[str],
    consumers: list[ConsumerSpec],
    version: str = "1.0.0",
    workers: Sequence[Callable[[Runtime], Coroutine[Any, Any, None]]] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        runtime = Runtime.build(settings, produces, consumers)
        runtime.workers = list(workers)
        app.state.runtime = runtime
        app.state.sessions = runtime.sessions
        app.state.token_verifier = TokenVerifier(settings.jwt_issuer, jwks_keys(settings.jwks_url))
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title, description=description, version=version, lifespan=lifespan, default_response_class=JSONResponse
    )
    install_problem_handlers(app)
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    return app
