"""HTTP wiring of the portfolio reports."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.portfolio import repository, service
from services.reporting.portfolio.schemas import PortfolioOverview, PortfolioProject, PortfolioProjects
from services.reporting.portfolio.snapshot import SnapshotDep
from shared.auth import access
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/reporting", tags=["portfolio"])


@router.get(
    "/portfolio",
    response_model=PortfolioOverview,
    summary="Portfolio overview for a dashboard",
    openapi_extra=access("none"),
)
async def portfolio_overview(session: SessionDep, snapshot: SnapshotDep) -> PortfolioOverview:
    return await service.overview(session, snapshot)


@router.get("/projects", response_model=PortfolioProjects, summary="Published projects", openapi_extra=access("none"))
async def published_projects(
    session: SessionDep,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> PortfolioProjects:
    rows = await repository.published(session, owner, limit)
    return PortfolioProjects(items=[PortfolioProject.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/projects/{project_id}",
    response_model=PortfolioProject,
    responses=problem_responses(service.PublishedProjectNotFound),
    openapi_extra=access("none"),
)
async def published_project(project_id: uuid.UUID, session: SessionDep) -> PortfolioProject:
    return PortfolioProject.model_validate(await service.published_project(session, project_id), from_attributes=True)
