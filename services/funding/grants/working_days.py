"""Periods of the call in working days (Llei 39/2015, art. 30): counted from the day after the act,
skipping Saturdays, Sundays and holidays. The holidays of Spain and Catalonia come from the
`holidays` package (country ES, subdivision CT); it has no municipal calendar, so a city's two local
holidays (Barcelona: Whit Monday and La Mercè) are data the grant manager sets on each call, never
typed here. Dates of acts and deadlines are days in Barcelona's time zone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

MADRID = ZoneInfo("Europe/Madrid")


@cache
def _regional(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ES", subdiv="CT", years=year))


class Calendar:
    """Working days for one place: the regional holidays plus its configured local ones."""

    def __init__(self, local_holidays: Iterable[date] = ()) -> None:
        self.local = frozenset(local_holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _regional(day.year) and day not in self.local

    def add(self, start: date, working_days: int) -> date:
        """The last day of a period of `working_days` that starts the day after `start`."""
        if working_days < 1:
            raise ValueError("a period has at least one working day")
        day, left = start, working_days
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day


def local_day(moment: datetime) -> date:
    """The day a moment falls on in Barcelona: what an act's date and a deadline are counted in."""
    return moment.astimezone(MADRID).date()
