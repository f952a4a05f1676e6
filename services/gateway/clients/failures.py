"""Limits on failed client authentications, per address and per client id.

Verifying a secret costs an Argon2 hash (tens of milliseconds of a core, on purpose), so wrong
secrets must not be a way to keep the gateway's cores busy, nor to guess a secret by brute force.
Once an address or a client id has used up its failures, further attempts are refused before any
hash is computed; right secrets are never counted. The limits sit well below what the gateway can
verify, so one hammering address cannot slow other clients' token requests.
"""

from __future__ import annotations

import asyncio
import math
import os
from dataclasses import dataclass, field

from services.gateway.guards.ratelimit import TokenBuckets
from shared.problems import ProblemError


class TooManyFailures(ProblemError):
    status, kind, title = 429, "too-many-failed-authentications", "Too many failed authentications"

    def __init__(self, who: str, wait: float) -> None:
        super().__init__(
            f"Too many failed authentications from this {who}; try again later",
            headers={"Retry-After": str(max(1, math.ceil(wait))), "Cache-Control": "no-store"},
        )


@dataclass
class FailureLimits:
    per_address_per_minute: float = 10.0
    per_client_per_minute: float = 30.0
    buckets: TokenBuckets = field(default_factory=TokenBuckets)
    # Concurrent hash verifications: at most one per core, so a burst queues instead of taking
    # every thread of the default executor.
    verifications: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(os.cpu_count() or 2))

    def _keys(self, address: str, client_id: str) -> list[tuple[str, str, float]]:
        return [
            ("address", f"addr:{address}", self.per_address_per_minute),
            ("client id", f"client:{client_id}", self.per_client_per_minute),
        ]

    def reserve(self, address: str, client_id: str) -> None:
        """Take one failure from both budgets before verifying (so concurrent attempts cannot all
        pass a check made before any of them failed); a success gives it back."""
        keys = self._keys(address, client_id)
        for who, key, per_minute in keys:
            wait = self.buckets.available(key, per_minute / 60, per_minute)
            if wait > 0:
                raise TooManyFailures(who, wait)
        for _, key, per_minute in keys:
            self.buckets.take(key, per_minute / 60, per_minute)

    def succeeded(self, address: str, client_id: str) -> None:
        for _, key, per_minute in self._keys(address, client_id):
            self.buckets.give_back(key, per_minute)
