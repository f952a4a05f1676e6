"""What every report states the same way: its money to the cent, how current it is, what it counts."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels import repository
from services.reporting.readmodels.attribution import FIELDS
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.schemas import Definition, Freshness, Money, PartitionPosition
from services.reporting.readmodels.snapshot import Snapshot
from services.reporting.readmodels.years import Tally, YearWindow
from shared.money import CENT

PUBLIC = (
    "Published, unarchived projects matching the filters (drafts and archived projects never count), and "
    "their money in EUR at the rate each entry was booked at, counted on the project that booked it"
)


def cents(values: dict[str, Decimal]) -> Money:
    """Money of the four figures (missing ones zero), to the cent."""
    return Money(**{f"{name}_eur": values.get(name, Decimal(0)).quantize(CENT) for name in FIELDS})


def money(tally: Tally, window: YearWindow, by_year: bool) -> Money:
    """A row's money in the window, with its years when asked for."""
    years = {year: cents(sums) for year, sums in tally.within(window).items()} if by_year else None
    return Money(**cents(tally.total(window)).model_dump(exclude={"years"}), years=years)


async def freshness(session: AsyncSession, snapshot: Snapshot) -> Freshness:
    """How current the figures are: every report states it."""
    last, positions = await repository.freshness(session, snapshot)
    return Freshness(
        as_of=snapshot.as_of,
        cutoff=snapshot.cutoff,
        last_event_time=last,
        positions=[PartitionPosition(topic=t, partition=p, offset=o) for t, p, o in positions],
    )


def definition(filters: ReportFilters, counts: str = PUBLIC) -> Definition:
    return Definition(
        counts=counts,
        active_from=filters.active_from,
        active_to=filters.active_to,
        money_year_from=filters.money_years.first,
        money_year_to=filters.money_years.last,
    )
