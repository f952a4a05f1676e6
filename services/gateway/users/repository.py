"""Queries of users, their one-time links, sessions and refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.oidc.models import RefreshToken, SignInSession
from services.gateway.users.models import OneTimeLink, User


async def user(session: AsyncSession, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()


async def locked_user(session: AsyncSession, user_id: str) -> User | None:
    """The user's row, locked until the transaction ends (counters and state change atomically)."""
    return (await session.execute(select(User).where(User.id == user_id).with_for_update())).scalar_one_or_none()


async def list_users(session: AsyncSession, tenant: str | None, limit: int, after: str | None) -> list[User]:
    query = select(User).order_by(User.id).limit(limit)
    if tenant is not None:
        query = query.where(User.tenant == tenant)
    if after is not None:
        query = query.where(User.id > after)
    return list((await session.execute(query)).scalars())


async def link_by_hash(session: AsyncSession, token_hash: str) -> OneTimeLink | None:
    query = select(OneTimeLink).where(OneTimeLink.token_hash == token_hash).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def spend_open_links(session: AsyncSession, user_id: str, purpose: str, at: datetime) -> None:
    """An earlier link of the same purpose stops working when a new one is issued."""
    await session.execute(
        update(OneTimeLink)
        .where(OneTimeLink.user_id == user_id, OneTimeLink.purpose == purpose, OneTimeLink.used_at.is_(None))
        .values(used_at=at)
    )


async def end_sessions_and_tokens(session: AsyncSession, user_id: str, at: datetime) -> None:
    await session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.ended_at.is_(None))
        .values(ended_at=at)
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


async def disabled_user_ids(session: AsyncSession) -> set[str]:
    rows = await session.execute(select(User.id).where(User.disabled_at.is_not(None)))
    return set(rows.scalars())
