"""API models of funding sources."""

import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared import patterns
from shared.codelists import coded
from shared.dates import CalendarDate


class ReportingPeriod(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: CalendarDate
    end: CalendarDate
    due: CalendarDate | None = None


class SourceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institution: Annotated[str, coded("institutions")]
    code: Annotated[str, StringConstraints(pattern=patterns.CODE)]
    kind: Annotated[str, coded("funding-source-kinds")]
    name: dict[
        Annotated[str, StringConstraints(pattern=patterns.LANGUAGE)],
        Annotated[str, StringConstraints(min_length=1, max_length=300)],
    ] = Field(min_length=1)
    programme: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        default=None, description="EU programme, e.g. FEDER 2021-2027 Catalunya"
    )
    call_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    co_financing_rate: Decimal | None = Field(
        default=None, gt=0, le=100, max_digits=5, decimal_places=2, description="Percent of eligible costs the EU pays"
    )
    reporting_periods: list[ReportingPeriod] = Field(default_factory=list, max_length=50)


class SourceRead(SourceCreate):
    id: uuid.UUID


class SourceList(BaseModel):
    items: list[SourceRead]


class PeriodFigures(BaseModel):
    start: CalendarDate
    end: CalendarDate
    due: CalendarDate | None = None
    eligible_eur: Decimal


class SourceSummary(BaseModel):
    source_id: uuid.UUID
    kind: str
    co_financing_rate: Decimal | None
    committed_eur: Decimal
    received_eur: Decimal = Field(description="Incoming funds and commitments from this source (types 1 and 11)")
    spent_eur: Decimal
    eligible_eur: Decimal | None = Field(default=None, description="EU sources: eligible expenditure")
    non_eligible_eur: Decimal | None = None
    eu_share_eur: Decimal | None = Field(default=None, description="eligible x co-financing rate, half up to the cent")
    match_funding_eur: Decimal | None = Field(default=None, description="eligible - EU share: owed by the institution")
    eu_balance_due_eur: Decimal | None = Field(default=None, description="EU share - received")
    periods: list[PeriodFigures] = Field(
        default_factory=list, description="Eligible expenditure per EU reporting period"
    )
