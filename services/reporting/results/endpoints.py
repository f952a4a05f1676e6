"""GET /api/reporting/results: indicator targets vs approved actuals (published projects, public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.readmodels.filters import UnknownFilterValue, check_code
from services.reporting.readmodels.snapshot import SnapshotDep
from services.reporting.results import service
from services.reporting.results.schemas import ResultsReport
from shared.auth import access
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/reporting", tags=["results"])


@router.get(
    "/results",
    response_model=ResultsReport,
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilterValue),
    summary="Indicator targets vs actuals per period, per project and aggregated per SDG indicator",
)
async def results(
    session: SessionDep,
    snapshot: SnapshotDep,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    sdg_indicator: Annotated[str | None, Query(max_length=10, description="e.g. 6.1.1")] = None,
) -> ResultsReport:
    check_code("institution", institution)
    service.check_sdg_indicator(sdg_indicator)
    return await service.results_report(session, snapshot, institution, sdg_indicator)
