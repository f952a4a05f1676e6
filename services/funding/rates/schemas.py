"""API models of exchange rates."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class RateSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units_per_eur: Decimal = Field(gt=0, max_digits=20, decimal_places=8, description="Units of the currency per 1 EUR")
    source: Annotated[str, StringConstraints(min_length=1, max_length=200)] = "manual"


class RateRead(BaseModel):
    currency: str
    rate_date: date
    units_per_eur: Decimal
    source: str


class RateImport(BaseModel):
    loaded: int
    currencies: list[str]
    skipped: list[str]
