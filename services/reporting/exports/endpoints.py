"""GET /api/reporting/exports/iati: IATI activity XML 2.03 of one reporting organisation's published projects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.reporting.exports import iati, repository
from shared.auth import access
from shared.codelists import CodeItem, codelists
from shared.problems import NotFound, Unprocessable

router = APIRouter(prefix="/api/reporting/exports", tags=["exports"])


class NoActivities(NotFound):
    kind, title = "no-published-activities", "The reporting organisation has no published projects"


async def iati_chunks(sessions: async_sessionmaker[AsyncSession], institution: CodeItem) -> AsyncIterator[bytes]:
    """Streams: its own read session (the request's is closed once streaming starts), batch by batch."""
    async with sessions() as session:
        yield iati.header()
        async for states in repository.published_states(session, institution.code):
            entries = await repository.ledger_entries(session, [uuid.UUID(s["id"]) for s in states])
            for state in states:
                yield iati.serialise(iati.activity(state, entries.get(state["id"], []), institution))
        yield iati.FOOTER


@router.get(
    "/iati",
    openapi_extra=access("none"),
    summary="IATI 2.03 activity XML of published projects",
    responses={200: {"content": {"application/xml": {}}, "description": "An iati-activities document"}},
)
async def export_iati(request: Request, reporting_org: Annotated[str, Query(max_length=64)]) -> StreamingResponse:
    institution = codelists()["institutions"].get(reporting_org)
    if institution is None:
        raise Unprocessable(
            "reporting_org must be an owner institution",
            errors=[
                {
                    "field": "reporting_org",
                    "in": "query",
                    "message": "not in the institutions list",
                    "value": reporting_org,
                }
            ],
        )
    async with request.app.state.sessions() as session:
        if not await repository.has_published(session, institution.code):
            # An iati-activities file must hold at least one activity: none is a clear 404, not an invalid file.
            raise NoActivities(f"{reporting_org} has no published projects")
    return StreamingResponse(
        iati_chunks(request.app.state.sessions, institution),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="xarxa-{reporting_org}-iati.xml"'},
    )
