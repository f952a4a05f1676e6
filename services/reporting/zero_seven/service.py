"""The 0.7 % report: per institution and year, declared revenues and target against the
institution's own money budgeted, committed and disbursed in that year (published projects), the
external money beside it, and the SDG shares of the own committed money (DEFINITION below)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import InstitutionYearHistory, InstitutionYearView, LedgerEntryView
from services.reporting.portfolio.snapshot import Snapshot
from services.reporting.portfolio.years import Sums, entry_years, zero
from services.reporting.sdg.attribution import METHOD_VERSION, allocate, goal_order, weights
from services.reporting.sdg.schemas import Definition, Method
from services.reporting.sdg.service import freshness
from services.reporting.zero_seven.schemas import Revenues, SourceMoney, ZeroSevenReport, ZeroSevenRow
from shared.contracts.funding import REVENUE_DECLARED, InstitutionYearV1
from shared.events import CloudEvent
from shared.readmodel import insert_many_once, upsert_many_if_newer

CENT = Decimal("0.01")


async def apply_revenue_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    rows = []
    for event in events:
        if event.type != REVENUE_DECLARED:
            continue
        state = InstitutionYearV1.model_validate(event.data)
        rows.append(
            {
                "institution": state.institution,
                "year": state.year,
                "version": state.version,
                "own_revenues_eur": state.own_revenues_eur,
                "target_eur": state.target_eur,
                "cooperation_budget_eur": state.cooperation_budget_eur,
                "revenues_source": state.revenues_source,
                "revenues_basis": state.revenues_basis,
                "event_time": event.time,
            }
        )
    if rows:
        await insert_many_once(session, InstitutionYearHistory, rows)
        await upsert_many_if_newer(session, InstitutionYearView, rows, keys=("institution", "year"))


async def apply_revenue_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_revenue_events(session, [event])


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
    project = snapshot.projects()
    query = select(project.id, project.owner, project.sdg_goals).where(
        project.visibility == "published", project.archived.is_(False)
    )
    if institution:
        query = query.where(project.owner == institution)
    projects = {row.id: row for row in (await session.execute(query)).all()}
    rows = await session.execute(
        select(LedgerEntryView.project_id, LedgerEntryView.kind, LedgerEntryView.data).where(
            LedgerEntryView.project_id.in_(list(projects)), snapshot.ledger_entries()
        )
    )
    classes: Classes = defaultdict(lambda: defaultdict(zero))
    own_committed: dict[tuple[Any, str, int], Decimal] = defaultdict(Decimal)
    for project_id, kind, data in rows.all():
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


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(CENT, rounding=ROUND_HALF_UP) if whole else None


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
    declared_years = snapshot.institution_years()
    declared_query = select(declared_years).order_by(declared_years.institution, declared_years.year)
    if institution:
        declared_query = declared_query.where(declared_years.institution == institution)
    declared = list((await session.execute(declared_query)).scalars())
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
                committed_share_of_target=_percent(own["committed"], target),
                disbursed_share_of_target=_percent(own["disbursed"], target),
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
