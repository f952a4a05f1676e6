"""Knowledge time of a change: when the platform learnt it.

Every change is recorded "now", and its event carries that time; as-of reports read it. The one
exception is a migration from an earlier system, which knows when that system recorded each fact:
an admin may pass `recorded_at` for it. The time given is never in the future and never before the
aggregate's last recorded change (as-of reports take the newest version known by a moment, so
versions and recording times must grow together). Nobody else can backdate knowledge.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query

from shared.auth import Forbidden, Principal
from shared.problems import Unprocessable

RecordedAtQuery = Annotated[
    datetime | None,
    Query(
        description="Admins only, for migrations from an earlier system: when that system recorded this "
        "change (ISO 8601 with a time zone; not in the future, not before the last change). "
        "Omitted: now. As-of reports use this time."
    ),
]


class RecordedAtNeedsAdmin(Forbidden):
    kind, title = "recorded-at-needs-admin", "Only an admin migration records a change at a past time"


class InvalidRecordedAt(Unprocessable):
    kind, title = "invalid-recorded-at", "recorded_at must be a past instant, after the last change"


def _invalid(message: str, value: datetime) -> InvalidRecordedAt:
    error: dict[str, Any] = {"field": "recorded_at", "in": "query", "message": message, "value": value.isoformat()}
    return InvalidRecordedAt(f"recorded_at: {message}", errors=[error])


def recording_time(principal: Principal, recorded_at: datetime | None, last_change: datetime | None = None) -> datetime:
    """The time to record a change at: now, or the migrated `recorded_at` once checked."""
    now = datetime.now(UTC)
    if recorded_at is None:
        return now
    if not principal.is_admin:
        raise RecordedAtNeedsAdmin(
            "recorded_at is for admin migrations only",
            errors=[
                {"field": "recorded_at", "in": "query", "message": "admins only", "value": recorded_at.isoformat()}
            ],
        )
    if recorded_at.tzinfo is None or recorded_at.utcoffset() is None:
        raise _invalid("needs a time zone (e.g. 2024-02-01T09:00:00+01:00)", recorded_at)
    if recorded_at > now:
        raise _invalid(f"is in the future (now is {now.isoformat(timespec='seconds')})", recorded_at)
    if last_change is not None and recorded_at < last_change:
        raise _invalid(f"is before the last recorded change ({last_change.isoformat()})", recorded_at)
    return recorded_at.astimezone(UTC)


def require_migration(recorded_at: datetime | None, migration: bool) -> None:
    """Where a route has a `migration` flag, a past recording time comes only with it."""
    if recorded_at is not None and not migration:
        raise _invalid("only with migration=true", recorded_at)
