"""The master plan's targets (data: shared/data/plans/master-plans.json) against each year's actuals:
the share of the directorate's budget committed through the call, and how much of the call's
money went to the priority partner cities and countries."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.schemas import MasterPlanReport, MasterPlanYear
from shared.codelists import DATA_DIR
from shared.problems import NotFound
from shared.text import fold


class NoMasterPlan(NotFound):
    kind, title = "no-master-plan", "No master plan of this institution covers these years"


@cache
def plans() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((DATA_DIR / "plans" / "master-plans.json").read_text())["items"]
    return items


def plan_for(institution: str, year: int) -> dict[str, Any] | None:
    return next(
        (p for p in plans() if p["institution"] == institution and p["first_year"] <= year <= p["last_year"]), None
    )


def _percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if whole else None


async def master_plan_report(session: AsyncSession, institution: str, plan_code: str | None) -> MasterPlanReport:
    plan = next(
        (p for p in plans() if p["institution"] == institution and (plan_code in (None, p["code"]))),
        None,
    )
    if plan is None:
        raise NoMasterPlan(f"No master plan for {institution}")
    first, last = int(plan["first_year"]), int(plan["last_year"])
    rows = await repository.call_commitments(session, institution, first, last)
    cities = {(fold(c["name"]), c["country"]) for c in plan["priority_cities"]}
    countries = set(plan["priority_countries"])
    committed: dict[int, Decimal] = defaultdict(Decimal)
    to_cities: dict[int, Decimal] = defaultdict(Decimal)
    to_countries: dict[int, Decimal] = defaultdict(Decimal)
    for y, amount, proposal in rows:
        committed[y] += amount
        partners = {(fold(c["name"]), c["country"]) for c in proposal.get("partner_cities", [])}
        places = {c for _, c in partners} | {r["code"] for r in proposal.get("recipient_countries", [])}
        if partners & cities:
            to_cities[y] += amount
        if places & countries:
            to_countries[y] += amount
    budgets = await repository.cooperation_budgets(session, institution, first, last)
    low, high = Decimal(plan["call_share_min_percent"]), Decimal(plan["call_share_max_percent"])
    years = []
    for y in range(first, last + 1):
        share = _percent(committed[y], budgets.get(y))
        years.append(
            MasterPlanYear(
                year=y,
                directorate_budget_eur=budgets.get(y),
                call_committed_eur=committed[y].quantize(Decimal("0.01")),
                call_share_percent=share,
                target_min_percent=low,
                target_max_percent=high,
                on_target=None if share is None else low <= share <= high,
                priority_cities_eur=to_cities[y].quantize(Decimal("0.01")),
                priority_cities_share_percent=_percent(to_cities[y], committed[y]),
                priority_countries_eur=to_countries[y].quantize(Decimal("0.01")),
                priority_countries_share_percent=_percent(to_countries[y], committed[y]),
            )
        )
    return MasterPlanReport(
        plan=plan["code"],
        title={lang: plan[lang] for lang in ("ca", "es", "en")},
        institution=institution,
        priority_cities=plan["priority_cities"],
        priority_countries=sorted(countries),
        years=years,
    )
