"""The append-only ledger: budget lines and transactions per project, and the per-project funding
aggregate (version and totals) that every funding event carries.

Nothing here is ever updated or deleted: a mistake is corrected by a reversing transaction. Money
an IATI import booked carries `imported` (shared/contracts/funding.py ImportedV1): the import, the
file's element, and what IATI says beyond these columns; an imported budget line or planned
disbursement that a later file no longer has is withdrawn by a negating entry (`reverses_id`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Identity, Index, Integer, Numeric, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base

AMOUNT = Numeric(18, 2)
RATE = Numeric(20, 8)


class ProjectFunding(Base):
    """One row per project with money: its funding version, bumped by every booking."""

    __tablename__ = "project_funding"

    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class _Money:
    """Columns shared by budget lines and transactions: the original amount and its EUR value with provenance."""

    amount: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    currency: Mapped[str] = mapped_column(Text, nullable=False)
    amount_eur: Mapped[Decimal] = mapped_column(AMOUNT, nullable=False)
    rate: Mapped[Decimal] = mapped_column(RATE, nullable=False)
    rate_date: Mapped[date] = mapped_column(Date, nullable=False)
    rate_source: Mapped[str] = mapped_column(Text, nullable=False)


class BudgetLine(_Money, Base):
    __tablename__ = "budget_lines"
    __table_args__ = (Index("ix_budget_lines_project", "project_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    budget_type: Mapped[str] = mapped_column(Text, nullable=False)
    budget_status: Mapped[str] = mapped_column(Text, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    source_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("funding_sources.id"))
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("budget_lines.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    client_id: Mapped[str | None] = mapped_column(Text)
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class PlannedDisbursement(_Money, Base):
    """A payment foreseen (IATI planned-disbursement); apart from transactions, so no total counts it."""

    __tablename__ = "planned_disbursements"
    __table_args__ = (Index("ix_planned_disbursements_project", "project_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    planned_type: Mapped[str] = mapped_column(Text, nullable=False)
    period_start: Mapped[date] = mapped_column(Date, nullable=False)
    period_end: Mapped[date | None] = mapped_column(Date)
    provider_org: Mapped[str | None] = mapped_column(Text)
    receiver_org: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("planned_disbursements.id"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    client_id: Mapped[str | None] = mapped_column(Text)
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Transaction(_Money, Base):
    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_project", "project_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    transaction_type: Mapped[str] = mapped_column(Text, nullable=False)
    in_kind: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    instrument: Mapped[str] = mapped_column(Text, nullable=False)
    value_date: Mapped[date] = mapped_column(Date, nullable=False)
    provider_org: Mapped[str | None] = mapped_column(Text)
    receiver_org: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("funding_sources.id"))
    description: Mapped[str | None] = mapped_column(Text)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("transactions.id"), unique=True
    )
    over_commitment_reason: Mapped[str | None] = mapped_column(Text)
    # For expenditure charged to an EU source: whether the cost is eligible for co-financing.
    eu_eligible: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    client_id: Mapped[str | None] = mapped_column(Text)
    imported: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(Text)
