"""HTTP wiring of the project references."""

import uuid

from fastapi import APIRouter

from services.funding.project_refs import service
from services.funding.project_refs.schemas import ProjectRefRead
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/project-refs", tags=["project references"])


@router.get("/{project_id}", response_model=ProjectRefRead, responses=problem_responses(service.ProjectRefNotFound))
async def read_project_ref(project_id: uuid.UUID, session: SessionDep) -> ProjectRefRead:
    return ProjectRefRead.model_validate(await service.get_ref(session, project_id), from_attributes=True)
