"""The roles people hold, and the API scopes each one grants (shared/auth.py SCOPES).

A user's token carries the union of its roles' scopes. Who may hold a role depends on the kind of
tenant: an institution (the Ajuntament, AMB), a partner organisation (a partner city) or an entity
(an NGO applying to the grant call). The tenant administrator manages the users of its own tenant
in the gateway and needs no API scope for it; the platform administrator holds `admin`.
"""

from __future__ import annotations

from typing import Literal

UserTenantKind = Literal["institution", "partner", "entity"]
USER_TENANT_KINDS: tuple[UserTenantKind, ...] = ("institution", "partner", "entity")

ROLE_SCOPES: dict[str, frozenset[str]] = {
    "officer": frozenset({"projects:read", "projects:write", "funding:write", "updates:review", "reports:read"}),
    "finance-officer": frozenset({"projects:read", "funding:write", "rates:write", "reports:read"}),
    "grant-manager": frozenset({"projects:read", "funding:write", "reports:read"}),
    # Score sheets are written with funding:write; evaluators see the call's figures too.
    "evaluator": frozenset({"funding:write", "reports:read"}),
    "reviewer": frozenset({"projects:read", "updates:review", "reports:read"}),
    "partner-reporter": frozenset({"projects:read", "updates:push"}),
    "entity-applicant": frozenset({"grants:apply"}),
    "tenant-admin": frozenset(),
    "platform-admin": frozenset({"admin"}),
}
ROLES_OF_KIND: dict[UserTenantKind, frozenset[str]] = {
    "institution": frozenset(
        {
            "officer",
            "finance-officer",
            "grant-manager",
            "evaluator",
            "reviewer",
            "tenant-admin",
            "platform-admin",
        }
    ),
    "partner": frozenset({"partner-reporter", "tenant-admin"}),
    "entity": frozenset({"entity-applicant", "tenant-admin"}),
}
TENANT_ADMIN = "tenant-admin"
PLATFORM_ADMIN = "platform-admin"


def scopes_of(roles: list[str]) -> list[str]:
    return sorted(set().union(*(ROLE_SCOPES[r] for r in roles if r in ROLE_SCOPES)))


def token_tenant_kind(kind: str) -> str:
    """Tokens know institutions and partners only: an entity acts as a partner organisation does
    (its own tenant, never an institution's rights), exactly as an entity's API client does."""
    return "institution" if kind == "institution" else "partner"


def second_factor_required(kind: str) -> bool:
    """Institution users move public money: a TOTP code on every sign-in."""
    return kind == "institution"
