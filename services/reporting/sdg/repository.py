"""Queries of the SDG reports over the read models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import FundingView, ProjectView
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


def report_filters(
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
    )


FiltersDep = Annotated[ReportFilters, Depends(report_filters)]


async def projects_with_money(session: AsyncSession, filters: ReportFilters) -> list[Any]:
    """Published, unarchived projects matching the filters, with their funding totals (zero if none)."""
    conditions: list[Any] = [ProjectView.visibility == "published", ProjectView.archived.is_(False)]
    if filters.institution:
        conditions.append(ProjectView.owner == filters.institution)
    if filters.status:
        conditions.append(ProjectView.status == filters.status)
    if filters.country:
        conditions.append(ProjectView.countries.contains([filters.country]))
    if filters.city:
        conditions.append(ProjectView.cities.contains([fold(filters.city)]))
    if filters.network:
        conditions.append(ProjectView.networks.contains([filters.network]))
    if filters.modality:
        conditions.append(ProjectView.modality == filters.modality)
    if filters.year_from is not None:  # active in the range: overlaps [year_from, year_to]
        conditions.append(or_(ProjectView.end_year.is_(None), ProjectView.end_year >= filters.year_from))
    if filters.year_to is not None:
        conditions.append(and_(ProjectView.start_year.is_not(None), ProjectView.start_year <= filters.year_to))
    zero = 0
    query = (
        select(
            ProjectView.id,
            ProjectView.sdg_goals,
            ProjectView.state,
            func.coalesce(FundingView.budget_eur, zero).label("budgeted"),
            func.coalesce(FundingView.committed_eur, zero).label("committed"),
            func.coalesce(FundingView.disbursed_eur, zero).label("disbursed"),
            func.coalesce(FundingView.spent_eur, zero).label("spent"),
        )
        .outerjoin(FundingView, FundingView.id == ProjectView.id)
        .where(and_(*conditions))
    )
    return list((await session.execute(query)).all())


async def freshness(session: AsyncSession) -> tuple[datetime | None, list[tuple[str, int, int]]]:
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
                    select(func.max(ProjectView.event_time)).scalar_subquery(),
                    select(func.max(FundingView.event_time)).scalar_subquery(),
                )
            )
        )
    ).scalar()
    return last, [(str(t), int(p), int(o)) for t, p, o in rows]
