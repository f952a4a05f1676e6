"""The read models every report answers from, built only from events (readmodels/projections.py).

Each `*View` holds the newest version of a thing; its `*History` twin keeps every version with
the time of its event, so that reports can be computed as they stood at the end of a past day.
`SdgAttribution` is a read model of the read models: each project's money already split among
its SDG goals and targets under every method, so the live SDG report is one SQL aggregate.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, Numeric, PrimaryKeyConstraint, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.reporting.database import Base


class ProjectColumns:
    owner: Mapped[str] = mapped_column(Text, nullable=False, index=True)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False)
    visibility: Mapped[str] = mapped_column(Text, nullable=False)
    partner_cities: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    sdg_goals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # Dimensions of the reports' filters, taken from the project state.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    modality: Mapped[str | None] = mapped_column(Text)
    networks: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    countries: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    cities: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")


class ProjectView(ProjectColumns, Base):
    __tablename__ = "project_view"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class ProjectHistory(ProjectColumns, Base):
    __tablename__ = "project_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class FundingColumns:
    """Per project: the EUR totals of its ledger, from funding events (versions decide)."""

    owner: Mapped[str] = mapped_column(Text, nullable=False)
    budget_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    committed_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    disbursed_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    spent_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    in_kind_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class FundingView(FundingColumns, Base):
    __tablename__ = "funding_view"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


class FundingHistory(FundingColumns, Base):
    __tablename__ = "funding_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)


class LedgerEntryView(Base):
    """Transactions and budget lines as funding events carried them (for exports and per-year sums)."""

    __tablename__ = "ledger_view"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class InstitutionYearColumns:
    """Declared own revenues and the 0.7 % target per institution and year, from funding events."""

    institution: Mapped[str] = mapped_column(Text, nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    own_revenues_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    target_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    cooperation_budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    revenues_source: Mapped[str | None] = mapped_column(Text)
    revenues_basis: Mapped[str | None] = mapped_column(Text)  # settled | budgeted
    event_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class InstitutionYearView(InstitutionYearColumns, Base):
    __tablename__ = "institution_year_view"
    __table_args__ = (PrimaryKeyConstraint("institution", "year"),)

    version: Mapped[int] = mapped_column(Integer, nullable=False)


class InstitutionYearHistory(InstitutionYearColumns, Base):
    __tablename__ = "institution_year_history"
    __table_args__ = (PrimaryKeyConstraint("institution", "year", "version"),)

    version: Mapped[int] = mapped_column(Integer, nullable=False)


class SdgAttribution(Base):
    """One row per project, method and tagged goal or target, with the project's money attributed to
    it and its full money (the contributes-to view); plus a "project" row per project (its totals) and
    a "none" row for a project without goals (the unattributed money). Refreshed whenever a project's
    goals or funding totals change; reports as of a past day compute the same figures from the history."""

    __tablename__ = "sdg_attribution"

    project_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    method: Mapped[str] = mapped_column(Text, primary_key=True)
    level: Mapped[str] = mapped_column(Text, primary_key=True)  # "goal", "target", "project", "none"
    code: Mapped[str] = mapped_column(Text, primary_key=True)
    budgeted: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    committed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    disbursed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    spent: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_budgeted: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_committed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_disbursed: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    full_spent: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)


# Every table built from events: what a rebuild truncates and replays.
READ_MODELS = (
    ProjectView,
    ProjectHistory,
    FundingView,
    FundingHistory,
    LedgerEntryView,
    InstitutionYearView,
    InstitutionYearHistory,
    SdgAttribution,
)
