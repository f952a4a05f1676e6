"""GET /api/projects/codelists[/{name}]: public reference data."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.projects.codelists import service
from services.projects.codelists.schemas import CodelistIndex, CodelistRead
from shared.auth import access
from shared.problems import problem_responses

router = APIRouter(prefix="/api/projects/codelists", tags=["codelists"])


@router.get("", response_model=CodelistIndex, openapi_extra=access("none"), summary="The codelists and their sources")
async def list_codelists() -> CodelistIndex:
    return service.index()


@router.get(
    "/{name}",
    response_model=CodelistRead,
    openapi_extra=access("none"),
    responses=problem_responses(service.CodelistNotFound),
    summary="One codelist with labels",
)
async def read_codelist(name: str, lang: Annotated[str, Query(pattern="^(ca|es|en|fr|pt)$")] = "en") -> CodelistRead:
    return service.codelist(name, lang)
