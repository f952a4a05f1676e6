"""API models of the results report."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from services.reporting.sdg.schemas import Freshness


class PeriodRow(BaseModel):
    start: date
    end: date
    target: Decimal | None
    actual: Decimal | None
    achievement_percent: Decimal | None = Field(description="actual / target x 100, when both are numbers")


class IndicatorRow(BaseModel):
    result_type: str
    title: dict[str, str]
    measure: str
    sdg_indicator: str | None
    baseline: Decimal | None
    periods: list[PeriodRow]


class ProjectResults(BaseModel):
    project_id: str
    code: str
    owner: str
    title: dict[str, str]
    indicators: list[IndicatorRow]


class SdgIndicatorTotals(BaseModel):
    code: str
    label: dict[str, str]
    projects: int
    indicators: int
    target_units: Decimal = Field(description="Sum of targets of unit-measured indicators (measure 1)")
    actual_units: Decimal = Field(description="Sum of approved actuals of unit-measured indicators")
    mean_target_percent: Decimal | None = Field(description="Mean of targets of percentage indicators (measure 2)")
    mean_actual_percent: Decimal | None


class ResultsReport(BaseModel):
    projects: list[ProjectResults]
    by_sdg_indicator: list[SdgIndicatorTotals]
    freshness: Freshness
    note: str = (
        "Actuals are the approved ones held by the project registry. Unit targets and actuals are summed "
        "per SDG indicator only across indicators measured in units; percentages are averaged."
    )
