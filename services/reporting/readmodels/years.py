"""Money by the year it belongs to, and the year window of the reports.

- Commitments (2), disbursements (3) and expenditure (4) belong to the year of their value date.
- A budget line belongs to the years of its period, split by days: each year gets the share of the
  line's days that fall in it, to the cent by largest remainder (ties to the earlier year), so a
  line from 1 July 2025 to 30 June 2026 counts half in each year and its parts add up to it.
- In-kind contributions are not money and stay out, as in the lifetime totals.
- A project's lifetime totals (funding events) minus what its dated entries add up to, if anything,
  is `undated` (only while a project's entries and totals disagree, e.g. mid-replay), so the years
  always add up to the lifetime total.

A report splits each project's money among its rows (goals, cities, ...) and among years. Both at
once without losing a cent: the parts of the running total up to each year are computed, and a
year's cell is the difference with the previous year's (`split_by_year`). Summed over the years
a row gets exactly its lifetime part; summed over the rows a year gets exactly its money.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.attribution import FIELDS, allocate
from services.reporting.readmodels.models import LedgerEntryView
from services.reporting.readmodels.snapshot import Snapshot
from shared import iati

MONEY_TYPES = {iati.COMMITMENT: "committed", iati.DISBURSEMENT: "disbursed", iati.EXPENDITURE: "spent"}
UNDATED = "undated"

Sums = dict[str, Decimal]
YearSums = dict[str, Sums]  # year ("2025" or "undated") -> field -> EUR
Key = TypeVar("Key", bound=Hashable)


def zero() -> Sums:
    return dict.fromkeys(FIELDS, Decimal(0))


def year_order(year: str) -> tuple[bool, str]:
    return (year == UNDATED, year.zfill(4))


def budget_years(amount: Decimal, start: date, end: date) -> dict[str, Decimal]:
    """A budget line's amount split among the years of its period by days, to the cent."""
    end = max(end, start)
    parts: list[tuple[str, Decimal]] = []
    total = (end - start).days + 1
    cursor = start
    while cursor <= end:
        last = min(end, date(cursor.year, 12, 31))
        parts.append((str(cursor.year), Decimal((last - cursor).days + 1) / total))
        cursor = last + timedelta(days=1)
    return allocate(amount, parts)


def entry_years(kind: str, data: dict[str, Any]) -> list[tuple[str, str, Decimal]]:
    """(year, field, EUR) of one ledger entry; nothing for in-kind and non-money transactions."""
    amount = Decimal(str(data["amount_eur"]))
    if kind == "budget":
        years = budget_years(amount, date.fromisoformat(data["period_start"]), date.fromisoformat(data["period_end"]))
        return [(year, "budgeted", part) for year, part in years.items()]
    name = MONEY_TYPES.get(str(data.get("transaction_type")))
    if name is None or data.get("in_kind"):
        return []
    return [(data["value_date"][:4], name, amount)]


async def ledger_years(
    session: AsyncSession,
    snapshot: Snapshot,
    project_ids: Iterable[uuid.UUID],
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[uuid.UUID, YearSums]:
    """Per project: its money per year, from the ledger entries booked before the snapshot's cutoff
    (`keep` selects entries by their data, e.g. own money only)."""
    ids = list(project_ids)
    found: dict[uuid.UUID, YearSums] = {}
    if not ids:
        return found
    rows = await session.execute(
        select(LedgerEntryView.project_id, LedgerEntryView.kind, LedgerEntryView.data).where(
            LedgerEntryView.project_id.in_(ids), snapshot.ledger_entries()
        )
    )
    for project_id, kind, data in rows.all():
        if keep is not None and not keep(data):
            continue
        years = found.setdefault(project_id, {})
        for year, name, amount in entry_years(kind, data):
            years.setdefault(year, zero())[name] += amount
    return found


def with_undated(years: YearSums, lifetime: Sums) -> YearSums:
    """The years plus whatever of the lifetime totals they do not explain, so they add up to it."""
    result = {year: dict(sums) for year, sums in years.items()}
    rest = {name: lifetime[name] - sum((s[name] for s in years.values()), Decimal(0)) for name in FIELDS}
    if any(rest.values()):
        result[UNDATED] = rest
    return result


def split_by_year(parts: Callable[[Sums], dict[Key, Sums]], years: YearSums) -> dict[str, dict[Key, Sums]]:
    """year -> row -> money: `parts` of the running total up to each year, minus those of the year before."""
    running = zero()
    previous: dict[Key, Sums] = {}
    cells: dict[str, dict[Key, Sums]] = {}
    for year in sorted(years, key=year_order):
        running = {name: running[name] + years[year][name] for name in FIELDS}
        now = parts(running)
        cells[year] = {
            key: {name: money[name] - previous.get(key, {}).get(name, Decimal(0)) for name in FIELDS}
            for key, money in now.items()
        }
        previous = now
    return cells


@dataclass(frozen=True)
class YearWindow:
    """The money years a report counts: value dates (budgets: period days) in [first, last]."""

    first: int | None = None
    last: int | None = None

    @property
    def restricts(self) -> bool:
        return self.first is not None or self.last is not None

    def holds(self, year: str) -> bool:
        if not self.restricts:
            return True
        if year == UNDATED:
            return False
        return (self.first is None or int(year) >= self.first) and (self.last is None or int(year) <= self.last)


class Tally:
    """Money per year of one report row, added up project by project."""

    def __init__(self) -> None:
        self.years: dict[str, Sums] = defaultdict(zero)

    def add(self, year: str, money: Sums) -> None:
        sums = self.years[year]
        for name in FIELDS:
            sums[name] += money[name]

    def add_years(self, years: YearSums) -> None:
        for year, money in years.items():
            self.add(year, money)

    def within(self, window: YearWindow) -> YearSums:
        return {y: self.years[y] for y in sorted(self.years, key=year_order) if window.holds(y)}

    def total(self, window: YearWindow) -> Sums:
        result = zero()
        for money in self.within(window).values():
            for name in FIELDS:
                result[name] += money[name]
        return result


async def project_money(
    session: AsyncSession, snapshot: Snapshot, window: YearWindow, rows: list[Any]
) -> dict[uuid.UUID, tuple[Sums, YearSums]]:
    """Per project row (with its lifetime totals): its money in the window, and that money per year."""
    ledger = await ledger_years(session, snapshot, [row.id for row in rows])
    found: dict[uuid.UUID, tuple[Sums, YearSums]] = {}
    for row in rows:
        tally = Tally()
        tally.add_years(with_undated(ledger.get(row.id, {}), {name: Decimal(getattr(row, name)) for name in FIELDS}))
        found[row.id] = (tally.total(window), tally.within(window))
    return found
