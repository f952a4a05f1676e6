"""HTTP wiring of funding sources."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.funding.filters import UnknownFilter
from services.funding.sources import service
from services.funding.sources.schemas import SourceCreate, SourceList, SourceRead, SourceSummary
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/sources", tags=["funding sources"])


@router.post(
    "",
    status_code=201,
    response_model=SourceRead,
    responses=problem_responses(service.SourceCodeTaken),
    openapi_extra=access("required", ("funding:write",), tenant="owner"),
)
async def create_source(
    body: SourceCreate, session: SessionDep, principal: Annotated[Principal, requires("funding:write")]
) -> SourceRead:
    return SourceRead.model_validate(await service.create_source(session, principal, body), from_attributes=True)


@router.get(
    "",
    response_model=SourceList,
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilter),
    summary="Funding sources (public)",
)
async def list_sources(
    session: SessionDep, institution: Annotated[str | None, Query(max_length=64)] = None
) -> SourceList:
    rows = await service.list_sources(session, institution)
    return SourceList(items=[SourceRead.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/{source_id}/summary",
    response_model=SourceSummary,
    responses=problem_responses(service.SourceNotFound),
    openapi_extra=access("required", ("funding:write", "reports:read"), tenant="owner"),
    summary="Money from one source; for EU sources eligible costs, EU share and match funding owed",
)
async def source_summary(
    source_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, requires("funding:write", "reports:read")],
) -> SourceSummary:
    return await service.source_summary(session, principal, source_id)
