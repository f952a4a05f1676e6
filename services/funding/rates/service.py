"""Rates: lookup for a value date, single updates and bulk CSV loads."""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.rates import repository
from services.funding.rates.conversion import (
    EUR,
    Conversion,
    ParsedRate,
    euro_conversion,
    outlier_message,
    parse_rate_csv,
    to_eur,
)
from services.funding.rates.models import ExchangeRate
from services.funding.rates.schemas import RateSet
from shared.auth import Principal
from shared.codelists import codelists
from shared.problem_texts import field_error
from shared.problems import NotFound, Unprocessable

# Central banks publish on working days: a value date on a weekend or holiday uses the latest
# earlier publication, but never one older than this.
MAX_RATE_AGE = timedelta(days=7)
# Neighbours a new rate is compared with are at most this far from its date: over longer spans a
# currency may drift legitimately (inflation), so the comparison would say nothing.
NEIGHBOUR_WINDOW = timedelta(days=31)


class MissingRate(Unprocessable):
    kind, title = "missing-exchange-rate", "No exchange rate for this currency and date"


class InvalidRateFile(Unprocessable):
    kind, title = "invalid-rate-file", "The rate file cannot be read"


class OutlierRate(Unprocessable):
    kind, title = "outlier-rate", "The rate is far from its neighbouring rates"


def known_currency(currency: str) -> str:
    """`currency` if it is an ISO 4217 code other than EUR (EUR has no rate), else a 422 naming it."""
    if currency not in codelists()["Currency"] or currency == EUR:
        raise Unprocessable(
            f"{currency} is not an ISO 4217 currency other than EUR",
            errors=[field_error("currency", "unknown_currency", location="path", value=currency)],
        )
    return currency


async def rate_for(session: AsyncSession, currency: str, on: date) -> ExchangeRate | None:
    return await repository.latest_rate(session, currency, on, MAX_RATE_AGE)


async def rate_on(session: AsyncSession, currency: str, on: date) -> ExchangeRate:
    """The rate a value date `on` is converted with (a 404 when there is none)."""
    rate = await rate_for(session, known_currency(currency), on)
    if rate is None:
        raise NotFound(f"No {currency} rate for {on}")
    return rate


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
            errors=[field_error(field, "no_exchange_rate", value=f"{currency}@{value_date}")],
        )
    return Conversion(to_eur(amount, rate.units_per_eur), rate.units_per_eur, rate.rate_date, rate.source)


async def neighbours(session: AsyncSession, currency: str, on: date) -> list[tuple[date, Decimal]]:
    """The nearest earlier and the nearest later stored rate of `currency`, within NEIGHBOUR_WINDOW."""
    return await repository.nearest_rates(session, currency, on, NEIGHBOUR_WINDOW)


async def set_rate(session: AsyncSession, principal: Principal, currency: str, on: date, data: RateSet) -> ExchangeRate:
    """Set one rate; one far from its neighbours needs `confirm_outlier`. Amounts booked before
    keep the rate they were booked with (the ledger stores it), whatever happens here."""
    around = await neighbours(session, currency, on)
    outlier = outlier_message(data.units_per_eur, around)
    if outlier and not data.confirm_outlier:
        raise OutlierRate(
            f"{currency} on {on}: {outlier} with confirm_outlier: true",
            errors=[{"field": "units_per_eur", "message": outlier, "value": str(data.units_per_eur)}],
            neighbours=[{"rate_date": d.isoformat(), "units_per_eur": str(r)} for d, r in around],
        )
    row = {
        "currency": currency,
        "rate_date": on,
        "units_per_eur": data.units_per_eur,
        "source": data.source,
        "note": data.note,
        "set_by": principal.client_id,
        "confirmed_outlier": outlier is not None,
    }
    await repository.upsert(session, [row])
    found = await repository.rate(session, currency, on)
    assert found is not None
    return found


def _nearest(days: list[date], values: dict[date, Decimal], on: date, earlier: bool) -> tuple[date, Decimal] | None:
    index = bisect.bisect_left(days, on) - 1 if earlier else bisect.bisect_right(days, on)
    if not 0 <= index < len(days):
        return None
    day = days[index]
    return (day, values[day]) if abs(day - on) <= NEIGHBOUR_WINDOW else None


def _checked_rows(
    currency: str, rows: list[ParsedRate], stored: dict[date, Decimal], confirm: bool
) -> tuple[list[tuple[ParsedRate, bool]], list[str]]:
    """A file's rows of one currency, in date order, each with the same checks as a single rate:
    compared with the nearest earlier rate as loaded so far (stored, or accepted from this file)
    and the nearest later stored one. Later rows of the file are not neighbours yet: they are
    checked after, so one wrong row cannot make its correct neighbours look wrong."""
    accepted: list[tuple[ParsedRate, bool]] = []
    skipped: list[str] = []
    known = dict(stored)
    earlier_days = sorted(known)
    later_days = sorted(stored)
    for row in rows:
        around = [
            n
            for n in (
                _nearest(earlier_days, known, row.day, earlier=True),
                _nearest(later_days, stored, row.day, earlier=False),
            )
            if n is not None
        ]
        outlier = outlier_message(row.value, around)
        if outlier and not confirm:
            skipped.append(f"line {row.line}: {currency} on {row.day}: {outlier} (confirm_outliers=true)")
            continue
        accepted.append((row, outlier is not None))
        if row.day not in known:
            bisect.insort(earlier_days, row.day)
        known[row.day] = row.value
    return accepted, skipped


async def import_csv(
    session: AsyncSession,
    principal: Principal,
    text: str,
    source: str,
    note: str | None = None,
    confirm_outliers: bool = False,
) -> tuple[int, list[str], list[str]]:
    """Load the file's rates (insert or replace), each row through the checks of a single rate.
    Returns (count, currencies, skipped lines)."""
    currencies = {c for c in codelists()["Currency"].items if c != EUR}
    try:
        parsed = parse_rate_csv(text, currencies)
    except ValueError as exc:
        raise InvalidRateFile(str(exc)) from exc
    skipped = list(parsed.skipped)
    by_currency: dict[str, dict[date, ParsedRate]] = defaultdict(dict)
    for rate in parsed.rates:
        repeated = by_currency[rate.currency].get(rate.day)
        if repeated is not None:
            skipped.append(f"line {repeated.line}: {rate.currency} on {rate.day} again on line {rate.line}, which wins")
        by_currency[rate.currency][rate.day] = rate
    rows: list[dict[str, Any]] = []
    for currency, dated in sorted(by_currency.items()):
        ordered = [dated[d] for d in sorted(dated)]
        # The stored rates the file's rows are compared with: their neighbours too.
        stored = await repository.rates_between(
            session, currency, ordered[0].day - NEIGHBOUR_WINDOW, ordered[-1].day + NEIGHBOUR_WINDOW
        )
        accepted, refused = _checked_rows(currency, ordered, stored, confirm_outliers)
        skipped += refused
        rows += [
            {
                "currency": currency,
                "rate_date": row.day,
                "units_per_eur": row.value,
                "source": source,
                "note": note,
                "set_by": principal.client_id,
                "confirmed_outlier": confirmed,
            }
            for row, confirmed in accepted
        ]
    await repository.upsert(session, rows)
    return len(rows), sorted({r["currency"] for r in rows}), skipped
