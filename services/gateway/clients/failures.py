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

    def _rates(self) -> tuple[tuple[str, float], tuple[str, float]]:
        return (("address", self.per_address_per_minute), ("client", self.per_client_per_minute))

    def check(self, address: str, client_id: str) -> None:
        for (who, per_minute), key in zip(self._rates(), (f"addr:{address}", f"client:{client_id}"), strict=True):
            wait = self.buckets.available(key, per_minute / 60, per_minute)
            if wait > 0:
                raise TooManyFailures("address" if who == "address" else "client id", wait)

    def failed(self, address: str, client_id: str) -> None:
        for (_, per_minute), key in zip(self._rates(), (f"addr:{address}", f"client:{client_id}"), strict=True):
            self.buckets.take(key, per_minute / 60, per_minute)
