"""Queries of the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.audit.models import AuditEntry
from services.gateway.audit.schemas import AuditQuery


async def add(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """The rows in one statement (a batch of the buffer is one executemany)."""
    await session.execute(insert(AuditEntry), rows)


async def search(session: AsyncSession, q: AuditQuery) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(q.limit)
    if q.client_id:
        query = query.where(AuditEntry.client_id == q.client_id)
    if q.tenant:
        query = query.where(AuditEntry.tenant == q.tenant)
    if q.person:
        query = query.where(or_(AuditEntry.client_id == q.person, AuditEntry.subject == q.person))
    if q.since:
        query = query.where(AuditEntry.at >= q.since)
    if q.before_id:
        query = query.where(AuditEntry.id < q.before_id)
    return list((await session.execute(query)).scalars())
