"""Officers and reviewers: the queue of partner updates of their institution's projects (oldest
first, filtered by project and state in the query string) and one update beside its project's
targets, approved or returned with comments through the updates API's review route."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from services.web.console import reviews_api
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import FieldError, errors_of
from services.web.console.kit import REVIEW_ROLES, Language, api_for, dedupe, forbidden, form_of, only, page
from services.web.console.reviews_view import last_comments, queue_query, reported_actuals
from services.web.console.session import Session

router = APIRouter(prefix="/{lang}/console")
DECISIONS = ("approve", "return")
Filter = Annotated[str, Query(max_length=40)]


def _filters(state: str, project: str) -> tuple[str, str]:
    """Known values only: anything else is the default (waiting for review, every project)."""
    state = state if state in (*reviews_api.UPDATE_STATES, "all") else "submitted"
    try:
        project = str(uuid.UUID(project)) if project else ""
    except ValueError:
        project = ""
    return state, project


@router.get("/reviews")
async def queue(request: Request, lang: Language, state: Filter = "submitted", project: Filter = "") -> Response:
    session = await require_session(request, lang)
    only(session, REVIEW_ROLES)
    state, project = _filters(state, project)
    api = api_for(request, session, lang)
    shown = await reviews_api.updates_of_projects(api, "" if state == "all" else state, project)
    # The project choice offers every project with an update, whatever the filters show now.
    every = shown if not project and state == "all" else await reviews_api.updates_of_projects(api, "", "")
    projects = await reviews_api.projects_by_id(api, {u["project_id"] for u in every} | ({project} - {""}))
    return page(
        request,
        session,
        lang,
        "console/reviews/queue.html",
        {
            "updates": shown,
            "projects": projects,
            "state": state,
            "project": project,
            "back": queue_query(state, project),
        },
    )


async def _review_page(
    request: Request,
    session: Session,
    lang: str,
    update_id: uuid.UUID,
    back: str,
    extra: dict[str, Any],
    status: int = 200,
) -> Response:
    api = api_for(request, session, lang)
    receipt = await reviews_api.update(api, str(update_id))
    # A partner reporter may read its own receipts, but this page is the owner's.
    if receipt is None or receipt["owner"] != session.tenant:
        raise HTTPException(status_code=404)
    projects = await reviews_api.projects_by_id(api, {receipt["project_id"]})
    project = projects.get(receipt["project_id"])
    if project is None:
        raise HTTPException(status_code=404)
    context = {
        "update": receipt,
        "project": project,
        "actuals": reported_actuals(project, receipt["content"]),
        "comments_given": last_comments(receipt),
        "back": back,
        "values": {"comments": ""},
        "errors": [],
        "done": "",
        **extra,
    }
    return page(request, session, lang, "console/reviews/review.html", context, status=status)


@router.get("/reviews/{update_id}")
async def review_form(
    request: Request,
    lang: Language,
    update_id: uuid.UUID,
    state: Filter = "submitted",
    project: Filter = "",
    done: Filter = "",
) -> Response:
    session = await require_session(request, lang)
    only(session, REVIEW_ROLES)
    back = queue_query(*_filters(state, project))
    return await _review_page(request, session, lang, update_id, back, {"done": done if done in DECISIONS else ""})


@router.post("/reviews/{update_id}")
async def review_send(
    request: Request, lang: Language, update_id: uuid.UUID, state: Filter = "submitted", project: Filter = ""
) -> Response:
    session = await require_session(request, lang)
    only(session, REVIEW_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    back = queue_query(*_filters(state, project))
    decision = form.get("decision", "")
    comments = form.get("comments", "").strip()
    answer = await reviews_api.review(api_for(request, session, lang), str(update_id), decision, comments)
    if isinstance(answer, dict):
        target = f"/{lang}/console/reviews/{update_id}?{back + '&' if back else ''}done={decision}"
        return finish(request, RedirectResponse(target, status_code=303))
    if answer.status == 404:
        raise HTTPException(status_code=404)

    def field_of(error: dict[str, Any]) -> str | None:
        return "comments" if str(error.get("field", "")).startswith("comments") else None

    errors: list[FieldError] = dedupe(errors_of(answer, field_of))
    status = answer.status if 400 <= answer.status < 500 else 502
    extra = {"values": {"comments": comments}, "errors": errors}
    return await _review_page(request, session, lang, update_id, back, extra, status=status)
