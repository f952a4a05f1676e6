"""The queries every report shares over the read models: which projects are public, which match the
report's filters, their money, and how current the figures are."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.config import CONSUMER_GROUP
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.models import ProjectView
from services.reporting.readmodels.snapshot import Snapshot
from shared.backbone import inbox
from shared.place_names import filter_keys

PUBLISHED = "published"


def public(project: type[ProjectView]) -> list[Any]:
    """Published, unarchived projects: drafts and archived projects are in no public figure."""
    return [project.visibility == PUBLISHED, project.archived.is_(False)]


def filter_conditions(project: type[ProjectView], filters: ReportFilters) -> list[Any]:
    """Published, unarchived projects matching the report's filters."""
    conditions = public(project)
    if filters.institution:
        conditions.append(project.owner == filters.institution)
    if filters.status:
        conditions.append(project.status == filters.status)
    if filters.country:
        conditions.append(project.countries.contains([filters.country]))
    if filters.city:
        conditions.append(project.cities.overlap(filter_keys(filters.city)))  # name, alias or GeoNames id
    if filters.network:
        conditions.append(project.networks.contains([filters.network]))
    if filters.modality:
        conditions.append(project.modality == filters.modality)
    if filters.active_from is not None:  # active in the range: overlaps [active_from, active_to]
        conditions.append(or_(project.end_year.is_(None), project.end_year >= filters.active_from))
    if filters.active_to is not None:
        conditions.append(and_(project.start_year.is_not(None), project.start_year <= filters.active_to))
    return conditions


async def projects_with_money(session: AsyncSession, filters: ReportFilters, *, with_state: bool = False) -> list[Any]:
    """Published, unarchived projects matching the filters, with their funding totals (zero if none);
    the whole state only when asked for (it is the heaviest column by far)."""
    project, funding = filters.snapshot.projects(), filters.snapshot.funding()
    conditions = filter_conditions(project, filters)
    zero = 0
    query = (
        select(
            project.id,
            project.sdg_goals,
            (project.state if with_state else null()).label("state"),
            func.coalesce(funding.budget_eur, zero).label("budgeted"),
            func.coalesce(funding.committed_eur, zero).label("committed"),
            func.coalesce(funding.disbursed_eur, zero).label("disbursed"),
            func.coalesce(funding.spent_eur, zero).label("spent"),
        )
        .outerjoin(funding, funding.id == project.id)
        .where(and_(*conditions))
    )
    return list((await session.execute(query)).all())


async def freshness(session: AsyncSession, snapshot: Snapshot) -> tuple[datetime | None, list[tuple[str, int, int]]]:
    """The newest event time in the snapshot, and the last offset applied per topic partition."""
    project, funding = snapshot.projects(), snapshot.funding()
    rows = (
        await session.execute(
            select(inbox.c.topic, inbox.c.partition, func.max(inbox.c.offset))
            .where(inbox.c.consumer == CONSUMER_GROUP)
            .group_by(inbox.c.topic, inbox.c.partition)
            .order_by(inbox.c.topic, inbox.c.partition)
        )
    ).all()
    last = (
        await session.execute(
            select(
                func.greatest(
                    select(func.max(project.event_time)).scalar_subquery(),
                    select(func.max(funding.event_time)).scalar_subquery(),
                )
            )
        )
    ).scalar()
    return last, [(str(t), int(p), int(o)) for t, p, o in rows]
