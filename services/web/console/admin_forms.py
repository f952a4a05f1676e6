"""The administration forms: what an administrator typed turned into the users API's JSON, and the
API's problems into errors beside each field, in the administrator's language (the users API names
the field; the words here say how to put it right)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.datastructures import FormData

from services.web.console.api import Problem
from services.web.console.forms import FieldError

INVITE_FIELDS = ("email", "name", "locale", "tenant", "tenant_kind")
INVITATION_LOCALES = ("ca", "es", "en")  # the gateway's own pages speak these


def text_fields(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()[:300] for name in names}


def chosen_roles(form: FormData) -> list[str]:
    """Every ticked role (a form sends one `roles` value per box)."""
    return [str(v)[:50] for v in form.getlist("roles") if isinstance(v, str)][:20]


def user_field(error: dict[str, Any]) -> str:
    return str(error.get("field", "")).split(".")[0]


def field_messages(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {
        "email": _("Enter an email address, like name@example.org"),
        "name": _("Enter the person's name"),
        "roles": _("Choose at least one role this organisation's people may hold"),
        "tenant": _("Enter the organisation's code: letters, digits, dots, dashes and underscores"),
        "tenant_kind": _("Choose the kind of organisation this code belongs to"),
        "locale": _("Choose Catalan, Spanish or English"),
    }


def user_errors(problem: Problem, gettext: Callable[[str], str], fields: tuple[str, ...]) -> list[FieldError]:
    """One error per field the API named (a taken email says so), else the problem's own words."""
    _ = gettext
    messages = field_messages(gettext)
    found: list[FieldError] = []
    for error in problem.errors:
        name = user_field(error)
        if problem.status == 409 and name == "email":
            found.append(FieldError("email", _("A person with this email already has a user")))
        elif name in messages:
            found.append(FieldError(name if name in fields else "", messages[name]))
    if not found:
        if problem.status == 403:
            found.append(FieldError("", _("You may not give these roles or act on this user.")))
        else:
            found.append(FieldError("", problem.detail or problem.title))
    return list(dict.fromkeys(found))
