"""API models of the money imported with IATI activities."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, field_validator


class IatiMoneyEntryRead(BaseModel):
    kind: str
    ordinal: int
    code: str | None = Field(description="transaction: IATI TransactionType; otherwise IATI BudgetType")
    status: str | None
    value: Decimal | None = Field(description="As the file writes it")
    currency: str | None
    value_date: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    amount_eur: Decimal | None = Field(description="None when flagged")
    rate: Decimal | None = Field(description="Units of the currency per EUR")
    rate_date: dt.date | None
    rate_source: str | None
    flag: str | None = Field(
        description="Why there is no EUR value (no-rate, no-currency, no-value, no-date) or why the ledger does "
        "not hold it (sub-cent, no-type, no-period, bad-period, future-dated, not-fundable)"
    )
    flag_message: str | None
    ledger_id: uuid.UUID | None = Field(
        description="The ledger entry (transaction, budget line or planned disbursement, by kind) holding its money"
    )
    detail: dict[str, Any] = Field(description="Organisations, flow, finance and aid types, notes: as in the file")

    @field_validator("value")
    @classmethod
    def _plain(cls, value: Decimal | None) -> Decimal | None:
        # PostgreSQL's unscaled numeric comes back as e.g. 1.00E+6: written out as the file had it.
        return None if value is None else Decimal(f"{value:f}")


class IatiMoneyTotal(BaseModel):
    kind: str
    code: str | None
    currency: str | None
    value: Decimal = Field(description="Sum of the values as written, in the currency")
    amount_eur: Decimal = Field(description="Sum of the EUR values of the entries that have one")
    entries: int
    flagged: int

    @field_validator("value")
    @classmethod
    def _plain(cls, value: Decimal) -> Decimal:
        return Decimal(f"{value:f}")


class IatiMoney(BaseModel):
    project_id: uuid.UUID
    import_id: uuid.UUID | None
    iati_identifier: str | None
    imported_at: dt.datetime | None
    entries: list[IatiMoneyEntryRead]
    totals: list[IatiMoneyTotal] = Field(description="Per kind, type and currency; kept apart from the ledger's totals")
