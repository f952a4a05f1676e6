"""One published project: texts in the reader's language (marked where another stands in), partners,
SDG goals with shares, results per period, its place on the map."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from services.web.charts import SDG_COLOURS, bars, markers
from services.web.gateway_client import ApiError
from services.web.i18n import Formats
from services.web.pages.common import GatewayDep, Language, page

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
    places = [
        (c["name"], c["country"], c["longitude"], c["latitude"], Decimal(1), c["name"], None)
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
    }
    return page(request, lang, "project.html", context, f"{project['id']}:{project['version']}")
