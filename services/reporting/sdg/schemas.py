"""API models of the SDG reports."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.reporting.readmodels.schemas import Definition, Freshness, Method
from services.reporting.readmodels.schemas import Money as Money  # also for exports/ (being reworked)


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


class SdgReport(BaseModel):
    method: Method
    freshness: Freshness
    projects: int
    totals: Money = Field(description="All money of the selected projects; equals attributed + unattributed")
    unattributed: Money = Field(description="Money of projects without an SDG goal")
    goals: list[GoalRow]
    definition: Definition
    note: str = (
        "Attributed money is split by the named method, to the cent, and adds up to the totals. "
        "Contributes-to counts each project's full money under every goal it is tagged with, so its "
        "rows overlap and must not be added. Each amount is counted on the project that booked it: a "
        "programme counts only its own bookings, never its child projects'."
    )
