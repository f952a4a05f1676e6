"""Applicant entities (NGOs): the open calls, their own applications and what is expected of them
next, the application form, and each later step (files, objection, acceptance or renunciation,
justification) on the application's page, offered only while the API allows it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from services.web.console import calls_api
from services.web.console.api import ConsoleApi, Problem, idempotency_key
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.calls_forms import (
    ENTITY_FIELDS,
    application_body,
    application_field,
    apply_typed,
    budget_years,
    entity_body,
    entity_field,
    entity_typed,
    justification_body,
    justification_field,
    justification_typed,
    line_rows,
    step_field,
    total,
)
from services.web.console.forms import FieldError, errors_of
from services.web.console.kit import ENTITY_ROLES, Language, api_for, dedupe, forbidden, only, page
from services.web.console.session import Session
from services.web.i18n import Formats
from shared.codelists import codelists
from shared.guards import UPLOAD_FILE_BYTES

router = APIRouter(prefix="/{lang}/console/calls")

HEARING = ("provisionally-granted", "provisionally-denied")
UPLOADS = {  # a file's purpose, and the states it may be added in (the API's attachments rules)
    "application": ("submitted",),
    "objection": ("provisionally-granted", "provisionally-denied", "objected"),
    "justification": ("accepted", "in-execution", "justified"),
}
# The gateway takes this console form's uploads up to the API's own file limit (shared/guards.py).
MAX_UPLOAD_BYTES = UPLOAD_FILE_BYTES


def _key(form: dict[str, str]) -> str:
    try:
        return str(uuid.UUID(form.get("key", "")[:100]))
    except ValueError:
        return idempotency_key()


def _is_open(call: dict[str, Any]) -> bool:
    closes = datetime.fromisoformat(str(call["closes_at"]).replace("Z", "+00:00"))
    opens = datetime.fromisoformat(str(call["opens_at"]).replace("Z", "+00:00"))
    return call.get("status") == "open" and opens <= datetime.now(UTC) < closes


def _status(problem: Problem) -> int:
    return problem.status if 400 <= problem.status < 500 else 502


async def _entity_page(request: Request, lang: str) -> tuple[Session, ConsoleApi]:
    session = await require_session(request, lang)
    only(session, ENTITY_ROLES)
    return session, api_for(request, session, lang)


# --- The calls and the entity's applications ------------------------------------------------------


async def _next_steps(api: ConsoleApi, applications: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What each application expects of the entity, with the deadline the API gives for it."""
    resolutions: dict[str, dict[str, Any] | None] = {}
    calls: dict[str, dict[str, Any] | None] = {}
    steps: dict[str, dict[str, Any]] = {}
    for a in applications:
        state, call_id = a["state"], str(a["call_id"])
        if state in ("submitted", "admitted", "scored"):
            steps[a["id"]] = {"kind": "evaluation"}
        elif state in HEARING and a["call_status"] == "provisionally-resolved":
            detail = await calls_api.application(api, a["id"])
            if detail is not None and detail.get("objection") is None:
                if call_id not in resolutions:
                    resolutions[call_id] = await calls_api.resolution(api, call_id)
                until = (resolutions[call_id] or {}).get("objections_until")
                steps[a["id"]] = {"kind": "object", "until": until}
        elif state == "objected":
            steps[a["id"]] = {"kind": "objection-pending"}
        elif state == "granted" and a["call_status"] == "resolved":
            if call_id not in resolutions:
                resolutions[call_id] = await calls_api.resolution(api, call_id)
            steps[a["id"]] = {"kind": "accept", "until": (resolutions[call_id] or {}).get("acceptance_until")}
        elif state in ("accepted", "in-execution"):
            if call_id not in calls:
                calls[call_id] = await calls_api.call(api, call_id)
            days = ((calls[call_id] or {}).get("periods") or {}).get("justification_days")
            steps[a["id"]] = {"kind": "justify", "days": days}
        elif state == "justified":
            steps[a["id"]] = {"kind": "justification-review"}
    return steps


@router.get("")
async def calls_page(request: Request, lang: Language) -> Response:
    session, api = await _entity_page(request, lang)
    open_calls = [c for c in await calls_api.calls(api) if _is_open(c)]
    open_calls.sort(key=lambda c: str(c["closes_at"]))
    applications = await calls_api.own_applications(api)
    return page(
        request,
        session,
        lang,
        "console/calls/list.html",
        {
            "calls": open_calls,
            "budgets": {c["id"]: total(c.get("budget_by_year")) for c in open_calls},
            "applications": applications,
            "requested": {a["id"]: total(a.get("requested")) for a in applications},
            "granted": {a["id"]: total(a.get("granted")) for a in applications},
            "steps": await _next_steps(api, applications),
        },
    )


# --- Applying ------------------------------------------------------------------------------------


def _org_types(call: dict[str, Any], lang: str) -> list[tuple[str, str, str | None]]:
    """(code, label, the label's language when it is not the page's) of the types that may apply."""
    types = codelists()["OrganisationType"]
    found = []
    for code in (call.get("eligibility") or {}).get("entity_types") or []:
        item = types.get(str(code))
        names = item.names if item is not None else {}
        label = names.get(lang) or names.get("en") or str(code)
        found.append((str(code), label, None if lang in names else "en"))
    return found


def _modalities(call: dict[str, Any], lang: str) -> list[tuple[str, str, str | None]]:
    formats = Formats(lang)
    return [(str(m["code"]), *formats.text(m.get("title"))) for m in call.get("modalities") or []]


def purpose_labels(gettext: Any) -> dict[str, str]:
    _ = gettext
    return {
        "application": _("The application"),
        "objection": _("An objection"),
        "justification": _("The justification"),
    }


async def _open_call(api: ConsoleApi, call_id: uuid.UUID) -> dict[str, Any]:
    call = await calls_api.call(api, str(call_id))
    if call is None:
        raise HTTPException(status_code=404)
    return call


def _apply_context(
    call: dict[str, Any], lang: str, typed: dict[str, str], key: str, errors: list[FieldError], ask_entity: bool
) -> dict[str, Any]:
    return {
        "call": call,
        "open": _is_open(call),
        "years": budget_years(call),
        "org_types": _org_types(call, lang),
        "modalities": _modalities(call, lang),
        "values": typed,
        "key": key,
        "errors": errors,
        "ask_entity": ask_entity,
        "budget": total(call.get("budget_by_year")),
    }


@router.get("/{call_id}/apply")
async def apply_form(request: Request, lang: Language, call_id: uuid.UUID) -> Response:
    session, api = await _entity_page(request, lang)
    call = await _open_call(api, call_id)
    typed = apply_typed({}, call)
    modalities = call.get("modalities") or []
    if len(modalities) == 1:
        typed["modality"] = str(modalities[0]["code"])
    org_types = _org_types(call, lang)
    if len(org_types) == 1:
        typed["entity_org_type"] = org_types[0][0]
    # An entity with an application is registered; a first one also gives its entity's details.
    ask_entity = not await calls_api.own_applications(api)
    # One key per form shown: sending it twice (a double click, a retry) is one application.
    context = _apply_context(call, lang, typed, idempotency_key(), [], ask_entity)
    return page(request, session, lang, "console/calls/apply.html", context)


@router.post("/{call_id}/apply")
async def apply_send(request: Request, lang: Language, call_id: uuid.UUID) -> Response:
    session, api = await _entity_page(request, lang)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    call = await _open_call(api, call_id)
    typed = apply_typed(form, call)
    key = _key(form)
    ask_entity = form.get("ask_entity") == "1"
    taken: Problem | None = None
    entity_values = {name: typed[name] for name in ENTITY_FIELDS}
    if entity_typed(typed):
        registered = await calls_api.register_entity(api, entity_body(typed, session.tenant))
        # Taken: this tenant is registered already, or the tax id is another's (the application says which).
        taken = registered if isinstance(registered, Problem) and registered.status == 409 else None
        if isinstance(registered, Problem) and taken is None:
            errors = dedupe(errors_of(registered, entity_field))
            context = _apply_context(call, lang, typed, key, errors, True)
            return page(request, session, lang, "console/calls/apply.html", context, status=_status(registered))
        typed.update({name: "" for name in ENTITY_FIELDS})
        ask_entity = False
    answer = await calls_api.apply(api, str(call_id), application_body(typed, call, lang), key)
    if isinstance(answer, dict):
        location = f"/{lang}/console/calls/applications/{answer['id']}?done=applied"
        return finish(request, RedirectResponse(location, status_code=303))
    if answer.status == 404:
        # The call is there (read above): what the API does not know is the entity, whose details
        # this form's first part gives.
        missing = Formats(lang).gettext("Your entity is not registered yet: give its details first.")
        errors = [
            FieldError("entity_tax_id", taken.detail or taken.title) if taken else FieldError("entity_name", missing)
        ]
        context = _apply_context(call, lang, {**typed, **entity_values}, key, errors, True)
        return page(request, session, lang, "console/calls/apply.html", context, status=422)
    errors = dedupe(errors_of(answer, application_field(call)))
    context = _apply_context(call, lang, typed, key, errors, ask_entity)
    return page(request, session, lang, "console/calls/apply.html", context, status=_status(answer))


# --- An application and its later steps -----------------------------------------------------------

STEP_INPUTS = {
    "objection": {"text": "objection_text", "documents": "objection_documents"},
    "acceptance": {"reformulation": "reformulation"},
    "renunciation": {"reason": "renounce_reason"},
    "documents": {"title": "doc_title", "file": "doc_file"},
}
ACTIONS = ("documents", "objection", "hearing-waiver", "acceptance", "renunciation", "justification")


def _allowed(application: dict[str, Any], call: dict[str, Any]) -> dict[str, Any]:
    """Which of the entity's steps the API would take now (it checks again, and has the last word)."""
    state = application["state"]
    hearing = (
        state in HEARING and call.get("status") == "provisionally-resolved" and application.get("objection") is None
    )
    paid = any(o.get("status") == "paid" for o in application.get("payment_orders") or [])
    purposes = [
        purpose
        for purpose, states in UPLOADS.items()
        if state in states
        and (purpose != "application" or _is_open(call))
        and (purpose != "objection" or hearing or state == "objected")
    ]
    return {
        "object": hearing,
        "accept": state == "granted",
        "renounce": state in ("granted", "accepted") and not paid,
        "justify": state in ("accepted", "in-execution"),
        "upload": purposes,
        "partial": state == "granted" and total(application.get("granted")) != total(application.get("requested")),
    }


async def _application_context(api: ConsoleApi, application_id: uuid.UUID, lang: str) -> dict[str, Any]:
    application = await calls_api.application(api, str(application_id))
    if application is None:
        raise HTTPException(status_code=404)
    call = await calls_api.call(api, str(application["call_id"]))
    if call is None:
        raise HTTPException(status_code=404)
    resolution = None
    if call.get("status") in ("provisionally-resolved", "resolved"):
        resolution = await calls_api.resolution(api, str(call["id"]))
    rows = line_rows(call)
    context = {
        "application": application,
        "call": call,
        "resolution": resolution,
        "documents": await calls_api.documents(api, str(application_id)),
        "allowed": _allowed(application, call),
        "rows": rows,
        "requested_total": total(application.get("requested")),
        "granted_total": total(application.get("granted")),
        "values": {
            "objection_text": "",
            "reformulation": "",
            "renounce_reason": "",
            "doc_title": "",
            "doc_file": "",
            "doc_purpose": "",
            **justification_typed({}, rows),
        },
        "purpose_labels": purpose_labels(Formats(lang).gettext),
        "chosen": [],
        "errors": [],
        "failed": "",
    }
    return context


@router.get("/applications/{application_id}")
async def application_page(request: Request, lang: Language, application_id: uuid.UUID, done: str = "") -> Response:
    session, api = await _entity_page(request, lang)
    context = await _application_context(api, application_id, lang)
    return page(request, session, lang, "console/calls/application.html", {**context, "done": done})


async def _uploaded(api: ConsoleApi, application_id: str, form: Any, typed: dict[str, str]) -> dict[str, Any] | Problem:
    upload = form.get("doc_file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return Problem(422, "", "", [{"field": "file", "message": ""}])
    content = await upload.read(MAX_UPLOAD_BYTES + 1)  # one byte more tells it is too large
    if len(content) > MAX_UPLOAD_BYTES:
        return Problem(413, "", "", [{"field": "file", "message": "too-large"}])
    return await calls_api.upload(
        api,
        application_id,
        typed["doc_purpose"],
        typed["doc_title"],
        upload.filename,
        content,
        upload.content_type or "application/octet-stream",
    )


@router.post("/applications/{application_id}/{action}")
async def application_step(request: Request, lang: Language, application_id: uuid.UUID, action: str) -> Response:
    session, api = await _entity_page(request, lang)
    if action not in ACTIONS:
        raise HTTPException(status_code=404)
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    context = await _application_context(api, application_id, lang)
    chosen = [str(v) for v in raw.getlist("documents") if isinstance(v, str)]
    typed = {
        k: str(form.get(k, "")).strip() for k in ("objection_text", "reformulation", "renounce_reason", "doc_title")
    }
    typed["doc_purpose"] = form.get("doc_purpose", "")
    field_of = step_field(STEP_INPUTS.get(action, {}))
    answer: dict[str, Any] | Problem
    if action == "documents":
        answer = await _uploaded(api, str(application_id), raw, typed)
        if isinstance(answer, Problem) and not answer.title:  # refused here: said in the page's words
            _ = Formats(lang).gettext
            message = (
                _("The file is larger than the platform takes (20 MB).")
                if answer.status == 413
                else _("Choose a file to add.")
            )
            answer = Problem(answer.status, message, message, [{"field": "file", "message": message}])
    elif action == "objection":
        answer = await calls_api.step(
            api, str(application_id), "objection", {"text": typed["objection_text"], "documents": chosen}
        )
    elif action == "hearing-waiver":
        answer = await calls_api.step(api, str(application_id), "hearing-waiver", None)
    elif action == "acceptance":
        body = {"reformulation": typed["reformulation"]} if typed["reformulation"] else {}
        answer = await calls_api.step(api, str(application_id), "acceptance", body)
    elif action == "renunciation":
        answer = await calls_api.step(api, str(application_id), "renunciation", {"reason": typed["renounce_reason"]})
    else:
        rows = context["rows"]
        lines = justification_typed(form, rows)
        typed.update(lines)
        wanted = justification_body(lines, rows, chosen, lang)
        answer = await calls_api.step(api, str(application_id), "justification", wanted.body)
        field_of = justification_field(wanted, rows)
    if isinstance(answer, dict):
        location = f"/{lang}/console/calls/applications/{application_id}?done={action}"
        return finish(request, RedirectResponse(location, status_code=303))
    errors = dedupe(errors_of(answer, field_of))
    context.update(values={**context["values"], **typed}, chosen=chosen, errors=errors, failed=action, done="")
    return page(request, session, lang, "console/calls/application.html", context, status=_status(answer))


@router.get("/applications/{application_id}/documents/{document_id}")
async def document_download(
    request: Request, lang: Language, application_id: uuid.UUID, document_id: uuid.UUID
) -> Response:
    _, api = await _entity_page(request, lang)
    response = await calls_api.download(api, str(application_id), str(document_id))
    if response.status_code != 200:
        raise HTTPException(status_code=404 if response.status_code in (403, 404) else 502)
    headers = {
        name: response.headers[name] for name in ("content-disposition", "repr-digest") if name in response.headers
    }
    headers.update({"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    media = response.headers.get("content-type", "application/octet-stream")
    return finish(request, Response(response.content, media_type=media, headers=headers))
