"""GET /api/reporting/exports/iati-organisation: the IATI organisation file of one owner institution."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.reporting.exports import organisation, repository
from shared.auth import access
from shared.codelists import codelists
from shared.http import SessionDep
from shared.problems import Unprocessable, problem_responses

router = APIRouter(prefix="/api/reporting/exports", tags=["exports"])


class UnknownInstitution(Unprocessable):
    kind, title = "unknown-institution", "reporting_org must be an owner institution"


@router.get(
    "/iati-organisation",
    openapi_extra=access("none"),
    response_class=Response,
    summary="IATI 2.03 organisation XML: total budget, budgets per recipient country and expenditure per year",
    responses={
        200: {"content": {"application/xml": {}}, "description": "An iati-organisations document"},
        **problem_responses(UnknownInstitution),
    },
)
async def export_organisation(session: SessionDep, reporting_org: Annotated[str, Query(max_length=64)]) -> Response:
    """From the institution's published projects (the same ones as its activity file)."""
    institution = codelists()["institutions"].get(reporting_org)
    if institution is None:
        raise UnknownInstitution(
            f"{reporting_org!r} is not in the institutions list",
            errors=[
                {"field": "reporting_org", "in": "query", "message": "not an owner institution", "value": reporting_org}
            ],
        )
    projects: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    async for batch in repository.published_states(session, institution.code):
        entries = await repository.ledger_entries(session, [uuid.UUID(s["id"]) for s in batch])
        projects += [(state, entries.get(state["id"], [])) for state in batch]
    return Response(
        organisation.document(institution, organisation.years(projects)),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="xarxa-{reporting_org}-iati-organisation.xml"'},
    )
