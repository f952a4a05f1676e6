"""GET /api/gateway/audit: the trail of writes, for admins; /audit/mine: a person's or client's own."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.audit import service
from services.gateway.audit.schemas import AuditPage, AuditQuery
from shared.auth import Principal, access, requires, signed_in
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
    return await service.trail(session, AuditQuery(client_id, tenant, since, before_id, limit))


@router.get(
    "/audit/mine",
    response_model=AuditPage,
    openapi_extra=access("required"),
    summary="The caller's own trail: what it did and what was done to its account (newest first)",
)
async def my_audit_trail(
    session: SessionDep,
    principal: Annotated[Principal, signed_in()],
    since: datetime | None = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    query = AuditQuery(None, None, since, before_id, limit, person=principal.client_id)
    return await service.trail(session, query)
