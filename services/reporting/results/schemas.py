"""API models of the results report."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from services.reporting.readmodels.schemas import Definition, Freshness


class PeriodRow(BaseModel):
    start: date
    end: date
    target: Decimal | None
    actual: Decimal | None
    achievement_percent: Decimal | None = Field(description="actual / target x 100, when both are numbers")


class IndicatorRow(BaseModel):
    result_type: str
    title: dict[str, str]
    measure: str = Field(description="IATI IndicatorMeasure: 1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative")
    cumulative: bool | None = Field(
        description="Whether each period's value is a running total; null: the project does not say"
    )
    aggregation_status: bool | None = Field(
        description="IATI aggregation-status: whether it may be added up with others; null: not stated"
    )
    sdg_indicator: str | None
    baseline: Decimal | None
    periods: list[PeriodRow]


class ProjectResults(BaseModel):
    project_id: str
    code: str
    owner: str
    title: dict[str, str]
    indicators: list[IndicatorRow]


class PeriodRollup(BaseModel):
    start: date
    end: date
    projects: int
    indicators: int
    target: Decimal | None = Field(description="Sum of the targets stated for this period (null: none stated)")
    actual: Decimal | None = Field(description="Sum of the approved actuals stated for this period")
    achievement_percent: Decimal | None


class Lifetime(BaseModel):
    target: Decimal | None = Field(description="Sum over the indicators of each one's lifetime target")
    actual: Decimal | None = Field(description="Sum over the indicators of each one's lifetime actual")


class IndicatorRollup(BaseModel):
    code: str = Field(description="SDG indicator code the indicators report against")
    label: dict[str, str]
    measure: str = Field(description="Always 1 (units): only units are added up")
    projects: int
    indicators: int
    periods: list[PeriodRollup] = Field(description="Per identical reporting period: never added across periods")
    lifetime: Lifetime | None = Field(
        description="Over the indicators' whole life: a non-cumulative indicator's periods added up, a "
        "cumulative one's latest period stating a value (its running total), then added across indicators. "
        "Null when an indicator of the code does not say whether it is cumulative (cumulative_unstated)"
    )
    cumulative_unstated: int = Field(description="Rolled-up indicators that do not say whether they are cumulative")
    not_rolled_up: dict[str, int] = Field(
        description="Indicators with this code left out, per reason: percentage, nominal, ordinal, qualitative "
        "(measures 2-5 are never summed) or not-aggregatable (aggregation-status false)"
    )


class ProgrammeRollup(BaseModel):
    programme_id: str
    code: str
    projects: int = Field(description="The programme and its published descendants, each counted once")
    by_sdg_indicator: list[IndicatorRollup]


class ResultsReport(BaseModel):
    projects: list[ProjectResults]
    by_sdg_indicator: list[IndicatorRollup]
    programmes: list[ProgrammeRollup]
    freshness: Freshness
    definition: Definition
