"""The console's start page: what the person's roles let them do."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.console.auth import require_session
from services.web.console.kit import (
    ADMIN_ROLES,
    ENTITY_ROLES,
    GRANT_ROLES,
    OFFICER_ROLES,
    PARTNER_ROLES,
    REVIEW_ROLES,
    Language,
    page,
)

router = APIRouter(prefix="/{lang}/console")


@router.get("")
async def home(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    return page(
        request,
        session,
        lang,
        "console/home.html",
        {
            "officer": session.has(*OFFICER_ROLES),
            "partner": session.has(*PARTNER_ROLES),
            "review": session.has(*REVIEW_ROLES),
            "grants": session.has(*GRANT_ROLES),
            "entity": session.has(*ENTITY_ROLES),
            "admin": session.has(*ADMIN_ROLES),
        },
    )
