"""Every write attempt in the audit trail, including those the gateway itself refuses.

It sits outside the input guard and the gate, so a write refused for its body (413, 415, 422), its
token (401), its rate (429) or by the service is recorded alike. The row is written as soon as the
status is known and before the caller receives anything: whoever got an answer finds the write in
the trail.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.audit.service import AuditBuffer, AuditRecord, record
from shared.auth import Principal
from shared.guards import WRITE_METHODS

TOKEN_ENDPOINT = "/oauth/token"  # noqa: S105 - a path, not a secret
PRINCIPAL_KEY = "principal"  # scope["state"] key the gate fills once a token is verified
FORWARDED_KEY = "forwarded"  # set by the proxy once the request goes to a service


def audited(method: str, path: str) -> bool:
    return method in WRITE_METHODS and (path.startswith("/api/") or path == TOKEN_ENDPOINT)


class AuditMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not audited(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        sessions: async_sessionmaker[AsyncSession] = scope["app"].state.sessions
        buffer: AuditBuffer = scope["app"].state.audit_buffer
        started = time.perf_counter()
        recorded = False

        async def write(status: int) -> None:
            nonlocal recorded
            recorded = True
            state: dict[str, Any] = scope.get("state", {})
            principal: Principal | None = state.get(PRINCIPAL_KEY)
            client = scope.get("client")
            entry = AuditRecord(
                request_id=state.get("request_id", ""),
                client_request_id=state.get("client_request_id"),
                client_id=principal.client_id if principal else None,
                tenant=principal.tenant if principal else None,
                method=scope["method"],
                path=scope["path"],
                status=status,
                remote_addr=client[0] if client else None,
                duration_ms=int((time.perf_counter() - started) * 1000),
            )
            if state.get(FORWARDED_KEY):
                await record(sessions, entry)  # a service acted (or may have): in the trail before the answer
            else:
                buffer.add(entry)

        async def audit_then_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not recorded:
                await write(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, audit_then_send)
        finally:
            if not recorded:  # the application failed before answering
                await write(500)
