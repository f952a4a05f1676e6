"""Keeps the gateway's set of revoked clients current: loaded at start, then LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.clients.service import REVOCATION_CHANNEL, revoked_client_ids
from shared.db import asyncpg_dsn

log = logging.getLogger("xarxa.gateway.revocations")


async def _listen_once(database_url: str, sessions: async_sessionmaker[AsyncSession], revoked: set[str]) -> None:
    """Listen until the connection is lost."""
    conn: asyncpg.Connection = await asyncpg.connect(asyncpg_dsn(database_url))
    lost = asyncio.Event()
    try:
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(REVOCATION_CHANNEL, lambda *args: revoked.add(str(args[3])))
        # Reload after listening, so that nothing revoked in between is missed.
        async with sessions() as session:
            revoked.update(await revoked_client_ids(session))
        await lost.wait()
    finally:
        await conn.close()


async def follow_revocations(database_url: str, sessions: async_sessionmaker[AsyncSession], revoked: set[str]) -> None:
    while True:
        try:
            await _listen_once(database_url, sessions, revoked)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep following after database trouble
            log.warning("revocation listener: %s", exc)
        await asyncio.sleep(1.0)
