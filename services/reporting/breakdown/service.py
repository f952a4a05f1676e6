"""Money and projects by partner city, country, network, DAC sector, modality, institution or year.

Each project's money is split among its values of the dimension, to the cent by largest remainder
(declared percentages for sectors and recipient countries, equal parts otherwise), so the rows add
up to the totals; `contributes_to` counts the full money under every value. By year, each row is
the money belonging to that year (portfolio/years.py: value dates, budgets by period days).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.breakdown.schemas import Breakdown, BreakdownRow, CityPlace
from services.reporting.portfolio.years import (
    FIELDS,
    Sums,
    Tally,
    ledger_years,
    split_by_year,
    with_undated,
    year_order,
    zero,
)
from services.reporting.sdg import repository
from services.reporting.sdg.attribution import allocate
from services.reporting.sdg.service import definition, freshness, money

DIMENSIONS = ("city", "country", "network", "sector", "modality", "institution", "year")
NONE = "(none)"


def parts(state: dict[str, Any], dimension: str) -> list[tuple[str, Decimal]]:
    """(value, weight) for one project; weights sum to 1."""

    def equal(values: list[str]) -> list[tuple[str, Decimal]]:
        values = list(dict.fromkeys(values)) or [NONE]
        return [(v, Decimal(1) / len(values)) for v in values]

    if dimension == "city":
        return equal([city_key(c) for c in state.get("partner_cities", [])])
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


def city_key(city: dict[str, Any]) -> str:
    """One row per gazetteer city whatever name a project gives it; unresolved cities by name."""
    return f"geonames:{city['geonames_id']}" if city.get("geonames_id") else str(city["name"])


def city_places(rows: list[Any]) -> dict[str, tuple[str, CityPlace]]:
    """Row key -> (label, place): the label is the name most projects give the city (ties: first
    alphabetically), so that it reads as the portfolio calls it; every name finds it in filters."""
    given: dict[str, Counter[str]] = defaultdict(Counter)
    places: dict[str, CityPlace] = {}
    for row in rows:
        for city in row.state.get("partner_cities", []):
            key = city_key(city)
            given[key][str(city["name"])] += 1
            place = places.get(key)
            if place is None or (place.latitude is None and city.get("latitude") is not None):
                places[key] = CityPlace(
                    geonames_id=city.get("geonames_id"),
                    country=city["country"],
                    latitude=city.get("latitude"),
                    longitude=city.get("longitude"),
                    names=city.get("names") or {},
                )
    return {
        key: (min(names.items(), key=lambda item: (-item[1], item[0]))[0], places[key]) for key, names in given.items()
    }


async def breakdown(session: AsyncSession, filters: repository.ReportFilters, dimension: str) -> Breakdown:
    rows = await repository.projects_with_money(session, filters, with_state=dimension != "year")
    # Without years asked for, each project's lifetime money stands alone (no ledger to read).
    needs_ledger = filters.needs_years or dimension == "year"
    ledger = await ledger_years(session, filters.snapshot, [row.id for row in rows]) if needs_ledger else {}
    attributed: dict[str, Tally] = defaultdict(Tally)
    contributes: dict[str, Tally] = defaultdict(Tally)
    projects: dict[str, int] = defaultdict(int)
    totals = Tally()
    for row in rows:
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        years = with_undated(ledger.get(row.id, {}), amounts)
        totals.add_years(years)
        if dimension == "year":
            for year, sums in years.items():
                if filters.money_years.holds(year):
                    projects[year] += 1
                attributed[year].add(year, sums)
            continue
        weights = parts(row.state, dimension)
        for value, _ in weights:
            projects[value] += 1
            contributes[value].add_years(years)

        def split(running: Sums, weights: list[tuple[str, Decimal]] = weights) -> dict[str, Sums]:
            cells: dict[str, Sums] = defaultdict(zero)
            for name in FIELDS:
                for value, share in allocate(running[name], weights).items():
                    cells[value][name] = share
            return cells

        for year, cells in split_by_year(split, years).items():
            for value, cell in cells.items():
                attributed[value].add(year, cell)
    if dimension == "year":
        contributes = attributed
    window, by_year = filters.money_years, filters.by_year
    places = city_places(rows) if dimension == "city" else {}

    def label(v: str) -> str:
        return places[v][0] if v in places else str(v)

    ordered = sorted(
        (v for v in attributed.keys() | projects.keys() if dimension != "year" or window.holds(v)),
        key=lambda v: (v == NONE, year_order(v) if dimension == "year" else (False, label(v))),
    )
    return Breakdown(
        dimension=dimension,
        projects=len(rows),
        totals=money(totals, window, by_year),
        rows=[
            BreakdownRow(
                value=label(v),
                place=places[v][1] if v in places else None,
                projects=projects.get(v, 0),
                attributed=money(attributed[v], window, by_year),
                contributes_to=money(contributes[v], window, by_year),
            )
            for v in ordered
        ],
        freshness=await freshness(session, filters.snapshot),
        definition=definition(filters),
    )
