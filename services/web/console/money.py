"""Officers and finance officers: a project's money as the funding API holds it (budgets,
commitments, disbursements, expenditure; each in its own currency and in euros with the rate
it was booked at), and the forms that book it. A booking goes through a confirmation step that
shows the rate the funding service holds for its date and the euros that makes; saving then
sends it with the Idempotency-Key of the form first shown, so a double submit books once."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from services.web.console import money_api
from services.web.console.api import ConsoleApi, Problem, idempotency_key
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import FieldError, errors_of
from services.web.console.kit import (
    FINANCE_ROLES,
    Language,
    api_for,
    dedupe,
    forbidden,
    form_of,
    only,
    page,
    visible_project,
)
from services.web.console.money_forms import (
    KINDS,
    REVERSAL_FIELDS,
    MoneyFormats,
    amount_of,
    blank,
    body_of,
    by_kind,
    currency_of,
    date_field,
    entries,
    field_of,
    labels,
    readable,
    reversal_body,
    typed_of,
)
from services.web.console.session import Session
from services.web.gateway_client import ApiError, Gateway
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console")
CODELISTS = ("instruments", "TransactionType", "BudgetType", "BudgetStatus")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise HTTPException(status_code=404)
    return kind


def _key(form: dict[str, str]) -> str:
    """The form's own key, or a new one for a form that lost it (never one the client made up)."""
    try:
        return str(uuid.UUID(form.get("key", "")[:100]))
    except ValueError:
        return idempotency_key()


async def _signed_in(request: Request, lang: str, project_id: uuid.UUID) -> tuple[Session, ConsoleApi, dict[str, Any]]:
    session = await require_session(request, lang)
    only(session, FINANCE_ROLES)
    api = api_for(request, session, lang)
    project, _ = await visible_project(api, project_id)
    return session, api, project


async def _ledger(api: ConsoleApi, project_id: uuid.UUID) -> money_api.Ledger | None:
    """None: the funding service holds no money of this project for this person (another
    institution's project, or one so new that its event has not reached the service yet)."""
    try:
        return await money_api.ledger(api, str(project_id))
    except ApiError as exc:
        if exc.status in (403, 404):
            return None
        raise HTTPException(status_code=502) from exc


async def _reference(request: Request, api: ConsoleApi, institution: str) -> dict[str, Any]:
    """Sources of funds the API lists for the institution, and the codelists' labels."""
    gateway: Gateway = request.app.state.gateway
    try:
        listed = await money_api.sources(api, institution)
        codes = {name: await gateway.projects.codelist(name) for name in CODELISTS}
    except ApiError as exc:
        raise HTTPException(status_code=502) from exc
    return {"sources": listed, "source_names": {str(s["id"]): s["name"] for s in listed}, "codes": codes}


def _not_held(request: Request, session: Session, lang: str, project: dict[str, Any]) -> Response:
    return page(request, session, lang, "console/money/not_held.html", {"project": project}, status=404)


@router.get("/projects/{project_id}/money")
async def money(request: Request, lang: Language, project_id: uuid.UUID, saved: str = "") -> Response:
    session, api, project = await _signed_in(request, lang, project_id)
    held = await _ledger(api, project_id)
    if held is None:
        return _not_held(request, session, lang, project)
    lines = entries(held.budget_lines)
    every = [*held.transactions, *held.budget_lines]
    context = {
        "project": project,
        "budgets": lines,
        "kinds": by_kind(held.transactions),
        "totals": held.summary["totals"],
        "saved": next((row for row in every if str(row["id"]) == saved), None),
        "m": MoneyFormats(lang),
        **await _reference(request, api, str(project["owner"])),
    }
    return page(request, session, lang, "console/money/list.html", context)


def _form_context(
    project: dict[str, Any], kind: str, typed: dict[str, str], key: str, errors: list[FieldError]
) -> dict[str, Any]:
    return {"project": project, "kind": kind, "values": typed, "key": key, "errors": errors}


@router.get("/projects/{project_id}/money/{kind}")
async def money_form(request: Request, lang: Language, project_id: uuid.UUID, kind: str) -> Response:
    _kind(kind)
    session, api, project = await _signed_in(request, lang, project_id)
    # One key per form shown: saving it twice (a double click, a retry, the back button) books once.
    context = {
        **_form_context(project, kind, blank(kind), idempotency_key(), []),
        **await _reference(request, api, str(project["owner"])),
    }
    return page(request, session, lang, "console/money/form.html", context)


@router.post("/projects/{project_id}/money/{kind}")
async def money_send(request: Request, lang: Language, project_id: uuid.UUID, kind: str) -> Response:
    _kind(kind)
    session = await require_session(request, lang)
    only(session, FINANCE_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    _, api, project = await _signed_in(request, lang, project_id)
    typed, key = typed_of(form, kind), _key(form)
    gettext = Formats(lang).gettext
    reference = await _reference(request, api, str(project["owner"]))

    def again(errors: list[FieldError], status: int) -> Response:
        context = {**_form_context(project, kind, typed, key, dedupe(errors)), **reference}
        return page(request, session, lang, "console/money/form.html", context, status=status)

    step = form.get("step", "confirm")
    if step == "change":
        return again([], 200)
    if step == "save":
        answer = await money_api.book(api, str(project_id), kind, body_of(typed, kind, lang), key)
        if isinstance(answer, Problem):
            return again(errors_of(answer, field_of(kind), labels(gettext)), answer.status)
        target = f"/{lang}/console/projects/{project_id}/money?saved={answer['id']}"
        return finish(request, RedirectResponse(target, status_code=303))
    unreadable = readable(typed, kind, lang, gettext)
    if unreadable:
        return again(unreadable, 422)
    amount = amount_of(typed["amount"], lang)
    assert amount is not None
    currency = currency_of(typed)
    preview: dict[str, Any] = {"currency": currency, "amount": amount, "rate": None, "eur": None}
    if currency == "EUR":
        preview["eur"] = amount
    else:
        # The funding service's own conversion: the rate of the date, or its latest one shortly before.
        valued = await money_api.valued(api, currency, amount, typed[date_field(kind)])
        if isinstance(valued, Problem):
            return again(errors_of(valued, field_of(kind), labels(gettext)), 422)
        if valued is not None:
            preview.update(rate=valued.rate, eur=valued.eur)
    context = {
        **_form_context(project, kind, typed, key, []),
        **reference,
        "preview": preview,
        "date_name": date_field(kind),
        "m": MoneyFormats(lang),
    }
    return page(request, session, lang, "console/money/confirm.html", context)


async def _entry(api: ConsoleApi, project_id: uuid.UUID, transaction_id: uuid.UUID) -> dict[str, Any]:
    held = await _ledger(api, project_id)
    found = next((r for r in (held.transactions if held else []) if str(r["id"]) == str(transaction_id)), None)
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _reversal_context(
    project: dict[str, Any], entry: dict[str, Any], typed: dict[str, str], key: str, errors: list[FieldError], lang: str
) -> dict[str, Any]:
    return {
        "project": project,
        "entry": entry,
        "values": typed,
        "key": key,
        "errors": errors,
        "m": MoneyFormats(lang),
    }


@router.get("/projects/{project_id}/money/entries/{transaction_id}/reverse")
async def reversal_form(request: Request, lang: Language, project_id: uuid.UUID, transaction_id: uuid.UUID) -> Response:
    session, api, project = await _signed_in(request, lang, project_id)
    entry = await _entry(api, project_id, transaction_id)
    typed = dict.fromkeys(REVERSAL_FIELDS, "")
    context = _reversal_context(project, entry, typed, idempotency_key(), [], lang)
    return page(request, session, lang, "console/money/reverse.html", context)


@router.post("/projects/{project_id}/money/entries/{transaction_id}/reverse")
async def reversal_send(request: Request, lang: Language, project_id: uuid.UUID, transaction_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    only(session, FINANCE_ROLES)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    _, api, project = await _signed_in(request, lang, project_id)
    entry = await _entry(api, project_id, transaction_id)
    typed = {name: form.get(name, "").strip() for name in REVERSAL_FIELDS}
    key = _key(form)
    answer = await money_api.reverse(api, str(transaction_id), reversal_body(typed), key)
    if isinstance(answer, Problem):
        errors = dedupe(errors_of(answer, field_of("reversal"), labels(Formats(lang).gettext)))
        context = _reversal_context(project, entry, typed, key, errors, lang)
        return page(request, session, lang, "console/money/reverse.html", context, status=answer.status)
    target = f"/{lang}/console/projects/{project_id}/money?saved={answer['id']}"
    return finish(request, RedirectResponse(target, status_code=303))
