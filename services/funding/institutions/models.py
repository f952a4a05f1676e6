"""Per institution and fiscal year: declared own revenues and the approved cooperation budget."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Integer, Numeric, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base


class InstitutionYear(Base):
    __tablename__ = "institution_years"

    institution: Mapped[str] = mapped_column(Text, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    own_revenues_eur: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    cooperation_budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    revenues_source: Mapped[str | None] = mapped_column(Text)
    revenues_basis: Mapped[str | None] = mapped_column(Text)  # settled | budgeted
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
