"""Money and projects by partner city, country, network, DAC sector, modality, institution or year.

Each project's money is split among its values of the dimension, to the cent by largest remainder
(declared percentages for sectors and recipient countries, equal parts otherwise), so the rows add
up to the totals; `contributes_to` counts the full money under every value. By year, money is the
sum of the entries whose value date falls in that year.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, Numeric, cast, extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.breakdown.schemas import Breakdown, BreakdownRow
from services.reporting.portfolio.models import LedgerEntryView
from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.sdg import repository
from services.reporting.sdg.attribution import allocate
from services.reporting.sdg.schemas import Money
from services.reporting.sdg.service import freshness

DIMENSIONS = ("city", "country", "network", "sector", "modality", "institution", "year")
FIELDS = ("budgeted", "committed", "disbursed", "spent")
MONEY_TYPES = {"2": "committed", "3": "disbursed", "4": "spent"}
NONE = "(none)"


def parts(state: dict[str, Any], dimension: str) -> list[tuple[str, Decimal]]:
    """(value, weight) for one project; weights sum to 1."""

    def equal(values: list[str]) -> list[tuple[str, Decimal]]:
        values = list(dict.fromkeys(values)) or [NONE]
        return [(v, Decimal(1) / len(values)) for v in values]

    if dimension == "city":
        return equal([c["name"] for c in state.get("partner_cities", [])])
    if dimension == "country":
        declared = state.get("recipient_countries", [])
        if declared:
            total = sum(Decimal(str(c["percentage"])) for c in declared)
            return [(c["code"], Decimal(str(c["percentage"])) / total) for c in declared]
        return equal([c["country"] for c in state.get("partner_cities", [])])
    if dimension == "network":
        return equal(state.get("networks", []))
    if dimension == "sector":
        sectors = state.get("sectors", [])
        if not sectors:
            return [(NONE, Decimal(1))]
        return [(s["code"], Decimal(str(s["percentage"])) / 100) for s in sectors]
    if dimension == "modality":
        return [(state.get("modality") or NONE, Decimal(1))]
    if dimension == "institution":
        return [(state["owner"], Decimal(1))]
    raise ValueError(f"unknown dimension {dimension!r}")


def _money(values: dict[str, Decimal]) -> Money:
    return Money(**{f"{name}_eur": values.get(name, Decimal(0)).quantize(Decimal("0.01")) for name in FIELDS})


async def breakdown(session: AsyncSession, filters: repository.ReportFilters, dimension: str) -> Breakdown:
    rows = await repository.projects_with_money(session, filters, with_state=dimension != "year")
    attributed: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    contributes: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    projects: dict[str, int] = defaultdict(int)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    if dimension == "year":
        await _by_year(session, filters.snapshot, [row.id for row in rows], attributed, projects, totals)
        contributes = attributed
    else:
        for row in rows:
            weights = parts(row.state, dimension)
            for value, _ in weights:
                projects[value] += 1
            for name in FIELDS:
                amount = Decimal(getattr(row, name))
                totals[name] += amount
                for value, share in allocate(amount, weights).items():
                    attributed[value][name] += share
                for value, _ in weights:
                    contributes[value][name] += amount
    ordered = sorted(attributed.keys() | projects.keys(), key=lambda v: (v == NONE, str(v)))
    return Breakdown(
        dimension=dimension,
        projects=len(rows),
        totals=_money(totals),
        rows=[
            BreakdownRow(
                value=str(v),
                projects=projects.get(v, 0),
                attributed=_money(attributed[v]),
                contributes_to=_money(contributes[v]),
            )
            for v in ordered
        ],
        freshness=await freshness(session, filters.snapshot),
    )


async def _by_year(
    session: AsyncSession,
    snapshot: Snapshot,
    project_ids: list[Any],
    attributed: dict[str, dict[str, Decimal]],
    projects: dict[str, int],
    totals: dict[str, Decimal],
) -> None:
    if not project_ids:
        return
    date_field = func.coalesce(LedgerEntryView.data["value_date"].astext, LedgerEntryView.data["period_start"].astext)
    year = cast(extract("year", cast(date_field, Date)), Integer)
    amount = cast(LedgerEntryView.data["amount_eur"].astext, Numeric(18, 2))
    kind = func.coalesce(LedgerEntryView.data["transaction_type"].astext, "budget")
    in_kind = func.coalesce(LedgerEntryView.data["in_kind"].astext, "false")
    result = await session.execute(
        select(year, kind, func.sum(amount), func.count(func.distinct(LedgerEntryView.project_id)))
        .where(LedgerEntryView.project_id.in_(project_ids), in_kind == "false", snapshot.ledger_entries())
        .group_by(year, kind)
    )
    for year_value, entry_kind, total, count in result.all():
        name = "budgeted" if entry_kind == "budget" else MONEY_TYPES.get(str(entry_kind))
        if name is None:
            continue
        key = str(year_value)
        attributed[key][name] += Decimal(total)
        totals[name] += Decimal(total)
        projects[key] = max(projects[key], int(count))
