"""API clients: created with a secret shown once, stored as an Argon2 hash, revoked at once."""

from __future__ import annotations

import asyncio
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
from shared.auth import SCOPES
from shared.problem_texts import field_error
from shared.problems import NotFound, Unprocessable

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
