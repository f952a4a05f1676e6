"""Polling for eventually-consistent effects, with a bounded wait and a useful failure message."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout: float = 30.0, interval: float = 0.1, what: str = "condition"
) -> T:
    """Call `probe` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if _reached(last):
            assert last is not None
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")


def _reached(value: object) -> bool:
    """None, False and empty containers mean "not yet"; anything else (an XML element too) is an answer."""
    if value is None or value is False:
        return False
    if isinstance(value, (list, dict, set, tuple, str, bytes)):
        return len(value) > 0
    return True
