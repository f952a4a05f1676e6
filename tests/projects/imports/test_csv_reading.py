"""Reading CSV as spreadsheets write it (shared/csv_tables.py), Spanish Excel first: no servers."""

from __future__ import annotations

import pytest

from shared import csv_tables

COLUMNS = ["code", "title_ca", "amount"]


@pytest.mark.parametrize(
    ("content", "separator"),
    [
        (b'code,title_ca,amount\nA-1,Aigua,"1.234,56"\n', ","),
        (b"code;title_ca;amount\nA-1;Aigua;1.234,56\n", ";"),
        (b"code\ttitle_ca\tamount\nA-1\tAigua\t1.234,56\n", "\t"),
        ("\ufeffcode;title_ca;amount\r\nA-1;Aigua;1.234,56\r\n".encode(), ";"),  # Excel's "CSV UTF-8"
    ],
)
def test_the_separator_is_the_one_the_header_uses(content: bytes, separator: str) -> None:
    assert csv_tables.separator(csv_tables.decode(content)) == separator
    assert csv_tables.read_rows(content, COLUMNS, "code") == [
        {"code": "A-1", "title_ca": "Aigua", "amount": "1.234,56"}
    ]


def test_windows_1252_is_read_and_a_separator_inside_quotes_is_text() -> None:
    content = 'code;title_ca;amount\r\nA-2;"Cooperació; l\'Havana";"12,5"\r\n'.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    assert csv_tables.read_rows(content, COLUMNS, "code") == [
        {"code": "A-2", "title_ca": "Cooperació; l'Havana", "amount": "12,5"}
    ]


def test_a_file_in_no_known_encoding_is_refused_saying_how_to_save_it() -> None:
    with pytest.raises(csv_tables.CsvError, match="CSV UTF-8"):
        csv_tables.read_rows(b"code;title_ca\nA\x81;\x9d\n", COLUMNS, "code")


def test_an_unknown_header_names_the_columns_and_the_separators() -> None:
    with pytest.raises(csv_tables.CsvError, match=r"unknown: nom, titol.*semicolons"):
        csv_tables.read_rows(b"nom;titol\nx;y\n", COLUMNS, "code")


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234,5", "1234.5"),
        ("0,05", "0.05"),
        ("1.234", "1234"),
        ("1.234.567,89", "1234567.89"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234.56", "1234.56"),
        ("25000", "25000"),
        ("-5", "-5"),
        ("-1.000,00", "-1000.00"),
    ],
)
def test_amounts_as_spanish_excel_writes_them(written: str, read: str) -> None:
    assert csv_tables.decimal_text(written) == read


@pytest.mark.parametrize(
    "hostile",
    [
        "1.234.56",
        "1,234,56",
        "12,3456",
        "1.234,567",
        "1.23.456",
        "1,2.345",
        "abc",
        "",
        "1e5",
        "١٢٣",
        "12,",
        ",5",
        "1..2",
    ],
)
def test_amounts_that_read_more_than_one_way_are_refused_saying_how_to_write_them(hostile: str) -> None:
    with pytest.raises(ValueError, match="1234,56"):
        csv_tables.decimal_text(hostile)
