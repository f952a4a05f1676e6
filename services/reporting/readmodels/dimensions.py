"""Each project's money split along one dimension: partner city, country, network, DAC sector,
modality, owner institution or year (the breakdown report, and the portfolio's top countries).

A project's money is split among its values of the dimension to the cent by largest remainder
(declared percentages for sectors and recipient countries, equal parts otherwise), so the values
add up to the totals; `contributes` counts the full money under every value. By year, each value
is the money belonging to that year (readmodels/years.py: value dates, budgets by period days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels import repository
from services.reporting.readmodels.attribution import FIELDS, allocate
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.years import Sums, Tally, ledger_years, split_by_year, with_undated, zero

CITY, COUNTRY, YEAR = "city", "country", "year"
DIMENSIONS = (CITY, COUNTRY, "network", "sector", "modality", "institution", YEAR)
# The `by` query parameter of the breakdowns (a pattern, as the API document has always shown it).
DIMENSION_PATTERN = f"^({'|'.join(DIMENSIONS)})$"
NONE = "(none)"


def parts(state: dict[str, Any], dimension: str) -> list[tuple[str, Decimal]]:
    """(value, weight) for one project; weights sum to 1."""

    def equal(values: list[str]) -> list[tuple[str, Decimal]]:
        values = list(dict.fromkeys(values)) or [NONE]
        return [(v, Decimal(1) / len(values)) for v in values]

    if dimension == CITY:
        return equal([city_key(c) for c in state.get("partner_cities", [])])
    if dimension == COUNTRY:
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


def city_key(city: dict[str, Any]) -> str:
    """One value per gazetteer city whatever name a project gives it; unresolved cities by name."""
    return f"geonames:{city['geonames_id']}" if city.get("geonames_id") else str(city["name"])


@dataclass
class Along:
    """The money of the selected projects along one dimension, per year (the window applied later)."""

    rows: list[Any] = field(default_factory=list)  # the projects, with their state unless by year
    totals: Tally = field(default_factory=Tally)
    attributed: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    contributes: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    projects: dict[str, int] = field(default_factory=lambda: defaultdict(int))


async def along(session: AsyncSession, filters: ReportFilters, dimension: str) -> Along:
    rows = await repository.projects_with_money(session, filters, with_state=dimension != YEAR)
    # Without years asked for, each project's lifetime money stands alone (no ledger to read).
    needs_ledger = filters.needs_years or dimension == YEAR
    ledger = await ledger_years(session, filters.snapshot, [row.id for row in rows]) if needs_ledger else {}
    found = Along(rows=rows)
    for row in rows:
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        years = with_undated(ledger.get(row.id, {}), amounts)
        found.totals.add_years(years)
        if dimension == YEAR:
            for year, sums in years.items():
                if filters.money_years.holds(year):
                    found.projects[year] += 1
                found.attributed[year].add(year, sums)
            continue
        weights = parts(row.state, dimension)
        for value, _ in weights:
            found.projects[value] += 1
            found.contributes[value].add_years(years)

        def split(running: Sums, weights: list[tuple[str, Decimal]] = weights) -> dict[str, Sums]:
            cells: dict[str, Sums] = defaultdict(zero)
            for name in FIELDS:
                for value, share in allocate(running[name], weights).items():
                    cells[value][name] = share
            return cells

        for year, cells in split_by_year(split, years).items():
            for value, cell in cells.items():
                found.attributed[value].add(year, cell)
    if dimension == YEAR:
        found.contributes = found.attributed
    return found
