"""EUR values of amounts, and reading central-bank rate files. Pure functions: no I/O.

Rates are quoted as units of the currency per 1 EUR (the ECB reference rate convention), so
EUR = amount / rate. Each converted amount is rounded to the cent, half up (as the euro
conversion rules of Council Regulation (EC) No 1103/97 prescribe), once, when it is booked; totals
are sums of those booked cents, so a summary always equals the sum of its ledger lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
EUR = "EUR"


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


@dataclass(frozen=True)
class ParsedRates:
    rates: list[tuple[str, date, Decimal]]
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
    rates: list[tuple[str, date, Decimal]] = []
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
            if value <= 0:
                skipped.append(f"line {line_number}: {currency} rate must be positive")
                continue
            rates.append((currency, day, value))
    return ParsedRates(rates, skipped)
