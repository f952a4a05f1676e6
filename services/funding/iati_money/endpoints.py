"""GET /api/funding/projects/{project_id}/iati-money: the money imported with the project's IATI activity."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter

from services.funding.iati_money import service
from services.funding.iati_money.schemas import IatiMoney
from services.funding.project_refs.service import ProjectRefNotFound
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding", tags=["iati-money"])


@router.get(
    "/projects/{project_id}/iati-money",
    response_model=IatiMoney,
    openapi_extra=access("required", ("funding:write", "reports:read"), tenant="owner-or-partner"),
    responses=problem_responses(ProjectRefNotFound),
    summary="Transactions, budgets and planned disbursements imported with the project's IATI activity",
)
async def iati_money(
    project_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, requires("funding:write", "reports:read")],
) -> IatiMoney:
    return await service.project_money(session, principal, project_id)
