"""POST /api/projects/imports/iati: projects from an IATI activity file."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request

from services.projects.imports import service
from services.projects.imports.schemas import ImportReport
from services.projects.projects import service as projects
from shared.auth import Principal, access, requires
from shared.http import SessionDep, runtime_of
from shared.logs import request_id_var
from shared.problems import problem_responses

router = APIRouter(prefix="/api/projects/imports", tags=["imports"])


@router.post(
    "/iati",
    response_model=ImportReport,
    openapi_extra={
        **access("required", ("projects:write",), tenant="owner"),
        "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
    },
    responses=problem_responses(service.InvalidIatiFile),
    summary="Create or update projects from an IATI 2.0x activity file, with a report per activity",
)
async def import_iati(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, requires("projects:write")],
    owner: Annotated[str, Query(max_length=64, description="The institution the activities are registered for")],
    visibility: Literal["draft", "published"] = "draft",
    traceparent: Annotated[str | None, Header()] = None,
) -> ImportReport:
    actor = projects.Actor(principal, request_id_var.get(), runtime_of(request).settings.source, traceparent)
    return await service.import_iati(session, actor, await request.body(), owner, visibility)
