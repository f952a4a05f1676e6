"""GET /api/reporting/breakdown: money and projects along one dimension (published figures, public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.breakdown import service
from services.reporting.breakdown.schemas import Breakdown
from services.reporting.readmodels.dimensions import DIMENSION_PATTERN
from services.reporting.readmodels.filters import FiltersDep, UnknownFilterValue
from shared.auth import access
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/reporting", tags=["breakdowns"])


@router.get(
    "/breakdown",
    response_model=Breakdown,
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilterValue),
    summary="By partner city, country, network, DAC sector, modality, institution or year",
)
async def breakdown(
    session: SessionDep,
    filters: FiltersDep,
    by: Annotated[str, Query(pattern=DIMENSION_PATTERN)],
) -> Breakdown:
    return await service.breakdown(session, filters, by)
