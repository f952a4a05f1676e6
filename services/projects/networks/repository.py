"""Every query of the network list."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects.models import Network


async def networks(session: AsyncSession) -> list[Network]:
    return list((await session.execute(select(Network).order_by(Network.code))).scalars())


async def exists(session: AsyncSession, code: str) -> bool:
    return await session.get(Network, code) is not None


async def add(session: AsyncSession, network: Network) -> None:
    session.add(network)
    await session.flush()
