"""When the demo's facts were recorded: a plausible history from 2021 to now.

The demo is loaded as an admin migration from an earlier system would be: each registration,
status change, booking and revenue declaration is sent with `recorded_at`, the time that system
recorded it, so that an as-of report of a past day shows what the platform would have shown then.
Nothing is recorded in the future: a fact whose time has not come yet is recorded now (left
without `recorded_at`); each aggregate's times only grow, since the API refuses a change recorded
before the previous one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shared import iati

BARCELONA = ZoneInfo("Europe/Madrid")
# A booking is recorded a few working days after the money moved; an office morning in Barcelona.
BOOKING_DELAY = timedelta(days=3)
OFFICE_HOUR = time(10, 0)


def recorded(day: date | str, delay: timedelta = timedelta(0)) -> datetime | None:
    """10:00 in Barcelona on `day` + `delay`, or None (record it now) when that is not yet past."""
    when = datetime.combine(date.fromisoformat(day) if isinstance(day, str) else day, OFFICE_HOUR, BARCELONA) + delay
    return when if when < datetime.now(UTC) else None


def params(when: datetime | None, **extra: Any) -> dict[str, Any]:
    """Query parameters of a migrated change: `recorded_at` when it lies in the past."""
    return {**extra, **({"recorded_at": when.isoformat()} if when else {})}


def registration_day(project: dict[str, Any]) -> str:
    """A project is registered the day it starts (its actual start, else its planned start)."""
    dates = project.get("dates", {})
    return str(dates.get("actual_start") or dates["planned_start"])


def registration_and_closure(project: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[dict[str, Any], str]]]:
    """A finished project (status 4 with an actual end) is registered in implementation, then goes
    to finalisation (3) on its actual end and is closed (4) after the final accounts, some months
    later. Returns the body to register and the status changes with the day each is recorded."""
    dates = project.get("dates", {})
    if project["status"] != iati.CLOSED or "actual_end" not in dates:
        return project, []
    end = date.fromisoformat(dates["actual_end"])
    body = {**project, "status": iati.IMPLEMENTATION, "dates": {k: v for k, v in dates.items() if k != "actual_end"}}
    changes = [
        ({"status": iati.FINALISATION, "date": end.isoformat()}, (end + timedelta(days=3)).isoformat()),
        ({"status": iati.CLOSED}, date(end.year + 1, 3, 31).isoformat()),
    ]
    return body, changes
