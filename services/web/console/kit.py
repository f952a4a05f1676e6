"""What every console page does: the console's language, the signed-in person, their role, their
form, their API and the rendered page (each role's pages live in a module of their own)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.responses import Response

from services.web.console.api import ConsoleApi
from services.web.console.auth import finish
from services.web.console.forms import FieldError
from services.web.console.rendering import CONSOLE_LANGUAGES, render
from services.web.console.session import Session
from services.web.gateway_client import ApiError, Gateway

OFFICER_ROLES = ("officer",)
FINANCE_ROLES = ("officer", "finance-officer")
REVIEW_ROLES = ("officer", "reviewer")
PARTNER_ROLES = ("partner-reporter",)
GRANT_ROLES = ("grant-manager", "evaluator")
ENTITY_ROLES = ("entity-applicant",)
ADMIN_ROLES = ("tenant-admin", "platform-admin")


def console_language(lang: str) -> str:
    if lang not in CONSOLE_LANGUAGES:
        raise HTTPException(status_code=404)
    return lang


Language = Annotated[str, Depends(console_language)]


def api_for(request: Request, session: Session, language: str) -> ConsoleApi:
    gateway: Gateway = request.app.state.gateway
    return ConsoleApi(gateway, session.access_token, language)


def page(
    request: Request, session: Session, language: str, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    return finish(request, render(request, language, template, {"session": session, **context}, status))


def forbidden(request: Request, session: Session, language: str) -> Response:
    """A form without this session's CSRF token: refused, nothing done."""
    return page(request, session, language, "console/forbidden.html", {}, status=403)


def only(session: Session, roles: tuple[str, ...]) -> None:
    """A page of another role is not there for this person (the API would refuse its calls anyway)."""
    if not session.has(*roles):
        raise HTTPException(status_code=404)


async def form_of(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def dedupe(errors: list[FieldError]) -> list[FieldError]:
    return list(dict.fromkeys(errors))


async def visible_project(api: ConsoleApi, project_id: uuid.UUID) -> tuple[dict[str, Any], str]:
    """The project and its ETag, or no page: one the person may not see is not there for them."""
    try:
        project, etag = await api.project(str(project_id))
    except ApiError as exc:
        raise HTTPException(status_code=404 if exc.status in (403, 404) else 502) from exc
    return project, etag
