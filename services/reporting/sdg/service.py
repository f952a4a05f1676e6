"""The SDG report: projects and money per goal and target, attributed and contributes-to."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.sdg import repository
from services.reporting.sdg.attribution import METHOD_VERSION, allocate, goal_order, weights
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

FIELDS = ("budgeted", "committed", "disbursed", "spent")
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


async def sdg_report(session: AsyncSession, filters: repository.ReportFilters, method: str) -> SdgReport:
    rows = await repository.projects_with_money(session, filters)
    attributed: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    contributes: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    target_attributed: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    target_contributes: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    goal_projects: dict[str, int] = defaultdict(int)
    target_projects: dict[str, int] = defaultdict(int)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    unattributed: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        goals: list[dict[str, Any]] = row.sdg_goals
        parts = weights(goals, method)
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        for name, amount in amounts.items():
            totals[name] += amount
            if not parts:
                unattributed[name] += amount
            for goal, share in allocate(amount, parts).items():
                attributed[goal][name] += share
                targets: list[str] = next((g.get("targets", []) for g in goals if str(g["goal"]) == goal), [])
                for target, part in allocate(share, [(t, Decimal(1) / len(targets)) for t in targets]).items():
                    target_attributed[target][name] += part
        for tagged in goals:
            goal_projects[str(tagged["goal"])] += 1
            for name, amount in amounts.items():
                contributes[str(tagged["goal"])][name] += amount
            for target in tagged.get("targets", []):
                target_projects[target] += 1
                for name, amount in amounts.items():
                    target_contributes[target][name] += amount
    labels = codelists()["sdg-goals"]
    goal_rows = []
    for goal in sorted(goal_projects, key=goal_order):
        item = labels.get(goal)
        targets = sorted(
            (t for t in target_projects if t.split(".")[0] == goal),
            key=lambda t: (t.split(".")[1].isdigit(), t.split(".")[1].zfill(3)),
        )
        goal_rows.append(
            GoalRow(
                goal=goal,
                label=dict(item.names) if item else {},
                projects=goal_projects[goal],
                attributed=_money(attributed[goal]),
                contributes_to=_money(contributes[goal]),
                targets=[
                    TargetRow(
                        target=t,
                        projects=target_projects[t],
                        attributed=_money(target_attributed[t]),
                        contributes_to=_money(target_contributes[t]),
                    )
                    for t in targets
                ],
            )
        )
    return SdgReport(
        method=Method(name=method, version=METHOD_VERSION),
        freshness=await freshness(session, filters.snapshot),
        projects=len(rows),
        totals=_money(totals),
        unattributed=_money(unattributed),
        goals=goal_rows,
    )
