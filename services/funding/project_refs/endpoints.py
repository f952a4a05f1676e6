"""HTTP wiring of the project references."""

import uuid
from typing import Annotated

from fastapi import APIRouter

from services.funding.project_refs import service
from services.funding.project_refs.schemas import ProjectRefRead
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/project-refs", tags=["project references"])


@router.get(
    "/{project_id}",
    response_model=ProjectRefRead,
    responses=problem_responses(service.ProjectRefNotFound),
    openapi_extra=access("required", ("funding:write", "reports:read"), tenant="owner-or-partner"),
)
async def read_project_ref(
    project_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal, requires("funding:write", "reports:read")],
) -> ProjectRefRead:
    ref = await service.get_ref(session, principal, project_id)
    return ProjectRefRead.model_validate(ref, from_attributes=True)
