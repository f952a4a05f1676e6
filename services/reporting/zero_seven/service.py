"""The 0.7 % report: per institution and year, declared revenues and target against the
institution's own money budgeted, committed and disbursed in that year (published projects), the
external money beside it, and the SDG shares of the own committed money (DEFINITION below)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.attribution import METHOD_VERSION, allocate, goal_order, weights
from services.reporting.readmodels.models import InstitutionYearView
from services.reporting.readmodels.report import freshness
from services.reporting.readmodels.schemas import Definition, Method
from services.reporting.readmodels.snapshot import Snapshot
from services.reporting.readmodels.years import Sums, entry_years, zero
from services.reporting.zero_seven import repository
from services.reporting.zero_seven.schemas import Revenues, SourceMoney, ZeroSevenReport, ZeroSevenRow
from shared.money import CENT, percent

OWN = "own"
UNCLASSIFIED = "unclassified"
OWN_KIND = "own-budget"
# Rows keyed (institution, year); per money class ("own", a source kind, "unclassified").
Classes = dict[tuple[str, int], dict[str, Sums]]


def money_class(data: dict[str, Any]) -> str:
    """Own money, a kind of external money, or unclassified (a source whose kind nobody sent).

    An entry without a source is the institution's own budget (the funding service's default)."""
    kind = data.get("source_kind")
    if kind:
        return OWN if kind == OWN_KIND else str(kind)
    return OWN if data.get("source_id") is None else UNCLASSIFIED


async def _yearly_money(
    session: AsyncSession, snapshot: Snapshot, institution: str | None, method: str
) -> tuple[Classes, dict[tuple[str, int], dict[str, Decimal]]]:
    """Money of published, unarchived projects per (owner, year) and class, and the own committed
    money attributed to SDG goals, project by project and year by year."""
    projects = await repository.published_projects(session, snapshot, institution)
    entries = await repository.ledger_entries(session, snapshot, list(projects))
    classes: Classes = defaultdict(lambda: defaultdict(zero))
    own_committed: dict[tuple[Any, str, int], Decimal] = defaultdict(Decimal)
    for project_id, kind, data in entries:
        owner, category = projects[project_id].owner, money_class(data)
        for year, name, amount in entry_years(kind, data):
            classes[(owner, int(year))][category][name] += amount
            if category == OWN and name == "committed":
                own_committed[(project_id, owner, int(year))] += amount
    by_sdg: dict[tuple[str, int], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for (project_id, owner_code, year_number), amount in own_committed.items():
        for goal, share in allocate(amount, weights(projects[project_id].sdg_goals, method)).items():
            by_sdg[(owner_code, year_number)][goal] += share
    return classes, by_sdg


def _source_money(sums: Sums) -> SourceMoney:
    return SourceMoney(**{f"{name}_eur": sums[name].quantize(CENT) for name in ("budgeted", "committed", "disbursed")})


DEFINITION = (
    "Per institution and declared year: the money of its published, unarchived projects belonging to the "
    "year (value dates; budget lines by the days of their period), split by funding source. The numerator "
    "(committed_eur) is the institution's own money: entries charged to an own-budget source or to no "
    "source. Money charged to other kinds of source (FEDER/ERDF, European Commission calls, other public "
    "donors, partner co-financing) is shown under `external`, never in the ratio; money charged to a source "
    "whose kind the funding events do not state is `unclassified`, also outside the ratio. target_eur is "
    "0.7 % of the declared own revenues; `revenues` says where their figure comes from and whether it is "
    "that of the settled accounts or of the approved budget (the declaration in force at the report's as_of)."
)


def _revenues(row: InstitutionYearView) -> Revenues:
    """The declared revenues with what the declaration says of them, and what it leaves unsaid."""
    said = {"source": row.revenues_source, "basis": row.revenues_basis}
    return Revenues(
        own_revenues_eur=row.own_revenues_eur,
        source=row.revenues_source,
        basis=row.revenues_basis,
        missing=[name for name, value in said.items() if value is None],
    )


async def zero_seven_report(
    session: AsyncSession,
    snapshot: Snapshot,
    institution: str | None,
    year_from: int | None,
    year_to: int | None,
    method: str,
) -> ZeroSevenReport:
    declared = await repository.declared_years(session, snapshot, institution)
    classes, by_sdg = await _yearly_money(session, snapshot, institution, method)
    rows = []
    for row in declared:
        if (year_from and row.year < year_from) or (year_to and row.year > year_to):
            continue
        key = (row.institution, row.year)
        money = classes.get(key, {})
        own = money.get(OWN, zero())
        target = row.target_eur
        rows.append(
            ZeroSevenRow(
                institution=row.institution,
                year=row.year,
                own_revenues_eur=row.own_revenues_eur,
                revenues=_revenues(row),
                target_eur=target,
                cooperation_budget_eur=row.cooperation_budget_eur,
                budgeted_eur=own["budgeted"].quantize(CENT),
                committed_eur=own["committed"].quantize(CENT),
                disbursed_eur=own["disbursed"].quantize(CENT),
                gap_eur=(target - own["committed"]).quantize(CENT),
                committed_share_of_target=percent(own["committed"], target),
                disbursed_share_of_target=percent(own["disbursed"], target),
                external={k: _source_money(v) for k, v in sorted(money.items()) if k not in (OWN, UNCLASSIFIED)},
                unclassified=_source_money(money.get(UNCLASSIFIED, zero())),
                committed_by_sdg={
                    g: v.quantize(CENT) for g, v in sorted(by_sdg[key].items(), key=lambda kv: goal_order(kv[0]))
                },
            )
        )
    return ZeroSevenReport(
        method=Method(name=method, version=METHOD_VERSION),
        rows=rows,
        freshness=await freshness(session, snapshot),
        definition=Definition(counts=DEFINITION, money_year_from=year_from, money_year_to=year_to),
    )
