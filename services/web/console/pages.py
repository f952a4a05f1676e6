"""The console: what each person can do, by role. Officers edit their institution's projects,
partner reporters send updates for their projects, grant managers see their calls' applications.
Every call is the person's own through the gateway; the services decide what they may see and do."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from services.web.console.api import ConsoleApi, Problem, idempotency_key
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import (
    FieldError,
    date_labels,
    errors_of,
    open_periods,
    project_field,
    project_patch,
    project_typed,
    project_values,
    update_content,
    update_field,
    update_typed,
)
from services.web.console.rendering import CONSOLE_LANGUAGES, render
from services.web.console.session import Session
from services.web.gateway_client import ApiError, Gateway
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console")

OFFICER_ROLES = ("officer",)
PARTNER_ROLES = ("partner-reporter",)
GRANT_ROLES = ("grant-manager", "evaluator")


def console_language(lang: str) -> str:
    if lang not in CONSOLE_LANGUAGES:
        raise HTTPException(status_code=404)
    return lang


Language = Annotated[str, Depends(console_language)]


def _api(request: Request, session: Session, language: str) -> ConsoleApi:
    gateway: Gateway = request.app.state.gateway
    return ConsoleApi(gateway, session.access_token, language)


def _page(
    request: Request, session: Session, language: str, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    return finish(request, render(request, language, template, {"session": session, **context}, status))


def _only(session: Session, roles: tuple[str, ...]) -> None:
    """A page of another role is not there for this person (the API would refuse its calls anyway)."""
    if not session.has(*roles):
        raise HTTPException(status_code=404)


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


def _dedupe(errors: list[FieldError]) -> list[FieldError]:
    return list(dict.fromkeys(errors))


@router.get("")
async def home(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    return _page(
        request,
        session,
        lang,
        "console/home.html",
        {
            "officer": session.has(*OFFICER_ROLES),
            "partner": session.has(*PARTNER_ROLES),
            "grants": session.has(*GRANT_ROLES),
        },
    )


# --- Officers: their institution's projects --------------------------------------------------


@router.get("/projects")
async def projects(request: Request, lang: Language, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    session = await require_session(request, lang)
    _only(session, OFFICER_ROLES)
    api = _api(request, session, lang)
    common = {"owner": session.tenant, "q": q, "limit": "100", "sort": "-updated_at"}
    drafts = await api.projects({**common, "visibility": "draft"})
    published = await api.projects({**common, "visibility": "published"})
    return _page(
        request,
        session,
        lang,
        "console/projects.html",
        {
            "q": q,
            "drafts": drafts["items"],
            "published": published["items"],
            "total": drafts["total"] + published["total"],
        },
    )


async def _own_project(api: ConsoleApi, project_id: uuid.UUID) -> tuple[dict[str, Any], str]:
    try:
        project, etag = await api.project(str(project_id))
    except ApiError as exc:
        raise HTTPException(status_code=404 if exc.status in (403, 404) else 502) from exc
    return project, etag


@router.get("/projects/{project_id}")
async def project_page(request: Request, lang: Language, project_id: uuid.UUID, saved: bool = False) -> Response:
    session = await require_session(request, lang)
    _only(session, OFFICER_ROLES)
    project, etag = await _own_project(_api(request, session, lang), project_id)
    context = {"project": project, "etag": etag, "values": project_values(project), "errors": [], "saved": saved}
    return _page(request, session, lang, "console/project.html", context)


@router.post("/projects/{project_id}")
async def project_save(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    _only(session, OFFICER_ROLES)
    form = await _form(request)
    if not csrf_ok(request, session, form):
        return _page(request, session, lang, "console/forbidden.html", {}, status=403)
    api = _api(request, session, lang)
    project, _ = await _own_project(api, project_id)
    typed = project_typed(form)
    # The version the person read: a change made since by someone else is refused (412), not lost.
    etag = form.get("etag", "")[:40]
    patch = project_patch(typed, project)
    problem: Problem | None = await api.patch_project(str(project_id), etag, patch) if patch else None
    if problem is None:
        return finish(request, RedirectResponse(f"/{lang}/console/projects/{project_id}?saved=true", status_code=303))
    errors = _dedupe(errors_of(problem, project_field, date_labels(Formats(lang).gettext)))
    context = {
        "project": project,
        "etag": etag,
        "values": typed,
        "errors": errors,
        "saved": False,
        "stale": problem.status == 412,
    }
    return _page(request, session, lang, "console/project.html", context, status=409 if problem.status == 412 else 422)


# --- Partner reporters: updates for their projects --------------------------------------------


def _partner_of(project: dict[str, Any], tenant: str) -> bool:
    return any(org.get("ref") == tenant for org in project.get("participating_orgs") or [])


@router.get("/updates")
async def updates(request: Request, lang: Language, sent: str = "") -> Response:
    session = await require_session(request, lang)
    _only(session, PARTNER_ROLES)
    api = _api(request, session, lang)
    # The projects list has no partner filter: the partner's own are picked from what it may see.
    mine: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(20):
        page = await api.projects({"limit": "500", "cursor": cursor})
        mine.extend(p for p in page["items"] if _partner_of(p, session.tenant))
        cursor = page.get("next_cursor") or ""
        if not cursor:
            break
    receipts = await api.updates()
    titles = {p["id"]: p for p in mine}
    return _page(
        request,
        session,
        lang,
        "console/updates.html",
        {"projects": mine, "receipts": receipts, "titles": titles, "sent": sent},
    )


async def _project_for_update(api: ConsoleApi, project_id: uuid.UUID) -> dict[str, Any]:
    try:
        project, _ = await api.project(str(project_id))
    except ApiError as exc:
        raise HTTPException(status_code=404 if exc.status in (403, 404) else 502) from exc
    return project


def _update_context(
    project: dict[str, Any], typed: dict[str, str], key: str, errors: list[FieldError]
) -> dict[str, Any]:
    return {"project": project, "rows": open_periods(project), "values": typed, "key": key, "errors": errors}


@router.get("/updates/{project_id}")
async def update_form(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    _only(session, PARTNER_ROLES)
    project = await _project_for_update(_api(request, session, lang), project_id)
    rows = open_periods(project)
    typed = {**update_typed({}, rows), "spending_currency": "EUR"}
    # One key per form shown: sending it twice (a double click, a retry) is one update.
    return _page(request, session, lang, "console/update.html", _update_context(project, typed, idempotency_key(), []))


@router.post("/updates/{project_id}")
async def update_send(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    _only(session, PARTNER_ROLES)
    form = await _form(request)
    if not csrf_ok(request, session, form):
        return _page(request, session, lang, "console/forbidden.html", {}, status=403)
    api = _api(request, session, lang)
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
    errors = _dedupe(errors_of(answer, update_field(wanted), date_labels(Formats(lang).gettext)))
    status = answer.status if 400 <= answer.status < 500 else 502
    return _page(
        request, session, lang, "console/update.html", _update_context(project, typed, key, errors), status=status
    )


# --- Grant managers and evaluators: the calls and their applications (read only) ----------------


@router.get("/grants")
async def grants(request: Request, lang: Language, state: str = "") -> Response:
    session = await require_session(request, lang)
    _only(session, GRANT_ROLES)
    api = _api(request, session, lang)
    calls = await api.calls(session.tenant)
    applications = await api.applications(state)
    return _page(
        request, session, lang, "console/grants.html", {"calls": calls, "applications": applications, "state": state}
    )
