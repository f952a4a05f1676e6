"""EUR values of amounts, and reading central-bank rate files. Pure functions: no I/O.

Rates are quoted as units of the currency per 1 EUR (the ECB reference rate convention), so
EUR = amount / rate. Each converted amount is rounded to the cent, half up (as the euro
conversion rules of Council Regulation (EC) No 1103/97 prescribe), once, when it is booked; totals
are sums of those booked cents, so a summary always equals the sum of its ledger lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from shared.money import CENT
from shared.problem_texts import invalid

EUR = "EUR"
# Every rate is a finite number of units per EUR strictly between these bounds, with at most the
# column's eight decimal places: anything else is a typo or an attack, never a quotation.
MIN_RATE, MAX_RATE = Decimal("0.000001"), Decimal("1000000")
RATE_DECIMALS = 8


def rate_error(value: Decimal) -> str | None:
    """Why `value` cannot be a rate (units per EUR), or None."""
    if not value.is_finite():
        return "must be a finite number"
    if not MIN_RATE < value < MAX_RATE:
        return f"must be above {MIN_RATE} and below {MAX_RATE} units per EUR"
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_DECIMALS:
        return f"takes at most {RATE_DECIMALS} decimal places"
    return None


def checked_rate(value: Decimal) -> Decimal:
    """Pydantic validator form of rate_error."""
    if rate_error(value) is None:
        return value
    # rate_error decides; the branches only pick the stable code of its reason.
    if not value.is_finite():
        raise invalid("finite_number")
    if not MIN_RATE < value < MAX_RATE:
        raise invalid("rate_out_of_range", min=MIN_RATE, max=MAX_RATE)
    raise invalid("rate_too_many_places", places=RATE_DECIMALS)


@dataclass(frozen=True)
class Conversion:
    amount_eur: Decimal
    rate: Decimal
    rate_date: date
    rate_source: str


def to_eur(amount: Decimal, units_per_eur: Decimal) -> Decimal:
    return (amount / units_per_eur).quantize(CENT, rounding=ROUND_HALF_UP)


def euro_conversion(amount: Decimal, value_date: date) -> Conversion:
    return Conversion(amount.quantize(CENT, rounding=ROUND_HALF_UP), Decimal(1), value_date, "identity")


# A rate more than this far (relative change) from every neighbouring rate of its currency is
# taken for a typo unless the writer confirms it: a genuine jump (a devaluation) stays close to the
# rates on one side of it, a wrong digit is far from both. ECB rates rarely move 5 % in a month.
OUTLIER_CHANGE = Decimal("0.25")


def outlier_message(value: Decimal, neighbours: Sequence[tuple[date, Decimal]]) -> str | None:
    """Why `value` needs a confirmation against its neighbours (date, rate), or None if it is
    within OUTLIER_CHANGE of at least one of them (or has none)."""
    if not neighbours:
        return None
    changes = [(day, rate, (value - rate) / rate) for day, rate in neighbours]
    if any(abs(change) <= OUTLIER_CHANGE for _, _, change in changes):
        return None
    described = "; ".join(
        f"{change * 100:+.1f} % from {rate.normalize():f} on {day.isoformat()}" for day, rate, change in changes
    )
    return (
        f"{value.normalize():f} is more than {OUTLIER_CHANGE * 100:.0f} % away from every neighbouring rate "
        f"({described}); confirm it if it is right"
    )


@dataclass(frozen=True)
class ParsedRate:
    currency: str
    day: date
    value: Decimal
    line: int


@dataclass(frozen=True)
class ParsedRates:
    rates: list[ParsedRate]
    skipped: list[str]


def parse_rate_csv(text: str, currencies: set[str]) -> ParsedRates:
    """Read the wide format central banks publish (ECB eurofxref): a `Date` column, then one
    column per currency with units per EUR; empty or `N/A` cells are days without a rate.
    Raises ValueError for a file that is not such a CSV."""
    try:
        return _parse(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), currencies)
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV file: {exc}") from exc


def _parse(reader: Any, currencies: set[str]) -> ParsedRates:
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise ValueError("the file is empty") from None
    if not header or header[0].lower() != "date":
        raise ValueError("the first column must be 'Date'")
    unknown = [c for c in header[1:] if c and c not in currencies]
    columns = [(i, c) for i, c in enumerate(header) if i > 0 and c in currencies]
    if not columns:
        raise ValueError("no column names an ISO 4217 currency")
    rates: list[ParsedRate] = []
    skipped = [f"column {c}: not an ISO 4217 currency" for c in unknown]
    for line_number, row in enumerate(reader, start=2):
        if not row or not row[0].strip():
            continue
        try:
            day = date.fromisoformat(row[0].strip())
        except ValueError:
            skipped.append(f"line {line_number}: date {row[0]!r} is not YYYY-MM-DD")
            continue
        for index, currency in columns:
            cell = row[index].strip() if index < len(row) else ""
            if cell in ("", "N/A", "-"):
                continue
            try:
                value = Decimal(cell)
            except InvalidOperation:
                skipped.append(f"line {line_number}: {currency} value {cell!r} is not a number")
                continue
            error = rate_error(value)
            if error:
                skipped.append(f"line {line_number}: {currency} rate {cell!r} {error}")
                continue
            rates.append(ParsedRate(currency, day, value, line_number))
    return ParsedRates(rates, skipped)
