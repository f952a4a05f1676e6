"""Token buckets per client (or per address for anonymous callers), in the gateway's memory."""

from __future__ import annotations

import time


class TokenBuckets:
    def __init__(self, max_keys: int = 100_000) -> None:
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str, rate: float, burst: float, now: float | None = None) -> float:
        """Spend one token. Returns 0 if allowed, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens >= 1.0:
            self._set(key, tokens - 1.0, now)
            return 0.0
        self._set(key, tokens, now)
        return (1.0 - tokens) / rate if rate > 0 else 60.0

    def available(self, key: str, rate: float, burst: float, now: float | None = None) -> float:
        """0 if a token could be spent now, else the seconds until one can; spends nothing."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / rate if rate > 0 else 60.0

    def give_back(self, key: str, burst: float) -> None:
        """Return one token spent by take() (a reservation that turned out not to count)."""
        if key in self._buckets:
            tokens, last = self._buckets[key]
            self._buckets[key] = (min(burst, tokens + 1.0), last)

    def _set(self, key: str, tokens: float, now: float) -> None:
        if len(self._buckets) >= self.max_keys and key not in self._buckets:
            self._buckets.clear()  # a flood of distinct keys: start over rather than grow without bound
        self._buckets[key] = (tokens, now)
