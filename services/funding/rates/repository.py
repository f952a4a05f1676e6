"""Every query of exchange rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.rates.models import ExchangeRate

# Rows per INSERT: seven bound parameters each, within PostgreSQL's 32767 per statement.
UPSERT_CHUNK = 4000


async def latest_rate(session: AsyncSession, currency: str, on: date, max_age: timedelta) -> ExchangeRate | None:
    """The newest rate of `currency` on or before `on`, at most `max_age` older."""
    row = await session.execute(
        select(ExchangeRate)
        .where(ExchangeRate.currency == currency, ExchangeRate.rate_date <= on, ExchangeRate.rate_date >= on - max_age)
        .order_by(ExchangeRate.rate_date.desc())
        .limit(1)
    )
    return row.scalar_one_or_none()


async def nearest_rates(
    session: AsyncSession, currency: str, on: date, window: timedelta
) -> list[tuple[date, Decimal]]:
    """The nearest earlier and the nearest later stored rate of `currency`, within `window`."""
    found: list[tuple[date, Decimal]] = []
    day = ExchangeRate.rate_date
    for condition, order in (
        ((day < on) & (day >= on - window), day.desc()),
        ((day > on) & (day <= on + window), day.asc()),
    ):
        row = (
            await session.execute(
                select(ExchangeRate.rate_date, ExchangeRate.units_per_eur)
                .where(ExchangeRate.currency == currency, condition)
                .order_by(order)
                .limit(1)
            )
        ).first()
        if row is not None:
            found.append((row[0], row[1]))
    return found


async def rates_between(session: AsyncSession, currency: str, first: date, last: date) -> dict[date, Decimal]:
    rows = await session.execute(
        select(ExchangeRate.rate_date, ExchangeRate.units_per_eur).where(
            ExchangeRate.currency == currency, ExchangeRate.rate_date >= first, ExchangeRate.rate_date <= last
        )
    )
    return {d: r for d, r in rows.all()}


async def upsert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert the rates, replacing those of the same currency and date."""
    for start in range(0, len(rows), UPSERT_CHUNK):
        stmt = insert(ExchangeRate).values(rows[start : start + UPSERT_CHUNK])
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[ExchangeRate.currency, ExchangeRate.rate_date],
                set_={
                    name: stmt.excluded[name]
                    for name in ("units_per_eur", "source", "note", "set_by", "confirmed_outlier")
                }
                | {"loaded_at": func.now()},
            )
        )


async def rate(session: AsyncSession, currency: str, on: date) -> ExchangeRate | None:
    """The stored rate of that day, read again from the database (after an upsert)."""
    return await session.get(ExchangeRate, (currency, on), populate_existing=True)
