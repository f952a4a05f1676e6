"""CSV files with a fixed set of columns: a template with an example row, and reading uploads."""

from __future__ import annotations

import csv
import io

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


def read_rows(content: bytes, columns: list[str], required: str, max_rows: int = 5000) -> list[dict[str, str]]:
    """The rows as dicts of stripped strings; the header may use any of `columns` and must have `required`."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError("the file is not UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    unknown = sorted(set(reader.fieldnames or []) - set(columns))
    if not reader.fieldnames or required not in reader.fieldnames or unknown:
        raise CsvError(f"the header must use the template's columns (unknown: {', '.join(unknown) or 'none'})")
    found = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if len(found) > max_rows:
        raise CsvError(f"at most {max_rows} rows per file")
    return found
