"""The 0.7 % page, the grant calls and the methodology."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web.charts import bars
from services.web.i18n import Formats
from services.web.pages.common import GatewayDep, Language, as_of_of, freshness_key, page

router = APIRouter()


@router.get("/{lang}/zero-seven")
async def zero_seven(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    f = Formats(lang)
    as_of = as_of_of(request)
    zero, institutions = await asyncio.gather(
        gateway.reporting.zero_seven({"as_of": as_of or ""}), gateway.projects.codelist("institutions")
    )
    charts = []
    for code in sorted({row["institution"] for row in zero["rows"]}):
        rows = sorted((r for r in zero["rows"] if r["institution"] == code), key=lambda r: r["year"])
        charts.append(
            {
                "code": code,
                "name": f.label(institutions.get(code), code),
                "rows": rows,
                "bars": bars(
                    [
                        (
                            str(r["year"]),
                            Decimal(r["committed_share_of_target"] or "0"),
                            f.percent(r["committed_share_of_target"] or "0"),
                            None,
                            None,
                        )
                        for r in rows
                    ]
                ),
            }
        )
    context = {
        "title": "zero-seven",
        "as_of": as_of,
        "charts": charts,
        "method": zero["method"],
        "freshness": zero.get("freshness"),
    }
    return page(request, lang, "zero_seven.html", context, freshness_key(zero))


@router.get("/{lang}/calls")
async def calls(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    items = await gateway.funding.calls()
    resolutions = await asyncio.gather(*(gateway.funding.resolution(c["id"]) for c in items if c["status"] != "open"))
    by_call = {r["call_id"]: r for r in resolutions if r}
    for resolution in by_call.values():
        for decision in resolution["decisions"]:
            decision["granted_total"] = sum((Decimal(v) for v in decision["granted"].values()), Decimal(0))
    institutions = await gateway.projects.codelist("institutions")
    context = {"title": "calls", "calls": items, "resolutions": by_call, "institutions": institutions}
    key = "|".join(f"{c['id']}:{c['version']}" for c in items) + "|".join(sorted(by_call))
    return page(request, lang, "calls.html", context, key)


@router.get("/{lang}/methodology")
async def methodology(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    sdg = await gateway.reporting.sdg({})
    context = {"title": "methodology", "method": sdg["method"], "freshness": sdg["freshness"], "gateway": ""}
    return page(request, lang, "methodology.html", context, freshness_key(sdg))
