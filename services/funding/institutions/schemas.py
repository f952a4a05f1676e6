"""API models of institution years and the 0.7 % commitment."""

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.funding import RevenuesBasis

EurAmount = Field(ge=0, max_digits=16, decimal_places=2)


class YearDeclaration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    own_revenues_eur: Decimal = Field(
        ge=0, max_digits=16, decimal_places=2, description="Declared own revenues of the fiscal year, EUR"
    )
    cooperation_budget_eur: Decimal | None = Field(
        default=None, ge=0, max_digits=16, decimal_places=2, description="Approved cooperation budget, EUR"
    )
    revenues_source: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Where the revenues figure comes from, e.g. 'Liquidació del pressupost 2024'",
    )
    revenues_basis: RevenuesBasis | None = Field(
        default=None, description="`settled` (the year's closed accounts) or `budgeted` (its approved budget)"
    )


class ZeroSevenSummary(BaseModel):
    institution: str
    year: int
    version: int
    own_revenues_eur: Decimal
    target_eur: Decimal = Field(description="0.7 % of own revenues, to the cent (half up)")
    cooperation_budget_eur: Decimal | None
    revenues_source: str | None
    revenues_basis: RevenuesBasis | None
    committed_eur: Decimal
    disbursed_eur: Decimal
    gap_committed_eur: Decimal = Field(description="target - committed; positive means short of the target")
    gap_disbursed_eur: Decimal = Field(description="target - disbursed")
    committed_share_of_target: Decimal | None = Field(description="committed / target, percent (2 decimals)")
