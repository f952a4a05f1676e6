"""Money by year, by hand: budget lines split by days, rows x years adding up both ways."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.reporting.readmodels.attribution import allocate, project_parts
from services.reporting.readmodels.years import (
    UNDATED,
    Sums,
    Tally,
    YearWindow,
    budget_years,
    entry_years,
    split_by_year,
    with_undated,
    zero,
)


def money(**amounts: str) -> Sums:
    return {**zero(), **{k: Decimal(v) for k, v in amounts.items()}}


def test_a_budget_line_over_two_years_splits_by_days_to_the_cent() -> None:
    # 1 Jul 2025 - 30 Jun 2026: 184 days in 2025, 181 in 2026, of 365.
    # 100000 cents x 184/365 = 50410.95.., x 181/365 = 49589.04..: floors 50410 + 49589, the cent left
    # goes to the larger remainder (.95, 2025).
    assert budget_years(Decimal("1000.00"), date(2025, 7, 1), date(2026, 6, 30)) == {
        "2025": Decimal("504.11"),
        "2026": Decimal("495.89"),
    }
    # 2024 is a leap year: 1 Dec 2024 - 31 Jan 2025 is 31 + 31 days, exactly half each.
    assert budget_years(Decimal("0.03"), date(2024, 12, 1), date(2025, 1, 31)) == {
        "2024": Decimal("0.02"),  # the odd cent goes to the earlier year on a tie
        "2025": Decimal("0.01"),
    }
    # Three years: 2 days, 365 days, 1 day of 368.
    parts = budget_years(Decimal("368.00"), date(2024, 12, 30), date(2026, 1, 1))
    assert parts == {"2024": Decimal("2.00"), "2025": Decimal("365.00"), "2026": Decimal("1.00")}


def test_entries_by_value_date_and_in_kind_left_out() -> None:
    txn = {"transaction_type": "3", "amount_eur": "12.50", "value_date": "2026-12-31", "in_kind": False}
    assert entry_years("transaction", txn) == [("2026", "disbursed", Decimal("12.50"))]
    assert entry_years("transaction", {**txn, "in_kind": True}) == []
    assert entry_years("transaction", {**txn, "transaction_type": "1"}) == []  # incoming funds: not in these sums


def test_rows_by_years_add_up_both_ways() -> None:
    # A project tagged 1/3 each to three goals, committing 0.01 in each of three years.
    goals = [{"goal": "1", "share": "1"}, {"goal": "2", "share": "1"}, {"goal": "3", "share": "1"}]
    years = {y: money(committed="0.01") for y in ("2024", "2025", "2026")}

    def parts(running: Sums) -> dict[tuple[str, str], Sums]:
        return {(lv, c): m for lv, c, m in project_parts(goals, running, "equal-split")}

    cells = split_by_year(parts, years)
    # Each year's cent goes to exactly one goal ...
    for year in years:
        assert sum(cell["committed"] for cell in cells[year].values()) == Decimal("0.01")
    # ... and over the years each goal gets exactly its lifetime part of 0.03 (one cent each),
    # whereas splitting each year on its own would give all three cents to goal 1.
    lifetime = {key: m["committed"] for key, m in parts(money(committed="0.03")).items()}
    for key, part in lifetime.items():
        assert sum(cells[y][key]["committed"] for y in years) == part == Decimal("0.01")
    assert allocate(Decimal("0.01"), [("1", Decimal(1) / 3), ("2", Decimal(1) / 3), ("3", Decimal(1) / 3)]) == {
        "1": Decimal("0.01"),
        "2": Decimal(0),
        "3": Decimal(0),
    }


def test_undated_rest_and_the_window() -> None:
    years = with_undated({"2025": money(committed="10.00")}, money(committed="15.00", budgeted="1.00"))
    assert years == {"2025": money(committed="10.00"), UNDATED: money(committed="5.00", budgeted="1.00")}
    tally = Tally()
    tally.add_years(years)
    tally.add("2027", money(spent="2.00"))
    assert tally.total(YearWindow()) == money(committed="15.00", budgeted="1.00", spent="2.00")
    assert tally.total(YearWindow(2026, 2027)) == money(spent="2.00")
    assert list(tally.within(YearWindow(None, 2025))) == ["2025"]  # undated is in no year
