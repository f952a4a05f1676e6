"""The buffer of refused attempts loses nothing when the gateway stops in the middle of a write."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.audit.service import AuditBuffer, AuditRecord


class SlowDatabase:
    """Stands in for a session maker: each insert takes a while, and what commits is kept."""

    def __init__(self) -> None:
        self.stored: list[str] = []
        self.writing = asyncio.Event()

    def __call__(self) -> SlowDatabase:
        return self

    async def __aenter__(self) -> SlowDatabase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    @asynccontextmanager
    async def begin(self) -> Any:
        pending: list[str] = []
        self.pending = pending
        yield
        self.stored.extend(pending)  # committed only when the block ends normally

    async def execute(self, statement: object, rows: list[dict[str, Any]]) -> None:
        self.writing.set()
        await asyncio.sleep(0.3)
        self.pending.extend(row["request_id"] for row in rows)


def entry(request_id: str) -> AuditRecord:
    return AuditRecord(request_id, None, None, None, "POST", "/api/x", 401, "127.0.0.1", 1)


async def test_stopping_during_a_write_lets_it_land_and_writes_the_rest() -> None:
    database = SlowDatabase()
    buffer = AuditBuffer(cast(async_sessionmaker[AsyncSession], database), interval=0.01)
    running = asyncio.create_task(buffer.run())
    buffer.add(entry("first"))
    await database.writing.wait()  # the first batch is being written now
    buffer.add(entry("second"))
    buffer.stop()
    await asyncio.wait_for(running, timeout=5)
    assert database.stored == ["first", "second"]
