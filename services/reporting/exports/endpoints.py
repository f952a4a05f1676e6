"""GET /api/reporting/exports/iati: IATI activity XML 2.03 of one reporting organisation's published projects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.breakdown import service as breakdown_service
from services.reporting.exports import iati, repository, tables
from services.reporting.portfolio.years import project_money
from services.reporting.sdg import repository as sdg_repository
from services.reporting.sdg import service as sdg_service
from services.reporting.sdg.repository import FiltersDep, UnknownFilterValue
from shared.auth import access
from shared.codelists import CodeItem, codelists
from shared.http import SessionDep
from shared.problems import NotFound, Unprocessable, problem_responses

router = APIRouter(prefix="/api/reporting/exports", tags=["exports"])


class NoActivities(NotFound):
    kind, title = "no-published-activities", "The reporting organisation has no published projects"


async def iati_chunks(sessions: async_sessionmaker[AsyncSession], institution: CodeItem) -> AsyncIterator[bytes]:
    """Streams: its own read session (the request's is closed once streaming starts), batch by batch."""
    async with sessions() as session:
        yield iati.header()
        async for states in repository.published_states(session, institution.code):
            entries = await repository.ledger_entries(session, [uuid.UUID(s["id"]) for s in states])
            for state in states:
                if iati.missing(state):
                    yield iati.left_out(state)
                else:
                    yield iati.serialise(iati.activity(state, entries.get(state["id"], []), institution))
        yield iati.FOOTER


async def _has_exportable(session: AsyncSession, owner: str) -> bool:
    async for states in repository.published_states(session, owner):
        if any(not iati.missing(state) for state in states):
            return True
    return False


@router.get(
    "/iati",
    openapi_extra=access("none"),
    summary="IATI 2.03 activity XML of published projects",
    responses={200: {"content": {"application/xml": {}}, "description": "An iati-activities document"}},
)
async def export_iati(request: Request, reporting_org: Annotated[str, Query(max_length=64)]) -> StreamingResponse:
    institution = codelists()["institutions"].get(reporting_org)
    if institution is None:
        raise Unprocessable(
            "reporting_org must be an owner institution",
            errors=[
                {
                    "field": "reporting_org",
                    "in": "query",
                    "message": "not in the institutions list",
                    "value": reporting_org,
                }
            ],
        )
    async with request.app.state.sessions() as session:
        # An iati-activities file must hold at least one activity: none is a clear 404, not an invalid file.
        if not await _has_exportable(session, institution.code):
            raise NoActivities(f"{reporting_org} has no published project with a description and a date")
    return StreamingResponse(
        iati_chunks(request.app.state.sessions, institution),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="xarxa-{reporting_org}-iati.xml"'},
    )


BAD_FILTER = problem_responses(UnknownFilterValue)
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
Format = Annotated[str, Query(pattern="^(csv|xlsx)$", description="csv (exact decimal strings) or xlsx")]


def _file(table: tables.Table, name: str, fmt: str) -> Response:
    content = tables.to_csv(table) if fmt == "csv" else tables.to_xlsx(table, name)
    return Response(
        content, media_type=FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="xarxa-{name}.{fmt}"'}
    )


@router.get(
    "/sdg",
    openapi_extra=access("none"),
    response_class=Response,
    responses={
        200: {"content": {v: {} for v in FORMATS.values()}, "description": "The SDG report as a file"},
        **BAD_FILTER,
    },
    summary="The SDG report as CSV or XLSX (same parameters as /api/reporting/sdg)",
)
async def export_sdg(
    session: SessionDep,
    filters: FiltersDep,
    format: Format = "csv",
    method: Annotated[str, Query(pattern="^(declared-shares|equal-split|principal-goal)$")] = "declared-shares",
) -> Response:
    report = await sdg_service.sdg_report(session, filters, method)
    return _file(tables.sdg_table(report), f"sdg-{method}", format)


@router.get(
    "/breakdown",
    openapi_extra=access("none"),
    response_class=Response,
    responses={
        200: {"content": {v: {} for v in FORMATS.values()}, "description": "A breakdown as a file"},
        **BAD_FILTER,
    },
    summary="A breakdown as CSV or XLSX (same parameters as /api/reporting/breakdown)",
)
async def export_breakdown(
    session: SessionDep,
    filters: FiltersDep,
    by: Annotated[str, Query(pattern="^(city|country|network|sector|modality|institution|year)$")],
    format: Format = "csv",
) -> Response:
    report = await breakdown_service.breakdown(session, filters, by)
    return _file(tables.breakdown_table(report), f"breakdown-{by}", format)


@router.get(
    "/projects",
    openapi_extra=access("none"),
    response_class=Response,
    responses={
        200: {"content": {v: {} for v in FORMATS.values()}, "description": "The project list as a file"},
        **BAD_FILTER,
    },
    summary="Published projects, one row each with codes and EUR totals, as CSV or XLSX",
)
async def export_projects(session: SessionDep, filters: FiltersDep, format: Format = "csv") -> Response:
    rows = await sdg_repository.projects_with_money(session, filters, with_state=True)
    money = await project_money(session, filters.snapshot, filters.money_years, rows)
    table = (
        tables.PROJECT_COLUMNS,
        sorted(
            (tables.project_row(row.state, money[row.id][0]) for row in rows if row.state),
            key=lambda r: (r[1], r[2]),
        ),
    )
    return _file(table, "projects", format)
