"""Every query of the results report."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.models import ProjectView
from services.reporting.readmodels.repository import public
from services.reporting.readmodels.snapshot import Snapshot


async def published_projects(session: AsyncSession, snapshot: Snapshot, institution: str | None) -> list[ProjectView]:
    """Published, unarchived projects (of one owner, if given) as of the snapshot, by code and id."""
    project = snapshot.projects()
    query = select(project).where(*public(project))
    if institution:
        query = query.where(project.owner == institution)
    return list((await session.execute(query.order_by(project.code, project.id))).scalars())
