"""Cells for CSV and XLSX files that spreadsheets open: text never becomes a formula.

CSV (OWASP "CSV injection"): a text cell whose first character, or first after leading
whitespace, is `=`, `+`, `-`, `@`, tab or carriage return (or a full-width `=`, `+`, `-`, `@`) gets
a leading `'`, which spreadsheets read as "this is text" (and hide). Only text is escaped: the
caller passes numbers as numbers (Decimal, int), so `-1234.50` stays a number.

XLSX: text is written as a string cell, never a formula, link or number (`XLSX_OPTIONS`, and
`write_xlsx_cell` chooses the cell type from the Python type); text that looks like a formula also
carries the quote-prefix style, so editing the cell in Excel keeps it text.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

# = + - @ tab CR, and the full-width = + - @ that some spreadsheets fold to ASCII.
TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")

# xlsxwriter's defaults turn strings that start with "=" into formulas and URL-like strings into links.
XLSX_OPTIONS: dict[str, Any] = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def looks_like_formula(text: str) -> bool:
    return bool(text) and (text[0] in TRIGGERS or text.lstrip()[:1] in TRIGGERS)


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as it is instead of evaluating it."""
    return "'" + text if looks_like_formula(text) else text


def csv_cell(value: object) -> object:
    """One CSV cell: text neutralised, numbers as exact decimal strings, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


def write_xlsx_cell(worksheet: Any, row: int, col: int, value: object, formats: dict[str, Any]) -> None:
    """Numbers as numbers (with `formats["money"]` for Decimal), text as a string cell (with
    `formats["text"]`, a quote-prefix style, where it looks like a formula), nothing else
    interpreted. `worksheet` is an xlsxwriter worksheet (the package ships no type hints)."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, col, value)
    elif isinstance(value, Decimal):
        worksheet.write_number(row, col, value, formats.get("money"))
    elif isinstance(value, int | float):
        worksheet.write_number(row, col, value)
    else:
        text = str(value)
        worksheet.write_string(row, col, text, formats.get("text") if looks_like_formula(text) else None)
