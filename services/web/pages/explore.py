"""Every published project with filters, sorting and pages; the URL carries them all, so a view can be
shared, and the downloads ask the API's exports for the same projects."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.i18n import Formats
from services.web.pages.common import GatewayDep, Language, freshness_key, page

router = APIRouter()

PAGE_SIZE = 20
# The page's filter -> the projects API's parameter.
FILTERS = {
    "institution": "owner",
    "city": "city",
    "country": "country",
    "sdg_goal": "sdg_goal",
    "sector": "sector",
    "network": "network",
    "status": "status",
    "year": "year",
    "q": "q",
}
SORTS = ("title", "-title", "code", "-updated_at")
# Filters the tabular exports also apply (the rest narrow the page only: said beside the links).
EXPORT_FILTERS = {
    "institution": "institution",
    "city": "city",
    "country": "country",
    "network": "network",
    "status": "status",
}
STATUSES = ("1", "2", "3", "4", "5", "6")


def export_links(chosen: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    params = {EXPORT_FILTERS[k]: v for k, v in chosen.items() if k in EXPORT_FILTERS}
    if chosen.get("year"):
        params["year_from"] = params["year_to"] = chosen["year"]
    links = {fmt: "/api/reporting/exports/projects?" + urlencode({"format": fmt, **params}) for fmt in ("csv", "xlsx")}
    if chosen.get("institution"):
        links["iati"] = "/api/reporting/exports/iati?" + urlencode({"reporting_org": chosen["institution"]})
    unexported = [k for k in chosen if k not in EXPORT_FILTERS and k != "year"]
    return links, unexported


def filter_options(
    f: Formats,
    references: tuple[dict[str, Any], ...],
    codelists: tuple[dict[str, dict[str, str]], ...],
) -> dict[str, list[tuple[str, str]]]:
    """The values each select offers: those with published projects, or the codelist's."""
    cities, countries, sectors = references
    institutions, networks, goals, sector_names = codelists
    return {
        "institution": [(code, f.label(names, code)) for code, names in institutions.items()],
        "country": sorted(((row["value"], f.country(row["value"])) for row in countries["rows"]), key=lambda o: o[1]),
        "city": [(name, name) for name in sorted(row["value"] for row in cities["rows"])],
        "sdg_goal": [
            (code, f"{code}. {f.label(names)}") for code, names in sorted(goals.items(), key=lambda i: int(i[0]))
        ],
        "sector": sorted(
            ((row["value"], f.label(sector_names.get(row["value"]), row["value"])) for row in sectors["rows"]),
            key=lambda o: o[1],
        ),
        "network": sorted(((code, f.label(names, code)) for code, names in networks.items()), key=lambda o: o[1]),
        "status": [(code, code) for code in STATUSES],
        "year": [(str(y), str(y)) for y in range(date.today().year + 1, 2014, -1)],
    }


@router.get("/{lang}/projects")
async def explore(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    references = await asyncio.gather(
        gateway.reporting.breakdown("city", {}),
        gateway.reporting.breakdown("country", {}),
        gateway.reporting.breakdown("sector", {}),
    )
    codelists = await asyncio.gather(
        gateway.projects.codelist("institutions"),
        gateway.projects.networks(),
        gateway.projects.codelist("sdg-goals"),
        gateway.projects.codelist("Sector"),
    )
    options = filter_options(f, tuple(references), tuple(codelists))
    asked = {k: v.strip() for k in FILTERS if (v := request.query_params.get(k, "")).strip()}
    # A value no select offers (an old or edited link) is named in the error summary and left out.
    invalid = [k for k, v in asked.items() if k in options and v not in {value for value, _ in options[k]}]
    chosen = {k: v for k, v in asked.items() if k not in invalid}
    sort = request.query_params.get("sort", "title")
    sort = sort if sort in SORTS else "title"
    cursor = request.query_params.get("cursor", "")
    params = {FILTERS[k]: v[:200] for k, v in chosen.items()}
    result = await gateway.projects.search({**params, "sort": sort, "limit": str(PAGE_SIZE), "cursor": cursor}, lang)
    base = {**chosen, "sort": sort}
    links, unexported = export_links(chosen)
    context = {
        "title": "explore",
        "chosen": chosen,
        "invalid": invalid,
        "sort": sort,
        "result": result,
        "items": [{"project": p, "title": f.text(p["title"])} for p in result["items"]],
        "next_url": f"/{lang}/projects?" + urlencode({**base, "cursor": result["next_cursor"]})
        if result.get("next_cursor")
        else None,
        "first_url": f"/{lang}/projects?" + urlencode(base) if cursor else None,
        "downloads": links,
        "unexported": unexported,
        "options": options,
    }
    versions = "|".join(f"{p['id']}:{p['version']}" for p in result["items"])
    return page(request, lang, "explore.html", context, freshness_key(*references) + versions)
