"""The read models as they stood at a moment: now, or the end of a past day (`as_of=DATE`).

A past snapshot takes, for each project, funding record and institution year, the newest version
whose event happened before the end of that day in Barcelona, from the history tables; ledger
entries are appended once, so their event time alone decides. Queries written against the live
models run unchanged against a snapshot, because it hands out the same entities, aliased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar, cast
from zoneinfo import ZoneInfo

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import aliased

from services.reporting.readmodels.models import (
    FundingHistory,
    FundingView,
    InstitutionYearHistory,
    InstitutionYearView,
    LedgerEntryView,
    ProjectHistory,
    ProjectView,
)

# The institutions' day: "as it stood on 31 December" means at midnight in Barcelona.
TIMEZONE = ZoneInfo("Europe/Madrid")

Live = TypeVar("Live")


@dataclass(frozen=True)
class Snapshot:
    as_of: date | None = None

    @property
    def cutoff(self) -> datetime | None:
        """The first instant after the day, or None for now."""
        if self.as_of is None:
            return None
        return datetime.combine(self.as_of + timedelta(days=1), time(), tzinfo=TIMEZONE)

    def _latest(self, live: type[Live], history: Any, *keys: str) -> type[Live]:
        if self.cutoff is None:
            return live
        key_columns = [getattr(history, k) for k in keys]
        newest = (
            select(history)
            .where(history.event_time < self.cutoff)
            .ext(distinct_on(*key_columns))
            .order_by(*key_columns, history.version.desc())
            .subquery(f"{history.__tablename__}_as_of")
        )
        return cast(type[Live], aliased(live, newest, adapt_on_names=True))

    def projects(self) -> type[ProjectView]:
        return self._latest(ProjectView, ProjectHistory, "id")

    def funding(self) -> type[FundingView]:
        return self._latest(FundingView, FundingHistory, "id")

    def institution_years(self) -> type[InstitutionYearView]:
        return self._latest(InstitutionYearView, InstitutionYearHistory, "institution", "year")

    def ledger_entries(self) -> ColumnElement[bool]:
        """The condition a ledger entry meets when it was booked before the cutoff."""
        return true() if self.cutoff is None else LedgerEntryView.event_time < self.cutoff


def snapshot(
    as_of: Annotated[
        date | None,
        Query(
            ge=date(1950, 1, 1),
            le=date(2100, 12, 31),
            description="The figures as they stood at the end of this day (Europe/Madrid); omitted: now",
        ),
    ] = None,
) -> Snapshot:
    return Snapshot(as_of)


SnapshotDep = Annotated[Snapshot, Depends(snapshot)]
