"""Money imported with IATI activities, apart from the ledger.

The ledger books what an institution decides and pays, under its rules (commitments within budget
years, nothing dated after today, no disbursement beyond commitments, an exchange rate for every
amount). A publisher's file states what happened elsewhere, under none of them: its figures are
kept here exactly as written (value, currency, dates), with their EUR value and its provenance
where a stored rate exists, and a flag saying why not where none does. What the ledger can hold
is booked there too (iati_money/service.py says how), so that the money reaches every total,
report and export; the rest stays here, flagged. One activity's set is replaced whole by a later
import of it, so a re-import updates and never duplicates.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Index, Integer, Numeric, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base
from services.funding.ledger.models import AMOUNT, RATE


class IatiMoneySet(Base):
    """The import whose money a project holds now."""

    __tablename__ = "iati_money_sets"

    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    iati_identifier: Mapped[str] = mapped_column(Text, nullable=False)
    import_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    default_currency: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class IatiMoneyEntry(Base):
    __tablename__ = "iati_money_entries"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "ordinal", name="uq_iati_money_entries_position"),
        Index("ix_iati_money_entries_owner", "owner"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    import_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)  # transaction, budget, planned-disbursement
    ordinal: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str | None] = mapped_column(Text)  # TransactionType, or BudgetType
    status: Mapped[str | None] = mapped_column(Text)  # BudgetStatus of a budget
    # Exactly as the file writes it (no scale): the file's sums are these sums.
    value: Mapped[Decimal | None] = mapped_column(Numeric)
    currency: Mapped[str | None] = mapped_column(Text)
    value_date: Mapped[date | None] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    amount_eur: Mapped[Decimal | None] = mapped_column(AMOUNT)
    rate: Mapped[Decimal | None] = mapped_column(RATE)
    rate_date: Mapped[date | None] = mapped_column(Date)
    rate_source: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[str | None] = mapped_column(Text)  # why there is no EUR value: no-rate, no-currency, ...
    flag_message: Mapped[str | None] = mapped_column(Text)
    # The ledger entry (transactions, budget_lines or planned_disbursements, by kind) that holds this
    # entry's money; None while flagged. A re-import keeps an unchanged entry's booking.
    ledger_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The rest of the file's entry (organisations, flow/finance/aid types, notes), as the event carried it.
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
