"""The FastAPI app every service is built from: lifespan, request ids, problems, health."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
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
from shared.revocations import RevokedClients, follow_gateway_revocations, revocations_url
from shared.runtime import ConsumerSpec, Runtime
from shared.settings import ServiceSettings

log = logging.getLogger("xarxa.http")

REQUEST_ID_HEADER = b"x-request-id"  # as ASGI carries header names: lower case bytes


_SAFE_ID = re.compile(r"[^A-Za-z0-9._:@/+=-]")


def sanitised_request_id(value: bytes) -> str | None:
    """A caller's request id reduced to printable token characters (no log or header injection)."""
    cleaned = _SAFE_ID.sub("", value.decode("latin-1"))[:128]
    return cleaned or None


class RequestIdMiddleware:
    """Give every request an id and echo it back.

    At the edge (`generate=True`, the gateway) the id is always the platform's own, so that ids in
    logs and the audit trail are unique and unforgeable; a caller's X-Request-ID is kept apart,
    sanitised, as `client_request_id`. Behind the gateway, services take the gateway's id.
    """

    def __init__(self, app: ASGIApp, generate: bool = False) -> None:
        self.app = app
        self.generate = generate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = next((value for name, value in scope["headers"] if name == REQUEST_ID_HEADER), None)
        caller_id = sanitised_request_id(sent) if sent is not None else None
        state = scope.setdefault("state", {})
        if self.generate:
            request_id = uuid.uuid4().hex
            state["client_request_id"] = caller_id
        else:
            request_id = caller_id or uuid.uuid4().hex
        state["request_id"] = request_id
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER, request_id.encode("latin-1"))]
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


class ProbeCache:
    """Probe results kept for a moment: a flood of health checks costs one probe per interval."""

    def __init__(self, seconds: float = 1.0) -> None:
        self.seconds = seconds
        self._results: dict[str, tuple[float, str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, name: str, probe: Callable[[], Awaitable[None]]) -> str:
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:  # concurrent probes of one dependency wait for a single attempt
            cached = self._results.get(name)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            try:
                await asyncio.wait_for(probe(), timeout=5)
                result = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure is "unavailable"
                result = f"unavailable: {type(exc).__name__}"
            self._results[name] = (time.monotonic() + self.seconds, result)
            return result


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])
    probes = ProbeCache()

    @router.get(
        "/healthz",
        summary="Liveness, with the state of the broker (events wait in the outbox while it is away) and "
        "what each consumer applied, skipped as duplicates and dead-lettered since the start",
        openapi_extra=access("none"),
    )
    async def healthz(request: Request) -> dict[str, Any]:
        runtime = runtime_of(request)
        kafka = await probes.check("kafka", runtime.check_kafka)
        consumers = {consumer.name: asdict(consumer.stats) for consumer in runtime.consumers}
        return {"status": "ok", "checks": {"kafka": kafka}, "consumers": consumers}

    @router.get(
        "/readyz",
        summary="Readiness: can take writes (the database answers; Kafka is not required)",
        openapi_extra=access("none"),
    )
    async def readyz(request: Request) -> Any:
        database = await probes.check("database", runtime_of(request).check_database)
        if database == "ok":
            return {"status": "ready", "checks": {"database": database}}
        return problem_response(
            503,
            "not-ready",
            "Not ready",
            request,
            "The database is unavailable",
            checks={"database": database},
            headers={"Retry-After": "5"},
        )

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
        revoked = RevokedClients()
        app.state.token_verifier = TokenVerifier(settings.jwt_issuer, jwks_keys(settings.jwks_url), revoked=revoked)
        following = asyncio.create_task(follow_gateway_revocations(revocations_url(settings.jwks_url), revoked))
        await runtime.start()
        try:
            yield
        finally:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
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
