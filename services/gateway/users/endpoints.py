"""/api/gateway/users: tenant administrators (their own tenant) and platform administrators
invite people, set their roles, disable them and issue password resets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from services.gateway.users import service
from services.gateway.users.administrators import ERRORS, RULE, AdministratorDep
from services.gateway.users.events import Context
from services.gateway.users.models import User
from services.gateway.users.schemas import (
    Invitation,
    IssuedLinkRead,
    PasswordResetRequest,
    RolesUpdate,
    UserPage,
    UserRead,
)
from services.gateway.users.service import IssuedLink
from shared.http import SessionDep

router = APIRouter(prefix="/api/gateway/users", tags=["users"])
UserId = Annotated[str, Path(max_length=100)]


def _read(user: User) -> UserRead:
    return UserRead(
        id=user.id,
        email=user.email,
        name=user.name,
        tenant=user.tenant,
        tenant_kind=user.tenant_kind,
        roles=list(user.roles),
        locale=user.locale,
        created_at=user.created_at,
        disabled_at=user.disabled_at,
        locked_until=user.locked_until,
        active=service.active(user),
        second_factor=user.totp_secret is not None,
    )


def _link(request: Request, issued: IssuedLink) -> IssuedLinkRead:
    base = request.app.state.settings.public_url
    return IssuedLinkRead(
        user=_read(issued.user), link=f"{base}/oauth/password?token={issued.token}", expires_at=issued.expires_at
    )


@router.get("", response_model=UserPage, openapi_extra=RULE, responses=ERRORS, summary="Users of a tenant")
async def list_users(
    session: SessionDep,
    by: AdministratorDep,
    tenant: Annotated[str | None, Query(max_length=100)] = None,
    after: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> UserPage:
    rows = await service.list_users(session, by, tenant, limit, after)
    return UserPage(items=[_read(u) for u in rows], next_after=rows[-1].id if len(rows) == limit else None)


@router.post(
    "",
    response_model=IssuedLinkRead,
    status_code=201,
    openapi_extra=RULE,
    responses={**ERRORS, 409: {"description": "email taken"}, 422: {"description": "invalid"}},
    summary="Invite a person: the user and its one-time invitation link",
)
async def invite(request: Request, session: SessionDep, by: AdministratorDep, body: Invitation) -> IssuedLinkRead:
    issued = await service.invite(
        session,
        Context.of(request),
        by,
        email=body.email,
        name=body.name,
        tenant=body.tenant,
        tenant_kind=body.tenant_kind,
        roles=list(body.roles),
        locale=body.locale,
        ttl_seconds=request.app.state.settings.invitation_seconds,
    )
    return _link(request, issued)


@router.get(
    "/{user_id}",
    response_model=UserRead,
    openapi_extra=RULE,
    responses={**ERRORS, 404: {"description": "no such user in the tenant"}},
    summary="One user",
)
async def get_user(session: SessionDep, by: AdministratorDep, user_id: UserId) -> UserRead:
    return _read(await service.managed_user(session, by, user_id))


@router.put(
    "/{user_id}/roles",
    response_model=UserRead,
    openapi_extra=RULE,
    responses={**ERRORS, 404: {}, 409: {"description": "disabled"}, 422: {}},
    summary="Set a user's roles (its next tokens carry their scopes)",
)
async def set_roles(
    request: Request, session: SessionDep, by: AdministratorDep, user_id: UserId, body: RolesUpdate
) -> UserRead:
    return _read(await service.set_roles(session, Context.of(request), by, user_id, list(body.roles)))


@router.post(
    "/{user_id}/disable",
    response_model=UserRead,
    openapi_extra=RULE,
    responses={**ERRORS, 404: {}, 409: {"description": "oneself"}},
    summary="Disable a user: its sessions, refresh and access tokens stop working at once",
)
async def disable(request: Request, session: SessionDep, by: AdministratorDep, user_id: UserId) -> UserRead:
    return _read(await service.disable(session, Context.of(request), by, user_id))


@router.post(
    "/{user_id}/password-reset",
    response_model=IssuedLinkRead,
    status_code=201,
    openapi_extra=RULE,
    responses={**ERRORS, 404: {}, 409: {"description": "disabled, or invitation not accepted"}},
    summary="A one-time link to set a new password; the user's sessions end",
)
async def password_reset(
    request: Request, session: SessionDep, by: AdministratorDep, user_id: UserId, body: PasswordResetRequest
) -> IssuedLinkRead:
    issued = await service.password_reset(
        session,
        Context.of(request),
        by,
        user_id,
        body.second_factor,
        request.app.state.settings.password_reset_seconds,
    )
    return _link(request, issued)
