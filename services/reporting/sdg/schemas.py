"""API models of the SDG reports."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class Money(BaseModel):
    budgeted_eur: Decimal = Decimal("0.00")
    committed_eur: Decimal = Decimal("0.00")
    disbursed_eur: Decimal = Decimal("0.00")
    spent_eur: Decimal = Decimal("0.00")


class TargetRow(BaseModel):
    target: str
    projects: int
    attributed: Money = Field(description="The goal's attributed money split equally among its tagged targets")
    contributes_to: Money


class GoalRow(BaseModel):
    goal: str
    label: dict[str, str]
    projects: int = Field(description="Projects tagged with this goal")
    attributed: Money = Field(description="Shares of each project's money: the goal rows add up to the total")
    contributes_to: Money = Field(description="The full money of every project tagged with the goal: rows overlap")
    targets: list[TargetRow]


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


class SdgReport(BaseModel):
    method: Method
    freshness: Freshness
    projects: int
    totals: Money = Field(description="All money of the selected projects; equals attributed + unattributed")
    unattributed: Money = Field(description="Money of projects without an SDG goal")
    goals: list[GoalRow]
    note: str = (
        "Attributed money is split by the named method, to the cent, and adds up to the totals. "
        "Contributes-to counts each project's full money under every goal it is tagged with, so its "
        "rows overlap and must not be added. Each amount is counted on the project that booked it: a "
        "programme counts only its own bookings, never its child projects'."
    )
