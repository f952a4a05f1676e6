"""Queries of the signing keys, and the notification that tells every gateway of a new one."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.tokens.models import SigningKey

KEYS_CHANNEL = "xarxa_signing_key_rotated"


async def active_keys(session: AsyncSession) -> list[SigningKey]:
    """The unretired keys, newest (the one that signs) first."""
    query = select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc())
    return list((await session.execute(query)).scalars())


async def all_keys(session: AsyncSession) -> list[SigningKey]:
    """Every key, retired ones too, newest first (what administrators see)."""
    return list((await session.execute(select(SigningKey).order_by(SigningKey.created_at.desc()))).scalars())


async def add_key(session: AsyncSession, key: SigningKey) -> SigningKey:
    session.add(key)
    await session.flush()
    await session.refresh(key)  # created_at is the database's
    return key


async def notify_rotated(session: AsyncSession, kid: str) -> None:
    """Gateways listening switch to the key as soon as the transaction commits."""
    await session.execute(text("SELECT pg_notify(:channel, :kid)"), {"channel": KEYS_CHANNEL, "kid": kid})
