"""Embeddable widgets: a partner city's money by year and an SDG goal's money per target, each with
its table, for an iframe on the Ajuntament's and AMB's own sites. Minimal chrome and a link back to
the full page; only the configured origins may frame them (CSP frame-ancestors)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from services.web.config import Settings
from services.web.i18n import Formats
from services.web.pages.common import CSP, GatewayDep, Language, as_of_of, freshness_key, page
from services.web.pages.figures import goal_figures, year_bars

router = APIRouter()


def embed_csp(settings: Settings) -> str:
    """The portal's policy, with framing allowed to the configured origins only (none: refused)."""
    ancestors = " ".join(settings.embed_origins) or "'none'"
    return CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


@router.get("/{lang}/embed/cities/{country}/{name:path}")
async def city_widget(lang: Language, country: str, name: str, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    as_of = as_of_of(request)
    params = {"city": name, "as_of": as_of or ""}
    sdg, years = await asyncio.gather(gateway.reporting.sdg(params), gateway.reporting.breakdown("year", params))
    if not sdg["projects"]:
        raise HTTPException(status_code=404)
    context = {
        "title": f"{name} ({f.country(country)})",
        "kind": "city",
        "projects": sdg["projects"],
        "committed": sdg["totals"]["committed_eur"],
        "chart": year_bars(years, f),
        "full_page": f"/{lang}/cities/{country}/{quote(name, safe='')}",
        "freshness": sdg["freshness"],
    }
    settings: Settings = request.app.state.settings
    return page(request, lang, "embed.html", context, freshness_key(sdg, years), csp=embed_csp(settings))


@router.get("/{lang}/embed/sdg/{goal}")
async def sdg_widget(lang: Language, goal: str, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    goals = await gateway.projects.codelist("sdg-goals")
    if goal not in goals:
        raise HTTPException(status_code=404)
    as_of = as_of_of(request)
    report, targets = await asyncio.gather(
        gateway.reporting.sdg({"as_of": as_of or ""}), gateway.projects.codelist("sdg-targets")
    )
    row, _, _, chart = goal_figures(goal, report, targets, f)
    context = {
        "title": f"{goal}. {f.label(goals[goal])}",
        "kind": "sdg",
        "goal": goal,
        "projects": row["projects"] if row else 0,
        "committed": row["attributed"]["committed_eur"] if row else "0",
        "chart": chart,
        "full_page": f"/{lang}/sdg/{goal}",
        "freshness": report["freshness"],
    }
    settings: Settings = request.app.state.settings
    return page(request, lang, "embed.html", context, freshness_key(report), csp=embed_csp(settings))
