"""Officers: their institution's projects, drafts first, and the edit form (If-Match: a change made
since by someone else is refused, not lost)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from services.web.console.api import Problem
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import (
    date_labels,
    errors_of,
    project_field,
    project_patch,
    project_typed,
    project_values,
)
from services.web.console.kit import (
    OFFICER_ROLES,
    Language,
    api_for,
    dedupe,
    forbidden,
    form_of,
    only,
    page,
    visible_project,
)
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console")


@router.get("/projects")
async def projects(request: Request, lang: Language, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    api = api_for(request, session, lang)
    common = {"owner": session.tenant, "q": q, "limit": "100", "sort": "-updated_at"}
    drafts = await api.projects({**common, "visibility": "draft"})
    published = await api.projects({**common, "visibility": "published"})
    return page(
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


@router.get("/projects/{project_id}")
async def projectpage(request: Request, lang: Language, project_id: uuid.UUID, saved: bool = False) -> Response:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    project, etag = await visible_project(api_for(request, session, lang), project_id)
    context = {"project": project, "etag": etag, "values": project_values(project), "errors": [], "saved": saved}
    return page(request, session, lang, "console/project.html", context)


@router.post("/projects/{project_id}")
async def project_save(request: Request, lang: Language, project_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    project, _ = await visible_project(api, project_id)
    typed = project_typed(form)
    # The version the person read: a change made since by someone else is refused (412), not lost.
    etag = form.get("etag", "")[:40]
    patch = project_patch(typed, project)
    problem: Problem | None = await api.patch_project(str(project_id), etag, patch) if patch else None
    if problem is None:
        return finish(request, RedirectResponse(f"/{lang}/console/projects/{project_id}?saved=true", status_code=303))
    errors = dedupe(errors_of(problem, project_field, date_labels(Formats(lang).gettext)))
    context = {
        "project": project,
        "etag": etag,
        "values": typed,
        "errors": errors,
        "saved": False,
        "stale": problem.status == 412,
    }
    return page(request, session, lang, "console/project.html", context, status=409 if problem.status == 412 else 422)
