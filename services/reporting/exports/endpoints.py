"""GET /api/reporting/exports/iati: IATI activity XML 2.03 of one reporting organisation's published projects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.breakdown import service as breakdown_service
from services.reporting.exports import iati, repository, tables
from services.reporting.exports.selection import Selection, SelectionDep
from services.reporting.portfolio.years import project_money
from services.reporting.sdg import repository as sdg_repository
from services.reporting.sdg import service as sdg_service
from services.reporting.sdg.repository import FiltersDep, ReportFilters, UnknownFilterValue
from shared.auth import access
from shared.codelists import CodeItem, codelists
from shared.http import SessionDep
from shared.problems import NotFound, Unprocessable, problem_responses

router = APIRouter(prefix="/api/reporting/exports", tags=["exports"])


class NoActivities(NotFound):
    kind, title = "no-published-activities", "The reporting organisation has no published projects"


# Keeps a project state or not (the request's filters, decided before streaming starts).
Chosen = Callable[[dict[str, Any]], bool]


async def iati_chunks(
    sessions: async_sessionmaker[AsyncSession], institution: CodeItem, chosen: Chosen
) -> AsyncIterator[bytes]:
    """Streams: its own read session (the request's is closed once streaming starts), batch by batch."""
    async with sessions() as session:
        yield iati.header()
        async for batch in repository.published_states(session, institution.code):
            states = [state for state in batch if chosen(state)]
            entries = await repository.ledger_entries(session, [uuid.UUID(s["id"]) for s in states])
            for state in states:
                if iati.missing(state):
                    yield iati.left_out(state)
                else:
                    yield iati.serialise(iati.activity(state, entries.get(state["id"], []), institution))
        yield iati.FOOTER


async def _chosen(session: AsyncSession, filters: ReportFilters, selection: Selection) -> Chosen:
    """The projects the report filters and the list's narrowing keep (everything when neither restricts)."""
    if filters == ReportFilters(snapshot=filters.snapshot) and not selection.restricts:
        return lambda state: True
    ids = {str(row.id) for row in await sdg_repository.projects_with_money(session, filters)}
    return lambda state: state["id"] in ids and selection.matches(state)


async def _has_exportable(session: AsyncSession, owner: str, chosen: Chosen) -> bool:
    async for states in repository.published_states(session, owner):
        if any(chosen(state) and not iati.missing(state) for state in states):
            return True
    return False


@router.get(
    "/iati",
    openapi_extra=access("none"),
    summary="IATI 2.03 activity XML of published projects",
    responses={
        200: {"content": {"application/xml": {}}, "description": "An iati-activities document"},
        **problem_responses(UnknownFilterValue),
    },
)
async def export_iati(
    request: Request,
    filters: FiltersDep,
    selection: SelectionDep,
    reporting_org: Annotated[str, Query(max_length=64)],
) -> StreamingResponse:
    """The report filters and the list's narrowing (words, SDG goal and target, sector) select the
    activities, as for the project list export; `institution`, if given, must be `reporting_org`."""
    if filters.institution not in (None, reporting_org):
        raise UnknownFilterValue(
            "institution differs from reporting_org",
            errors=[
                {
                    "field": "institution",
                    "in": "query",
                    "message": "differs from reporting_org",
                    "value": filters.institution,
                }
            ],
        )
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
        chosen = await _chosen(session, filters, selection)
        # An iati-activities file must hold at least one activity: none is a clear 404, not an invalid file.
        if not await _has_exportable(session, institution.code, chosen):
            raise NoActivities(f"{reporting_org} has no published project with a description and a date")
    return StreamingResponse(
        iati_chunks(request.app.state.sessions, institution, chosen),
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
async def export_projects(
    session: SessionDep, filters: FiltersDep, selection: SelectionDep, format: Format = "csv"
) -> Response:
    rows = await sdg_repository.projects_with_money(session, filters, with_state=True)
    rows = [row for row in rows if row.state and selection.matches(row.state)]
    money = await project_money(session, filters.snapshot, filters.money_years, rows)
    # by_year: a column per year and figure, the same splits as the reports' `years`.
    years = tables.project_years([money[row.id][1] for row in rows]) if filters.by_year else []
    table = (
        tables.project_header(years),
        sorted(
            (tables.project_row(row.state, *money[row.id], years) for row in rows if row.state),
            key=lambda r: (r[1], r[2]),
        ),
    )
    return _file(table, "projects", format)
