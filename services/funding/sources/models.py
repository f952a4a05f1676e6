"""Funding sources: own budgets, FEDER/ERDF through the Generalitat, EC calls, other donors."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Numeric, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base


class FundingSource(Base):
    __tablename__ = "funding_sources"
    __table_args__ = (UniqueConstraint("institution", "code", name="uq_funding_sources_institution_code"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    institution: Mapped[str] = mapped_column(Text, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    # EU instruments (FEDER/ERDF, EC calls): programme, call, co-financing rate, reporting periods.
    programme: Mapped[str | None] = mapped_column(Text)
    call_id: Mapped[str | None] = mapped_column(Text)
    co_financing_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    reporting_periods: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
