"""Money and projects by partner city, country, network, DAC sector, modality, institution or year.

The split itself is the read models' (readmodels/dimensions.py: to the cent, rows adding up to the
totals, `contributes_to` overlapping); this report labels, places and orders the rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.breakdown.schemas import Breakdown, BreakdownRow, CityPlace
from services.reporting.readmodels.dimensions import CITY, NONE, YEAR, along, city_key
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.report import definition, freshness, money
from services.reporting.readmodels.years import year_order


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


async def breakdown(session: AsyncSession, filters: ReportFilters, dimension: str) -> Breakdown:
    found = await along(session, filters, dimension)
    window, by_year = filters.money_years, filters.by_year
    places = city_places(found.rows) if dimension == CITY else {}

    def label(v: str) -> str:
        return places[v][0] if v in places else str(v)

    ordered = sorted(
        (v for v in found.attributed.keys() | found.projects.keys() if dimension != YEAR or window.holds(v)),
        key=lambda v: (v == NONE, year_order(v) if dimension == YEAR else (False, label(v))),
    )
    return Breakdown(
        dimension=dimension,
        projects=len(found.rows),
        totals=money(found.totals, window, by_year),
        rows=[
            BreakdownRow(
                value=label(v),
                place=places[v][1] if v in places else None,
                projects=found.projects.get(v, 0),
                attributed=money(found.attributed[v], window, by_year),
                contributes_to=money(found.contributes[v], window, by_year),
            )
            for v in ordered
        ],
        freshness=await freshness(session, filters.snapshot),
        definition=definition(filters),
    )
