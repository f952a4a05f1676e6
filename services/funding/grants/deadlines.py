"""The call's periods applied: the last day of each, and the refusal of an act filed after it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.funding.grants.models import GrantCall
from services.funding.grants.schemas import Periods
from services.funding.grants.working_days import Calendar, local_day
from shared.auth import Forbidden, Principal
from shared.problems import Conflict, Unprocessable


class PeriodOver(Conflict):
    kind, title = "period-over", "The period for this step is over"


class PeriodOpen(Conflict):
    kind, title = "period-open", "The period for this step has not ended yet"


class InvalidActDate(Unprocessable):
    kind, title = "invalid-act-date", "The date does not fit the procedure"


def periods_of(call: GrantCall) -> Periods:
    return Periods.model_validate(call.rules.get("periods") or {})


def calendar_of(call: GrantCall) -> Calendar:
    return Calendar(date.fromisoformat(d) for d in call.rules.get("local_holidays", []))


def today() -> date:
    return local_day(datetime.now(UTC))


def act_day(principal: Principal, given: date | None, field: str, since: date | None) -> date:
    """The day of an act: today in Barcelona, or, recorded by an admin, the day it entered the
    general registry (paper filings, past calls). Never in the future, never before `since`."""
    if given is None:
        return today()
    if not principal.is_admin:
        raise Forbidden(f"Only an admin records the registry date ({field}) of an act")
    if given > today():
        raise InvalidActDate(
            f"{given} is in the future", errors=[{"field": field, "message": "not after today", "value": str(given)}]
        )
    if since is not None and given < since:
        raise InvalidActDate(
            f"{given} is before {since}",
            errors=[{"field": field, "message": f"not before {since}", "value": str(given)}],
        )
    return given


def ensure_within(what: str, day: date, deadline: date, days: int, since: date, field: str) -> None:
    """Refuse an act filed after its period, naming the deadline."""
    if day > deadline:
        raise PeriodOver(
            f"The period to {what} ended on {deadline.isoformat()} ({days} working days from {since.isoformat()}); "
            f"filed on {day.isoformat()}",
            errors=[{"field": field, "message": f"after the deadline {deadline}", "value": day.isoformat()}],
            deadline=deadline.isoformat(),
        )
