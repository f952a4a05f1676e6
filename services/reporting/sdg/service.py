"""The SDG report: projects and money per goal and target, attributed and contributes-to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels import repository as readmodels
from services.reporting.readmodels.attribution import FIELDS, METHOD_VERSION, goal_order, project_parts
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.report import definition, freshness, money
from services.reporting.readmodels.schemas import Method, Money
from services.reporting.readmodels.years import Sums, Tally, YearSums, ledger_years, split_by_year, with_undated
from services.reporting.sdg import repository
from services.reporting.sdg.schemas import GoalRow, SdgReport, TargetRow
from shared.codelists import codelists

# The live aggregate has no years: its money sits under one key (only read when no window is set).
LIFETIME = "lifetime"


@dataclass
class Figures:
    """What the SDG report is made of, however it was computed."""

    projects: int = 0
    totals: Tally = field(default_factory=Tally)
    unattributed: Tally = field(default_factory=Tally)
    # (level, code) -> projects tagged, attributed money, contributes-to money
    codes: dict[tuple[str, str], tuple[int, Tally, Tally]] = field(default_factory=dict)


def computed_figures(rows: list[Any], method: str, ledger: dict[Any, YearSums]) -> Figures:
    """From projects with their money (any snapshot) and their money per year: attribution computed
    project by project, year by year (the years of each row add up to its lifetime part)."""
    figures = Figures(projects=len(rows))
    for row in rows:
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        years = with_undated(ledger.get(row.id, {}), amounts)
        figures.totals.add_years(years)
        if not row.sdg_goals:
            figures.unattributed.add_years(years)

        def parts(running: Sums, goals: Any = row.sdg_goals) -> dict[tuple[str, str], Sums]:
            return {(level, code): part for level, code, part in project_parts(goals, running, method)}

        for level, code, _ in project_parts(row.sdg_goals, amounts, method):
            count, attributed, contributes = figures.codes.get((level, code), (0, Tally(), Tally()))
            contributes.add_years(years)
            figures.codes[(level, code)] = (count + 1, attributed, contributes)
        for year, cells in split_by_year(parts, years).items():
            for key, cell in cells.items():
                figures.codes[key][1].add(year, cell)
    return figures


async def live_figures(session: AsyncSession, filters: ReportFilters, method: str) -> Figures:
    """The same figures from the kept attribution, as one SQL aggregate."""
    figures = Figures()
    for level, code, count, *amounts in await repository.live_attribution(session, filters, method):
        attributed, full = Tally(), Tally()
        attributed.add(LIFETIME, dict(zip(FIELDS, (Decimal(v) for v in amounts[:4]), strict=True)))
        full.add(LIFETIME, dict(zip(FIELDS, (Decimal(v) for v in amounts[4:]), strict=True)))
        if level == "project":
            figures.projects = int(count)
            figures.totals = full
        elif level == "none":
            figures.unattributed = full
        else:
            figures.codes[(level, code)] = (int(count), attributed, full)
    return figures


async def sdg_report(session: AsyncSession, filters: ReportFilters, method: str) -> SdgReport:
    if filters.snapshot.as_of is None and not filters.needs_years:
        figures = await live_figures(session, filters, method)
    else:
        rows = await readmodels.projects_with_money(session, filters)
        ledger = await ledger_years(session, filters.snapshot, [r.id for r in rows]) if filters.needs_years else {}
        figures = computed_figures(rows, method, ledger)
    window, by_year = filters.money_years, filters.by_year

    def _m(tally: Tally) -> Money:
        return money(tally, window, by_year)

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
                attributed=_m(attributed),
                contributes_to=_m(contributes),
                targets=[
                    TargetRow(
                        target=t,
                        projects=figures.codes[("target", t)][0],
                        attributed=_m(figures.codes[("target", t)][1]),
                        contributes_to=_m(figures.codes[("target", t)][2]),
                    )
                    for t in targets
                ],
            )
        )
    return SdgReport(
        method=Method(name=method, version=METHOD_VERSION),
        freshness=await freshness(session, filters.snapshot),
        projects=figures.projects,
        totals=_m(figures.totals),
        unattributed=_m(figures.unattributed),
        goals=goal_rows,
        definition=definition(filters),
    )
