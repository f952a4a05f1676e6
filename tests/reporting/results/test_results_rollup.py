"""Indicator roll-ups by hand: units per identical period, nothing else added, each project once."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from services.reporting.results.service import descendants, roll_up

A, B, C = (uuid.UUID(int=n) for n in (1, 2, 3))
Y2025 = {"start": "2025-01-01", "end": "2025-12-31"}
Y2026 = {"start": "2026-01-01", "end": "2026-12-31"}


def indicator(measure: str, *periods: dict[str, Any], code: str | None = "6.1.1", **extra: Any) -> dict[str, Any]:
    return {"measure": measure, "sdg_indicator": code, "periods": list(periods), **extra}


def test_units_add_up_per_period_and_nothing_else_does() -> None:
    rolled = roll_up(
        [
            (A, indicator("1", {**Y2025, "target": "100", "actual": "90"}, {**Y2026, "target": "50"})),
            (B, indicator("1", {**Y2025, "target": "20.5", "actual": "30"}, cumulative=True)),
            (B, indicator("2", {**Y2025, "target": "70", "actual": "65"})),
            (C, indicator("5", {**Y2025, "target": "1"})),
            (C, indicator("1", {**Y2025, "target": "1000", "actual": "1000"}, aggregation_status=False)),
            (C, indicator("1", {**Y2025, "target": "7"}, code="11.6.1")),
            (C, indicator("1", {**Y2025, "target": "999"}, code=None)),
        ]
    )
    water, waste = rolled
    assert (water.code, water.projects, water.indicators) == ("6.1.1", 2, 2)
    assert [(str(p.start), p.projects, p.target, p.actual, p.achievement_percent) for p in water.periods] == [
        ("2025-01-01", 2, Decimal("120.5"), Decimal("120"), Decimal("99.59")),
        ("2026-01-01", 1, Decimal("50"), None, None),  # no actual stated: none, not zero
    ]
    assert water.not_rolled_up == {"not-aggregatable": 1, "percentage": 1, "qualitative": 1}
    assert (waste.code, [p.target for p in waste.periods]) == ("11.6.1", [Decimal("7")])


def test_a_programme_counts_each_descendant_once() -> None:
    children = {A: [B, C], B: [C], C: [A]}  # C reached twice, and a cycle in bad data
    assert descendants(A, children) == {A, B, C}
    members = descendants(A, children)
    rolled = roll_up([(m, indicator("1", {**Y2025, "target": "10"})) for m in sorted(members)])
    assert rolled[0].periods[0].target == Decimal("30")
    assert rolled[0].periods[0].projects == 3


def test_lifetime_adds_a_non_cumulative_indicators_periods_and_takes_a_cumulative_ones_latest() -> None:
    Y2027 = {"start": "2027-01-01", "end": "2027-12-31"}
    # People trained each year (not cumulative) and households connected so far (cumulative),
    # periods given out of order: 40 + 60 + 0 trained; 250 households by the end of 2026.
    trained = indicator(
        "1",
        {**Y2026, "target": "60", "actual": "55"},
        {**Y2025, "target": "40", "actual": "45"},
        {**Y2027, "target": "0"},
        cumulative=False,
    )
    connected = indicator(
        "1", {**Y2025, "target": "100", "actual": "120"}, {**Y2026, "target": "250"}, {**Y2027}, cumulative=True
    )
    (rolled,) = roll_up([(A, trained), (B, connected)])
    assert rolled.lifetime is not None and rolled.cumulative_unstated == 0
    assert (rolled.lifetime.target, rolled.lifetime.actual) == (Decimal("350"), Decimal("220"))  # 100+250, 100+120
    # Per period nothing changes: each period's own figures, never added to another period's.
    assert [(p.target, p.actual) for p in rolled.periods] == [
        (Decimal("140"), Decimal("165")),
        (Decimal("310"), Decimal("55")),
        (Decimal("0"), None),
    ]


def test_no_lifetime_when_an_indicator_does_not_say_whether_it_is_cumulative() -> None:
    stated = indicator("1", {**Y2025, "target": "10"}, {**Y2026, "target": "20"}, cumulative=False)
    unstated = indicator("1", {**Y2025, "target": "5"}, {**Y2026, "target": "9"})
    (rolled,) = roll_up([(A, stated), (B, unstated)])
    assert (rolled.lifetime, rolled.cumulative_unstated) == (None, 1)
    assert [p.target for p in rolled.periods] == [Decimal("15"), Decimal("29")]
    (alone,) = roll_up([(A, stated)])
    assert alone.lifetime is not None and (alone.lifetime.target, alone.lifetime.actual) == (Decimal("30"), None)
    # Percentages stay out of the lifetime as of every roll-up, whatever they say.
    (mixed,) = roll_up([(A, stated), (B, indicator("2", {**Y2025, "target": "50"}, cumulative=False))])
    assert mixed.lifetime is not None and mixed.lifetime.target == Decimal("30")
    assert mixed.not_rolled_up == {"percentage": 1}
