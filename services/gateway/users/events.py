"""Sign-ins and changes of a user's access, in the audit trail (services/gateway/audit).

Written in the transaction of the change itself, so a change is never without its row; failed
sign-ins commit too (the page answers, nothing is raised).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from services.gateway.audit.models import AuditEntry


@dataclass(frozen=True)
class Context:
    """Where a request came from, for its audit rows."""

    request_id: str
    client_request_id: str | None
    remote_addr: str
    method: str
    path: str

    @classmethod
    def of(cls, request: Request) -> Context:
        state = request.scope.get("state", {})
        return cls(
            request_id=str(state.get("request_id", "")),
            client_request_id=state.get("client_request_id"),
            remote_addr=request.client.host if request.client else "unknown",
            method=request.method,
            path=request.url.path,
        )


def record_event(
    session: AsyncSession,
    context: Context,
    event: str,
    *,
    actor: str | None,
    tenant: str | None,
    subject: str | None,
    status: int = 200,
) -> None:
    session.add(
        AuditEntry(
            request_id=context.request_id,
            client_request_id=context.client_request_id,
            client_id=actor,
            tenant=tenant,
            method=context.method,
            path=context.path,
            status=status,
            remote_addr=context.remote_addr,
            duration_ms=0,
            event=event,
            subject=subject,
        )
    )
