"""API models of exchange rates."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from services.funding.rates.conversion import checked_rate

RateSource = Literal["ECB", "InforEuro", "manual"]
Note = Annotated[str, StringConstraints(min_length=1, max_length=200)]
UnitsPerEur = Annotated[
    Decimal,
    Field(allow_inf_nan=False, description="Units of the currency per 1 EUR, above 0.000001 and below 1000000"),
    AfterValidator(checked_rate),
]


class RateSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    units_per_eur: UnitsPerEur
    source: RateSource = Field(default="manual", description="ECB reference rate, the EC's InforEuro, or manual")
    note: Note | None = Field(default=None, description="Free text: which bank or document the rate comes from")
    confirm_outlier: bool = Field(
        default=False, description="Set a rate more than 25 % away from every neighbouring rate anyway"
    )


class RateRead(BaseModel):
    currency: str
    rate_date: date
    units_per_eur: Decimal
    source: str
    note: str | None = None


class ConversionRead(BaseModel):
    """An amount valued in EUR as a booking of that value date would be (nothing is booked)."""

    amount: Decimal
    currency: str
    value_date: date
    amount_eur: Decimal
    rate: Decimal = Field(description="Units of the currency per 1 EUR (1 for EUR)")
    rate_date: date
    rate_source: str


class RateWritten(RateRead):
    """What the writer gets back: the rate and its provenance."""

    set_by: str | None
    confirmed_outlier: bool
    loaded_at: datetime


class RateImport(BaseModel):
    loaded: int
    currencies: list[str]
    skipped: list[str]
