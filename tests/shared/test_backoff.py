"""The one backoff rule: doubling from the first delay, capped, back to short after a success."""

from __future__ import annotations

from shared.backoff import Backoff, exponential


def test_delays_double_up_to_the_cap_and_reset_after_a_success() -> None:
    backoff = Backoff(initial=0.2, cap=5.0)
    assert [backoff.failed() for _ in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]
    backoff.succeeded()
    assert backoff.failed() == 0.2


def test_exponential_counts_from_the_first_failure() -> None:
    assert [exponential(n, 1, 3600) for n in (0, 1, 2, 3, 12, 13)] == [1, 1, 2, 4, 2048, 3600]
