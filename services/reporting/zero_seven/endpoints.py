"""GET /api/reporting/zero-seven: the 0.7 % commitment per institution and year (public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.readmodels.attribution import DEFAULT_METHOD, METHOD_PATTERN
from services.reporting.readmodels.filters import UnknownFilterValue, check_code, check_range
from services.reporting.readmodels.snapshot import SnapshotDep
from services.reporting.zero_seven import service
from services.reporting.zero_seven.schemas import ZeroSevenReport
from shared.auth import access
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/reporting", tags=["0.7 %"])


@router.get(
    "/zero-seven",
    response_model=ZeroSevenReport,
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilterValue),
    summary="Own revenues, 0.7 % target, committed, disbursed, gap and SDG shares per institution and year",
)
async def zero_seven(
    session: SessionDep,
    snapshot: SnapshotDep,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year_from: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    method: Annotated[str, Query(pattern=METHOD_PATTERN)] = DEFAULT_METHOD,
) -> ZeroSevenReport:
    check_code("institution", institution)
    check_range("year_from", year_from, "year_to", year_to)
    return await service.zero_seven_report(session, snapshot, institution, year_from, year_to, method)
