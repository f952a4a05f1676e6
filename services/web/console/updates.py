"""Partner reporters: their projects and an update form per project (indicator actuals per open
period, narrative, spending), in the partner's language; one idempotency key per form shown."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from services.web.console.api import ConsoleApi, idempotency_key
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import (
    FieldError,
    date_labels,
    errors_of,
    open_periods,
    update_content,
    update_field,
    update_typed,
)
from services.web.console.kit import (
    PARTNER_ROLES,
    Language,
    api_for,
    dedupe,
    forbidden,
    form_of,
    only,
    page,
    visible_project,
)
from services.web.console.reviews_view import last_comments
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console")


def _partner_of(project: dict[str, Any], tenant: str) -> bool:
    return any(org.get("ref") == tenant for org in project.get("participating_orgs") or [])


@router.get("/updates")
async def updates(request: Request, lang: Language, sent: str = "") -> Response:
    session = await require_session(request, lang)
    only(session, PARTNER_ROLES)
    api = api_for(request, session, lang)
    # The projects list has no partner filter: the partner's own are picked from what it may see.
    mine: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(20):
        listed = await api.projects({"limit": "500", "cursor": cursor})
        mine.extend(p for p in listed["items"] if _partner_of(p, session.tenant))
        cursor = listed.get("next_cursor") or ""
        if not cursor:
            break
    receipts = await api.updates()
    titles = {p["id"]: p for p in mine}
    return page(
        request,
        session,
        lang,
        "console/updates.html",
        {
            "projects": mine,
            "receipts": receipts,
            "titles": titles,
            "sent": sent,
            "comments": {r["id"]: last_comments(r) for r in receipts},
        },
    )


async def _project_for_update(api: ConsoleApi, project_id: uuid.UUID) -> dict[str, Any]:
    project, _ = await visible_project(api, project_id)
    return project


def _update_context(
    project: dict[str, Any], typed: dict[str, str], key: str, errors: list[FieldError]
) -> dict[str, Any]:
    return {"project": project, "rows": open_periods(project), "values": typed, "key": key, "errors": errors}


@router.get("/updates/{project_id}")
async def update_form(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    only(session, PARTNER_ROLES)
    project = await _project_for_update(api_for(request, session, lang), project_id)
    rows = open_periods(project)
    typed = {**update_typed({}, rows), "spending_currency": "EUR"}
    # One key per form shown: sending it twice (a double click, a retry) is one update.
    return page(request, session, lang, "console/update.html", _update_context(project, typed, idempotency_key(), []))


@router.post("/updates/{project_id}")
async def update_send(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    only(session, PARTNER_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    project = await _project_for_update(api, project_id)
    rows = open_periods(project)
    typed = update_typed(form, rows)
    key = form.get("key", "")[:100]
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        key = idempotency_key()
    wanted = update_content(typed, rows, lang)
    answer = await api.push_update(str(project_id), wanted.content, key)
    if isinstance(answer, dict):
        return finish(request, RedirectResponse(f"/{lang}/console/updates?sent={answer['id']}", status_code=303))
    errors = dedupe(errors_of(answer, update_field(wanted), date_labels(Formats(lang).gettext)))
    status = answer.status if 400 <= answer.status < 500 else 502
    return page(
        request, session, lang, "console/update.html", _update_context(project, typed, key, errors), status=status
    )
