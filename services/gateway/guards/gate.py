"""The gate every request passes: token check, revocation and rate limits.

Writes are audited by the audit middleware outside this one; the gate hands it the principal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.audit.middleware import PRINCIPAL_KEY, TOKEN_ENDPOINT
from services.gateway.clients.revocations import RevocationList
from services.gateway.guards.ratelimit import TokenBuckets
from shared.auth import Principal, TokenVerifier, Unauthorized, bearer_token
from shared.problems import problem_response

PROBE_PATHS = {"/healthz", "/readyz"}


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: float


@dataclass
class GateState:
    """Built in the gateway's lifespan; the middleware reads it from app.state."""

    verifier: TokenVerifier
    anonymous: Rate
    probes: Rate
    revoked: RevocationList = field(default_factory=RevocationList)
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
        scope.setdefault("state", {})[PRINCIPAL_KEY] = principal
        wait = self._spend(state, principal, request)
        if wait > 0:
            who = "this client" if principal else "this address"
            response = problem_response(
                429,
                "too-many-requests",
                "Too many requests",
                request,
                f"Rate limit of {who} reached",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

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
        address = request.client.host if request.client else "unknown"
        if request.url.path in PROBE_PATHS:
            # Probes of orchestrators and load balancers: their own, generous budget, so that a
            # flood of them can neither starve the API nor be starved by it.
            return state.buckets.take(f"probe:{address}", state.probes.per_second, state.probes.burst)
        if principal is not None:
            rate = principal.rate_per_second
            return state.buckets.take(f"client:{principal.client_id}", rate, max(1.0, rate * 2))
        return state.buckets.take(f"addr:{address}", state.anonymous.per_second, state.anonymous.burst)
