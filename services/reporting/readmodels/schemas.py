"""The blocks every report answers with: its money, how current it is, and what it counts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class Money(BaseModel):
    budgeted_eur: Decimal = Decimal("0.00")
    committed_eur: Decimal = Decimal("0.00")
    disbursed_eur: Decimal = Decimal("0.00")
    spent_eur: Decimal = Decimal("0.00")
    years: dict[str, Money] | None = Field(
        None,
        description="With by_year=true: the same money per year it belongs to (value dates; budgets by the "
        "days of their period), the years in the money-year window only; they add up to the amounts above. "
        "`undated`: lifetime money no dated entry explains yet. Omitted otherwise.",
        exclude_if=lambda years: years is None,
    )


class Method(BaseModel):
    name: str
    version: str


class PartitionPosition(BaseModel):
    topic: str
    partition: int
    offset: int


class Freshness(BaseModel):
    as_of: date | None = Field(None, description="The day the figures stood at (end of day); null: now")
    cutoff: datetime | None = Field(None, description="Events at or after this instant are left out; null: none")
    last_event_time: datetime | None = Field(description="Time of the newest event the figures include")
    positions: list[PartitionPosition] = Field(description="Last offset applied per topic partition")


class Definition(BaseModel):
    """What a report counts, by which date and how: every report states it."""

    counts: str = Field(description="What is counted")
    dates: str = Field(
        "Money belongs to the year of its value date (commitments, disbursements, expenditure); a budget line "
        "to the years of its period, split by days to the cent. in-kind contributions are left out.",
        description="Which date places money in a year",
    )
    as_of: str = Field(
        "as_of=DATE takes every event recorded before the end of that day in Europe/Madrid (recording "
        "time, not value date): the figures as they then stood.",
        description="Which time decides what an as-of report includes",
    )
    active_from: int | None = Field(None, description="Projects active from this year (start/end years overlap)")
    active_to: int | None = None
    money_year_from: int | None = Field(None, description="Money counted from this year (value dates)")
    money_year_to: int | None = None
