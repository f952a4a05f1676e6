"""Recording and reading the audit trail."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.audit import repository
from services.gateway.audit.schemas import AuditEntryRead, AuditPage, AuditQuery
from shared.db import transaction

log = logging.getLogger("xarxa.audit")


@dataclass(frozen=True)
class AuditRecord:
    request_id: str
    client_request_id: str | None
    client_id: str | None
    tenant: str | None
    method: str
    path: str
    status: int
    remote_addr: str | None
    duration_ms: int
    event: str | None = None
    subject: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


async def record(sessions: async_sessionmaker[AsyncSession], entry: AuditRecord) -> None:
    """Write one audit row in its own transaction. If the database refuses, the full record goes
    to the error log, so the trail survives in the logs."""
    try:
        async with transaction(sessions) as session:
            await repository.add(session, [asdict(entry)])
    except Exception:
        log.exception("audit record not stored: %s", asdict(entry))


class AuditBuffer:
    """Attempts the gateway refused itself (a bad token, a rate limit, the input guard: no service
    was reached), written in batches within `interval` seconds, so that a flood of refused requests
    costs one insert per batch instead of one transaction each. Writes that reached a service are
    recorded one by one before their answer (see middleware.py)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], interval: float = 0.2, max_rows: int = 100_000
    ) -> None:
        self.sessions = sessions
        self.interval = interval
        self.max_rows = max_rows
        self.dropped = 0
        self._rows: list[AuditRecord] = []
        self._stopping = asyncio.Event()

    def add(self, entry: AuditRecord) -> None:
        if len(self._rows) >= self.max_rows:
            self.dropped += 1  # a flood beyond what the database takes: counted and logged, not queued
            return
        self._rows.append(entry)

    async def flush(self) -> None:
        rows, self._rows = self._rows, []
        if self.dropped:
            log.error("audit: %d refused attempts not stored (buffer full)", self.dropped)
            self.dropped = 0
        if not rows:
            return
        try:
            async with transaction(self.sessions) as session:
                await repository.add(session, [asdict(r) for r in rows])
        except Exception:
            log.exception("audit records not stored: %s", [asdict(r) for r in rows])

    async def run(self) -> None:
        """Flush every `interval` until stopped, then once more. Stopping is a signal, never a cancel:
        a cancel landing inside a flush's insert would roll the whole batch back unlogged."""
        try:
            while not self._stopping.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.interval)
                await self.flush()
        finally:
            await self.flush()

    def stop(self) -> None:
        self._stopping.set()


async def trail(session: AsyncSession, query: AuditQuery) -> AuditPage:
    """A page of the trail, newest first; a full page says where the next one starts."""
    rows = await repository.search(session, query)
    return AuditPage(
        items=[AuditEntryRead.model_validate(r, from_attributes=True) for r in rows],
        next_before_id=rows[-1].id if len(rows) == query.limit else None,
    )
