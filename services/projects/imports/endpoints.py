"""POST /api/projects/imports/iati: projects from an IATI activity file."""

from __future__ import annotations

import tempfile
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from services.projects.imports import service, tables
from services.projects.imports.schemas import CsvReport, ImportReport
from shared.actor import request_actor
from shared.auth import Principal, access, requires
from shared.codelists import coded
from shared.http import SessionDep
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
    owner: Annotated[
        str,
        Query(max_length=64, description="The institution the activities are registered for"),
        coded("institutions"),
    ],
    visibility: Literal["draft", "published"] = "draft",
    traceparent: Annotated[str | None, Header()] = None,
) -> Response:
    actor = request_actor(request, principal, traceparent)
    # The file goes to disk as it arrives and is parsed from there, one activity at a time (a large
    # one by a process of its own, which opens it by its name): a large file never sits in memory.
    # The input guard bounds its size.
    with tempfile.NamedTemporaryFile(prefix="xarxa-iati-", suffix=".xml") as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.flush()
        report = await service.import_iati_file(session, actor, spool, owner, visibility)
    # Sent from the report's spool file as it is read, after the commit (the session's scope),
    # then the file is closed.
    return StreamingResponse(report.chunks(), media_type="application/json", background=BackgroundTask(report.close))


@router.get(
    "/csv/template",
    response_class=PlainTextResponse,
    openapi_extra=access("none"),
    responses={200: {"content": {"text/csv": {}}}},
    summary="The CSV template of the project import, with an example row",
)
async def csv_template() -> PlainTextResponse:
    return PlainTextResponse(
        tables.template(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="xarxa-projects-template.csv"'},
    )


@router.post(
    "/csv",
    response_model=CsvReport,
    openapi_extra={
        **access("required", ("projects:write",), tenant="owner"),
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
    },
    responses=problem_responses(service.InvalidCsvFile),
    summary="Projects from a CSV with the template's columns: a result per row, errors by column",
)
async def import_csv(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, requires("projects:write")],
    owner: Annotated[
        str,
        Query(max_length=64, description="The institution the projects are registered for"),
        coded("institutions"),
    ],
    traceparent: Annotated[str | None, Header()] = None,
) -> CsvReport:
    actor = request_actor(request, principal, traceparent)
    return await service.import_csv(session, actor, await request.body(), owner)


@router.get(
    "/iati/{import_id}",
    response_model=ImportReport,
    openapi_extra=access("required", ("projects:write",), tenant="owner"),
    responses=problem_responses(service.ImportNotFound),
    summary="An IATI import's report, with what funding made of each activity's money",
)
async def iati_import_report(
    session: SessionDep,
    principal: Annotated[Principal, requires("projects:write")],
    import_id: uuid.UUID,
) -> ImportReport:
    return await service.import_report(session, principal, import_id)
