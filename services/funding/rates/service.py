"""Rates: lookup for a value date, single updates and bulk CSV loads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.rates.conversion import EUR, Conversion, euro_conversion, parse_rate_csv, to_eur
from services.funding.rates.models import ExchangeRate
from shared.codelists import codelists
from shared.problems import Unprocessable

# Central banks publish on working days: a value date on a weekend or holiday uses the latest
# earlier publication, but never one older than this.
MAX_RATE_AGE = timedelta(days=7)


class MissingRate(Unprocessable):
    kind, title = "missing-exchange-rate", "No exchange rate for this currency and date"


class InvalidRateFile(Unprocessable):
    kind, title = "invalid-rate-file", "The rate file cannot be read"


async def rate_for(session: AsyncSession, currency: str, on: date) -> ExchangeRate | None:
    row = await session.execute(
        select(ExchangeRate)
        .where(
            ExchangeRate.currency == currency, ExchangeRate.rate_date <= on, ExchangeRate.rate_date >= on - MAX_RATE_AGE
        )
        .order_by(ExchangeRate.rate_date.desc())
        .limit(1)
    )
    return row.scalar_one_or_none()


async def convert(
    session: AsyncSession, amount: Decimal, currency: str, value_date: date, field: str = "currency"
) -> Conversion:
    if currency == EUR:
        return euro_conversion(amount, value_date)
    rate = await rate_for(session, currency, value_date)
    if rate is None:
        raise MissingRate(
            f"No {currency} rate on {value_date} or in the {MAX_RATE_AGE.days} days before; load one first "
            "(PUT /api/funding/rates/{currency}/{date} or POST /api/funding/rates/import)",
            errors=[{"field": field, "message": "no exchange rate", "value": f"{currency}@{value_date}"}],
        )
    return Conversion(to_eur(amount, rate.units_per_eur), rate.units_per_eur, rate.rate_date, rate.source)


async def set_rate(session: AsyncSession, currency: str, on: date, units_per_eur: Decimal, source: str) -> ExchangeRate:
    stmt = insert(ExchangeRate).values(currency=currency, rate_date=on, units_per_eur=units_per_eur, source=source)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ExchangeRate.currency, ExchangeRate.rate_date],
            set_={"units_per_eur": stmt.excluded.units_per_eur, "source": stmt.excluded.source},
        )
    )
    found = await session.get(ExchangeRate, (currency, on), populate_existing=True)
    assert found is not None
    return found


async def import_csv(session: AsyncSession, text: str, source: str) -> tuple[int, list[str], list[str]]:
    """Load every rate of the file (insert or replace). Returns (count, currencies, skipped lines)."""
    currencies = {c for c in codelists()["Currency"].items if c != EUR}
    try:
        parsed = parse_rate_csv(text, currencies)
    except ValueError as exc:
        raise InvalidRateFile(str(exc)) from exc
    rows = [{"currency": c, "rate_date": d, "units_per_eur": v, "source": source} for c, d, v in parsed.rates]
    for start in range(0, len(rows), 5000):
        stmt = insert(ExchangeRate).values(rows[start : start + 5000])
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[ExchangeRate.currency, ExchangeRate.rate_date],
                set_={"units_per_eur": stmt.excluded.units_per_eur, "source": stmt.excluded.source},
            )
        )
    return len(rows), sorted({c for c, _, _ in parsed.rates}), parsed.skipped
