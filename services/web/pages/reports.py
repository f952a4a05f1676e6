"""The 0.7 % page, the grant calls and the methodology."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from urllib.parse import urlencode

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


@router.get("/{lang}/grants-awarded")
async def grants_awarded(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    """The transparency list: every grant a definitive resolution awarded, filtered by the calls'
    institution and year, with the same list as open data (CSV)."""
    f = Formats(lang)
    items, institutions = await asyncio.gather(gateway.funding.calls(), gateway.projects.codelist("institutions"))
    published = [c for c in items if c["status"] != "draft"]
    options = {
        "institution": sorted(
            ((code, f.label(institutions.get(code), code)) for code in {c["institution"] for c in published}),
            key=lambda o: o[1],
        ),
        "year": [(str(y), str(y)) for y in sorted({c["year"] for c in published}, reverse=True)],
    }
    asked = {k: v.strip() for k in options if (v := request.query_params.get(k, "")).strip()}
    # A value no select offers (an old or edited link) is named in the error summary and left out.
    invalid = [k for k, v in asked.items() if v not in {value for value, _ in options[k]}]
    chosen = {k: v for k, v in asked.items() if k not in invalid}
    awarded = await gateway.funding.awarded(chosen, lang)
    context = {
        "title": "grants-awarded",
        "options": options,
        "chosen": chosen,
        "invalid": invalid,
        "grants": awarded["items"],
        "total": awarded["total_eur"],
        "csv": "/api/funding/grants/awarded?" + urlencode({"format": "csv", "lang": lang, **chosen}),
    }
    key = "|".join(f"{c['id']}:{c['version']}" for c in items) + json.dumps(awarded, sort_keys=True)
    return page(request, lang, "grants_awarded.html", context, key)


@router.get("/{lang}/methodology")
async def methodology(lang: Language, request: Request, gateway: GatewayDep) -> Response:
    sdg = await gateway.reporting.sdg({})
    context = {"title": "methodology", "method": sdg["method"], "freshness": sdg["freshness"], "gateway": ""}
    return page(request, lang, "methodology.html", context, freshness_key(sdg))
