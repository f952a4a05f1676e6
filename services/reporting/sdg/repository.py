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
from services.reporting.portfolio.years import YearWindow
from services.reporting.sdg.models import SdgAttribution
from shared.backbone import inbox
from shared.codelists import codelists
from shared.place_names import filter_keys
from shared.problem_texts import field_error
from shared.problems import Unprocessable

CONSUMER = "xarxa.reporting"


@dataclass(frozen=True)
class ReportFilters:
    institution: str | None = None
    # Projects active in these years (their start and end years overlap the range); money not restricted.
    active_from: int | None = None
    active_to: int | None = None
    # The money counted: only what belongs to these years (value dates; budgets by period days).
    money_years: YearWindow = field(default_factory=YearWindow)
    by_year: bool = False
    status: str | None = None
    country: str | None = None
    city: str | None = None
    network: str | None = None
    modality: str | None = None
    snapshot: Snapshot = field(default_factory=Snapshot)

    @property
    def needs_years(self) -> bool:
        return self.by_year or self.money_years.restricts


class UnknownFilterValue(Unprocessable):
    kind, title = "unknown-filter-value", "A filter names something that does not exist"


# query parameter -> the codelist its value must belong to
CODED_FILTERS = {
    "institution": "institutions",
    "status": "ActivityStatus",
    "country": "Country",
    "network": "networks",
    "modality": "modalities",
}


def check_code(name: str, value: str | None) -> None:
    if value is not None and value not in codelists()[CODED_FILTERS[name]]:
        raise UnknownFilterValue(
            f"{name}={value!r} is not a known code",
            errors=[field_error(name, "unknown_code", location="query", value=value, listname=CODED_FILTERS[name])],
        )


def check_range(first_name: str, first: int | None, last_name: str, last: int | None) -> None:
    if first is not None and last is not None and first > last:
        raise UnknownFilterValue(
            f"{first_name}={first} is after {last_name}={last}",
            errors=[
                field_error(
                    first_name, "range_reversed", location="query", value=first, other=last_name, other_value=last
                )
            ],
        )


def report_filters(
    snapshot: SnapshotDep,
    institution: Annotated[str | None, Query(max_length=64, description="Owner institution code")] = None,
    active_from: Annotated[
        int | None, Query(ge=1950, le=2100, description="Projects active in or after this year (dates overlap)")
    ] = None,
    active_to: Annotated[
        int | None, Query(ge=1950, le=2100, description="Projects active in or before this year (dates overlap)")
    ] = None,
    year_from: Annotated[
        int | None, Query(ge=1950, le=2100, deprecated=True, description="Deprecated alias of active_from")
    ] = None,
    year_to: Annotated[
        int | None, Query(ge=1950, le=2100, deprecated=True, description="Deprecated alias of active_to")
    ] = None,
    money_year_from: Annotated[
        int | None,
        Query(ge=1950, le=2100, description="Count only money belonging to this year or later (value dates)"),
    ] = None,
    money_year_to: Annotated[
        int | None,
        Query(ge=1950, le=2100, description="Count only money belonging to this year or earlier (value dates)"),
    ] = None,
    by_year: Annotated[bool, Query(description="Add the money per year to every row and the totals")] = False,
    status: Annotated[str | None, Query(max_length=2, description="IATI ActivityStatus")] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    city: Annotated[
        str | None, Query(max_length=200, description="Partner city: name, alias or GeoNames id; accents, case ignored")
    ] = None,
    network: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64)] = None,
) -> ReportFilters:
    """The filters every report accepts, as one FastAPI dependency; unknown codes and upside-down
    ranges are a 422 naming the parameter, never an empty report."""
    for name, value in (
        ("institution", institution),
        ("status", status),
        ("country", country),
        ("network", network),
        ("modality", modality),
    ):
        check_code(name, value)
    for new, old, alias in (("active_from", active_from, year_from), ("active_to", active_to, year_to)):
        if old is not None and alias is not None and old != alias:
            raise UnknownFilterValue(
                f"{new} and its deprecated alias disagree",
                errors=[field_error(new, "alias_differs", location="query", value=old)],
            )
    active_from = active_from if active_from is not None else year_from
    active_to = active_to if active_to is not None else year_to
    check_range("active_from", active_from, "active_to", active_to)
    check_range("money_year_from", money_year_from, "money_year_to", money_year_to)
    return ReportFilters(
        institution=institution,
        active_from=active_from,
        active_to=active_to,
        money_years=YearWindow(money_year_from, money_year_to),
        by_year=by_year,
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
