"""One way to emit an event: a contract model wrapped in its CloudEvent and put in the outbox.

Every event carries the emitting service's source, a child span of the trace that caused it and the
request id of that cause, so a change can be followed from the HTTP request (or the consumed event)
through every service it touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import CloudEvent, child_traceparent
from shared.outbox import enqueue


class Origin(Protocol):
    """What caused an event: a request's `Actor`, or a consumed event (`caused_by`)."""

    @property
    def source(self) -> str: ...

    @property
    def traceparent(self) -> str | None: ...

    @property
    def request_id(self) -> str | None: ...


@dataclass(frozen=True)
class Cause:
    source: str
    traceparent: str | None
    request_id: str | None


def caused_by(event: CloudEvent, source: str) -> Cause:
    """The origin of an event emitted while handling `event`: same trace, same request id."""
    request_id = (event.model_extra or {}).get("xarxarequestid")
    return Cause(source, event.traceparent, request_id if isinstance(request_id, str) else None)


def build_event(
    origin: Origin,
    event_type: str,
    data: BaseModel,
    *,
    schema_base: str,
    subject: str,
    time: datetime | None = None,
) -> CloudEvent:
    """The CloudEvent of `data` (a contract model); `time` defaults to now (knowledge time otherwise)."""
    return CloudEvent(
        source=origin.source,
        type=event_type,
        subject=subject,
        dataschema=schema_base + event_type,
        traceparent=child_traceparent(origin.traceparent),
        data=data.model_dump(mode="json"),
        time=time or datetime.now(UTC),
        xarxarequestid=origin.request_id,
    )


async def emit(
    session: AsyncSession,
    origin: Origin,
    topic: str,
    key: str,
    event_type: str,
    data: BaseModel,
    *,
    schema_base: str,
    subject: str | None = None,
    time: datetime | None = None,
) -> CloudEvent:
    """Build the event and add it to the outbox of the current transaction (published after commit).

    `key` orders the topic's partition (the aggregate's id); `subject` defaults to it."""
    event = build_event(
        origin, event_type, data, schema_base=schema_base, subject=key if subject is None else subject, time=time
    )
    await enqueue(session, topic, key, event)
    return event
