"""CSV files with a fixed set of columns: a template with an example row, and reading uploads.

Uploads are read as spreadsheets write them, Spanish Excel included: UTF-8 with or without a BOM,
else Windows-1252 ("CSV (delimitado por comas)" on a Spanish Windows); the separator is whichever
of comma, semicolon or tab the header uses; amounts may use a decimal comma and thousands
separators (`1.234,56`, `1,234.56`, `1234,5`). What cannot be read is refused saying what to change.
"""

from __future__ import annotations

import csv
import io
import re

from shared.spreadsheet import csv_cell


class CsvError(ValueError):
    """The file itself cannot be read: encoding, header or size."""


def template(columns: list[str], example: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    # A template is opened in a spreadsheet first: its cells go through the one neutraliser too.
    writer.writerow({column: csv_cell(value) for column, value in example.items()})
    return out.getvalue()


SEPARATORS = (",", ";", "\t")
# Bytes that Windows-1252 leaves undefined: a file with them is neither UTF-8 nor Windows-1252.
_UNDEFINED_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def decode(content: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252; anything else is refused with what to do."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if _UNDEFINED_1252.search(content):
        raise CsvError(
            "the file is neither UTF-8 nor Windows-1252: save it as 'CSV UTF-8 (delimitado por comas)' and upload again"
        )
    return content.decode("cp1252")


def separator(text: str) -> str:
    """The separator the header line uses the most (a header has no quoted separators)."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ","


# ASCII digits only: Arabic-Indic or full-width digits are not amounts a ledger reads.
_GROUPED = re.compile(r"^[0-9]{1,3}([.,][0-9]{3})+$")


def decimal_text(value: str) -> str:
    """A number as written in a spreadsheet, in the API's notation ("1.234,56" -> "1234.56").

    Money has at most two decimals, so a separator followed by exactly three digits groups
    thousands; the last separator followed by one or two digits is the decimal one. Raises
    ValueError saying how to write the number when it cannot be read one way only."""
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    sign = ""
    if text[:1] in "+-":
        sign, text = text[:1].replace("+", ""), text[1:]
    if re.fullmatch(r"[0-9]+", text):
        return sign + text
    match = re.fullmatch(r"(.*?)([.,])([0-9]{1,2})", text)
    whole, decimals = (match.group(1), match.group(3)) if match else (text, "")
    if match and match.group(2) in whole:
        raise ValueError(f"{value!r}: use one decimal separator, e.g. 1234,56 or 1234.56")
    if re.fullmatch(r"[0-9]+", whole):
        digits = whole
    elif _GROUPED.fullmatch(whole) and len(set(re.sub(r"[0-9]", "", whole))) == 1:
        digits = re.sub(r"[^0-9]", "", whole)
    else:
        raise ValueError(
            f"{value!r} is not a number this import can read: write e.g. 1234,56 or 1.234,56 "
            "(or 1234.56), with at most two decimals"
        )
    return sign + digits + (f".{decimals}" if decimals else "")


def read_rows(content: bytes, columns: list[str], required: str, max_rows: int = 5000) -> list[dict[str, str]]:
    """The rows as dicts of stripped strings; the header may use any of `columns` and must have `required`."""
    text = decode(content)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=separator(text))
    unknown = sorted(set(reader.fieldnames or []) - set(columns))
    if not reader.fieldnames or required not in reader.fieldnames or unknown:
        raise CsvError(
            f"the header must use the template's columns (unknown: {', '.join(unknown) or 'none'}), "
            "separated by commas, semicolons or tabs"
        )
    found = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if len(found) > max_rows:
        raise CsvError(f"at most {max_rows} rows per file")
    return found
