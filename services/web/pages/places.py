"""Pages of one partner city, country, network or institution, and of one SDG goal: the same reports
of the API, narrowed by one filter."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from services.web.gateway_client import Gateway
from services.web.i18n import Formats
from services.web.pages.common import GatewayDep, Language, as_of_of, freshness_key, page
from services.web.pages.figures import city_markers, city_name, goal_figures, sdg_bars, year_bars

router = APIRouter()


async def area(
    request: Request,
    lang: str,
    gateway: Gateway,
    kind: str,
    heading: str,
    report_filter: dict[str, str],
    project_filter: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> Response:
    f = Formats(lang)
    as_of = as_of_of(request)
    params = {**report_filter, "as_of": as_of or ""}
    sdg, years, cities, projects = await asyncio.gather(
        gateway.reporting.sdg(params),
        gateway.reporting.breakdown("year", params),
        gateway.reporting.breakdown("city", params),
        gateway.projects.search({**project_filter, "limit": "500", "sort": "title"}, lang),
    )
    if not projects["items"] and not sdg["projects"]:
        raise HTTPException(status_code=404)
    map_markers, city_table = city_markers(cities["rows"], f)
    if kind == "city":
        # The gazetteer's name in the reader's language, where it has one (the address keeps the row's).
        row = next((r for r in cities["rows"] if r["value"] == report_filter["city"]), None)
        if row is not None and row.get("place"):
            heading = f"{city_name(row, f)} ({f.country(row['place']['country'])})"
    context = {
        "title": heading,
        "kind": kind,
        "as_of": as_of,
        "sdg": sdg,
        "sdg_bars": await sdg_bars(gateway, sdg, f),
        "year_bars": year_bars(years, f),
        "markers": map_markers,
        "city_table": city_table,
        "projects": [{"project": p, "title": f.text(p["title"])} for p in projects["items"]],
        "freshness": sdg["freshness"],
        "report_filter": report_filter,
        **(extra or {}),
    }
    return page(request, lang, "area.html", context, freshness_key(sdg, years, cities))


@router.get("/{lang}/cities/{country}/{name:path}")
async def city(lang: Language, country: str, name: str, request: Request, gateway: GatewayDep) -> Response:
    heading = f"{name} ({Formats(lang).country(country)})"
    return await area(request, lang, gateway, "city", heading, {"city": name}, {"city": name, "country": country})


@router.get("/{lang}/countries/{code}")
async def country(lang: Language, code: str, request: Request, gateway: GatewayDep) -> Response:
    code = code.upper()
    if len(code) != 2 or not code.isalpha():
        raise HTTPException(status_code=404)
    return await area(
        request, lang, gateway, "country", Formats(lang).country(code), {"country": code}, {"country": code}
    )


@router.get("/{lang}/networks/{code}")
async def network(lang: Language, code: str, request: Request, gateway: GatewayDep) -> Response:
    networks = await gateway.projects.networks()
    if code not in networks:
        raise HTTPException(status_code=404)
    heading = Formats(lang).label(networks[code], code)
    return await area(request, lang, gateway, "network", heading, {"network": code}, {"network": code})


@router.get("/{lang}/institutions/{code}")
async def institution(lang: Language, code: str, request: Request, gateway: GatewayDep) -> Response:
    institutions = await gateway.projects.codelist("institutions")
    if code not in institutions:
        raise HTTPException(status_code=404)
    zero = await gateway.reporting.zero_seven({"institution": code, "as_of": as_of_of(request) or ""})
    heading = Formats(lang).label(institutions[code], code)
    return await area(
        request,
        lang,
        gateway,
        "institution",
        heading,
        {"institution": code},
        {"owner": code},
        {"zero_rows": zero["rows"]},
    )


@router.get("/{lang}/sdg/{goal}")
async def sdg_goal(lang: Language, goal: str, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    goals = await gateway.projects.codelist("sdg-goals")
    if goal not in goals:
        raise HTTPException(status_code=404)
    as_of = as_of_of(request)
    report, projects, zero, targets = await asyncio.gather(
        gateway.reporting.sdg({"as_of": as_of or ""}),
        gateway.projects.search({"sdg_goal": goal, "limit": "500", "sort": "title"}, lang),
        gateway.reporting.zero_seven({"as_of": as_of or ""}),
        gateway.projects.codelist("sdg-targets"),
    )
    row, goal_targets, money, target_chart = goal_figures(goal, report, targets, f)
    context = {
        "title": f"{goal}. {f.label(goals[goal])}",
        "goal": goal,
        "as_of": as_of,
        "row": row,
        "report": report,
        "targets": [(code, f.label(targets[code]), money.get(code)) for code in goal_targets],
        "target_bars": target_chart,
        "projects": [{"project": p, "title": f.text(p["title"])} for p in projects["items"]],
        "zero_rows": [r for r in zero["rows"] if Decimal(r["committed_by_sdg"].get(goal, "0")) > 0],
        "freshness": report["freshness"],
    }
    return page(request, lang, "sdg.html", context, freshness_key(report, zero))
