"""Queries of the API clients, and the notification that tells every gateway of a revocation."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.clients.models import Client

REVOCATION_CHANNEL = "xarxa_client_revoked"


async def client(session: AsyncSession, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def clients(session: AsyncSession) -> list[Client]:
    return list((await session.execute(select(Client).order_by(Client.created_at))).scalars())


async def clients_of(session: AsyncSession, tenant: str) -> list[Client]:
    query = select(Client).where(Client.tenant == tenant).order_by(Client.created_at.desc())
    return list((await session.execute(query)).scalars())


async def reload(session: AsyncSession, client: Client) -> None:
    """Read back what the database set (created_at)."""
    await session.refresh(client)


async def revoked_ids(session: AsyncSession) -> set[str]:
    rows = await session.execute(select(Client.client_id).where(Client.revoked_at.is_not(None)))
    return set(rows.scalars())


async def notify_revoked(session: AsyncSession, client_id: str) -> None:
    """Gateways listening drop the client's tokens as soon as the transaction commits."""
    await session.execute(
        text("SELECT pg_notify(:channel, :client_id)"), {"channel": REVOCATION_CHANNEL, "client_id": client_id}
    )
