"""The SDG report: projects and money per goal and target, attributed and contributes-to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.sdg import repository
from services.reporting.sdg.attribution import FIELDS, METHOD_VERSION, goal_order, project_parts
from services.reporting.sdg.schemas import (
    Freshness,
    GoalRow,
    Method,
    Money,
    PartitionPosition,
    SdgReport,
    TargetRow,
)
from shared.codelists import codelists

CENT = Decimal("0.01")


def _money(values: dict[str, Decimal]) -> Money:
    return Money(**{f"{name}_eur": values.get(name, Decimal(0)).quantize(CENT) for name in FIELDS})


async def freshness(session: AsyncSession, snapshot: Snapshot) -> Freshness:
    """How current the figures are: every report states it."""
    last, positions = await repository.freshness(session, snapshot)
    return Freshness(
        as_of=snapshot.as_of,
        cutoff=snapshot.cutoff,
        last_event_time=last,
        positions=[PartitionPosition(topic=t, partition=p, offset=o) for t, p, o in positions],
    )


Sums = dict[str, Decimal]


@dataclass
class Figures:
    """What the SDG report is made of, however it was computed."""

    projects: int = 0
    totals: Sums = field(default_factory=lambda: defaultdict(Decimal))
    unattributed: Sums = field(default_factory=lambda: defaultdict(Decimal))
    # (level, code) -> projects tagged, attributed money, contributes-to money
    codes: dict[tuple[str, str], tuple[int, Sums, Sums]] = field(default_factory=dict)


def computed_figures(rows: list[Any], method: str) -> Figures:
    """From projects with their money (any snapshot): attribution computed project by project."""
    figures = Figures(projects=len(rows))
    for row in rows:
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        for name, amount in amounts.items():
            figures.totals[name] += amount
            if not row.sdg_goals:
                figures.unattributed[name] += amount
        for level, code, money in project_parts(row.sdg_goals, amounts, method):
            count, attributed, contributes = figures.codes.get(
                (level, code), (0, defaultdict(Decimal), defaultdict(Decimal))
            )
            for name in FIELDS:
                attributed[name] += money[name]
                contributes[name] += amounts[name]
            figures.codes[(level, code)] = (count + 1, attributed, contributes)
    return figures


async def live_figures(session: AsyncSession, filters: repository.ReportFilters, method: str) -> Figures:
    """The same figures from the kept attribution, as one SQL aggregate."""
    figures = Figures()
    for level, code, count, *money in await repository.live_attribution(session, filters, method):
        attributed = dict(zip(FIELDS, (Decimal(v) for v in money[:4]), strict=True))
        full = dict(zip(FIELDS, (Decimal(v) for v in money[4:]), strict=True))
        if level == "project":
            figures.projects = int(count)
            figures.totals.update(full)
        elif level == "none":
            figures.unattributed.update(full)
        else:
            figures.codes[(level, code)] = (int(count), attributed, full)
    return figures


async def sdg_report(session: AsyncSession, filters: repository.ReportFilters, method: str) -> SdgReport:
    if filters.snapshot.as_of is None:
        figures = await live_figures(session, filters, method)
    else:
        figures = computed_figures(await repository.projects_with_money(session, filters), method)
    labels = codelists()["sdg-goals"]
    goals = sorted((code for level, code in figures.codes if level == "goal"), key=goal_order)
    target_codes = [code for level, code in figures.codes if level == "target"]
    goal_rows = []
    for goal in goals:
        item = labels.get(goal)
        count, attributed, contributes = figures.codes[("goal", goal)]
        targets = sorted(
            (t for t in target_codes if t.split(".")[0] == goal),
            key=lambda t: (t.split(".")[1].isdigit(), t.split(".")[1].zfill(3)),
        )
        goal_rows.append(
            GoalRow(
                goal=goal,
                label=dict(item.names) if item else {},
                projects=count,
                attributed=_money(attributed),
                contributes_to=_money(contributes),
                targets=[
                    TargetRow(
                        target=t,
                        projects=figures.codes[("target", t)][0],
                        attributed=_money(figures.codes[("target", t)][1]),
                        contributes_to=_money(figures.codes[("target", t)][2]),
                    )
                    for t in targets
                ],
            )
        )
    return SdgReport(
        method=Method(name=method, version=METHOD_VERSION),
        freshness=await freshness(session, filters.snapshot),
        projects=figures.projects,
        totals=_money(figures.totals),
        unattributed=_money(figures.unattributed),
        goals=goal_rows,
    )
