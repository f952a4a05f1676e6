"""Grant managers and evaluators: their institution's calls and the applications to them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.console.auth import require_session
from services.web.console.kit import GRANT_ROLES, Language, api_for, only, page

router = APIRouter(prefix="/{lang}/console")


@router.get("/grants")
async def grants(request: Request, lang: Language, state: str = "") -> Response:
    session = await require_session(request, lang)
    only(session, GRANT_ROLES)
    api = api_for(request, session, lang)
    calls = await api.calls(session.tenant)
    applications = await api.applications(state)
    return page(
        request, session, lang, "console/grants.html", {"calls": calls, "applications": applications, "state": state}
    )
