"""Administrators: the people of a tenant (a platform administrator picks the tenant), inviting one,
changing their roles, disabling them; and, for platform administrators, the token signing keys.

Every action is a call to the gateway's API as the administrator: the gateway enforces the tenant
and the roles; these pages only offer what the person may do."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.responses import RedirectResponse, Response

from services.web.console import admin_api
from services.web.console.admin_forms import (
    INVITATION_LOCALES,
    INVITE_FIELDS,
    chosen_roles,
    text_fields,
    user_errors,
)
from services.web.console.admin_roles import (
    PLATFORM_ADMIN,
    ROLES_OF_KIND,
    TENANT_KINDS,
    kind_labels,
    offered_roles,
    role_labels,
    state_labels,
    state_of,
)
from services.web.console.api import ConsoleApi, Problem
from services.web.console.auth import console_of, csrf_ok, finish, require_session
from services.web.console.forms import FieldError
from services.web.console.kit import ADMIN_ROLES, Language, api_for, forbidden, only, page
from services.web.console.session import Session
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console/admin")

# The invitation link, carried over the redirect after the invite to be shown once: sealed (the
# session's key), bound to the session, for this path only, and dropped by the page that shows it.
LINK_COOKIE, LINK_PURPOSE, LINK_SECONDS = "xarxa_admin_link", "admin-link", 300
_USER_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
TenantQuery = Annotated[str, Query(max_length=100)]
KindQuery = Annotated[str, Query(max_length=20)]


def _platform(session: Session) -> bool:
    return session.has(PLATFORM_ADMIN)


def _labels(lang: str) -> dict[str, Any]:
    gettext = Formats(lang).gettext
    return {"role_labels": role_labels(gettext), "kind_labels": kind_labels(gettext), "states": state_labels(gettext)}


async def _own_kind(api: ConsoleApi, session: Session) -> str:
    """The administrator's tenant kind as the users API knows it (an entity's tokens say partner)."""
    me = await admin_api.user(api, session.sub)
    return str(me["tenant_kind"]) if me else session.tenant_kind


async def _managed(api: ConsoleApi, user_id: str) -> dict[str, Any]:
    # An id is put in the API's path: only the characters ids are made of (no "..", no "?").
    if not _USER_ID.fullmatch(user_id):
        raise HTTPException(status_code=404)
    found = await admin_api.user(api, user_id)
    if found is None:  # another tenant's user is not there for this administrator
        raise HTTPException(status_code=404)
    return found


def _changeable(session: Session, user: dict[str, Any]) -> bool:
    return user["id"] != session.sub and (_platform(session) or PLATFORM_ADMIN not in user["roles"])


# --- The people of the tenant ------------------------------------------------------------------


@router.get("/users")
async def users(request: Request, lang: Language, tenant: TenantQuery = "") -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    api = api_for(request, session, lang)
    shown = tenant.strip() if _platform(session) and tenant.strip() else session.tenant
    listed = await admin_api.users(api, shown)
    console = console_of(request)
    sealed = console.box.open(LINK_PURPOSE, request.cookies.get(LINK_COOKIE), LINK_SECONDS)
    invited = sealed if sealed and sealed.get("sid") == session.sid else None
    context = {
        "tenant": shown,
        "platform": _platform(session),
        "users": [{**u, "state": state_of(u)} for u in listed],
        "invited": invited,
        **_labels(lang),
    }
    response = page(request, session, lang, "console/admin/users.html", context)
    if request.cookies.get(LINK_COOKIE):
        response.delete_cookie(LINK_COOKIE, path=f"/{lang}/console/admin", secure=console.secure, httponly=True)
    return response


async def _invite_context(api: ConsoleApi, session: Session, tenant: str, kind: str) -> dict[str, Any] | None:
    """The tenant and kind the form invites into, or None when a platform administrator is yet to
    choose them."""
    if not _platform(session):
        return {"tenant": session.tenant, "kind": await _own_kind(api, session)}
    if tenant and kind in TENANT_KINDS:
        return {"tenant": tenant, "kind": kind}
    return None


def _invite_page(
    request: Request,
    session: Session,
    lang: str,
    target: dict[str, Any],
    values: dict[str, str],
    roles: list[str],
    errors: list[FieldError],
    status: int = 200,
) -> Response:
    context = {
        **target,
        "platform": _platform(session),
        "offered": offered_roles(target["kind"], _platform(session)),
        "values": values,
        "chosen": roles,
        "errors": errors,
        "locales": INVITATION_LOCALES,
        **_labels(lang),
    }
    return page(request, session, lang, "console/admin/invite.html", context, status)


@router.get("/users/new")
async def invite_form(request: Request, lang: Language, tenant: TenantQuery = "", kind: KindQuery = "") -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    api = api_for(request, session, lang)
    target = await _invite_context(api, session, tenant.strip(), kind)
    if target is None:
        values = {"tenant": tenant.strip() or session.tenant, "tenant_kind": kind or "institution"}
        context = {"values": values, "kinds": TENANT_KINDS, "errors": [], **_labels(lang)}
        return page(request, session, lang, "console/admin/invite_tenant.html", context)
    values = {"email": "", "name": "", "locale": lang if lang in INVITATION_LOCALES else "en"}
    return _invite_page(request, session, lang, target, values, [], [])


@router.post("/users/new")
async def invite(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    form = await request.form()
    fields = text_fields(form, ("csrf_token", *INVITE_FIELDS))
    if not csrf_ok(request, session, fields):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    target = await _invite_context(api, session, fields["tenant"], fields["tenant_kind"])
    if target is None:
        raise HTTPException(status_code=404)
    roles = chosen_roles(form)
    body = {
        "email": fields["email"],
        "name": fields["name"],
        "tenant": target["tenant"],
        "tenant_kind": target["kind"],
        "roles": roles,
        "locale": fields["locale"],
    }
    answer = await admin_api.invite(api, body)
    if isinstance(answer, Problem):
        errors = user_errors(answer, Formats(lang).gettext, ("email", "name", "roles", "locale"))
        return _invite_page(request, session, lang, target, fields, roles, errors, status=422)
    console = console_of(request)
    shown = {"sid": session.sid, "link": answer["link"], "name": answer["user"]["name"]}
    shown |= {"email": answer["user"]["email"], "expires_at": answer["expires_at"]}
    back = f"?{urlencode({'tenant': target['tenant']})}" if _platform(session) else ""
    response = RedirectResponse(f"/{lang}/console/admin/users{back}", status_code=303)
    response.set_cookie(
        LINK_COOKIE,
        console.box.seal(LINK_PURPOSE, shown),
        max_age=LINK_SECONDS,
        path=f"/{lang}/console/admin",
        secure=console.secure,
        httponly=True,
        samesite="strict",
    )
    return finish(request, response)


# --- One person --------------------------------------------------------------------------------


def _user_page(
    request: Request,
    session: Session,
    lang: str,
    user: dict[str, Any],
    chosen: list[str],
    errors: list[FieldError],
    saved: str = "",
    status: int = 200,
) -> Response:
    platform = _platform(session)
    # Their kind's roles; one they hold that this administrator may not grant stays as it is.
    offered = [r for r in ROLES_OF_KIND.get(user["tenant_kind"], ()) if platform or r != PLATFORM_ADMIN]
    context = {
        "user": {**user, "state": state_of(user)},
        "offered": offered,
        "chosen": chosen,
        "errors": errors,
        "saved": saved,
        "changeable": _changeable(session, user) and not user.get("disabled_at"),
        **_labels(lang),
    }
    return page(request, session, lang, "console/admin/user.html", context, status)


@router.get("/users/{user_id}")
async def user_page(
    request: Request, lang: Language, user_id: str, saved: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    user = await _managed(api_for(request, session, lang), user_id)
    saved = saved if saved in ("roles", "disabled") else ""
    return _user_page(request, session, lang, user, list(user["roles"]), [], saved)


@router.post("/users/{user_id}/roles")
async def roles_save(request: Request, lang: Language, user_id: str) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    form = await request.form()
    if not csrf_ok(request, session, text_fields(form, ("csrf_token",))):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    user = await _managed(api, user_id)
    roles = chosen_roles(form)
    answer = await admin_api.set_roles(api, user["id"], roles)
    if isinstance(answer, Problem):
        errors = user_errors(answer, Formats(lang).gettext, ("roles",))
        return _user_page(request, session, lang, user, roles, errors, status=422)
    return finish(request, RedirectResponse(f"/{lang}/console/admin/users/{user['id']}?saved=roles", status_code=303))


@router.get("/users/{user_id}/disable")
async def disable_confirm(request: Request, lang: Language, user_id: str) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    user = await _managed(api_for(request, session, lang), user_id)
    if not _changeable(session, user) or user.get("disabled_at"):
        raise HTTPException(status_code=404)
    return page(request, session, lang, "console/admin/disable.html", {"user": user, "errors": []})


@router.post("/users/{user_id}/disable")
async def disable(request: Request, lang: Language, user_id: str) -> Response:
    session = await require_session(request, lang)
    only(session, ADMIN_ROLES)
    form = await request.form()
    if not csrf_ok(request, session, text_fields(form, ("csrf_token",))):
        return forbidden(request, session, lang)
    api = api_for(request, session, lang)
    user = await _managed(api, user_id)
    answer = await admin_api.disable(api, user["id"])
    if isinstance(answer, Problem):
        errors = user_errors(answer, Formats(lang).gettext, ())
        return page(request, session, lang, "console/admin/disable.html", {"user": user, "errors": errors}, 409)
    return finish(
        request, RedirectResponse(f"/{lang}/console/admin/users/{user['id']}?saved=disabled", status_code=303)
    )


# --- Signing keys (platform administrators) -----------------------------------------------------


@router.get("/keys")
async def keys(request: Request, lang: Language, rotated: Annotated[str, Query(max_length=40)] = "") -> Response:
    session = await require_session(request, lang)
    only(session, (PLATFORM_ADMIN,))
    listed = await admin_api.keys(api_for(request, session, lang))
    signing = next((k["kid"] for k in listed if k["state"] == "signing"), "")
    context = {"keys": listed, "rotated": rotated if rotated and rotated == signing else ""}
    return page(request, session, lang, "console/admin/keys.html", context)


@router.get("/keys/rotate")
async def rotate_confirm(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, (PLATFORM_ADMIN,))
    return page(request, session, lang, "console/admin/rotate.html", {"errors": []})


@router.post("/keys/rotate")
async def rotate(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, (PLATFORM_ADMIN,))
    form = await request.form()
    if not csrf_ok(request, session, text_fields(form, ("csrf_token",))):
        return forbidden(request, session, lang)
    answer = await admin_api.rotate_key(api_for(request, session, lang))
    if isinstance(answer, Problem):
        errors = [FieldError("", answer.detail or answer.title)]
        return page(request, session, lang, "console/admin/rotate.html", {"errors": errors}, 502)
    return finish(request, RedirectResponse(f"/{lang}/console/admin/keys?rotated={answer['kid']}", status_code=303))
