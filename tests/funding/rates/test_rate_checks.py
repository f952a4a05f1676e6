"""The checks every exchange rate goes through, as pure functions (fast tier, no servers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from services.funding.rates.conversion import OUTLIER_CHANGE, ParsedRate, outlier_message, parse_rate_csv, rate_error
from services.funding.rates.schemas import RateSet
from services.funding.rates.service import _checked_rows

HOSTILE_RATES = [
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e999",
    "-1",
    "0",
    "-0",
    "0.000001",  # the lower bound itself is out
    "0.0000001",
    "1000000",  # the upper bound itself is out
    "999999999999",
    "1.123456789",  # nine decimal places
    "abc",
    "",
    "1,08",
]


@pytest.mark.parametrize("value", HOSTILE_RATES)
def test_a_hostile_rate_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        RateSet.model_validate({"units_per_eur": value})
    assert [e["loc"] for e in refused.value.errors()] == [("units_per_eur",)]


@pytest.mark.parametrize("raw", [b'{"units_per_eur": 1e999}', b'{"units_per_eur": -1.5}', b'{"units_per_eur": 0}'])
def test_hostile_json_numbers_are_refused_too(raw: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        RateSet.model_validate_json(raw)
    assert [e["loc"] for e in refused.value.errors()] == [("units_per_eur",)]


@pytest.mark.parametrize("value", ["0.00000101", "1.0815", "69.85", "4512.3", "999999.99999999", "1.10000000000"])
def test_ordinary_rates_pass(value: str) -> None:
    assert RateSet.model_validate({"units_per_eur": value}).units_per_eur == Decimal(value)
    assert rate_error(Decimal(value)) is None


@pytest.mark.parametrize(
    "body",
    [
        {"units_per_eur": "1.08", "source": "BdM"},
        {"units_per_eur": "1.08", "source": "ecb"},
        {"units_per_eur": "1.08", "set_by": "someone-else"},
        {"units_per_eur": "1.08", "confirmed_outlier": True},
        {"units_per_eur": "1.08", "note": ""},
    ],
)
def test_source_is_from_the_list_and_who_set_it_never_comes_from_the_body(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RateSet.model_validate(body)


def test_an_outlier_is_far_from_every_neighbour_it_has() -> None:
    before, after = (date(2025, 3, 7), Decimal("100")), (date(2025, 3, 11), Decimal("102"))
    assert outlier_message(Decimal("125"), [before, after]) is None  # within 25 % of both
    assert outlier_message(Decimal("127"), [before, after]) is None  # 27 % from one, 24.5 % from the other
    # A genuine jump stays close to the rates on one side of it.
    assert outlier_message(Decimal("160"), [before, (date(2025, 3, 11), Decimal("158"))]) is None
    spike = outlier_message(Decimal("1000"), [before, after])
    assert spike is not None
    assert "+900.0 % from 100 on 2025-03-07" in spike and "2025-03-11" in spike
    assert outlier_message(Decimal("74.9"), [before]) is not None  # -25.1 % from its only neighbour
    assert outlier_message(Decimal("75"), [before]) is None  # exactly the threshold is allowed
    assert outlier_message(Decimal("1000"), []) is None  # nothing to compare with
    assert Decimal("0.25") == OUTLIER_CHANGE


def test_a_file_row_is_checked_against_what_is_loaded_before_it() -> None:
    """1.08, 10.8 (a typo), 1.09: only the typo is refused; its correct neighbours are not."""
    rows = [
        ParsedRate("USD", date(2031, 1, d), Decimal(v), line)
        for line, (d, v) in enumerate([(5, "1.08"), (6, "10.8"), (7, "1.09")], start=2)
    ]
    accepted, skipped = _checked_rows("USD", rows, {}, confirm=False)
    assert [r.value for r, _ in accepted] == [Decimal("1.08"), Decimal("1.09")]
    assert len(skipped) == 1 and skipped[0].startswith("line 3: USD on 2031-01-06")
    confirmed, none_skipped = _checked_rows("USD", rows, {}, confirm=True)
    # Confirmed, the typo is loaded, and so is flagged the row after it that it now makes look far.
    assert [flag for _, flag in confirmed] == [False, True, True] and none_skipped == []
    # Stored rates are neighbours too, on both sides.
    stored = {date(2031, 1, 4): Decimal("2.5"), date(2031, 1, 9): Decimal("2.6")}
    _, against_stored = _checked_rows("USD", rows[:1], stored, confirm=False)
    assert len(against_stored) == 1 and "2031-01-04" in against_stored[0] and "2031-01-09" in against_stored[0]


def test_a_rate_file_skips_each_hostile_cell_with_its_reason() -> None:
    csv = "Date,USD\n2031-01-01,NaN\n2031-01-02,Infinity\n2031-01-03,1e999\n2031-01-04,-1\n2031-01-05,0\n"
    csv += "2031-01-06,1.123456789\n2031-01-07,1.08\n"
    parsed = parse_rate_csv(csv, {"USD"})
    assert [(r.day, r.value) for r in parsed.rates] == [(date(2031, 1, 7), Decimal("1.08"))]
    assert len(parsed.skipped) == 6
    assert all(line.startswith(f"line {n}: USD rate") for n, line in enumerate(parsed.skipped, start=2))
