"""Working-day periods against the 2026 calendar of Barcelona (no servers)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.funding.grants.working_days import Calendar, local_day

# Barcelona's local holidays of 2026 as a grant manager sets them on the call: Whit Monday, La Mercè.
BARCELONA_2026 = Calendar([date(2026, 5, 25), date(2026, 9, 24)])


def test_a_period_skips_the_weekend() -> None:
    # Notified on Friday 6 March: day 1 is Monday 9, day 5 Friday 13, day 6 Monday 16.
    assert BARCELONA_2026.add(date(2026, 3, 6), 5) == date(2026, 3, 13)
    assert BARCELONA_2026.add(date(2026, 3, 6), 6) == date(2026, 3, 16)
    # Notified on a Saturday, the count still starts on Monday.
    assert BARCELONA_2026.add(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_a_period_across_the_diada_catalan_holiday() -> None:
    # Friday 4 September + 10 working days: 7-10, (11 Diada), 14-18, 21.
    assert not BARCELONA_2026.is_working_day(date(2026, 9, 11))
    assert BARCELONA_2026.add(date(2026, 9, 4), 10) == date(2026, 9, 21)


def test_la_merce_counts_only_where_it_is_configured() -> None:
    # Wednesday 23 September + 2: (24 La Mercè), 25, (weekend), 28 in Barcelona; 25 elsewhere in Catalonia.
    assert BARCELONA_2026.add(date(2026, 9, 23), 2) == date(2026, 9, 28)
    assert Calendar().add(date(2026, 9, 23), 2) == date(2026, 9, 25)


def test_spanish_holidays_and_the_year_end() -> None:
    # 24 December 2026 (Thursday) + 3: (25 Christmas, 26 Sant Esteve, weekend) 28, 29, 30.
    assert BARCELONA_2026.add(date(2026, 12, 24), 3) == date(2026, 12, 30)
    # 8 December (Immaculate Conception) and 12 October (Spain's national day) are not working days.
    assert not BARCELONA_2026.is_working_day(date(2026, 12, 8))
    assert not BARCELONA_2026.is_working_day(date(2026, 10, 12))
    assert BARCELONA_2026.is_working_day(date(2026, 12, 9))


def test_a_period_needs_a_day_and_days_are_barcelonas() -> None:
    with pytest.raises(ValueError, match="at least one working day"):
        BARCELONA_2026.add(date(2026, 3, 6), 0)
    # 23:30 UTC on 10 September is already the Diada in Barcelona.
    assert local_day(datetime(2026, 9, 10, 23, 30, tzinfo=UTC)) == date(2026, 9, 11)
