"""The gateway's administration API as the signed-in administrator: users (/api/gateway/users) and
signing keys (/api/gateway/keys). The gateway decides who may do what; these only call it."""

from __future__ import annotations

from typing import Any

from services.web.console.api import ConsoleApi, Problem, problem_of

USERS = "/api/gateway/users"
KEYS = "/api/gateway/keys"


async def users(api: ConsoleApi, tenant: str | None) -> list[dict[str, Any]]:
    """The tenant's users (a tenant administrator's own tenant whatever is asked)."""
    listed = await api.get_json(USERS, {"tenant": tenant or "", "limit": "500"})
    return sorted(listed["items"], key=lambda u: (str(u["name"]).casefold(), u["email"]))


async def user(api: ConsoleApi, user_id: str) -> dict[str, Any] | None:
    """The user, or None when the administrator does not manage them (another tenant's is absent)."""
    response = await api.send("GET", f"{USERS}/{user_id}")
    return dict(response.json()) if response.status_code == 200 else None


async def invite(api: ConsoleApi, body: dict[str, Any]) -> dict[str, Any] | Problem:
    """The invited user and the one-time link to hand over, or the API's problem."""
    response = await api.send("POST", USERS, json=body)
    return dict(response.json()) if response.status_code == 201 else problem_of(response)


async def set_roles(api: ConsoleApi, user_id: str, roles: list[str]) -> dict[str, Any] | Problem:
    response = await api.send("PUT", f"{USERS}/{user_id}/roles", json={"roles": roles})
    return dict(response.json()) if response.status_code == 200 else problem_of(response)


async def disable(api: ConsoleApi, user_id: str) -> dict[str, Any] | Problem:
    response = await api.send("POST", f"{USERS}/{user_id}/disable")
    return dict(response.json()) if response.status_code == 200 else problem_of(response)


async def keys(api: ConsoleApi) -> list[dict[str, Any]]:
    return list((await api.get_json(KEYS))["items"])


async def rotate_key(api: ConsoleApi) -> dict[str, Any] | Problem:
    response = await api.send("POST", KEYS)
    return dict(response.json()) if response.status_code == 201 else problem_of(response)
