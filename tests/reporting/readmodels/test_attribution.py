"""Attribution splits to the cent and never loses or adds one."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.reporting.readmodels.attribution import METHODS, allocate, weights

TWO = [{"goal": "5", "share": "60"}, {"goal": "11", "share": "40"}]


def test_declared_shares_sixty_forty_to_the_cent() -> None:
    assert allocate(Decimal("1000.01"), weights(TWO, "declared-shares")) == {
        "5": Decimal("600.01"),
        "11": Decimal("400.00"),
    }
    assert allocate(Decimal("333.33"), weights(TWO, "declared-shares")) == {
        "5": Decimal("200.00"),
        "11": Decimal("133.33"),
    }


def test_equal_split_gives_the_odd_cent_to_the_lowest_goal() -> None:
    assert allocate(Decimal("1000.01"), weights(TWO, "equal-split")) == {
        "5": Decimal("500.01"),
        "11": Decimal("500.00"),
    }


def test_principal_goal_takes_all_and_ties_go_to_the_lowest_number() -> None:
    assert allocate(Decimal("10"), weights(TWO, "principal-goal")) == {"5": Decimal("10.00")}
    tie = [{"goal": "16", "share": "50"}, {"goal": "4", "share": "50"}]
    assert weights(tie, "principal-goal") == [("4", Decimal(1))]


def test_no_goals_no_parts_and_unknown_method_refused() -> None:
    assert weights([], "declared-shares") == []
    assert allocate(Decimal("5"), []) == {}
    with pytest.raises(ValueError, match="unknown"):
        weights(TWO, "by-feel")


goal_sets = st.lists(st.integers(min_value=1, max_value=17), min_size=1, max_size=6, unique=True).flatmap(
    lambda goals: st.lists(st.integers(min_value=1, max_value=100), min_size=len(goals), max_size=len(goals)).map(
        lambda shares: [{"goal": str(g), "share": str(s)} for g, s in zip(goals, shares, strict=True)]
    )
)
money = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2, allow_nan=False, allow_infinity=False
)


@given(goals=goal_sets, amount=money, method=st.sampled_from(METHODS))
def test_parts_always_sum_to_the_amount(goals: list[dict[str, str]], amount: Decimal, method: str) -> None:
    parts = allocate(amount, weights(goals, method))
    assert sum(parts.values(), Decimal(0)) == amount
    assert all(isinstance(p.as_tuple().exponent, int) and int(p.as_tuple().exponent) >= -2 for p in parts.values())
