"""The home page: headline figures, the map of partner cities, money per SDG goal and by year, 0.7 %."""

from __future__ import annotations

import asyncio
from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.i18n import Formats
from services.web.pages.common import GatewayDep, Language, as_of_of, freshness_key, page
from services.web.pages.figures import NONE, city_markers, sdg_bars, year_bars, year_row

router = APIRouter()


@router.get("/{lang}/")
async def home(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    as_of = as_of_of(request)
    year = date.fromisoformat(as_of).year if as_of else date.today().year
    common = {"as_of": as_of or ""}
    portfolio, years, cities, sdg, zero = await asyncio.gather(
        gateway.reporting.portfolio(as_of),
        gateway.reporting.breakdown("year", common),
        gateway.reporting.breakdown("city", common),
        gateway.reporting.sdg(common),
        gateway.reporting.zero_seven({**common, "year_from": str(year), "year_to": str(year)}),
    )
    institutions = await gateway.projects.codelist("institutions")
    map_markers, city_table = city_markers(cities["rows"], f)
    context = {
        "title": None,
        "as_of": as_of,
        "year": year,
        "portfolio": portfolio,
        "this_year": year_row(years, year),
        "partner_cities": len([row for row in cities["rows"] if row["value"] != NONE]),
        "markers": map_markers,
        "city_table": city_table,
        "sdg_bars": await sdg_bars(gateway, sdg, f),
        "sdg": sdg,
        "year_bars": year_bars(years, f),
        "zero_rows": zero["rows"],
        "institutions": institutions,
        "freshness": portfolio["freshness"],
    }
    return page(request, lang, "home.html", context, freshness_key(portfolio, years, cities, sdg, zero))
