"""Building the portfolio read model from events, and answering from it."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.breakdown.service import NONE, breakdown
from services.reporting.portfolio import repository
from services.reporting.portfolio.cursor import decode, encode
from services.reporting.portfolio.models import (
    FundingHistory,
    FundingView,
    LedgerEntryView,
    ProjectHistory,
    ProjectView,
)
from services.reporting.portfolio.schemas import (
    CountryMoney,
    ListedProject,
    PortfolioOverview,
    PortfolioProject,
    PortfolioProjects,
)
from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.portfolio.years import FIELDS, project_money
from services.reporting.sdg.projection import refresh_attribution
from services.reporting.sdg.repository import ReportFilters
from services.reporting.sdg.schemas import Money
from services.reporting.sdg.service import definition
from shared.contracts.funding import PROJECT_FUNDING_EVENT_TYPES, ProjectFundingV1
from shared.contracts.projects import PROJECT_EVENT_TYPES, ProjectStateV1
from shared.events import CloudEvent
from shared.place_names import city_keys
from shared.problems import NotFound
from shared.readmodel import insert_many_once, upsert_many_if_newer

CENT = Decimal("0.01")


class PublishedProjectNotFound(NotFound):
    kind, title = "project-not-found", "No published project with this id"


def _project_row(event: CloudEvent) -> dict[str, Any]:
    state = ProjectStateV1.model_validate(event.data)
    start = state.dates.actual_start or state.dates.planned_start
    end = state.dates.actual_end or state.dates.planned_end
    countries = {c.country for c in state.partner_cities} | {c.code for c in state.recipient_countries}
    return {
        "id": state.id,
        "version": state.version,
        "owner": state.owner,
        "code": state.code,
        "title": state.title,
        "status": state.status,
        "visibility": state.visibility,
        "partner_cities": [c.model_dump() for c in state.partner_cities],
        "sdg_goals": [g.model_dump(mode="json") for g in state.sdg_goals],
        "updated_at": state.updated_at,
        "event_time": event.time,
        "parent_id": state.parent_id,
        "archived": state.archived,
        "modality": state.modality,
        "networks": state.networks,
        "countries": sorted(countries),
        "cities": sorted({key for c in state.partner_cities for key in city_keys(c.model_dump())}),
        "start_year": start.year if start else None,
        "end_year": end.year if end else None,
        "state": state.model_dump(mode="json"),
    }


async def apply_project_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Every version into the history; the newest into the view (versions decide, not arrival)."""
    rows = [_project_row(e) for e in events if e.type in PROJECT_EVENT_TYPES]
    if rows:
        await insert_many_once(session, ProjectHistory, rows)
        await upsert_many_if_newer(session, ProjectView, rows)
        await refresh_attribution(session, {uuid.UUID(str(row["id"])) for row in rows})


async def apply_project_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_project_events(session, [event])


async def apply_funding_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for event in events:
        if event.type not in PROJECT_FUNDING_EVENT_TYPES:
            continue
        state = ProjectFundingV1.model_validate(event.data)
        totals = state.totals
        rows.append(
            {
                "id": state.project_id,
                "version": state.version,
                "owner": state.owner,
                "budget_eur": totals.budget_eur,
                "committed_eur": totals.committed_eur,
                "disbursed_eur": totals.disbursed_eur,
                "spent_eur": totals.spent_eur,
                "in_kind_eur": totals.in_kind_eur,
                "event_time": event.time,
            }
        )
        entry = state.transaction or state.budget_line
        if entry is not None:  # every entry, in any order: the ledger is append-only
            entries.append(
                {
                    "id": entry.id,
                    "kind": "transaction" if state.transaction is not None else "budget",
                    "project_id": state.project_id,
                    "data": entry.model_dump(mode="json"),
                    "event_time": event.time,
                }
            )
    if rows:
        await insert_many_once(session, FundingHistory, rows)
        await upsert_many_if_newer(session, FundingView, rows)
        await refresh_attribution(session, {uuid.UUID(str(row["id"])) for row in rows})
    if entries:
        await insert_many_once(session, LedgerEntryView, entries)


async def apply_funding_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_funding_events(session, [event])


async def published_project(session: AsyncSession, project_id: uuid.UUID) -> ProjectView:
    project = await repository.get(session, project_id)
    if project is None or project.visibility != "published":
        raise PublishedProjectNotFound(f"No published project {project_id}")
    return project


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
        money = await project_money(session, filters.snapshot, window, money_rows)
    else:
        money = {r.id: ({name: Decimal(getattr(r, name)) for name in FIELDS}, {}) for r in money_rows}

    def listed(view: ProjectView) -> ListedProject:
        total, years = money[view.id]
        return ListedProject.model_validate(
            {
                **PortfolioProject.model_validate(view, from_attributes=True).model_dump(),
                "money": Money(
                    **{f"{n}_eur": v.quantize(CENT) for n, v in total.items()},
                    years={
                        y: Money(**{f"{n}_eur": v.quantize(CENT) for n, v in sums.items()}) for y, sums in years.items()
                    }
                    if filters.by_year
                    else None,
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
    countries = await breakdown(session, ReportFilters(snapshot=snapshot), "country")
    top = sorted(
        (row for row in countries.rows if row.value != NONE), key=lambda row: (-row.attributed.committed_eur, row.value)
    )[:10]
    return PortfolioOverview(
        projects=sum(by_owner.values()),
        money=countries.totals,
        top_countries=[
            CountryMoney(country=row.value, projects=row.projects, committed_eur=row.attributed.committed_eur)
            for row in top
        ],
        by_owner=by_owner,
        by_status=await repository.count_by(session, projects, "status"),
        by_sdg_goal=await repository.count_by_sdg_goal(session, projects),
        freshness=countries.freshness,
        definition=countries.definition,
    )
