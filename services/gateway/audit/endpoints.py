"""GET /api/gateway/audit: the trail of writes, for admins."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.audit import service
from services.gateway.audit.schemas import AuditEntryRead, AuditPage
from shared.auth import Principal, access, requires
from shared.http import SessionDep

router = APIRouter(prefix="/api/gateway", tags=["audit"])


@router.get(
    "/audit",
    response_model=AuditPage,
    openapi_extra=access("required", ("admin",)),
    summary="Who wrote what, when, with which request id (newest first)",
)
async def audit_trail(
    session: SessionDep,
    principal: Annotated[Principal, requires("admin")],
    client_id: Annotated[str | None, Query(max_length=200)] = None,
    tenant: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    rows = await service.search(
        session, client_id=client_id, tenant=tenant, since=since, before_id=before_id, limit=limit
    )
    return AuditPage(
        items=[AuditEntryRead.model_validate(r, from_attributes=True) for r in rows],
        next_before_id=rows[-1].id if len(rows) == limit else None,
    )
