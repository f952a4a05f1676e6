"""GET /api/reporting/sdg: money and projects per SDG goal and target (published figures, public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.readmodels.attribution import DEFAULT_METHOD, METHOD_PATTERN
from services.reporting.readmodels.filters import FiltersDep, UnknownFilterValue
from services.reporting.sdg import service
from services.reporting.sdg.schemas import SdgReport
from shared.auth import access
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/reporting", tags=["SDG"])


@router.get(
    "/sdg",
    response_model=SdgReport,
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilterValue),
    summary="Projects and money per SDG goal and target, attributed and contributes-to",
)
async def sdg_report(
    session: SessionDep,
    filters: FiltersDep,
    method: Annotated[str, Query(pattern=METHOD_PATTERN, description="Attribution method")] = DEFAULT_METHOD,
) -> SdgReport:
    return await service.sdg_report(session, filters, method)
