"""The 0.7 % report: per institution and year, declared revenues and target against the money
committed and disbursed (value dates in that year, published projects), with the SDG shares of
the committed money under the chosen attribution method."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, Integer, Numeric, and_, cast, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import InstitutionYearHistory, InstitutionYearView, LedgerEntryView
from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.sdg.attribution import METHOD_VERSION, allocate, goal_order, weights
from services.reporting.sdg.schemas import Method
from services.reporting.sdg.service import freshness
from services.reporting.zero_seven.schemas import ZeroSevenReport, ZeroSevenRow
from shared.contracts.funding import REVENUE_DECLARED, InstitutionYearV1
from shared.events import CloudEvent
from shared.readmodel import insert_many_once, upsert_many_if_newer

CENT = Decimal("0.01")


async def apply_revenue_events(session: AsyncSession, events: list[CloudEvent]) -> None:
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
                "event_time": event.time,
            }
        )
    if rows:
        await insert_many_once(session, InstitutionYearHistory, rows)
        await upsert_many_if_newer(session, InstitutionYearView, rows, keys=("institution", "year"))


async def apply_revenue_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_revenue_events(session, [event])


async def _yearly_money(session: AsyncSession, snapshot: Snapshot, institution: str | None) -> list[Any]:
    """(owner, year, project, sdg_goals, committed, disbursed) of published projects' money entries."""
    project = snapshot.projects()
    year = cast(extract("year", cast(LedgerEntryView.data["value_date"].astext, Date)), Integer)
    amount = cast(LedgerEntryView.data["amount_eur"].astext, Numeric(18, 2))
    kind = LedgerEntryView.data["transaction_type"].astext
    query = (
        select(
            project.owner,
            year.label("year"),
            project.id,
            project.sdg_goals,
            func.sum(func.coalesce(amount, 0)).filter(kind == "2").label("committed"),
            func.sum(func.coalesce(amount, 0)).filter(kind == "3").label("disbursed"),
        )
        .join(project, project.id == LedgerEntryView.project_id)
        .where(
            and_(
                LedgerEntryView.kind == "transaction",
                project.visibility == "published",
                LedgerEntryView.data["in_kind"].astext == "false",
                snapshot.ledger_entries(),
            )
        )
        .group_by(project.owner, year, project.id, project.sdg_goals)
    )
    if institution:
        query = query.where(project.owner == institution)
    return list((await session.execute(query)).all())


async def zero_seven_report(
    session: AsyncSession,
    snapshot: Snapshot,
    institution: str | None,
    year_from: int | None,
    year_to: int | None,
    method: str,
) -> ZeroSevenReport:
    declared_years = snapshot.institution_years()
    declared_query = select(declared_years).order_by(declared_years.institution, declared_years.year)
    if institution:
        declared_query = declared_query.where(declared_years.institution == institution)
    declared = list((await session.execute(declared_query)).scalars())
    committed: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    disbursed: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    by_sdg: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for owner, year, _, goals, committed_eur, disbursed_eur in await _yearly_money(session, snapshot, institution):
        key = (owner, int(year))
        committed[key] += Decimal(committed_eur or 0)
        disbursed[key] += Decimal(disbursed_eur or 0)
        for goal, share in allocate(Decimal(committed_eur or 0), weights(goals, method)).items():
            by_sdg[key][goal] += share
    rows = []
    for row in declared:
        if (year_from and row.year < year_from) or (year_to and row.year > year_to):
            continue
        key = (row.institution, row.year)
        target = row.target_eur
        share_of_target = (committed[key] * 100 / target).quantize(CENT, rounding=ROUND_HALF_UP) if target else None
        rows.append(
            ZeroSevenRow(
                institution=row.institution,
                year=row.year,
                own_revenues_eur=row.own_revenues_eur,
                target_eur=target,
                cooperation_budget_eur=row.cooperation_budget_eur,
                committed_eur=committed[key].quantize(CENT),
                disbursed_eur=disbursed[key].quantize(CENT),
                gap_eur=(target - committed[key]).quantize(CENT),
                committed_share_of_target=share_of_target,
                committed_by_sdg={
                    g: v.quantize(CENT) for g, v in sorted(by_sdg[key].items(), key=lambda kv: goal_order(kv[0]))
                },
            )
        )
    return ZeroSevenReport(
        method=Method(name=method, version=METHOD_VERSION), rows=rows, freshness=await freshness(session, snapshot)
    )
