"""One truth: every report, breakdown, year split and export gives the same totals.

Random small portfolios (published, draft and archived projects, several versions, goals, countries,
modalities, transactions and budget lines over a few years) become the events the services would
send; they are shuffled, partly duplicated and applied through the consumer's own batch handler
into the test stack's reporting database (one rolled-back transaction per example). Then, for a
handful of filters, the totals of the SDG report (each method: goals plus unattributed), every
breakdown, the year splits, the CSV exports and the IATI export must agree with each other and with the money of the
published, unarchived projects computed here from the portfolio itself; the as-of report taken
today equals the live one.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.breakdown.service import breakdown
from services.reporting.consumers import on_events
from services.reporting.exports import iati, repository, tables
from services.reporting.portfolio.service import overview, project_list
from services.reporting.readmodels.attribution import METHODS
from services.reporting.readmodels.dimensions import DIMENSIONS
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.schemas import Money
from services.reporting.readmodels.snapshot import TIMEZONE, Snapshot
from services.reporting.readmodels.years import YearWindow
from services.reporting.sdg.service import sdg_report
from shared.codelists import codelists
from shared.contracts.funding import BUDGET_SET, TRANSACTION_RECORDED
from shared.contracts.projects import PROJECT_REGISTERED, PROJECT_UPDATED
from shared.events import CloudEvent
from tests.support.database import rolled_back_session
from tests.support.stack import Stack

FIELDS = ("budgeted_eur", "committed_eur", "disbursed_eur", "spent_eur")
TYPE_FIELD = {"2": "committed", "3": "disbursed", "4": "spent"}
cents = st.integers(min_value=1, max_value=5_000_000).map(lambda c: Decimal(c) / 100)
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 12, 31))
transaction = st.tuples(st.sampled_from(["2", "3", "4"]), cents, days)
budget = st.tuples(cents, days, st.integers(min_value=0, max_value=500))
version = st.fixed_dictionaries(
    {
        "visibility": st.sampled_from(["published", "published", "draft"]),
        "archived": st.booleans(),
        "goals": st.lists(st.sampled_from(["5", "6", "11"]), unique=True, max_size=3),
        "countries": st.lists(st.sampled_from(["MZ", "ZA", "CO"]), unique=True, min_size=1, max_size=2),
        "modality": st.sampled_from(["technical-cooperation", "city-exchange"]),
        "start": st.integers(min_value=2022, max_value=2025),
    }
)
project = st.fixed_dictionaries(
    {
        "versions": st.lists(version, min_size=1, max_size=2),
        "transactions": st.lists(transaction, max_size=4),
        "budgets": st.lists(budget, max_size=2),
    }
)
portfolios = st.tuples(st.lists(project, min_size=1, max_size=4), st.randoms(use_true_random=False))


def project_event(pid: uuid.UUID, owner: str, number: int, v: dict[str, Any], when: datetime) -> CloudEvent:
    goals = v["goals"]
    shares = [Decimal(100) / len(goals)] * len(goals) if goals else []
    return CloudEvent(
        source="/tests",
        type=PROJECT_REGISTERED if number == 1 else PROJECT_UPDATED,
        subject=str(pid),
        time=when,
        data={
            "id": str(pid),
            "version": number,
            "owner": owner,
            "code": f"P-{pid.hex[:8]}",
            "iati_identifier": f"XX-{pid.hex[:8]}",
            "title": {"en": f"v{number}"},
            "description": {"en": "d"},
            "status": "2",
            "visibility": v["visibility"],
            "archived": v["archived"],
            "modality": v["modality"],
            "partner_cities": [{"name": f"City {c}", "country": c} for c in v["countries"]],
            "recipient_countries": [
                {"code": c, "percentage": str(Decimal(100) / len(v["countries"]))} for c in v["countries"]
            ],
            "sectors": [{"code": "14030", "percentage": "100"}],
            "participating_orgs": [],
            "sdg_goals": [{"goal": g, "share": str(s)} for g, s in zip(goals, shares, strict=True)],
            "dates": {"planned_start": f"{v['start']}-01-01", "planned_end": f"{v['start'] + 1}-12-31"},
            "created_at": when.isoformat(),
            "updated_at": when.isoformat(),
        },
    )


def funding_events(
    pid: uuid.UUID, owner: str, p: dict[str, Any], when: datetime
) -> tuple[list[CloudEvent], dict[str, Decimal]]:
    totals = {
        "budget_eur": Decimal(0),
        "committed_eur": Decimal(0),
        "disbursed_eur": Decimal(0),
        "spent_eur": Decimal(0),
    }
    events: list[CloudEvent] = []
    entries: list[tuple[str, dict[str, Any]]] = [
        ("transaction", {"transaction_type": t, "amount": a, "value_date": d}) for t, a, d in p["transactions"]
    ] + [("budget", {"amount": a, "period_start": d, "period_end": d + timedelta(days=n)}) for a, d, n in p["budgets"]]
    for number, (kind, entry) in enumerate(entries, start=1):
        money = {"amount": str(entry["amount"]), "currency": "EUR", "amount_eur": str(entry["amount"]), "rate": "1"}
        common = {"id": str(uuid.uuid4()), **money, "rate_source": "identity"}
        if kind == "transaction":
            totals[f"{TYPE_FIELD[entry['transaction_type']]}_eur"] += entry["amount"]
            data = {
                **common,
                "transaction_type": entry["transaction_type"],
                "in_kind": False,
                "instrument": "conveni",
                "value_date": entry["value_date"].isoformat(),
                "rate_date": entry["value_date"].isoformat(),
            }
        else:
            totals["budget_eur"] += entry["amount"]
            data = {
                **common,
                "budget_type": "1",
                "budget_status": "2",
                "period_start": entry["period_start"].isoformat(),
                "period_end": entry["period_end"].isoformat(),
                "rate_date": entry["period_start"].isoformat(),
            }
        events.append(
            CloudEvent(
                source="/tests",
                type=TRANSACTION_RECORDED if kind == "transaction" else BUDGET_SET,
                subject=str(pid),
                time=when,
                data={
                    "project_id": str(pid),
                    "owner": owner,
                    "version": number,
                    "totals": {k: str(v) for k, v in totals.items()},
                    "transaction" if kind == "transaction" else "budget_line": data,
                    "updated_at": when.isoformat(),
                },
            )
        )
    return events, totals


async def iati_totals(session: AsyncSession, owner: str) -> tuple[Decimal, ...]:
    """The money of the IATI export of `owner`'s published projects, built by the export's own code:
    budgets and transactions by type, in EUR (the portfolio's money is in EUR)."""
    reporting = codelists()["institutions"].get("ajuntament-barcelona")  # who reports does not change a sum
    assert reporting is not None
    activities: list[bytes] = []
    async for states in repository.published_states(session, owner):
        entries = await repository.ledger_entries(session, [uuid.UUID(s["id"]) for s in states])
        activities += [iati.serialise(iati.activity(s, entries.get(s["id"], []), reporting)) for s in states]
    root = etree.fromstring(b"".join([iati.header(), *activities, iati.FOOTER]))
    sums = dict.fromkeys(["budget", "2", "3", "4"], Decimal(0))
    for value in root.iterfind("iati-activity/budget/value"):
        assert value.get("currency") == "EUR"
        sums["budget"] += Decimal(value.text or "0")
    for node in root.iterfind("iati-activity/transaction"):
        value = node.find("value")
        assert value is not None and value.get("currency") == "EUR"
        kind = node.find("transaction-type")
        assert kind is not None
        sums[str(kind.get("code"))] += Decimal(value.text or "0")
    return (sums["budget"], sums["2"], sums["3"], sums["4"])


def amounts(m: Money) -> tuple[Decimal, ...]:
    return tuple(getattr(m, f) for f in FIELDS)


def added(blocks: list[Money]) -> tuple[Decimal, ...]:
    return tuple(sum((getattr(b, f) for b in blocks), Decimal(0)) for f in FIELDS)


def csv_total(content: bytes, first_money_column: int) -> tuple[Decimal, ...]:
    rows = list(csv.reader(io.StringIO(content.decode())))
    total = next(r for r in rows if r[0] == "total")
    return tuple(Decimal(v) for v in total[first_money_column : first_money_column + 4])


def csv_years(content: bytes) -> dict[str, dict[str, tuple[Decimal, ...]]]:
    """Per row ("total", or first cell:code) the attributed money per year, from the year columns
    (`attributed_committed_eur_2025`; the lifetime ones end in `_eur`)."""
    header, *rows = list(csv.reader(io.StringIO(content.decode())))
    columns = {name: i for i, name in enumerate(header)}
    years = sorted({n.rsplit("_", 1)[1] for n in columns if n.startswith("attributed_") and not n.endswith("_eur")})
    return {
        row[0] if row[0] in ("total", "unattributed") else f"{row[0]}:{row[1]}": {
            y: tuple(Decimal(row[columns[f"attributed_{f}_eur_{y}"]]) for f in FIELDS_SHORT) for y in years
        }
        for row in rows
    }


FIELDS_SHORT = ("budgeted", "committed", "disbursed", "spent")


async def check(session: AsyncSession, owner: str, portfolio: list[dict[str, Any]], rnd: random.Random) -> None:
    when = datetime.now(UTC) - timedelta(minutes=1)
    events: list[CloudEvent] = []
    expected = dict.fromkeys(FIELDS, Decimal(0))
    public = 0
    for p in portfolio:
        pid = uuid.uuid4()
        events += [project_event(pid, owner, n, v, when) for n, v in enumerate(p["versions"], start=1)]
        money_events, totals = funding_events(pid, owner, p, when)
        events += money_events
        last = p["versions"][-1]
        if last["visibility"] == "published" and not last["archived"]:
            public += 1
            for name in FIELDS:
                expected[name] += totals["budget_eur" if name == "budgeted_eur" else name]
    events += rnd.sample(events, k=len(events) // 2)  # duplicates
    rnd.shuffle(events)
    half = len(events) // 2
    await on_events(session, events[:half])  # two batches, in any order
    await on_events(session, events[half:])

    base = ReportFilters(institution=owner)
    filters = [
        base,
        replace(base, country="MZ"),
        replace(base, modality="city-exchange"),
        replace(base, active_from=2024, active_to=2024),
        replace(base, money_years=YearWindow(2024, 2024)),
        replace(base, money_years=YearWindow(2025, None), by_year=True),
        replace(base, by_year=True),
    ]
    lifetime: tuple[Decimal, ...] | None = None
    for flt in filters:
        reports = {m: await sdg_report(session, flt, m) for m in METHODS}
        total = amounts(reports["declared-shares"].totals)
        if flt == base:
            lifetime = total
            assert total == tuple(expected[k] for k in FIELDS), "the reports count what the portfolio holds"
            assert reports["equal-split"].projects == public, "drafts and archived projects never count"
            assert await iati_totals(session, owner) == total, "the IATI export holds the same money"
        for method, report in reports.items():
            assert amounts(report.totals) == total, method
            assert added([g.attributed for g in report.goals] + [report.unattributed]) == total, method
            for goal in report.goals:
                if goal.targets:
                    assert added([t.attributed for t in goal.targets]) == amounts(goal.attributed)
            assert csv_total(tables.to_csv(tables.sdg_table(report)), 5) == total
            if flt.by_year:
                for block in [report.totals, report.unattributed, *(g.attributed for g in report.goals)]:
                    assert block.years is not None
                    assert added(list(block.years.values())) == amounts(block), (method, "years")
                # The export's year columns are the report's year splits, and add up to its totals.
                assert report.totals.years is not None
                exported = csv_years(tables.to_csv(tables.sdg_table(report)))
                assert exported["total"] == {y: amounts(m) for y, m in report.totals.years.items()}, method
                for goal in report.goals:
                    assert goal.attributed.years is not None
                    row = exported[f"goal:{goal.goal}"]
                    assert row == {y: amounts(goal.attributed.years.get(y, Money())) for y in row}, method
                    assert added([Money(**dict(zip(FIELDS, v, strict=True))) for v in row.values()]) == amounts(
                        goal.attributed
                    )
        for dimension in DIMENSIONS:
            b = await breakdown(session, flt, dimension)
            assert amounts(b.totals) == total, dimension
            assert added([r.attributed for r in b.rows]) == total, dimension
            assert csv_total(tables.to_csv(tables.breakdown_table(b)), 2) == total, dimension
            if flt.by_year:
                assert b.totals.years is not None
                years = csv_years(tables.to_csv(tables.breakdown_table(b)))["total"]
                assert years == {y: amounts(m) for y, m in b.totals.years.items()}, dimension
        listed = await project_list(session, flt, None, 1000)
        assert added([p.money for p in listed.items]) == total
        assert listed.definition.money_year_from == flt.money_years.first
        today = datetime.now(TIMEZONE).date()
        as_of = await sdg_report(session, replace(flt, snapshot=Snapshot(today)), "declared-shares")
        live = reports["declared-shares"]
        assert as_of.model_dump(exclude={"freshness"}) == live.model_dump(exclude={"freshness"})
    # Years: each window's money is part of the lifetime money, and disjoint windows add up to it.
    assert lifetime is not None
    windows = [YearWindow(None, 2023), YearWindow(2024, 2024), YearWindow(2025, None)]
    parts = [amounts((await sdg_report(session, replace(base, money_years=w), "equal-split")).totals) for w in windows]
    assert tuple(sum(p[i] for p in parts) for i in range(4)) == lifetime
    # The dashboard counts the same published projects and money as an unfiltered report.
    dashboard, everything = (
        await overview(session, Snapshot()),
        await sdg_report(session, ReportFilters(), "equal-split"),
    )
    assert (dashboard.projects, amounts(dashboard.money)) == (everything.projects, amounts(everything.totals))
    assert dashboard.by_owner.get(owner, 0) == public


async def run(database_url: str, portfolio: list[dict[str, Any]], rnd: random.Random) -> None:
    async with rolled_back_session(database_url) as session:
        await check(session, f"truth-{uuid.uuid4().hex[:8]}", portfolio, rnd)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=portfolios)
def test_every_report_tells_the_same_totals(stack: Stack, case: tuple[list[dict[str, Any]], random.Random]) -> None:
    portfolio, rnd = case
    asyncio.run(run(stack.infra.database_url("reporting"), portfolio, rnd))
