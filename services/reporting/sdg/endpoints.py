"""GET /api/reporting/sdg: money and projects per SDG goal and target (published figures, public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.sdg import repository, service
from services.reporting.sdg.schemas import SdgReport
from shared.auth import access
from shared.http import SessionDep

router = APIRouter(prefix="/api/reporting", tags=["SDG"])


@router.get(
    "/sdg",
    response_model=SdgReport,
    openapi_extra=access("none"),
    summary="Projects and money per SDG goal and target, attributed and contributes-to",
)
async def sdg_report(
    session: SessionDep,
    method: Annotated[
        str, Query(pattern="^(declared-shares|equal-split|principal-goal)$", description="Attribution method")
    ] = "declared-shares",
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year_from: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    status: Annotated[str | None, Query(max_length=2)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    city: Annotated[str | None, Query(max_length=200)] = None,
    network: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64)] = None,
) -> SdgReport:
    filters = repository.ReportFilters(
        institution=institution,
        year_from=year_from,
        year_to=year_to,
        status=status,
        country=country,
        city=city,
        network=network,
        modality=modality,
    )
    return await service.sdg_report(session, filters, method)
