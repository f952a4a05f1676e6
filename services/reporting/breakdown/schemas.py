"""API models of the breakdown reports."""

from pydantic import BaseModel, Field

from services.reporting.sdg.schemas import Definition, Freshness, Money


class BreakdownRow(BaseModel):
    value: str = Field(description="City, ISO country, network, DAC sector, modality, institution or year")
    projects: int
    attributed: Money = Field(description="The projects' money split among their values: rows add up to the totals")
    contributes_to: Money = Field(description="The full money of every project with this value: rows overlap")


class Breakdown(BaseModel):
    dimension: str
    projects: int
    totals: Money
    rows: list[BreakdownRow]
    freshness: Freshness
    definition: Definition
