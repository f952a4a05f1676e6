"""Administrators: the API clients of a tenant (systems that call the API with the OAuth2
client-credentials grant): the list, a new client (its secret shown once), revoking one.

Every action is a call to the gateway's /api/gateway/clients as the administrator: the gateway
decides the tenant and which scopes may be granted (it lists them), these pages only offer them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from services.web.console.admin_forms import text_fields, user_field
from services.web.console.admin_roles import PLATFORM_ADMIN, TENANT_KINDS, kind_labels
from services.web.console.api import ConsoleApi, Problem, problem_of
from services.web.console.auth import console_of, csrf_ok, finish, require_session
from services.web.console.forms import FieldError
from services.web.console.kit import ADMIN_ROLES, Language, api_for, forbidden, only, page
from services.web.console.session import Session
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console/admin/clients")

CLIENTS = "/api/gateway/clients"
# The new client's secret, carried over the redirect to be shown once: sealed with the session's
# key, bound to the session, for this path only, dropped by the page that shows it.
SECRET_COOKIE, SECRET_PURPOSE, SECRET_SECONDS = "xarxa_admin_secret", "admin-client-secret", 300
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
TenantQuery = Annotated[str, Query(max_length=100)]


# --- The gateway's API -------------------------------------------------------------------------


async def _listing(api: ConsoleApi, tenant: str) -> dict[str, Any]:
    """The tenant's clients (a tenant administrator's own whatever is asked) and what may be granted."""
    return dict(await api.get_json(CLIENTS, {"tenant": tenant} if tenant else None))


async def _create(api: ConsoleApi, body: dict[str, Any]) -> dict[str, Any] | Problem:
    response = await api.send("POST", CLIENTS, json=body)
    return dict(response.json()) if response.status_code == 201 else problem_of(response)


async def _revoke(api: ConsoleApi, client_id: str) -> dict[str, Any] | Problem:
    response = await api.send("POST", f"{CLIENTS}/{client_id}/revoke")
    return dict(response.json()) if response.status_code == 200 else problem_of(response)


# --- Helpers -----------------------------------------------------------------------------------


def _platform(session: Session) -> bool:
    return session.has(PLATFORM_ADMIN)


def _tenant(session: Session, asked: str) -> str:
    return asked.strip() if _platform(session) and asked.strip() else session.tenant


def _back(session: Session, tenant: str) -> str:
    return f"?{urlencode({'tenant': tenant})}" if _platform(session) else ""


def _messages(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {
        "name": _("Enter a name for the client, like the system that will use it"),
        "scopes": _("Choose at least one scope from those offered"),
        "tenant": _("Enter the organisation's code: letters, digits, dots, dashes and underscores"),
        "tenant_kind": _("Choose the kind of organisation this code belongs to"),
    }


def _errors(problem: Problem, gettext: Callable[[str], str]) -> list[FieldError]:
    """One error beside each field the API named, else the problem's own words."""
    messages = _messages(gettext)
    found = [FieldError(user_field(e), messages[user_field(e)]) for e in problem.errors if user_field(e) in messages]
    if not found:
        found = [FieldError("", problem.detail or problem.title)]
    return list(dict.fromkeys(found))


def _chosen(form: FormData) -> list[str]:
    return [str(v)[:50] for v in form.getlist("scopes") if isinstance(v, str)][:20]


async def _client(api: ConsoleApi, tenant: str, client_id: str) -> dict[str, Any]:
    # An id is put in the API's path: only the characters ids are made of.
    if not _CLIENT_ID.fullmatch(client_id):
        raise HTTPException(status_code=404)
    items: list[dict[str, Any]] = (await _listing(api, tenant))["items"]
    found = next((c for c in items if c["client_id"] == client_id), None)
    if found is None:  # another tenant's client is not there for this administrator
        raise HTTPException(status_code=404)
    return found


# --- Pages -------------------------------------------------------------------------------------


@router.get("")
async def clients(
    request: Request, lang: Language, tenant: TenantQuery = "", revoked: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    shown = _tenant(session, tenant)
    listing = await _listing(api_for(request, session, lang), shown)
    console = console_of(request)
    sealed = console.box.open(SECRET_PURPOSE, request.cookies.get(SECRET_COOKIE), SECRET_SECONDS)
    created = sealed if sealed and sealed.get("sid") == session.sid else None
    names = {c["client_id"]: c["name"] for c in listing["items"] if c["state"] == "revoked"}
    context = {
        "tenant": shown,
        "platform": _platform(session),
        "clients": listing["items"],
        "created": created,
        "revoked": names.get(revoked, ""),
    }
    response = page(request, session, lang, "console/admin/clients.html", context)
    if request.cookies.get(SECRET_COOKIE):
        response.delete_cookie(SECRET_COOKIE, path=f"/{lang}/console/admin", secure=console.secure, httponly=True)
    return response


async def _form(
    request: Request,
    session: Session,
    lang: str,
    values: dict[str, str],
    chosen: list[str],
    errors: list[FieldError],
    status: int = 200,
) -> Response:
    # What this administrator may grant, as the gateway says (a platform administrator: any scope).
    grantable = (await _listing(api_for(request, session, lang), session.tenant))["grantable_scopes"]
    context = {
        "platform": _platform(session),
        "grantable": grantable,
        "values": values,
        "chosen": chosen,
        "errors": errors,
        "kinds": TENANT_KINDS,
        "kind_labels": kind_labels(Formats(lang).gettext),
    }
    return page(request, session, lang, "console/admin/clients_new.html", context, status)


@router.get("/new")
async def new_form(request: Request, lang: Language, tenant: TenantQuery = "") -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    values = {"name": "", "tenant": _tenant(session, tenant), "tenant_kind": session.tenant_kind}
    return await _form(request, session, lang, values, [], [])


@router.post("/new")
async def create(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    form = await request.form()
    fields = text_fields(form, ("csrf_token", "name", "tenant", "tenant_kind"))
    if not csrf_ok(request, session, fields):
        return forbidden(request, session, lang)
    chosen = _chosen(form)
    body: dict[str, Any] = {"name": fields["name"], "scopes": chosen}
    if _platform(session):
        body |= {"tenant": fields["tenant"] or session.tenant, "tenant_kind": fields["tenant_kind"]}
    answer = await _create(api_for(request, session, lang), body)
    if isinstance(answer, Problem):
        errors = _errors(answer, Formats(lang).gettext)
        if not chosen and not any(e.field == "scopes" for e in errors):
            errors.append(FieldError("scopes", _messages(Formats(lang).gettext)["scopes"]))
        return await _form(request, session, lang, fields, chosen, errors, status=422)
    client = answer["client"]
    shown = {"sid": session.sid, "client_id": client["client_id"], "name": client["name"]}
    shown |= {"secret": answer["client_secret"]}
    response = RedirectResponse(f"/{lang}/console/admin/clients{_back(session, client['tenant'])}", status_code=303)
    console = console_of(request)
    response.set_cookie(
        SECRET_COOKIE,
        console.box.seal(SECRET_PURPOSE, shown),
        max_age=SECRET_SECONDS,
        path=f"/{lang}/console/admin",
        secure=console.secure,
        httponly=True,
        samesite="strict",
    )
    return finish(request, response)


@router.get("/{client_id}/revoke")
async def revoke_confirm(request: Request, lang: Language, client_id: str, tenant: TenantQuery = "") -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    shown = _tenant(session, tenant)
    client = await _client(api_for(request, session, lang), shown, client_id)
    if client["state"] == "revoked":
        raise HTTPException(status_code=404)
    context = {"client": client, "tenant": shown, "platform": _platform(session), "errors": []}
    return page(request, session, lang, "console/admin/clients_revoke.html", context)


@router.post("/{client_id}/revoke")
async def revoke(request: Request, lang: Language, client_id: str) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    form = await request.form()
    fields = text_fields(form, ("csrf_token", "tenant"))
    if not csrf_ok(request, session, fields):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    shown = _tenant(session, fields["tenant"])
    client = await _client(api, shown, client_id)
    answer = await _revoke(api, client["client_id"])
    if isinstance(answer, Problem):
        context = {"client": client, "tenant": shown, "platform": _platform(session)}
        context["errors"] = _errors(answer, Formats(lang).gettext)
        return page(request, session, lang, "console/admin/clients_revoke.html", context, 409)
    query = urlencode({**({"tenant": shown} if _platform(session) else {}), "revoked": client["client_id"]})
    return finish(request, RedirectResponse(f"/{lang}/console/admin/clients?{query}", status_code=303))
