"""Queries of the SDG reports over the read models."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import and_, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import ProjectView
from services.reporting.portfolio.snapshot import Snapshot, SnapshotDep
from services.reporting.sdg.models import SdgAttribution
from shared.backbone import inbox
from shared.text import fold

CONSUMER = "xarxa.reporting"


@dataclass(frozen=True)
class ReportFilters:
    institution: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    status: str | None = None
    country: str | None = None
    city: str | None = None
    network: str | None = None
    modality: str | None = None
    snapshot: Snapshot = field(default_factory=Snapshot)


def report_filters(
    snapshot: SnapshotDep,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year_from: Annotated[int | None, Query(ge=1950, le=2100, description="Active from this year")] = None,
    year_to: Annotated[int | None, Query(ge=1950, le=2100, description="Active until this year")] = None,
    status: Annotated[str | None, Query(max_length=2, description="IATI ActivityStatus")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    city: Annotated[str | None, Query(max_length=200, description="Partner city, accents ignored")] = None,
    network: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64)] = None,
) -> ReportFilters:
    """The filters every report accepts, as one FastAPI dependency."""
    return ReportFilters(
        institution=institution,
        year_from=year_from,
        year_to=year_to,
        status=status,
        country=country,
        city=city,
        network=network,
        modality=modality,
        snapshot=snapshot,
    )


FiltersDep = Annotated[ReportFilters, Depends(report_filters)]


def filter_conditions(project: type[ProjectView], filters: ReportFilters) -> list[Any]:
    """Published, unarchived projects matching the report's filters."""
    conditions: list[Any] = [project.visibility == "published", project.archived.is_(False)]
    if filters.institution:
        conditions.append(project.owner == filters.institution)
    if filters.status:
        conditions.append(project.status == filters.status)
    if filters.country:
        conditions.append(project.countries.contains([filters.country]))
    if filters.city:
        conditions.append(project.cities.contains([fold(filters.city)]))
    if filters.network:
        conditions.append(project.networks.contains([filters.network]))
    if filters.modality:
        conditions.append(project.modality == filters.modality)
    if filters.year_from is not None:  # active in the range: overlaps [year_from, year_to]
        conditions.append(or_(project.end_year.is_(None), project.end_year >= filters.year_from))
    if filters.year_to is not None:
        conditions.append(and_(project.start_year.is_not(None), project.start_year <= filters.year_to))
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


async def live_attribution(session: AsyncSession, filters: ReportFilters, method: str) -> list[Any]:
    """The live SDG figures in one aggregate over the kept attribution: per (level, code), the
    projects and the attributed and full money ("project" rows give the totals, "none" the
    money of projects without goals)."""
    names = ("budgeted", "committed", "disbursed", "spent")
    rows = await session.execute(
        select(
            SdgAttribution.level,
            SdgAttribution.code,
            func.count(),
            *(func.sum(getattr(SdgAttribution, name)) for name in names),
            *(func.sum(getattr(SdgAttribution, f"full_{name}")) for name in names),
        )
        .join(ProjectView, ProjectView.id == SdgAttribution.project_id)
        .where(SdgAttribution.method == method, *filter_conditions(ProjectView, filters))
        .group_by(SdgAttribution.level, SdgAttribution.code)
    )
    return list(rows.all())


async def freshness(session: AsyncSession, snapshot: Snapshot) -> tuple[datetime | None, list[tuple[str, int, int]]]:
    """The newest event time in the snapshot, and the last offset applied per topic partition."""
    project, funding = snapshot.projects(), snapshot.funding()
    rows = (
        await session.execute(
            select(inbox.c.topic, inbox.c.partition, func.max(inbox.c.offset))
            .where(inbox.c.consumer == CONSUMER)
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
