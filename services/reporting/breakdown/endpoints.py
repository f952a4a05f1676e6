"""GET /api/reporting/breakdown: money and projects along one dimension (published figures, public)."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.reporting.breakdown import service
from services.reporting.breakdown.schemas import Breakdown
from services.reporting.sdg.repository import ReportFilters
from shared.auth import access
from shared.http import SessionDep

router = APIRouter(prefix="/api/reporting", tags=["breakdowns"])


@router.get(
    "/breakdown",
    response_model=Breakdown,
    openapi_extra=access("none"),
    summary="By partner city, country, network, DAC sector, modality, institution or year",
)
async def breakdown(
    session: SessionDep,
    by: Annotated[str, Query(pattern="^(city|country|network|sector|modality|institution|year)$")],
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year_from: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1950, le=2100)] = None,
    status: Annotated[str | None, Query(max_length=2)] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    city: Annotated[str | None, Query(max_length=200)] = None,
    network: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64)] = None,
) -> Breakdown:
    filters = ReportFilters(
        institution=institution,
        year_from=year_from,
        year_to=year_to,
        status=status,
        country=country,
        city=city,
        network=network,
        modality=modality,
    )
    return await service.breakdown(session, filters, by)
