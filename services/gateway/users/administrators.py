"""Who may administer a tenant's people and API clients: the `admin` scope, or a signed-in user
holding the tenant-admin role (as service.administrator decides). The users and clients APIs
share this dependency, its access rule and its documented errors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from services.gateway.users import service
from services.gateway.users.service import Administrator
from shared.auth import Principal, Unauthorized, access, optional_principal
from shared.http import SessionDep

RULE = access("required", ("admin",))
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token"},
    403: {"description": "not an administrator of the tenant"},
}


async def _administrator(
    session: SessionDep, principal: Annotated[Principal | None, optional_principal()]
) -> Administrator:
    if principal is None:
        raise Unauthorized("This operation needs a bearer token", error="missing")
    return await service.administrator(session, principal)


AdministratorDep = Annotated[Administrator, Depends(_administrator)]
