"""GET /api/projects/places/cities[/{geonames_id}]: the gazetteer of partner cities (public)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.projects.places import service
from services.projects.places.schemas import CityRead, CitySearch
from shared.auth import access
from shared.problems import problem_responses

router = APIRouter(prefix="/api/projects/places", tags=["places"])


@router.get(
    "/cities",
    response_model=CitySearch,
    openapi_extra=access("none"),
    responses=problem_responses(service.UnknownCountry),
    summary="Search cities by name or alias, accents and case ignored",
)
async def search_cities(
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="A name or alias, or its beginning: habana, L'Havana")
    ],
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CitySearch:
    return await service.search(q, country, limit)


@router.get(
    "/cities/{geonames_id}",
    response_model=CityRead,
    openapi_extra=access("none"),
    responses=problem_responses(service.CityNotFound),
    summary="One city of the gazetteer",
)
async def read_city(geonames_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> CityRead:
    return await service.get_city(geonames_id)
