"""Everyone's own activity: what the person did through the platform (sign-ins, writes) and what
administrators did to their account, from the gateway's audit trail (GET /api/gateway/audit/mine)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from services.web.console.auth import require_session
from services.web.console.kit import Language, api_for, page
from services.web.i18n import Formats

router = APIRouter(prefix="/{lang}/console")

PAGE_SIZE = 50


def event_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {
        "signin.succeeded": _("Signed in"),
        "signin.locked": _("Sign-in refused: the account is locked"),
        "signin.lockout": _("Account locked after failed sign-ins"),
        "signout": _("Signed out"),
        "token.code-exchanged": _("Session started in the console"),
        "user.invited": _("Invited"),
        "user.invitation-accepted": _("Invitation accepted, password set"),
        "user.password-reset-issued": _("Password reset link issued"),
        "user.disabled": _("Account disabled"),
        "key.rotated": _("Signing key rotated"),
    }


def method_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {"POST": _("Created or sent"), "PUT": _("Replaced"), "PATCH": _("Changed"), "DELETE": _("Deleted")}


def described(entry: dict[str, Any], events: dict[str, str], methods: dict[str, str]) -> str:
    event = str(entry.get("event") or "")
    # Events may carry their object after a colon (federation.provider-added:<id>).
    known = events.get(event.split(":", 1)[0])
    if known:
        return known
    return methods.get(str(entry.get("method")), str(entry.get("method", "")))


@router.get("/audit")
async def my_activity(
    request: Request, lang: Language, before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None
) -> Response:
    session = await require_session(request, lang)
    api = api_for(request, session, lang)
    params = {"limit": str(PAGE_SIZE), "before_id": str(before) if before else ""}
    trail = await api.get_json("/api/gateway/audit/mine", params)
    gettext = Formats(lang).gettext
    events, methods = event_labels(gettext), method_labels(gettext)
    rows = [
        {**entry, "what": described(entry, events, methods), "refused": int(entry["status"]) >= 400}
        for entry in trail["items"]
    ]
    return page(request, session, lang, "console/audit/list.html", {"rows": rows, "next": trail["next_before_id"]})
