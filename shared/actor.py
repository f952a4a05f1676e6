"""Who makes a change: the one request actor of every service, and the dependency that builds it.

The actor is what a service function needs besides the data: the principal (permissions, history)
and what its events carry (the service's source, the caller's trace, the request id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Depends, Header, Request

from shared.auth import Principal, requires
from shared.http import runtime_of
from shared.logs import request_id_var
from shared.recorded import RecordedAtQuery, recording_time


@dataclass(frozen=True)
class Actor:
    """Who makes a change, for permissions, history and the events it emits (an `Origin`)."""

    principal: Principal
    request_id: str | None
    source: str
    traceparent: str | None = None
    # An admin migration's time of recording (checked by recording_time); None: now.
    recorded_at: datetime | None = None


def request_actor(
    request: Request, principal: Principal, traceparent: str | None, recorded_at: datetime | None = None
) -> Actor:
    """The actor of this request: the service's own source, the request id the middleware set."""
    return Actor(principal, request_id_var.get(), runtime_of(request).settings.source, traceparent, recorded_at)


def actor_of(*scopes: str, recorded_at: bool = False) -> Any:
    """Dependency: the request's Actor, for a principal holding one of `scopes` (401/403 otherwise).

    With `recorded_at`, the route takes the admin migration's `recorded_at` query, refused before
    any work unless an admin gives a past instant."""
    build: Callable[..., Awaitable[Actor]]
    principal_of = requires(*scopes)
    if recorded_at:

        async def build_recorded(
            request: Request,
            principal: Principal = principal_of,
            traceparent: str | None = Header(None),
            recorded_at: RecordedAtQuery = None,
        ) -> Actor:
            if recorded_at is not None:
                recorded_at = recording_time(principal, recorded_at)
            return request_actor(request, principal, traceparent, recorded_at)

        build = build_recorded
    else:

        async def build_plain(
            request: Request, principal: Principal = principal_of, traceparent: str | None = Header(None)
        ) -> Actor:
            return request_actor(request, principal, traceparent)

        build = build_plain
    return Depends(build)
