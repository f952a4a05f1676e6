"""HTTP wiring of the project registry: parse, call the service, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from services.projects.projects import repository, service
from services.projects.projects.schemas import ProjectCreate, ProjectPage, ProjectRead
from shared.auth import InsufficientScope, OtherTenant, Principal, access, optional_principal, requires
from shared.http import SessionDep, runtime_of
from shared.problems import problem_responses

router = APIRouter(prefix="/api/projects/projects", tags=["projects"])

Reader = Annotated[Principal | None, optional_principal()]


def _etag(version: int) -> str:
    return f'"{version}"'


@router.post(
    "",
    status_code=201,
    response_model=ProjectRead,
    responses=problem_responses(service.ProjectCodeTaken, InsufficientScope, OtherTenant),
    openapi_extra=access("required", ("projects:write",), tenant="owner"),
)
async def create_project(
    body: ProjectCreate,
    session: SessionDep,
    request: Request,
    response: Response,
    principal: Annotated[Principal, requires("projects:write")],
    traceparent: Annotated[str | None, Header()] = None,
) -> ProjectRead:
    project = await service.register_project(session, principal, body, runtime_of(request).settings.source, traceparent)
    response.headers["Location"] = f"{router.prefix}/{project.id}"
    response.headers["ETag"] = _etag(project.version)
    return ProjectRead.model_validate(project, from_attributes=True)


@router.get(
    "/{project_id}",
    response_model=ProjectRead,
    responses=problem_responses(service.ProjectNotFound),
    openapi_extra=access("optional", ("projects:read",), tenant="owner-or-partner"),
)
async def read_project(
    project_id: uuid.UUID, session: SessionDep, response: Response, principal: Reader
) -> ProjectRead:
    project = await service.get_project(session, principal, project_id)
    response.headers["ETag"] = _etag(project.version)
    return ProjectRead.model_validate(project, from_attributes=True)


@router.get(
    "",
    response_model=ProjectPage,
    openapi_extra=access("optional", ("projects:read",), tenant="owner-or-partner"),
)
async def list_projects(
    session: SessionDep,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
) -> ProjectPage:
    rows, next_cursor = await repository.page(session, principal=principal, limit=limit, cursor=cursor, owner=owner)
    return ProjectPage(
        items=[ProjectRead.model_validate(p, from_attributes=True) for p in rows], next_cursor=next_cursor
    )
