"""The portfolio reports: the dashboard overview and the published project list."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio import repository
from services.reporting.portfolio.cursor import decode, encode
from services.reporting.portfolio.schemas import (
    CountryMoney,
    ListedProject,
    PortfolioOverview,
    PortfolioProject,
    PortfolioProjects,
)
from services.reporting.readmodels.attribution import FIELDS
from services.reporting.readmodels.dimensions import COUNTRY, NONE, along
from services.reporting.readmodels.filters import ReportFilters, UnknownFilterValue, check_code
from services.reporting.readmodels.models import ProjectView
from services.reporting.readmodels.report import cents, definition, freshness, money
from services.reporting.readmodels.repository import PUBLISHED
from services.reporting.readmodels.schemas import Money
from services.reporting.readmodels.snapshot import Snapshot
from services.reporting.readmodels.years import YearWindow, project_money
from shared.problems import NotFound

TOP_COUNTRIES = 10


class PublishedProjectNotFound(NotFound):
    kind, title = "project-not-found", "No published project with this id"


async def published_project(session: AsyncSession, project_id: uuid.UUID) -> ProjectView:
    project = await repository.get(session, project_id)
    if project is None or project.visibility != PUBLISHED:
        raise PublishedProjectNotFound(f"No published project {project_id}")
    return project


def with_owner(filters: ReportFilters, owner: str | None) -> ReportFilters:
    """The filters with `owner`, the deprecated alias of `institution`, applied (both given: the same)."""
    if owner is None:
        return filters
    check_code("institution", owner)
    if filters.institution not in (None, owner):
        raise UnknownFilterValue(
            "institution and its deprecated alias owner disagree",
            errors=[{"field": "owner", "in": "query", "message": "differs from institution", "value": owner}],
        )
    return replace(filters, institution=owner)


LIST_DEFINITION = (
    "Published, unarchived projects matching the filters, ordered by code, owner and id; each with its "
    "money in EUR (value dates; budgets by period days) within the money-year window"
)


async def project_list(
    session: AsyncSession, filters: ReportFilters, cursor: str | None, limit: int, project_id: uuid.UUID | None = None
) -> PortfolioProjects:
    rows = await repository.published_page(session, filters, decode(cursor) if cursor else None, limit, project_id)
    page, more = rows[:limit], len(rows) > limit
    views = [row[0] for row in page]
    money_rows = [
        SimpleNamespace(id=view.id, **{name: getattr(row, name) for name in FIELDS})
        for view, row in zip(views, page, strict=True)
    ]
    window = filters.money_years
    if filters.needs_years:
        found = await project_money(session, filters.snapshot, window, money_rows)
    else:
        found = {r.id: ({name: Decimal(getattr(r, name)) for name in FIELDS}, {}) for r in money_rows}

    def listed(view: ProjectView) -> ListedProject:
        total, years = found[view.id]
        return ListedProject.model_validate(
            {
                **PortfolioProject.model_validate(view, from_attributes=True).model_dump(),
                "money": Money(
                    **cents(total).model_dump(exclude={"years"}),
                    years={y: cents(sums) for y, sums in years.items()} if filters.by_year else None,
                ),
            }
        )

    last = views[-1] if views and more else None
    return PortfolioProjects(
        items=[listed(view) for view in views],
        next_cursor=encode((last.code, last.owner, last.id)) if last else None,
        definition=definition(filters, LIST_DEFINITION),
    )


async def overview(session: AsyncSession, snapshot: Snapshot) -> PortfolioOverview:
    projects = snapshot.projects()
    by_owner = await repository.count_by(session, projects, "owner")
    filters = ReportFilters(snapshot=snapshot)
    countries = await along(session, filters, COUNTRY)
    lifetime = YearWindow()
    committed = {
        value: money(countries.attributed[value], lifetime, by_year=False).committed_eur
        for value in countries.attributed.keys() | countries.projects.keys()
        if value != NONE
    }
    top = sorted(committed, key=lambda value: (-committed[value], value))[:TOP_COUNTRIES]
    return PortfolioOverview(
        projects=sum(by_owner.values()),
        money=money(countries.totals, lifetime, by_year=False),
        top_countries=[
            CountryMoney(country=value, projects=countries.projects[value], committed_eur=committed[value])
            for value in top
        ],
        by_owner=by_owner,
        by_status=await repository.count_by(session, projects, "status"),
        by_sdg_goal=await repository.count_by_sdg_goal(session, projects),
        freshness=await freshness(session, snapshot),
        definition=definition(filters),
    )
