"""Building the read models from events: every table of readmodels/models.py is written here only.

Each state is applied only if its version is newer (duplicates and late events are harmless) and
every version is kept in the history tables with its event time, for as-of reports. Batches are
applied in a few bulk statements; the single-event functions are the same path with one event.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.attribution import FIELDS, METHODS, attribution_rows
from services.reporting.readmodels.models import (
    FundingHistory,
    FundingView,
    InstitutionYearHistory,
    InstitutionYearView,
    LedgerEntryView,
    ProjectHistory,
    ProjectView,
    SdgAttribution,
)
from shared.contracts.funding import (
    PROJECT_FUNDING_EVENT_TYPES,
    REVENUE_DECLARED,
    BudgetLineV1,
    InstitutionYearV1,
    PlannedDisbursementV1,
    ProjectFundingV1,
    TransactionV1,
)
from shared.contracts.projects import PROJECT_EVENT_TYPES, ProjectStateV1
from shared.events import CloudEvent
from shared.place_names import city_keys
from shared.readmodel import insert_many_once, upsert_many_if_newer


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
        # Every entry, in any order (the ledger is append-only). Planned disbursements are in no
        # total and no year (entry_years gives them nothing); the IATI export writes them.
        kind, entry = _ledger_entry(state)
        if entry is not None:
            entries.append(
                {
                    "id": entry.id,
                    "kind": kind,
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


def _ledger_entry(state: ProjectFundingV1) -> tuple[str, TransactionV1 | BudgetLineV1 | PlannedDisbursementV1 | None]:
    if state.transaction is not None:
        return "transaction", state.transaction
    if state.budget_line is not None:
        return "budget", state.budget_line
    return "planned-disbursement", state.planned_disbursement


async def apply_funding_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_funding_events(session, [event])


async def apply_revenue_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    """Declared own revenues per institution and year (the 0.7 % report's denominator)."""
    rows = []
    for event in events:
        if event.type != REVENUE_DECLARED:
            continue
        state = InstitutionYearV1.model_validate(event.data)
        rows.append(
            {
                "institution": state.institution,
                "year": state.year,
                "version": state.version,
                "own_revenues_eur": state.own_revenues_eur,
                "target_eur": state.target_eur,
                "cooperation_budget_eur": state.cooperation_budget_eur,
                "revenues_source": state.revenues_source,
                "revenues_basis": state.revenues_basis,
                "event_time": event.time,
            }
        )
    if rows:
        await insert_many_once(session, InstitutionYearHistory, rows)
        await upsert_many_if_newer(session, InstitutionYearView, rows, keys=("institution", "year"))


async def apply_revenue_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_revenue_events(session, [event])


async def refresh_attribution(session: AsyncSession, project_ids: set[uuid.UUID]) -> None:
    """Keep `sdg_attribution` current after any batch that touched projects' goals or money."""
    if not project_ids:
        return
    ids = list(project_ids)
    zero = 0
    rows = await session.execute(
        select(
            ProjectView.id,
            ProjectView.sdg_goals,
            func.coalesce(FundingView.budget_eur, zero).label("budgeted"),
            func.coalesce(FundingView.committed_eur, zero).label("committed"),
            func.coalesce(FundingView.disbursed_eur, zero).label("disbursed"),
            func.coalesce(FundingView.spent_eur, zero).label("spent"),
        )
        .outerjoin(FundingView, FundingView.id == ProjectView.id)
        .where(ProjectView.id.in_(ids))
    )
    values: list[dict[str, Any]] = []
    for row in rows.all():
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        for method in METHODS:
            for level, code, money in attribution_rows(row.sdg_goals, amounts, method):
                values.append({"project_id": row.id, "method": method, "level": level, "code": code, **money})
    await session.execute(delete(SdgAttribution).where(SdgAttribution.project_id.in_(ids)))
    if values:
        await session.execute(insert(SdgAttribution), values)
