"""Every query of the portfolio read model."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import ProjectView

# Public figures count published projects only.
PUBLISHED = ProjectView.visibility == "published"


async def get(session: AsyncSession, project_id: uuid.UUID) -> ProjectView | None:
    return await session.get(ProjectView, project_id)


async def published(session: AsyncSession, owner: str | None, limit: int) -> list[ProjectView]:
    query = select(ProjectView).where(PUBLISHED).order_by(ProjectView.code, ProjectView.owner, ProjectView.id)
    if owner:
        query = query.where(ProjectView.owner == owner)
    return list((await session.execute(query.limit(limit))).scalars())


async def count_by(session: AsyncSession, projects: type[ProjectView], column: str) -> dict[str, int]:
    """Published projects per value of `column` (drafts never reach public figures)."""
    col = getattr(projects, column)
    rows = await session.execute(select(col, func.count()).where(projects.visibility == "published").group_by(col))
    return {str(key): int(n) for key, n in rows.all()}


async def count_by_sdg_goal(session: AsyncSession, projects: type[ProjectView]) -> dict[str, int]:
    goals = (
        select(func.jsonb_array_elements(projects.sdg_goals).op("->>")("goal").label("goal"))
        .where(projects.visibility == "published")
        .subquery()
    )
    rows = await session.execute(select(goals.c.goal, func.count()).group_by(goals.c.goal))
    return {str(key): int(n) for key, n in rows.all()}
