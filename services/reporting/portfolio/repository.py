"""Every query of the portfolio reports."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.models import ProjectView
from services.reporting.readmodels.repository import filter_conditions, public


async def get(session: AsyncSession, project_id: uuid.UUID) -> ProjectView | None:
    return await session.get(ProjectView, project_id)


async def published_page(
    session: AsyncSession,
    filters: ReportFilters,
    after: tuple[str, str, uuid.UUID] | None,
    limit: int,
    project_id: uuid.UUID | None = None,
) -> list[Any]:
    """Published, unarchived projects matching the filters (only `project_id` if given), in (code,
    owner, id) order after `after`, with their funding totals; one more than `limit` tells whether a
    next page exists."""
    project, funding = filters.snapshot.projects(), filters.snapshot.funding()
    zero = 0
    query = (
        select(
            project,
            func.coalesce(funding.budget_eur, zero).label("budgeted"),
            func.coalesce(funding.committed_eur, zero).label("committed"),
            func.coalesce(funding.disbursed_eur, zero).label("disbursed"),
            func.coalesce(funding.spent_eur, zero).label("spent"),
        )
        .outerjoin(funding, funding.id == project.id)
        .where(*filter_conditions(project, filters))
        .order_by(project.code, project.owner, project.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(tuple_(project.code, project.owner, project.id) > tuple_(*after))
    if project_id is not None:
        query = query.where(project.id == project_id)
    return list((await session.execute(query)).all())


async def count_by(session: AsyncSession, projects: type[ProjectView], column: str) -> dict[str, int]:
    """Published, unarchived projects per value of `column` (drafts and archived ones are in no public figure)."""
    col = getattr(projects, column)
    rows = await session.execute(select(col, func.count()).where(*public(projects)).group_by(col))
    return {str(key): int(n) for key, n in rows.all()}


async def count_by_sdg_goal(session: AsyncSession, projects: type[ProjectView]) -> dict[str, int]:
    goals = (
        select(func.jsonb_array_elements(projects.sdg_goals).op("->>")("goal").label("goal"))
        .where(*public(projects))
        .subquery()
    )
    rows = await session.execute(select(goals.c.goal, func.count()).group_by(goals.c.goal))
    return {str(key): int(n) for key, n in rows.all()}
