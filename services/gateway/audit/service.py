"""Recording and reading the audit trail."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.gateway.audit.models import AuditEntry
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


async def record(sessions: async_sessionmaker[AsyncSession], entry: AuditRecord) -> None:
    """Write one audit row in its own transaction. If the database refuses, the full record goes
    to the error log, so the trail survives in the logs."""
    try:
        async with transaction(sessions) as session:
            await session.execute(insert(AuditEntry).values(**asdict(entry)))
    except Exception:
        log.exception("audit record not stored: %s", asdict(entry))


async def search(
    session: AsyncSession,
    *,
    client_id: str | None,
    tenant: str | None,
    since: datetime | None,
    before_id: int | None,
    limit: int,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if client_id:
        query = query.where(AuditEntry.client_id == client_id)
    if tenant:
        query = query.where(AuditEntry.tenant == tenant)
    if since:
        query = query.where(AuditEntry.at >= since)
    if before_id:
        query = query.where(AuditEntry.id < before_id)
    return list((await session.execute(query)).scalars())
