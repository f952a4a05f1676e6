"""API clients: created with a secret shown once, stored as an Argon2 hash, revoked at once."""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.clients import repository
from services.gateway.clients.failures import FailureLimits
from services.gateway.clients.models import Client
from services.gateway.clients.repository import REVOCATION_CHANNEL as REVOCATION_CHANNEL  # users/ notify on it too
from services.gateway.users.events import Context, record_event
from services.gateway.users.roles import ROLE_SCOPES, ROLES_OF_KIND, USER_TENANT_KINDS, token_tenant_kind
from services.gateway.users.service import Administrator
from shared.auth import SCOPES
from shared.problem_texts import field_error
from shared.problems import Conflict, NotFound, Unprocessable

_hasher = PasswordHasher()
# Verifying against this keeps the time of an unknown client id equal to that of a wrong secret.
_DUMMY_HASH = _hasher.hash("not-a-secret")


class ClientNotFound(NotFound):
    kind, title = "client-not-found", "No such client"


@dataclass(frozen=True)
class NewClient:
    client: Client
    secret: str


async def create_client(
    session: AsyncSession,
    *,
    name: str,
    tenant: str,
    tenant_kind: str,
    scopes: list[str],
    rate_per_second: float = 50.0,
    client_id: str | None = None,
    secret: str | None = None,
) -> NewClient:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise Unprocessable(
            f"Unknown scopes: {', '.join(unknown)}",
            errors=[field_error("scopes", "unknown_scope", value=" ".join(unknown))],
        )
    if tenant_kind not in ("institution", "partner"):
        raise Unprocessable("tenant_kind must be institution or partner")
    if not tenant:
        raise Unprocessable("tenant is required")
    secret = secret or secrets.token_urlsafe(32)
    client = Client(
        client_id=client_id or f"xc_{secrets.token_urlsafe(12)}",
        name=name,
        tenant=tenant,
        tenant_kind=tenant_kind,
        scopes=sorted(set(scopes)),
        rate_per_second=rate_per_second,
        secret_hash=await asyncio.to_thread(_hasher.hash, secret),
    )
    session.add(client)
    await session.flush()
    return NewClient(client, secret)


async def list_clients(session: AsyncSession) -> list[Client]:
    return await repository.clients(session)


async def revoke_client(session: AsyncSession, client_id: str) -> Client:
    client = await repository.client(session, client_id)
    if client is None:
        raise ClientNotFound(f"No client {client_id}")
    if client.revoked_at is None:
        client.revoked_at = datetime.now(UTC)
        await session.flush()
    await repository.notify_revoked(session, client_id)
    return client


# --- Through the API, by an administrator (users/service.py `administrator` decides who is one) ---

_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class OwnClient(Conflict):
    kind, title = "own-client", "The client making this request cannot revoke itself"


class InvalidClient(Unprocessable):
    kind, title = "invalid-client", "The API client is not valid"


def grantable_scopes(kind: str, platform: bool) -> list[str]:
    """What an administrator may give a client of a tenant of `kind`: the scopes of the roles its
    people may hold, never `admin`; a platform administrator any scope."""
    if platform:
        return sorted(SCOPES)
    roles = ROLES_OF_KIND.get(kind, frozenset())  # type: ignore[call-overload]
    return sorted(set().union(*(ROLE_SCOPES[r] for r in roles)) - {"admin"})


def _target(by: Administrator, tenant: str | None, tenant_kind: str | None) -> tuple[str, str]:
    """The tenant and (users') kind a new client belongs to: a tenant administrator's own, always."""
    if not by.platform or tenant is None:
        if tenant is not None:
            by.ensure_manages(tenant)
        return by.tenant, by.tenant_kind
    if not _TENANT.match(tenant):
        raise InvalidClient(
            "letters, digits, dots, dashes and underscores, up to 100",
            errors=[field_error("tenant", "invalid", value=tenant)],
        )
    if tenant_kind not in USER_TENANT_KINDS:
        raise InvalidClient(
            "institution, partner or entity", errors=[field_error("tenant_kind", "invalid", value=tenant_kind)]
        )
    return tenant, tenant_kind


async def list_tenant_clients(session: AsyncSession, by: Administrator, tenant: str | None) -> list[Client]:
    if not by.platform:
        if tenant is not None:
            by.ensure_manages(tenant)
        tenant = by.tenant
    if tenant is None:
        return await repository.clients(session)
    return await repository.clients_of(session, tenant)


async def create_client_audited(
    session: AsyncSession,
    context: Context,
    by: Administrator,
    *,
    name: str,
    scopes: list[str],
    tenant: str | None = None,
    tenant_kind: str | None = None,
) -> NewClient:
    """`create_client` asked through the API, within what the administrator may grant, audited."""
    tenant, kind = _target(by, tenant, tenant_kind)
    if not name.strip():
        raise InvalidClient("The name is empty", errors=[field_error("name", "missing")])
    beyond = sorted(set(scopes) - set(grantable_scopes(kind, by.platform)) & set(SCOPES))
    if beyond:
        raise InvalidClient(
            f"Scopes this tenant's clients may not have: {', '.join(beyond)}",
            errors=[field_error("scopes", "scope_not_grantable", value=" ".join(beyond), scopes=" ".join(beyond))],
        )
    created = await create_client(
        session, name=name.strip(), tenant=tenant, tenant_kind=token_tenant_kind(kind), scopes=scopes
    )
    await repository.reload(session, created.client)
    record_event(
        session, context, "client.created", actor=by.id, tenant=tenant, subject=created.client.client_id, status=201
    )
    return created


async def revoke_client_audited(session: AsyncSession, context: Context, by: Administrator, client_id: str) -> Client:
    """`revoke_client` asked through the API; another tenant's client is as absent as an unknown one."""
    found = await repository.client(session, client_id)
    if found is None or (not by.platform and found.tenant != by.tenant):
        raise ClientNotFound(f"No client {client_id}")
    if client_id == by.id:
        # An administrator locking itself out by mistake (another administrator, or the CLI, may).
        raise OwnClient("Revoke it with another administrator's credentials, or `xarxa clients revoke`")
    revoked = await revoke_client(session, client_id)
    record_event(session, context, "client.revoked", actor=by.id, tenant=revoked.tenant, subject=client_id)
    return revoked


async def authenticate(
    session: AsyncSession, limits: FailureLimits, address: str, client_id: str, secret: str
) -> Client | None:
    """The client if the secret matches and it is not revoked; None otherwise (same cost either way).

    Refused with 429 before any hashing once the address or the client id has used up its failures.
    """
    limits.reserve(address, client_id)
    client = await repository.client(session, client_id)
    stored = client.secret_hash if client is not None else _DUMMY_HASH
    try:
        async with limits.verifications:  # off the event loop, one hash per core at a time
            await asyncio.to_thread(_hasher.verify, stored, secret)
    except (VerificationError, InvalidHashError):
        return None  # the reserved failure stays spent
    if client is None or client.revoked_at is not None:
        return None
    limits.succeeded(address, client_id)
    return client
