"""API models of the 0.7 % report."""

from decimal import Decimal

from pydantic import BaseModel, Field

from services.reporting.readmodels.schemas import Definition, Freshness, Method


class SourceMoney(BaseModel):
    budgeted_eur: Decimal = Decimal("0.00")
    committed_eur: Decimal = Decimal("0.00")
    disbursed_eur: Decimal = Decimal("0.00")


class Revenues(BaseModel):
    own_revenues_eur: Decimal = Field(description="As declared to the funding service")
    source: str | None = Field(description="Where the figure comes from (e.g. settled accounts); null: not declared")
    basis: str | None = Field(
        description="`settled` (the year's closed accounts) or `budgeted` (its approved budget); null: not declared"
    )
    missing: list[str] = Field(description="What the declaration does not say and a reader needs to know")


class ZeroSevenRow(BaseModel):
    institution: str
    year: int
    own_revenues_eur: Decimal
    revenues: Revenues
    target_eur: Decimal = Field(description="0.7 % of declared own revenues")
    cooperation_budget_eur: Decimal | None = Field(description="The cooperation budget the institution declared")
    budgeted_eur: Decimal = Field(description="Own money budgeted for the year (budget lines by period days)")
    committed_eur: Decimal = Field(description="Own money committed, value date in the year: the numerator")
    disbursed_eur: Decimal = Field(description="Own money disbursed, value date in the year")
    gap_eur: Decimal = Field(description="target - committed own money; positive means short of 0.7 %")
    committed_share_of_target: Decimal | None = Field(description="Own committed / target, percent")
    disbursed_share_of_target: Decimal | None = Field(description="Own disbursed / target, percent")
    external: dict[str, SourceMoney] = Field(
        description="Money from other sources per source kind (feder, ec-call, other-public, partner-cofinancing): "
        "shown beside the own money, never inside the ratio"
    )
    unclassified: SourceMoney = Field(
        description="Money charged to a funding source whose kind the events did not state: neither own nor external"
    )
    committed_by_sdg: dict[str, Decimal] = Field(description="The own committed money attributed to each SDG goal")


class ZeroSevenReport(BaseModel):
    method: Method
    rows: list[ZeroSevenRow]
    freshness: Freshness
    definition: Definition
    note: str = (
        "Money of published, unarchived projects only; the funding service's own 0.7 % report "
        "(/api/funding/institutions/{institution}/years/{year}) counts every project of the institution."
    )
