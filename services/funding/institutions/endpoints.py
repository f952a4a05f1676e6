"""HTTP wiring of institution years and the 0.7 % summary."""

from typing import Annotated

from fastapi import APIRouter, Header, Path, Response

from services.funding.institutions import service
from services.funding.institutions.schemas import YearDeclaration, ZeroSevenSummary
from shared.actor import Actor, actor_of
from shared.auth import Principal, access, requires
from shared.concurrency import etag, required_version
from shared.http import SessionDep
from shared.problems import PreconditionFailed, PreconditionRequired, problem_responses
from shared.recorded import InvalidRecordedAt, RecordedAtNeedsAdmin, RecordedAtQuery

router = APIRouter(prefix="/api/funding/institutions", tags=["0.7 %"])
Year = Annotated[int, Path(ge=1990, le=2100)]


@router.put(
    "/{institution}/years/{year}",
    response_model=ZeroSevenSummary,
    openapi_extra=access("required", ("funding:write",), tenant="owner"),
    responses=problem_responses(RecordedAtNeedsAdmin, InvalidRecordedAt, PreconditionFailed, PreconditionRequired),
    summary="Declare own revenues (with their source and basis) and the cooperation budget of a fiscal year",
)
async def declare_year(
    institution: str,
    year: Year,
    body: YearDeclaration,
    session: SessionDep,
    response: Response,
    actor: Annotated[Actor, actor_of("funding:write")],
    if_match: Annotated[str | None, Header()] = None,
    recorded_at: RecordedAtQuery = None,
) -> ZeroSevenSummary:
    expected = required_version(if_match) if if_match is not None else None
    row = await service.declare_year(
        session, actor, service.known_institution(institution), year, expected, body, recorded_at
    )
    response.headers["ETag"] = etag(row.version)
    return await service.zero_seven(session, actor.principal, institution, year)


@router.get(
    "/{institution}/years/{year}",
    response_model=ZeroSevenSummary,
    openapi_extra=access("required", ("funding:write", "reports:read"), tenant="owner"),
    responses=problem_responses(service.YearNotDeclared),
    summary="The 0.7 % report: revenues, target, budget, committed, disbursed, gap",
)
async def zero_seven(
    institution: str,
    year: Year,
    session: SessionDep,
    response: Response,
    principal: Annotated[Principal, requires("funding:write", "reports:read")],
) -> ZeroSevenSummary:
    summary = await service.zero_seven(session, principal, service.known_institution(institution), year)
    response.headers["ETag"] = etag(summary.version)
    return summary
