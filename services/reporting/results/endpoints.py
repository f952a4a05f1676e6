"""GET /api/reporting/results: indicator targets vs approved actuals (published projects, public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.portfolio.snapshot import SnapshotDep
from services.reporting.results import service
from services.reporting.results.schemas import ResultsReport
from services.reporting.sdg.repository import UnknownFilterValue, check_code
from shared.auth import access
from shared.codelists import codelists
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
    if sdg_indicator is not None and sdg_indicator not in codelists()["sdg-indicators"]:
        raise UnknownFilterValue(
            f"sdg_indicator={sdg_indicator!r} is not an SDG indicator",
            errors=[
                {"field": "sdg_indicator", "in": "query", "message": "not an SDG indicator", "value": sdg_indicator}
            ],
        )
    return await service.results_report(session, snapshot, institution, sdg_indicator)
