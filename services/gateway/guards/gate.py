"""The gate every request passes: token check, revocation, rate limit, and the audit of writes."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.audit.service import AuditRecord, record
from services.gateway.guards.ratelimit import TokenBuckets
from shared.auth import Principal, TokenVerifier, Unauthorized, bearer_token
from shared.guards import WRITE_METHODS
from shared.problems import problem_response

UNLIMITED_PATHS = {"/healthz", "/readyz"}
TOKEN_ENDPOINT = "/oauth/token"  # noqa: S105 - a path, not a secret


@dataclass
class GateState:
    """Built in the gateway's lifespan; the middleware reads it from app.state."""

    verifier: TokenVerifier
    sessions: async_sessionmaker[AsyncSession]
    anonymous_rate: float
    anonymous_burst: float
    revoked: set[str] = field(default_factory=set)
    buckets: TokenBuckets = field(default_factory=TokenBuckets)


class GateMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: GateState = scope["app"].state.gate
        request = Request(scope)
        try:
            principal = await self._principal(state, request)
        except Unauthorized as exc:
            response = problem_response(exc.status, exc.kind, exc.title, request, exc.detail, headers=exc.headers)
            await response(scope, receive, send)
            return
        wait = self._spend(state, principal, request)
        if wait > 0:
            response = problem_response(
                429,
                "too-many-requests",
                "Too many requests",
                request,
                f"Rate limit of {'this client' if principal else 'anonymous callers'} reached",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
            await response(scope, receive, send)
            return
        if scope["method"] not in WRITE_METHODS or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        await self._audited(state, principal, scope, receive, send)

    async def _principal(self, state: GateState, request: Request) -> Principal | None:
        header = request.headers.get("authorization")
        if request.url.path == TOKEN_ENDPOINT and header and header.lower().startswith("basic "):
            return None  # client authentication of the token request itself (RFC 6749 section 2.3.1)
        token = bearer_token(header)
        if token is None:
            return None
        principal = await state.verifier.verify(token)
        if principal.client_id in state.revoked:
            raise Unauthorized("The client of this token has been revoked")
        return principal

    def _spend(self, state: GateState, principal: Principal | None, request: Request) -> float:
        if request.url.path in UNLIMITED_PATHS:
            return 0.0  # probes of orchestrators and load balancers
        if principal is not None:
            rate = principal.rate_per_second
            return state.buckets.take(f"client:{principal.client_id}", rate, max(1.0, rate * 2))
        address = request.client.host if request.client else "unknown"
        return state.buckets.take(f"addr:{address}", state.anonymous_rate, state.anonymous_burst)

    async def _audited(
        self, state: GateState, principal: Principal | None, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Record the write as soon as its status is known and before the client receives anything,
        so that a caller who got the answer always finds the write in the trail."""
        started = time.perf_counter()
        recorded = False

        async def write(status: int) -> None:
            nonlocal recorded
            recorded = True
            client = scope.get("client")
            await record(
                state.sessions,
                AuditRecord(
                    request_id=scope.get("state", {}).get("request_id", ""),
                    client_id=principal.client_id if principal else None,
                    tenant=principal.tenant if principal else None,
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    remote_addr=client[0] if client else None,
                    duration_ms=int((time.perf_counter() - started) * 1000),
                ),
            )

        async def audit_then_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                await write(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, audit_then_send)
        finally:
            if not recorded:  # the application failed before answering
                await write(500)
