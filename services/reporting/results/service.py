"""Results: indicator targets against approved actuals per period, per project and per SDG indicator."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.results.schemas import (
    IndicatorRow,
    PeriodRow,
    ProjectResults,
    ResultsReport,
    SdgIndicatorTotals,
)
from services.reporting.sdg.service import freshness
from shared.codelists import codelists

UNIT, PERCENT = "1", "2"
CENT = Decimal("0.01")


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _achievement(target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    if target is None or actual is None or target == 0:
        return None
    return (actual * 100 / target).quantize(CENT, rounding=ROUND_HALF_UP)


async def results_report(
    session: AsyncSession, snapshot: Snapshot, institution: str | None, sdg_indicator: str | None
) -> ResultsReport:
    project = snapshot.projects()
    query = select(project).where(project.visibility == "published", project.archived.is_(False))
    if institution:
        query = query.where(project.owner == institution)
    projects: list[ProjectResults] = []
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "projects": set(),
            "indicators": 0,
            "target": Decimal(0),
            "actual": Decimal(0),
            "pct_target": [],
            "pct_actual": [],
        }
    )
    for view in (await session.execute(query.order_by(project.code, project.id))).scalars():
        rows = []
        for result in (view.state or {}).get("results", []):
            for indicator in result.get("indicators", []):
                code = indicator.get("sdg_indicator")
                if sdg_indicator and code != sdg_indicator:
                    continue
                periods = [
                    PeriodRow(
                        start=p["start"],
                        end=p["end"],
                        target=_number(p.get("target")),
                        actual=_number(p.get("actual")),
                        achievement_percent=_achievement(_number(p.get("target")), _number(p.get("actual"))),
                    )
                    for p in indicator.get("periods", [])
                ]
                rows.append(
                    IndicatorRow(
                        result_type=result["type"],
                        title=indicator["title"],
                        measure=indicator["measure"],
                        sdg_indicator=code,
                        baseline=_number((indicator.get("baseline") or {}).get("value")),
                        periods=periods,
                    )
                )
                if code:
                    bucket = totals[code]
                    bucket["projects"].add(view.id)
                    bucket["indicators"] += 1
                    for period in periods:
                        if indicator["measure"] == UNIT:
                            bucket["target"] += period.target or 0
                            bucket["actual"] += period.actual or 0
                        elif indicator["measure"] == PERCENT:
                            if period.target is not None:
                                bucket["pct_target"].append(period.target)
                            if period.actual is not None:
                                bucket["pct_actual"].append(period.actual)
        if rows:
            projects.append(
                ProjectResults(
                    project_id=str(view.id), code=view.code, owner=view.owner, title=view.title, indicators=rows
                )
            )
    labels = codelists()["sdg-indicators"]

    def mean(values: list[Decimal]) -> Decimal | None:
        return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP) if values else None

    by_code = [
        SdgIndicatorTotals(
            code=code,
            label=dict(item.names) if (item := labels.get(code)) else {},
            projects=len(b["projects"]),
            indicators=b["indicators"],
            target_units=b["target"],
            actual_units=b["actual"],
            mean_target_percent=mean(b["pct_target"]),
            mean_actual_percent=mean(b["pct_actual"]),
        )
        for code, b in sorted(totals.items())
    ]
    return ResultsReport(projects=projects, by_sdg_indicator=by_code, freshness=await freshness(session, snapshot))
