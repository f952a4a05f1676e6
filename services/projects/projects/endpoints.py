"""HTTP wiring of the project registry: parse, call the service, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from services.projects.projects import repository, service
from services.projects.projects.schemas import ProjectCreate, ProjectPage, ProjectRead
from shared.http import SessionDep, runtime_of
from shared.problems import problem_responses

router = APIRouter(prefix="/api/projects/projects", tags=["projects"])


def _etag(version: int) -> str:
    return f'"{version}"'


@router.post("", status_code=201, response_model=ProjectRead, responses=problem_responses(service.ProjectCodeTaken))
async def create_project(
    body: ProjectCreate,
    session: SessionDep,
    request: Request,
    response: Response,
    traceparent: Annotated[str | None, Header()] = None,
) -> ProjectRead:
    project = await service.register_project(session, body, runtime_of(request).settings.source, traceparent)
    response.headers["Location"] = f"{router.prefix}/{project.id}"
    response.headers["ETag"] = _etag(project.version)
    return ProjectRead.model_validate(project, from_attributes=True)


@router.get("/{project_id}", response_model=ProjectRead, responses=problem_responses(service.ProjectNotFound))
async def read_project(project_id: uuid.UUID, session: SessionDep, response: Response) -> ProjectRead:
    project = await service.get_project(session, project_id)
    response.headers["ETag"] = _etag(project.version)
    return ProjectRead.model_validate(project, from_attributes=True)


@router.get("", response_model=ProjectPage)
async def list_projects(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
) -> ProjectPage:
    rows, next_cursor = await repository.page(session, limit=limit, cursor=cursor, owner=owner)
    return ProjectPage(
        items=[ProjectRead.model_validate(p, from_attributes=True) for p in rows], next_cursor=next_cursor
    )
