"""The roles an administrator offers, by kind of tenant, in words; and a user's state.

The gateway decides (services/gateway/users/roles.py ROLES_OF_KIND, which the web service may not
import): this copy only keeps the form from offering what the API would refuse, and
tests/web/console/test_admin_console.py holds the two equal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

TENANT_KINDS = ("institution", "partner", "entity")
# In the order a form lists them.
ROLES_OF_KIND: dict[str, tuple[str, ...]] = {
    "institution": (
        "officer",
        "finance-officer",
        "grant-manager",
        "evaluator",
        "reviewer",
        "tenant-admin",
        "platform-admin",
    ),
    "partner": ("partner-reporter", "tenant-admin"),
    "entity": ("entity-applicant", "tenant-admin"),
}
PLATFORM_ADMIN = "platform-admin"
USER_STATES = ("invited", "active", "locked", "disabled")


def offered_roles(kind: str, platform: bool) -> tuple[str, ...]:
    """What this administrator may grant in a tenant of `kind`: a tenant administrator never
    grants platform administration."""
    return tuple(r for r in ROLES_OF_KIND.get(kind, ()) if platform or r != PLATFORM_ADMIN)


def role_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {
        "officer": _("Cooperation officer"),
        "finance-officer": _("Finance officer"),
        "grant-manager": _("Grant manager"),
        "evaluator": _("Grant evaluator"),
        "reviewer": _("Reviewer of partner updates"),
        "partner-reporter": _("Partner reporter"),
        "entity-applicant": _("Entity applicant"),
        "tenant-admin": _("Administrator of the organisation"),
        "platform-admin": _("Platform administrator"),
    }


def kind_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {
        "institution": _("Institution"),
        "partner": _("Partner organisation"),
        "entity": _("Entity (NGO)"),
    }


def state_labels(gettext: Callable[[str], str]) -> dict[str, str]:
    _ = gettext
    return {
        "invited": _("Invited, not yet signed up"),
        "active": _("Active"),
        "locked": _("Locked after failed sign-ins"),
        "disabled": _("Disabled"),
    }


def state_of(user: dict[str, Any], now: datetime | None = None) -> str:
    """One word for the person's access, from the users API's fields."""
    now = now or datetime.now(UTC)
    if user.get("disabled_at"):
        return "disabled"
    locked = user.get("locked_until")
    if locked and datetime.fromisoformat(str(locked)) > now:
        return "locked"
    return "active" if user.get("active") else "invited"
