"""Exchange rates: units of a currency per 1 EUR on a date, as central banks publish them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Numeric, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base


class ExchangeRate(Base):
    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(Text, primary_key=True)
    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    units_per_eur: Mapped[Decimal] = mapped_column(Numeric(20, 8), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
