"""API models of the ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from shared.codelists import coded
from shared.contracts.funding import BudgetLineV1, PlannedDisbursementV1, TotalsV1, TransactionV1
from shared.dates import CalendarDate
from shared.problem_texts import invalid

CENT = Decimal("0.01")
Amount = Annotated[
    Decimal,
    Field(max_digits=15, decimal_places=2, description='A decimal string, e.g. "1250.50"'),
    AfterValidator(lambda value: value.quantize(CENT)),
]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), coded("Currency")]
Org = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class TransactionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transaction_type: Annotated[str, coded("TransactionType")] = Field(
        description="IATI TransactionType: 1 incoming funds, 2 outgoing commitment, 3 disbursement, 4 expenditure, ..."
    )
    amount: Amount = Field(gt=0)
    currency: CurrencyCode
    value_date: CalendarDate
    instrument: Annotated[str, coded("instruments")]
    in_kind: bool = Field(default=False, description="Expert staff-days valued in EUR, reported apart from money")
    provider_org: Org | None = None
    receiver_org: Org | None = None
    source_id: uuid.UUID | None = None
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None
    over_commitment_reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = Field(
        default=None, description="Required to disburse beyond what was committed"
    )
    eu_eligible: bool | None = Field(
        default=None, description="Expenditure charged to an EU source (FEDER, EC call): eligible for co-financing?"
    )

    @field_validator("in_kind")
    @classmethod
    def _in_kind_is_eur(cls, value: bool, info: ValidationInfo) -> bool:
        currency = info.data.get("currency")
        if value and currency is not None and currency != "EUR":
            raise invalid("in_kind_not_eur")
        return value


class Reversal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    value_date: CalendarDate | None = Field(default=None, description="Date of the correction; today by default")


class BudgetLineCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    budget_type: Annotated[str, coded("BudgetType")] = Field(default="1", description="1 original, 2 revised")
    budget_status: Annotated[str, coded("BudgetStatus")] = Field(default="2", description="1 indicative, 2 committed")
    period_start: CalendarDate
    period_end: CalendarDate
    amount: Amount = Field(gt=0)
    currency: CurrencyCode
    source_id: uuid.UUID | None = None

    @field_validator("period_end")
    @classmethod
    def _period(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("period_start")
        if start is not None and value < start:
            raise invalid("end_before_start", end="period_end", start="period_start")
        return value


class PlannedDisbursementCreate(BaseModel):
    """A payment foreseen for a period (IATI planned-disbursement), in any currency."""

    model_config = ConfigDict(extra="forbid")

    planned_type: Annotated[str, coded("BudgetType")] = Field(default="1", description="1 original, 2 revised")
    period_start: dt.date
    period_end: dt.date | None = None
    amount: Amount = Field(gt=0)
    currency: CurrencyCode
    provider_org: Org | None = None
    receiver_org: Org | None = None

    @field_validator("period_end")
    @classmethod
    def _period(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("period_start")
        if value is not None and start is not None and value < start:
            raise invalid("end_before_start", end="period_end", start="period_start")
        return value


class PlannedDisbursementRead(PlannedDisbursementV1):
    project_id: uuid.UUID
    created_at: dt.datetime


class PlannedDisbursements(BaseModel):
    items: list[PlannedDisbursementRead]


class TransactionRead(TransactionV1):
    project_id: uuid.UUID
    created_at: dt.datetime
    client_id: str | None


class TransactionPage(BaseModel):
    items: list[TransactionRead]


class BudgetLineRead(BudgetLineV1):
    project_id: uuid.UUID


class BudgetLines(BaseModel):
    items: list[BudgetLineRead]


class CurrencyTotals(BaseModel):
    currency: str
    committed: Decimal
    disbursed: Decimal
    spent: Decimal
    incoming: Decimal


class SourceTotals(BaseModel):
    source_id: uuid.UUID | None
    committed_eur: Decimal
    disbursed_eur: Decimal
    spent_eur: Decimal


class YearTotals(BaseModel):
    year: int
    committed_eur: Decimal
    disbursed_eur: Decimal
    spent_eur: Decimal


class FundingSummary(BaseModel):
    project_id: uuid.UUID
    version: int
    totals: TotalsV1
    by_currency: list[CurrencyTotals]
    by_source: list[SourceTotals]
    by_year: list[YearTotals]
