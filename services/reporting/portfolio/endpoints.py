"""HTTP wiring of the portfolio reports."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.portfolio import service
from services.reporting.portfolio.cursor import InvalidCursor
from services.reporting.portfolio.schemas import PortfolioOverview, PortfolioProject, PortfolioProjects
from services.reporting.readmodels.filters import FiltersDep, UnknownFilterValue
from services.reporting.readmodels.snapshot import SnapshotDep
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


@router.get(
    "/projects",
    response_model=PortfolioProjects,
    summary="Published projects with their money, the report filters, a page at a time",
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilterValue, InvalidCursor),
)
async def published_projects(
    session: SessionDep,
    filters: FiltersDep,
    owner: Annotated[str | None, Query(max_length=64, deprecated=True, description="Deprecated: institution")] = None,
    cursor: Annotated[str | None, Query(max_length=1000, description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    project_id: Annotated[
        uuid.UUID | None, Query(alias="id", description="Only this project (e.g. its money by year, with by_year)")
    ] = None,
) -> PortfolioProjects:
    return await service.project_list(session, service.with_owner(filters, owner), cursor, limit, project_id)


@router.get(
    "/projects/{project_id}",
    response_model=PortfolioProject,
    responses=problem_responses(service.PublishedProjectNotFound),
    openapi_extra=access("none"),
)
async def published_project(project_id: uuid.UUID, session: SessionDep) -> PortfolioProject:
    return PortfolioProject.model_validate(await service.published_project(session, project_id), from_attributes=True)
