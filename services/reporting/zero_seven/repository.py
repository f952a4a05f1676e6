"""Every query of the 0.7 % report."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.models import InstitutionYearView, LedgerEntryView
from services.reporting.readmodels.repository import public
from services.reporting.readmodels.snapshot import Snapshot


async def declared_years(
    session: AsyncSession, snapshot: Snapshot, institution: str | None
) -> list[InstitutionYearView]:
    """The revenue declarations in force at the snapshot, per institution and year."""
    declared = snapshot.institution_years()
    query = select(declared).order_by(declared.institution, declared.year)
    if institution:
        query = query.where(declared.institution == institution)
    return list((await session.execute(query)).scalars())


async def published_projects(
    session: AsyncSession, snapshot: Snapshot, institution: str | None
) -> dict[uuid.UUID, Any]:
    """Published, unarchived projects (of one owner, if given) by id: their owner and SDG goals."""
    project = snapshot.projects()
    query = select(project.id, project.owner, project.sdg_goals).where(*public(project))
    if institution:
        query = query.where(project.owner == institution)
    return {row.id: row for row in (await session.execute(query)).all()}


async def ledger_entries(
    session: AsyncSession, snapshot: Snapshot, project_ids: list[uuid.UUID]
) -> list[tuple[uuid.UUID, str, dict[str, Any]]]:
    """(project, kind, data) of the projects' ledger entries booked before the snapshot's cutoff."""
    rows = await session.execute(
        select(LedgerEntryView.project_id, LedgerEntryView.kind, LedgerEntryView.data).where(
            LedgerEntryView.project_id.in_(project_ids), snapshot.ledger_entries()
        )
    )
    return [(project_id, kind, data) for project_id, kind, data in rows.all()]
