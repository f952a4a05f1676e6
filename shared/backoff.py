"""Retry with exponential backoff: the one rule every loop that waits for infrastructure follows."""

from __future__ import annotations

from dataclasses import dataclass, field


def exponential(attempts: int, initial: float, cap: float) -> float:
    """`initial` after the first failure, doubling with each further one, never above `cap`."""
    return min(initial * 2.0 ** max(attempts - 1, 0), cap)


@dataclass
class Backoff:
    """The delay before the next try of a loop that never gives up (a consumer, the outbox relay):
    short after a blip, at most `cap` while something stays down, short again after a success."""

    initial: float = 0.2
    cap: float = 5.0
    failures: int = field(default=0, init=False)

    def failed(self) -> float:
        """Count a failure; the seconds to wait before trying again."""
        self.failures += 1
        return exponential(self.failures, self.initial, self.cap)

    def succeeded(self) -> None:
        self.failures = 0
