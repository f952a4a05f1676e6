"""Reads for exports: published projects in batches, and their ledger entries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import LedgerEntryView, ProjectView


async def published_states(session: AsyncSession, owner: str, batch: int = 200) -> AsyncIterator[list[dict[str, Any]]]:
    """Published, unarchived project states of one owner, in id order, a batch at a time."""
    last: uuid.UUID | None = None
    while True:
        query = (
            select(ProjectView.id, ProjectView.state)
            .where(ProjectView.owner == owner, ProjectView.visibility == "published", ProjectView.archived.is_(False))
            .order_by(ProjectView.id)
            .limit(batch)
        )
        if last is not None:
            query = query.where(ProjectView.id > last)
        rows = (await session.execute(query)).all()
        if not rows:
            return
        last = rows[-1].id
        yield [row.state for row in rows if row.state]


async def ledger_entries(session: AsyncSession, project_ids: list[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    rows = await session.execute(
        select(LedgerEntryView.project_id, LedgerEntryView.kind, LedgerEntryView.data)
        .where(LedgerEntryView.project_id.in_(project_ids))
        .order_by(LedgerEntryView.project_id, LedgerEntryView.event_time)
    )
    entries: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for project_id, kind, data in rows:
        entries[str(project_id)].append({"kind": kind, "data": data})
    return entries
