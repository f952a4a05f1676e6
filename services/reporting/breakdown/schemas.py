"""API models of the breakdown reports."""

from pydantic import BaseModel, Field

from services.reporting.readmodels.schemas import Definition, Freshness, Money


class CityPlace(BaseModel):
    """Where a city row is, for maps: the registry's gazetteer entry (GeoNames)."""

    geonames_id: int | None = Field(description="Null for a city the gazetteer did not know (kept as given)")
    country: str
    latitude: float | None
    longitude: float | None
    names: dict[str, str] = Field(description="Names per language (CLDR) where known")


class BreakdownRow(BaseModel):
    value: str = Field(
        description="City (the name most of its projects give it), ISO country, network, DAC sector, modality, "
        "institution or year"
    )
    place: CityPlace | None = Field(default=None, description="by=city: the city's GeoNames id and coordinates")
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
