"""API models of the gazetteer of partner cities."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CityRead(BaseModel):
    geonames_id: int = Field(description="GeoNames id: pass it as a partner city's `geonames_id`")
    name: str = Field(description="The GeoNames name")
    country: str = Field(description="ISO 3166-1 alpha-2")
    admin1: str | None = Field(default=None, description="GeoNames first-level division code")
    latitude: float
    longitude: float
    population: int
    names: dict[str, str] = Field(
        description="Names per language where Unicode CLDR states one (ca, es, en, the local language)"
    )
    local_language: str | None = Field(description="The country's first official language (CLDR)")
    aliases: list[str] = Field(description="GeoNames alternate names (no language tags in the source)")


class CitySearch(BaseModel):
    items: list[CityRead]
    source: str = Field(description="Where the data comes from")
