"""One published project: texts in the reader's language (marked where another stands in), partners,
SDG goals with shares, money by year, results per period, its place on the map."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from services.web.charts import NEUTRAL, SDG_COLOURS, Span, axis, bars, markers
from services.web.gateway_client import ApiError
from services.web.i18n import Formats
from services.web.pages.common import GatewayDep, Language, page
from services.web.pages.figures import UNDATED

router = APIRouter()

TEXTS = ("title", "description", "objectives")


def indicator_rows(project: dict[str, Any], f: Formats) -> list[dict[str, Any]]:
    rows = []
    for result in project.get("results", []):
        for indicator in result.get("indicators", []):
            rows.append(
                {
                    "result": f.text(result.get("title")),
                    "title": f.text(indicator.get("title")),
                    "sdg_indicator": indicator.get("sdg_indicator"),
                    "baseline": indicator.get("baseline"),
                    "periods": indicator.get("periods", []),
                }
            )
    return rows


# Budget, committed, disbursed: the three measures of the money-by-year chart, in its colours.
MEASURES = (("budgeted_eur", "#7d8f9e"), ("committed_eur", NEUTRAL), ("disbursed_eur", "#1e6b45"))


def money_cells(money: dict[str, Any], span: Callable[[Decimal], Span], f: Formats) -> dict[str, Any]:
    cells = []
    for name, colour in MEASURES:
        value = Decimal(money.get(name) or "0")
        cells.append({"text": f.money(value), "span": span(value), "colour": colour})
    return {"cells": cells}


def money_by_year(money: dict[str, Any] | None, f: Formats) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Rows per year (then the money not dated yet) and the totals; no rows when nothing is recorded."""
    years = (money or {}).get("years") or {}
    order = sorted(years, key=lambda year: (year == UNDATED, year))
    span = axis(Decimal(years[y][name]) for y in order for name, _ in MEASURES)
    rows = [
        {"label": f.gettext("Not dated yet") if year == UNDATED else year, **money_cells(years[year], span, f)}
        for year in order
    ]
    return rows, money_cells(money, span, f) if money and rows else None


@router.get("/{lang}/projects/{project_id}")
async def project_page(lang: Language, project_id: str, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    try:
        uuid.UUID(project_id)
        project = await gateway.projects.project(project_id, lang)
    except (ValueError, ApiError) as exc:
        if isinstance(exc, ValueError) or exc.status in (403, 404):
            raise HTTPException(status_code=404) from exc
        raise
    money = await gateway.reporting.project_money(project_id)
    money_rows, money_totals = money_by_year(money, f)
    goals, targets, institutions, roles, networks = (
        await gateway.projects.codelist("sdg-goals"),
        await gateway.projects.codelist("sdg-targets"),
        await gateway.projects.codelist("institutions"),
        await gateway.projects.codelist("OrganisationRole"),
        await gateway.projects.networks(),
    )
    sdg = bars(
        [
            (
                f"{g['goal']}. {f.label(goals.get(g['goal']))}",
                Decimal(g.get("share") or "0"),
                f.percent(g.get("share") or "0"),
                SDG_COLOURS.get(g["goal"]),
                f"/{lang}/sdg/{g['goal']}",
            )
            for g in project.get("sdg_goals", [])
        ]
    )
    for c in project.get("partner_cities", []):
        # The gazetteer's name in the reader's language where known; addresses keep the given name.
        c["shown_name"] = (c.get("names") or {}).get(lang) or c["name"]
    places = [
        (c["shown_name"], c["country"], c["longitude"], c["latitude"], Decimal(1), c["shown_name"], None)
        for c in project.get("partner_cities", [])
        if c.get("longitude") is not None and c.get("latitude") is not None
    ]
    context = {
        "title": f.text(project["title"])[0],
        "project": project,
        "texts": {name: f.text(project.get(name)) for name in TEXTS},
        "sdg_bars": sdg,
        "targets": targets,
        "institutions": institutions,
        "roles": roles,
        "networks": networks,
        "markers": markers(places),
        "indicators": indicator_rows(project, f),
        "money_rows": money_rows,
        "money_totals": money_totals,
    }
    key = f"{project['id']}:{project['version']}|{json.dumps(money, sort_keys=True)}"
    return page(request, lang, "project.html", context, key)
