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
from services.web.pages.figures import NONE

router = APIRouter()

PAGE_SIZE = 20
# The page's filter -> the projects API's parameter.
FILTERS = {
    "institution": "owner",
    "city": "city",
    "country": "country",
    "sdg_goal": "sdg_goal",
    "sdg_target": "sdg_target",
    "sector": "sector",
    "network": "network",
    "modality": "modality",
    "status": "status",
    "year": "year",
    "q": "q",
}
SORTS = ("title", "-title", "code", "-updated_at")
# The page's filter -> the exports' parameter: every filter of the page, so a download holds exactly
# the projects shown. The year is "active in that year" (active_from = active_to), as the list's.
EXPORT_FILTERS = {
    "institution": "institution",
    "city": "city",
    "country": "country",
    "sdg_goal": "sdg_goal",
    "sdg_target": "sdg_target",
    "sector": "sector",
    "network": "network",
    "modality": "modality",
    "status": "status",
    "q": "q",
}
STATUSES = ("1", "2", "3", "4", "5", "6")


def export_params(chosen: dict[str, str]) -> dict[str, str]:
    params = {EXPORT_FILTERS[k]: v for k, v in chosen.items() if k in EXPORT_FILTERS}
    if chosen.get("year"):
        params["active_from"] = params["active_to"] = chosen["year"]
    return params


def export_links(chosen: dict[str, str]) -> dict[str, str]:
    params = export_params(chosen)
    links = {fmt: "/api/reporting/exports/projects?" + urlencode({"format": fmt, **params}) for fmt in ("csv", "xlsx")}
    if chosen.get("institution"):
        # IATI files are per reporting organisation: offered once an institution is chosen.
        rest = {k: v for k, v in params.items() if k != "institution"}
        links["iati"] = "/api/reporting/exports/iati?" + urlencode({"reporting_org": chosen["institution"], **rest})
    return links


def _target_key(code: str) -> list[int]:
    return [int(p) if p.isdigit() else 100 + ord(p) for p in code.split(".")]


def filter_options(
    f: Formats,
    references: tuple[dict[str, Any], ...],
    codelists: tuple[dict[str, dict[str, str]], ...],
) -> dict[str, list[tuple[str, str]]]:
    """The values each select offers: those with published projects, or the codelist's."""
    cities, countries, sectors = (
        # The row of projects without a value (no partner city, no sector ...) is no filter value.
        [row["value"] for row in reference["rows"] if row["value"] != NONE]
        for reference in references
    )
    institutions, networks, goals, targets, sector_names, modalities = codelists
    return {
        "institution": [(code, f.label(names, code)) for code, names in institutions.items()],
        "country": sorted(((code, f.country(code)) for code in countries), key=lambda o: o[1]),
        "city": [(name, name) for name in sorted(cities)],
        "sdg_goal": [
            (code, f"{code}. {f.label(names)}") for code, names in sorted(goals.items(), key=lambda i: int(i[0]))
        ],
        "sdg_target": [(code, f"{code}. {f.label(targets[code])}") for code in sorted(targets, key=_target_key)],
        "sector": sorted(((code, f.label(sector_names.get(code), code)) for code in sectors), key=lambda o: o[1]),
        "network": sorted(((code, f.label(names, code)) for code, names in networks.items()), key=lambda o: o[1]),
        "modality": sorted(((code, f.label(names, code)) for code, names in modalities.items()), key=lambda o: o[1]),
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
        gateway.projects.codelist("sdg-targets"),
        gateway.projects.codelist("Sector"),
        gateway.projects.codelist("modalities"),
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
    links = export_links(chosen)
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
        "options": options,
    }
    versions = "|".join(f"{p['id']}:{p['version']}" for p in result["items"])
    return page(request, lang, "explore.html", context, freshness_key(*references) + versions)
