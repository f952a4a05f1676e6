"""Grant managers and evaluators: their institution's calls, a call's page (its applications by
state, the next step due, the ranking, the resolutions' acts), a new call, and the call's steps
(open, close, the provisional and definitive resolutions) for grant managers. An application's
own steps are in grants_steps.py."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from services.web.console import grants_api, grants_steps
from services.web.console.api import ConsoleApi, idempotency_key
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import FieldError
from services.web.console.grants_forms import (
    CATEGORY_ROWS,
    CRITERION_ROWS,
    ENTITY_TYPES,
    call_body,
    call_defaults,
    call_errors,
    call_typed,
)
from services.web.console.grants_progress import counts, next_step, ranking
from services.web.console.kit import GRANT_ROLES, Language, api_for, dedupe, forbidden, form_of, only, page
from services.web.console.session import Session
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console")
router.include_router(grants_steps.router)
MANAGER_ROLES = ("grant-manager",)
# What a grant manager's button on the call's page does: a status, or a resolution.
CALL_ACTIONS = {"open": "status", "close": "status", "provisional": "resolution", "definitive": "resolution"}
STATES = (
    "submitted",
    "admitted",
    "not-admitted",
    "scored",
    "provisionally-granted",
    "provisionally-denied",
    "objected",
    "granted",
    "denied",
    "accepted",
    "renounced",
    "excluded",
    "in-execution",
    "justified",
    "closed",
)


@router.get("/grants")
async def grants(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, GRANT_ROLES)
    calls = await grants_api.calls(api_for(request, session, lang), session.tenant)
    return page(
        request,
        session,
        lang,
        "console/grants.html",
        {"calls": calls, "manager": session.has(*MANAGER_ROLES)},
    )


# --- A new call ----------------------------------------------------------------------------------


def _new_context(values: dict[str, str], key: str, errors: list[FieldError]) -> dict[str, Any]:
    return {
        "values": values,
        "key": key,
        "errors": errors,
        "criterion_rows": range(CRITERION_ROWS),
        "category_rows": range(CATEGORY_ROWS),
        "entity_types": ENTITY_TYPES,
    }


@router.get("/grants/calls/new")
async def new_call(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, MANAGER_ROLES)
    # One key per form shown: a double submit creates one call.
    context = _new_context(call_defaults(), idempotency_key(), [])
    return page(request, session, lang, "console/grants/new.html", context)


def _key(form: dict[str, str]) -> str:
    try:
        return str(uuid.UUID(form.get("key", "")[:100]))
    except ValueError:
        return idempotency_key()


@router.post("/grants/calls/new")
async def create_call(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, MANAGER_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    typed = call_typed(form)
    wanted = call_body(typed, session.tenant, lang)
    key = _key(form)
    answer = await grants_api.create_call(api_for(request, session, lang), wanted.body, key)
    if isinstance(answer, dict):
        target = f"/{lang}/console/grants/calls/{answer['id']}?created=true"
        return finish(request, RedirectResponse(target, status_code=303))
    errors = dedupe(call_errors(answer, wanted))
    status = answer.status if 400 <= answer.status < 500 else 502
    return page(request, session, lang, "console/grants/new.html", _new_context(typed, key, errors), status=status)


# --- A call's page ---------------------------------------------------------------------------------


async def _call_or_404(api: ConsoleApi, call_id: uuid.UUID) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The call and its applications, or no page: another institution's call is not there for them."""
    call = await grants_api.call(api, str(call_id))
    applications = await grants_api.call_applications(api, str(call_id)) if call else None
    if call is None or applications is None:
        raise HTTPException(status_code=404)
    return call, applications


async def _call_page(
    request: Request,
    session: Session,
    lang: str,
    call_id: uuid.UUID,
    state: str,
    errors: list[FieldError],
    status: int = 200,
    done: str = "",
) -> Response:
    api = api_for(request, session, lang)
    call, applications = await _call_or_404(api, call_id)
    resolution = await grants_api.resolution(api, str(call_id)) if call["status"] != "draft" else None
    gettext = Formats(lang).gettext
    shown = [a for a in applications if not state or a["state"] == state]
    mine = {a["id"] for a in applications if any(s["evaluator"] == session.sub for s in a.get("score_sheets", []))}
    context = {
        "call": call,
        "applications": shown,
        "all_count": len(applications),
        "counts": counts(applications),
        "states": STATES,
        "state": state if state in STATES else "",
        "next": next_step(call, applications, resolution, gettext),
        "resolution": resolution,
        "ranking": ranking(applications, resolution),
        "manager": session.has(*MANAGER_ROLES),
        "evaluator": session.has("evaluator"),
        "mine": mine,
        "errors": errors,
        "done": done,
    }
    return page(request, session, lang, "console/grants/call.html", context, status=status)


@router.get("/grants/calls/{call_id}")
async def call_page(
    request: Request,
    lang: Language,
    call_id: uuid.UUID,
    state: Annotated[str, Query(max_length=40)] = "",
    done: Annotated[str, Query(max_length=40)] = "",
    created: bool = False,
) -> Response:
    session = await require_session(request, lang)
    only(session, GRANT_ROLES)
    return await _call_page(request, session, lang, call_id, state, [], done="created" if created else done)


@router.post("/grants/calls/{call_id}")
async def call_action(request: Request, lang: Language, call_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    only(session, MANAGER_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    action = form.get("action", "")
    if action not in CALL_ACTIONS:
        raise HTTPException(status_code=400)
    api = api_for(request, session, lang)
    if CALL_ACTIONS[action] == "status":
        answer = await grants_api.move_call(api, str(call_id), {"open": "open", "close": "closed"}[action])
    else:
        answer = await grants_api.resolve(api, str(call_id), action)
    state = form.get("state", "")[:40]
    if isinstance(answer, dict):
        query = f"?done={action}" + (f"&state={state}" if state in STATES else "")
        return finish(request, RedirectResponse(f"/{lang}/console/grants/calls/{call_id}{query}", status_code=303))
    if answer.status == 404:
        raise HTTPException(status_code=404)
    # A step the call is not ready for: why, in the person's language (the API's translated title;
    # its detail names references in English, and the page shows what is pending anyway).
    errors = [FieldError("", answer.title or answer.detail)]
    status = answer.status if 400 <= answer.status < 500 else 502
    return await _call_page(request, session, lang, call_id, state, errors, status=status)
