"""Keeps the set of revoked clients (and the signing keys) current, and tells the services as promptly.

The gateway loads the set at start and follows LISTEN/NOTIFY. Services verify tokens themselves,
so they long-poll `GET /.well-known/xarxa-revocations` (shared/revocations.py): it answers at once
when the caller's copy is stale, else when the next revocation happens (or after `wait` seconds).
It lists SHA-256 digests of the client ids, not the ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.clients import repository as clients
from services.gateway.clients.repository import REVOCATION_CHANNEL
from services.gateway.tokens.service import KEYS_CHANNEL, KeyRing
from services.gateway.users.repository import disabled_user_ids
from shared.db import asyncpg_dsn, transaction

log = logging.getLogger("xarxa.gateway.revocations")


def client_digest(client_id: str) -> str:
    return hashlib.sha256(client_id.encode()).hexdigest()


class RevocationList:
    """Revoked client ids with a version tag that changes at every addition."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._epoch = secrets.token_hex(4)  # a restarted gateway never repeats a tag
        self._version = 0
        self._changed = asyncio.Event()

    def __contains__(self, client_id: object) -> bool:
        return client_id in self._ids

    @property
    def tag(self) -> str:
        return f"{self._epoch}.{self._version}"

    def add(self, *client_ids: str) -> None:
        new = set(client_ids) - self._ids
        if new:
            self._ids |= new
            self._version += 1
            self._changed.set()
            self._changed = asyncio.Event()

    def digests(self) -> list[str]:
        return sorted(client_digest(c) for c in self._ids)

    async def changed_since(self, tag: str | None, wait: float) -> None:
        """Return when the list differs from `tag`, or after `wait` seconds."""
        if tag != self.tag:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout=wait)


async def _reload_keys(sessions: async_sessionmaker[AsyncSession], keys: KeyRing) -> None:
    try:
        async with transaction(sessions) as session:
            await keys.load(session)
    except Exception as exc:  # noqa: BLE001 - the old key keeps signing; the next start loads it
        log.warning("signing keys not reloaded: %s", exc)


async def _listen_once(
    database_url: str, sessions: async_sessionmaker[AsyncSession], revoked: RevocationList, keys: KeyRing
) -> None:
    """Listen until the connection is lost: revocations, and rotations of the signing key."""
    conn: asyncpg.Connection = await asyncpg.connect(asyncpg_dsn(database_url))
    lost = asyncio.Event()
    reloads: set[asyncio.Task[None]] = set()

    def rotated(*_args: object) -> None:
        task = asyncio.get_running_loop().create_task(_reload_keys(sessions, keys))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    try:
        conn.add_termination_listener(lambda _conn: lost.set())
        await conn.add_listener(REVOCATION_CHANNEL, lambda *args: revoked.add(str(args[3])))
        await conn.add_listener(KEYS_CHANNEL, rotated)
        # Reload after listening, so that nothing revoked or rotated in between is missed.
        async with sessions() as session:
            revoked.add(*await clients.revoked_ids(session))
            revoked.add(*await disabled_user_ids(session))  # a user's id is its tokens' subject
        await _reload_keys(sessions, keys)
        await lost.wait()
    finally:
        await conn.close()


async def follow_revocations(
    database_url: str, sessions: async_sessionmaker[AsyncSession], revoked: RevocationList, keys: KeyRing
) -> None:
    while True:
        try:
            await _listen_once(database_url, sessions, revoked, keys)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - keep following after database trouble
            log.warning("revocation listener: %s", exc)
        await asyncio.sleep(1.0)
