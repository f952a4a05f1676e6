"""An application of a call, as its grant managers and evaluators handle it: admission (or not,
with the reason), the evaluator's own score sheet (sending it again is a revised version), the
decision on an objection, the grant's payments and the review of its justification line by line;
the sheets of every evaluator, the payment plan and the application's steps."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import RedirectResponse, Response

from services.web.console import grants_api
from services.web.console.api import ConsoleApi, Problem
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import FieldError
from services.web.console.grants_forms import (
    admission_body,
    admission_errors,
    decision_body,
    decision_errors,
    payment_body,
    payment_errors,
    review_body,
    review_errors,
    sheet_body,
    sheet_errors,
)
from services.web.console.kit import GRANT_ROLES, Language, api_for, dedupe, forbidden, form_of, only, page
from services.web.console.session import Session
from services.web.i18n import Formats

router = APIRouter()
MANAGER_ROLES = ("grant-manager",)
EVALUATOR_ROLES = ("evaluator",)


async def _application_or_404(api: ConsoleApi, application_id: uuid.UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    application = await grants_api.application(api, str(application_id))
    call = await grants_api.call(api, str(application["call_id"])) if application else None
    if application is None or call is None:
        raise HTTPException(status_code=404)
    return application, call


def _latest_sheet(application: dict[str, Any], evaluator: str) -> dict[str, Any] | None:
    mine = [s for s in application.get("score_sheets", []) if s["evaluator"] == evaluator]
    return max(mine, key=lambda s: int(s["version"])) if mine else None


def _lines(application: dict[str, Any]) -> list[dict[str, Any]]:
    return list((application.get("justification") or {}).get("lines", []))


def _payable(application: dict[str, Any]) -> set[int]:
    """The numbers of the orders a payment records now: the first due one of each budget year."""
    if application["state"] not in ("accepted", "in-execution", "justified"):
        return set()
    first: dict[int, int] = {}
    for order in sorted(application.get("payment_orders", []), key=lambda o: int(o["number"])):
        if order["status"] == "due":
            first.setdefault(int(order["budget_year"]), int(order["number"]))
    return set(first.values())


def _may_score(call: dict[str, Any], application: dict[str, Any]) -> bool:
    """As the API allows: once the call is closed, and again while an objection is pending."""
    return (call["status"] == "closed" and application["state"] in ("admitted", "scored")) or (
        call["status"] == "provisionally-resolved" and application["state"] == "objected"
    )


async def _page(
    request: Request,
    session: Session,
    lang: str,
    application_id: uuid.UUID,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    api = api_for(request, session, lang)
    application, call = await _application_or_404(api, application_id)
    latest = _latest_sheet(application, session.sub)
    if values is None:  # the evaluator's latest sheet, to revise
        values = {"reason": "", "answer": "", "note": "", "review_note": ""}
        for i in range(len(_lines(application))):
            values.update({f"line_{i}": "", f"reason_{i}": ""})
        for criterion in call["criteria"]:
            points = (latest or {}).get("points", {}).get(criterion["code"])
            values[f"points_{criterion['code']}"] = Formats(lang).number(points) if points is not None else ""
    payable = _payable(application)
    # A payment refused because its order is no longer due: no button left to show it beside.
    buttons = {f"pay_{o['budget_year']}" for o in application.get("payment_orders", []) if o["number"] in payable}
    errors = [
        e if not e.field.startswith("pay_") or e.field in buttons else FieldError("", e.message) for e in errors or []
    ]
    on_file: list[dict[str, Any]] = list(application.get("score_sheets", []))
    sheets = sorted(on_file, key=lambda s: (str(s["evaluator"]), int(s["version"])))
    context: dict[str, Any] = {
        "application": application,
        "call": call,
        "values": values,
        "errors": errors,
        "done": done,
        "manager": session.has(*MANAGER_ROLES),
        "evaluator": session.has(*EVALUATOR_ROLES),
        "may_admit": application["state"] == "submitted" and call["status"] in ("open", "closed"),
        "may_score": _may_score(call, application),
        "may_decide": application["state"] == "objected"
        and (application.get("objection") or {}).get("status") == "pending",
        "latest": latest,
        "payable": payable,
        "may_review": application["state"] == "justified"
        and not (application.get("justification") or {}).get("reviewed_at"),
        "categories": {c["code"]: c["title"] for c in call.get("budget_categories", [])},
        "me": session.sub,
        "sheets": sheets,
    }
    return page(request, session, lang, "console/grants/application.html", context, status=status)


@router.get("/grants/applications/{application_id}")
async def application_page(request: Request, lang: Language, application_id: uuid.UUID, done: str = "") -> Response:
    session = await require_session(request, lang)
    only(session, GRANT_ROLES)
    return await _page(request, session, lang, application_id, done=done if done in STEPS else "")


Step = Callable[[ConsoleApi, str, dict[str, Any]], Awaitable[dict[str, Any] | Problem]]
# Each step: who takes it, its API call, its body from the form, its errors beside the inputs.
STEPS: dict[str, tuple[tuple[str, ...], Step]] = {
    "admission": (MANAGER_ROLES, grants_api.admit),
    "score": (EVALUATOR_ROLES, grants_api.score),
    "decision": (MANAGER_ROLES, grants_api.decide_objection),
    "payment": (MANAGER_ROLES, grants_api.pay),
    "review": (MANAGER_ROLES, grants_api.review_justification),
}


@router.post("/grants/applications/{application_id}/{step}")
async def application_step(request: Request, lang: Language, application_id: uuid.UUID, step: str) -> Response:
    if step not in STEPS:
        raise HTTPException(status_code=404)
    session = await require_session(request, lang)
    roles, send = STEPS[step]
    only(session, roles)
    form = await form_of(request)
    if not csrf_ok(request, session, form):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    application, call = await _application_or_404(api, application_id)
    gettext = Formats(lang).gettext
    line_count = len(_lines(application))
    if step == "admission":
        body = admission_body(form)
    elif step == "score":
        body = sheet_body(form, call["criteria"], lang)
    elif step == "payment":
        body = payment_body(form)
    elif step == "review":
        body = review_body(form, line_count)
    else:
        body = decision_body(form)
    answer = await send(api, str(application_id), body)
    if isinstance(answer, dict):
        target = f"/{lang}/console/grants/applications/{application_id}?done={step}"
        return finish(request, RedirectResponse(target, status_code=303))
    if answer.status == 404:
        raise HTTPException(status_code=404)
    if step == "admission":
        errors = admission_errors(answer)
    elif step == "score":
        errors = sheet_errors(answer)
    elif step == "payment":
        errors = payment_errors(answer, form)
    elif step == "review":
        errors = review_errors(answer, line_count, gettext)
    else:
        errors = decision_errors(answer)
    typed = {k: v for k, v in form.items() if k not in ("csrf_token",)}
    for name in ("note", "reason", "answer", "review_note"):
        typed.setdefault(name, "")
    for i in range(line_count):
        typed.setdefault(f"line_{i}", "")
        typed.setdefault(f"reason_{i}", "")
    for criterion in call["criteria"]:
        typed.setdefault(f"points_{criterion['code']}", "")
    status = answer.status if 400 <= answer.status < 500 else 502
    return await _page(request, session, lang, application_id, typed, dedupe(errors), status)
