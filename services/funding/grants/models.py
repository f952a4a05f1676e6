"""Tables of the annual grant call: calls, applicant entities, applications and their step log.

A call's programmes, modalities, criteria and eligibility live in its validated `rules` document;
an application's scores, grant and justification in its own columns, so the state machine reads
one row.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    Numeric,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base


class GrantCall(Base):
    __tablename__ = "grant_call"
    __table_args__ = (UniqueConstraint("institution", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    institution: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    rules: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # The last resolution as published: decisions with reasons and the press-release figures.
    resolution: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    next_number: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantEntity(Base):
    """An applicant organisation; `tenant` is the tenant of its API client, `org_ref` its IATI identifier."""

    __tablename__ = "grant_entity"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    tenant: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    tax_id: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    org_ref: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    org_type: Mapped[str] = mapped_column(Text, nullable=False)
    contact: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # {name, tax_id, post}; null only for entities registered before it was asked for.
    legal_representative: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantApplication(Base):
    __tablename__ = "grant_application"
    __table_args__ = (UniqueConstraint("call_id", "reference"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    call_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_call.id"), nullable=False, index=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_entity.id"), nullable=False, index=True)
    reference: Mapped[str] = mapped_column(Text, nullable=False)
    modality: Mapped[str] = mapped_column(Text, nullable=False)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, unique=True)
    state: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    proposal: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    requested: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    duration_months: Mapped[int] = mapped_column(Integer, nullable=False)
    # {evaluator: {criterion: points}}; the total is computed from it, never typed.
    scores: Mapped[dict[str, dict[str, str]]] = mapped_column(JSONB, nullable=False, server_default="{}")
    total_score: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    granted: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, server_default="{}")
    objection: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    justification: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # {on, reformulation}: when the grant was accepted and, for a partial grant, the project reformulated.
    acceptance: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Ledger entries booked for this grant, per kind and budget year, so reductions reverse them exactly.
    bookings: Mapped[dict[str, dict[str, str]]] = mapped_column(JSONB, nullable=False, server_default="{}")
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantApplicationStep(Base):
    """Every state change of an application: who, when, from and to, and why."""

    __tablename__ = "grant_application_step"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_application.id"), nullable=False, index=True)
    from_state: Mapped[str | None] = mapped_column(Text)
    to_state: Mapped[str] = mapped_column(Text, nullable=False)
    client_id: Mapped[str] = mapped_column(Text, nullable=False)
    tenant: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantDocument(Base):
    """An uploaded file of an application, its objection or its justification: what it is, its
    SHA-256 and where its content lives (the `storage` that held it when it was uploaded)."""

    __tablename__ = "grant_document"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_application.id"), nullable=False, index=True)
    purpose: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    media_type: Mapped[str] = mapped_column(Text, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(Text, nullable=False)
    storage: Mapped[str] = mapped_column(Text, nullable=False)
    client_id: Mapped[str] = mapped_column(Text, nullable=False)
    tenant: Mapped[str] = mapped_column(Text, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantDocumentContent(Base):
    """File contents when documents are stored in PostgreSQL, by the document's id."""

    __tablename__ = "grant_document_content"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class GrantScoreSheet(Base):
    """An evaluator's score sheet, one row per version: a revised sheet is a new version, the
    earlier kept. `evaluator` is the signed-in evaluator's subject; `no_conflict` their declaration."""

    __tablename__ = "grant_score_sheet"
    __table_args__ = (UniqueConstraint("application_id", "evaluator", "version"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_application.id"), nullable=False, index=True)
    evaluator: Mapped[str] = mapped_column(Text, nullable=False)
    tenant: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    points: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    no_conflict: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class GrantPaymentOrder(Base):
    """A payment order of a grant from the call's payment plan (or a return order, negative), and
    the ledger entry that executed it."""

    __tablename__ = "grant_payment_order"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    application_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("grant_application.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    budget_year: Mapped[int] = mapped_column(Integer, nullable=False)
    stage: Mapped[str] = mapped_column(Text, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    transaction_ids: Mapped[list[str]] = mapped_column(JSONB, nullable=False, server_default="[]")
    value_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
