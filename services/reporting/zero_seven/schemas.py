"""API models of the 0.7 % report."""

from decimal import Decimal

from pydantic import BaseModel, Field

from services.reporting.sdg.schemas import Freshness, Method


class ZeroSevenRow(BaseModel):
    institution: str
    year: int
    own_revenues_eur: Decimal
    target_eur: Decimal = Field(description="0.7 % of declared own revenues")
    cooperation_budget_eur: Decimal | None
    committed_eur: Decimal = Field(description="Commitments with a value date in the year, published projects")
    disbursed_eur: Decimal
    gap_eur: Decimal = Field(description="target - committed; positive means short of 0.7 %")
    committed_share_of_target: Decimal | None = Field(description="Percent")
    committed_by_sdg: dict[str, Decimal] = Field(description="The committed money attributed to each SDG goal")


class ZeroSevenReport(BaseModel):
    method: Method
    rows: list[ZeroSevenRow]
    freshness: Freshness
    note: str = (
        "Money of published projects only; the funding service's own 0.7 % report "
        "(/api/funding/institutions/{institution}/years/{year}) counts every project of the institution."
    )
