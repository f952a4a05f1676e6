"""Exchange rates: units of a currency per 1 EUR on a date, as central banks publish them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Numeric, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.database import Base

RATE_SOURCES = ("ECB", "InforEuro", "manual")


class ExchangeRate(Base):
    __tablename__ = "exchange_rates"
    __table_args__ = (
        CheckConstraint(f"source IN ({', '.join(repr(s) for s in RATE_SOURCES)})", name="source"),
        CheckConstraint("units_per_eur > 0.000001 AND units_per_eur < 1000000", name="units_per_eur_bounds"),
    )

    currency: Mapped[str] = mapped_column(Text, primary_key=True)
    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    units_per_eur: Mapped[Decimal] = mapped_column(Numeric(20, 8), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    # Free text beside the source (which central bank, which file); never used for a decision.
    note: Mapped[str | None] = mapped_column(Text)
    # The API client that set it (from its token); NULL only for rates loaded before it was kept.
    set_by: Mapped[str | None] = mapped_column(Text)
    # Set when the rate was far from its neighbours and the writer confirmed it anyway.
    confirmed_outlier: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
