"""Results: indicator targets against approved actuals per period, per project, rolled up per SDG
indicator across projects and per programme over its descendants.

Roll-ups add only what adds up: indicators measured in units (IATI measure 1) reporting against
the same SDG indicator code, period by identical period, unless the project marked them not
aggregatable. Percentages, nominal, ordinal and qualitative indicators are listed per project
and counted as left out, never summed or averaged. A period's figures are never added to another
period's in the per-period roll-up; the lifetime figure adds a non-cumulative indicator's periods
and takes a cumulative one's latest (adding running totals would count the same people twice),
and is left out when an indicator does not say which kind it is.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.filters import UnknownFilterValue
from services.reporting.readmodels.report import freshness
from services.reporting.readmodels.schemas import Definition
from services.reporting.readmodels.snapshot import Snapshot
from services.reporting.results import repository
from services.reporting.results.schemas import (
    IndicatorRollup,
    IndicatorRow,
    Lifetime,
    PeriodRollup,
    PeriodRow,
    ProgrammeRollup,
    ProjectResults,
    ResultsReport,
)
from shared.codelists import codelists
from shared.money import percent

UNIT = "1"
MEASURES = {"1": "unit", "2": "percentage", "3": "nominal", "4": "ordinal", "5": "qualitative"}
DEFINITION = (
    "Indicators of published, unarchived projects with their targets and approved actuals per period. "
    "Roll-ups add unit indicators (measure 1) with the same SDG indicator code, per identical period, "
    "each project once; measures 2-5 and indicators marked not aggregatable are never added. The lifetime "
    "figure adds a non-cumulative indicator's periods and takes a cumulative one's latest period, then adds "
    "across indicators; null when an indicator does not say whether it is cumulative."
)


def check_sdg_indicator(code: str | None) -> None:
    if code is not None and code not in codelists()["sdg-indicators"]:
        raise UnknownFilterValue(
            f"sdg_indicator={code!r} is not an SDG indicator",
            errors=[{"field": "sdg_indicator", "in": "query", "message": "not an SDG indicator", "value": code}],
        )


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _achievement(target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    return None if target is None or actual is None else percent(actual, target)


def _flag(indicator: dict[str, Any], name: str) -> bool | None:
    value = indicator.get(name)
    return None if value is None else bool(value)


@dataclass
class _Period:
    projects: set[uuid.UUID] = field(default_factory=set)
    indicators: int = 0
    target: Decimal | None = None
    actual: Decimal | None = None


@dataclass
class _Code:
    projects: set[uuid.UUID] = field(default_factory=set)
    indicators: int = 0
    periods: dict[tuple[date, date], _Period] = field(default_factory=lambda: defaultdict(_Period))
    left_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unstated: int = 0
    lifetime_target: Decimal | None = None
    lifetime_actual: Decimal | None = None


def lifetime(indicator: dict[str, Any], name: str) -> Decimal | None:
    """One indicator's value over its life (target or actual): a cumulative indicator's latest period
    stating one (each period already holds the running total), a non-cumulative one's periods added.
    None when no period states one; the caller never asks for an indicator that does not say which."""
    stated = [
        (period["end"], value)
        for period in indicator.get("periods", [])
        if (value := _number(period.get(name))) is not None
    ]
    if not stated:
        return None
    if indicator["cumulative"]:
        return max(stated, key=lambda item: str(item[0]))[1]
    return sum((value for _, value in stated), Decimal(0))


def _add(value: Decimal | None, to: Decimal | None) -> Decimal | None:
    return to if value is None else (value if to is None else to + value)


def roll_up(indicators: list[tuple[uuid.UUID, dict[str, Any]]]) -> list[IndicatorRollup]:
    """Per SDG indicator code: the unit indicators added per identical period (pure)."""
    codes: dict[str, _Code] = defaultdict(_Code)
    for project_id, indicator in indicators:
        code = indicator.get("sdg_indicator")
        if not code:
            continue
        bucket = codes[code]
        if indicator["measure"] != UNIT:
            bucket.left_out[MEASURES.get(indicator["measure"], "other")] += 1
            continue
        if indicator.get("aggregation_status") is False:
            bucket.left_out["not-aggregatable"] += 1
            continue
        bucket.projects.add(project_id)
        bucket.indicators += 1
        if indicator.get("cumulative") is None:
            bucket.unstated += 1
        else:
            bucket.lifetime_target = _add(lifetime(indicator, "target"), bucket.lifetime_target)
            bucket.lifetime_actual = _add(lifetime(indicator, "actual"), bucket.lifetime_actual)
        for period in indicator.get("periods", []):
            cell = bucket.periods[(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))]
            cell.projects.add(project_id)
            cell.indicators += 1
            cell.target = _add(_number(period.get("target")), cell.target)
            cell.actual = _add(_number(period.get("actual")), cell.actual)
    labels = codelists()["sdg-indicators"]
    return [
        IndicatorRollup(
            code=code,
            label=dict(item.names) if (item := labels.get(code)) else {},
            measure=UNIT,
            projects=len(b.projects),
            indicators=b.indicators,
            periods=[
                PeriodRollup(
                    start=start,
                    end=end,
                    projects=len(cell.projects),
                    indicators=cell.indicators,
                    target=cell.target,
                    actual=cell.actual,
                    achievement_percent=_achievement(cell.target, cell.actual),
                )
                for (start, end), cell in sorted(b.periods.items())
            ],
            lifetime=None if b.unstated else Lifetime(target=b.lifetime_target, actual=b.lifetime_actual),
            cumulative_unstated=b.unstated,
            not_rolled_up=dict(sorted(b.left_out.items())),
        )
        for code, b in sorted(codes.items(), key=lambda kv: _code_order(kv[0]))
    ]


def _code_order(code: str) -> list[tuple[int, str]]:
    """6.1.1 before 11.6.1: numerically, part by part (letters after numbers, as in 6.a.1)."""
    return [(0, part.zfill(4)) if part.isdigit() else (1, part) for part in code.split(".")]


def _indicators(state: dict[str, Any], sdg_indicator: str | None) -> list[tuple[str, dict[str, Any]]]:
    return [
        (result["type"], indicator)
        for result in (state or {}).get("results", [])
        for indicator in result.get("indicators", [])
        if not sdg_indicator or indicator.get("sdg_indicator") == sdg_indicator
    ]


def descendants(root: uuid.UUID, children: dict[uuid.UUID, list[uuid.UUID]]) -> set[uuid.UUID]:
    """The project and everything below it, each once (a cycle in bad data cannot loop)."""
    seen: set[uuid.UUID] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(children.get(current, []))
    return seen


async def results_report(
    session: AsyncSession, snapshot: Snapshot, institution: str | None, sdg_indicator: str | None
) -> ResultsReport:
    views = await repository.published_projects(session, snapshot, institution)
    by_id = {view.id: view for view in views}
    children: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for view in views:
        if view.parent_id is not None and view.parent_id in by_id:
            children[view.parent_id].append(view.id)
    projects: list[ProjectResults] = []
    for view in views:
        rows = [
            IndicatorRow(
                result_type=result_type,
                title=indicator["title"],
                measure=indicator["measure"],
                cumulative=_flag(indicator, "cumulative"),
                aggregation_status=_flag(indicator, "aggregation_status"),
                sdg_indicator=indicator.get("sdg_indicator"),
                baseline=_number((indicator.get("baseline") or {}).get("value")),
                periods=[
                    PeriodRow(
                        start=p["start"],
                        end=p["end"],
                        target=_number(p.get("target")),
                        actual=_number(p.get("actual")),
                        achievement_percent=_achievement(_number(p.get("target")), _number(p.get("actual"))),
                    )
                    for p in indicator.get("periods", [])
                ],
            )
            for result_type, indicator in _indicators(view.state, sdg_indicator)
        ]
        if rows:
            projects.append(
                ProjectResults(
                    project_id=str(view.id), code=view.code, owner=view.owner, title=view.title, indicators=rows
                )
            )

    def indicators_of(ids: set[uuid.UUID]) -> list[tuple[uuid.UUID, dict[str, Any]]]:
        return [(i, ind) for i in sorted(ids) for _, ind in _indicators(by_id[i].state, sdg_indicator)]

    programmes = [
        ProgrammeRollup(
            programme_id=str(view.id),
            code=view.code,
            projects=len(members := descendants(view.id, children)),
            by_sdg_indicator=roll_up(indicators_of(members)),
        )
        for view in views
        if children.get(view.id)
    ]
    return ResultsReport(
        projects=projects,
        by_sdg_indicator=roll_up(indicators_of(set(by_id))),
        programmes=programmes,
        freshness=await freshness(session, snapshot),
        definition=Definition(counts=DEFINITION),
    )
