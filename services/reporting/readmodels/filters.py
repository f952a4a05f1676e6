"""The filters every report takes: one FastAPI dependency, checked before any query runs.

An unknown code (institution, IATI status, country, network, modality) or a range upside down is
a 422 naming the parameter, never an empty report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Query

from services.reporting.readmodels.snapshot import Snapshot, SnapshotDep
from services.reporting.readmodels.years import YearWindow
from shared import patterns
from shared.codelists import codelists
from shared.problem_texts import field_error
from shared.problems import Unprocessable


@dataclass(frozen=True)
class ReportFilters:
    institution: str | None = None
    # Projects active in these years (their start and end years overlap the range); money not restricted.
    active_from: int | None = None
    active_to: int | None = None
    # The money counted: only what belongs to these years (value dates; budgets by period days).
    money_years: YearWindow = field(default_factory=YearWindow)
    by_year: bool = False
    status: str | None = None
    country: str | None = None
    city: str | None = None
    network: str | None = None
    modality: str | None = None
    snapshot: Snapshot = field(default_factory=Snapshot)

    @property
    def needs_years(self) -> bool:
        return self.by_year or self.money_years.restricts


class UnknownFilterValue(Unprocessable):
    kind, title = "unknown-filter-value", "A filter names something that does not exist"


# query parameter -> the codelist its value must belong to
CODED_FILTERS = {
    "institution": "institutions",
    "status": "ActivityStatus",
    "country": "Country",
    "network": "networks",
    "modality": "modalities",
}


def check_code(name: str, value: str | None) -> None:
    if value is not None and value not in codelists()[CODED_FILTERS[name]]:
        raise UnknownFilterValue(
            f"{name}={value!r} is not a known code",
            errors=[field_error(name, "unknown_code", location="query", value=value, listname=CODED_FILTERS[name])],
        )


def check_range(first_name: str, first: int | None, last_name: str, last: int | None) -> None:
    if first is not None and last is not None and first > last:
        raise UnknownFilterValue(
            f"{first_name}={first} is after {last_name}={last}",
            errors=[
                field_error(
                    first_name, "range_reversed", location="query", value=first, other=last_name, other_value=last
                )
            ],
        )


def report_filters(
    snapshot: SnapshotDep,
    institution: Annotated[str | None, Query(max_length=64, description="Owner institution code")] = None,
    active_from: Annotated[
        int | None, Query(ge=1950, le=2100, description="Projects active in or after this year (dates overlap)")
    ] = None,
    active_to: Annotated[
        int | None, Query(ge=1950, le=2100, description="Projects active in or before this year (dates overlap)")
    ] = None,
    year_from: Annotated[
        int | None, Query(ge=1950, le=2100, deprecated=True, description="Deprecated alias of active_from")
    ] = None,
    year_to: Annotated[
        int | None, Query(ge=1950, le=2100, deprecated=True, description="Deprecated alias of active_to")
    ] = None,
    money_year_from: Annotated[
        int | None,
        Query(ge=1950, le=2100, description="Count only money belonging to this year or later (value dates)"),
    ] = None,
    money_year_to: Annotated[
        int | None,
        Query(ge=1950, le=2100, description="Count only money belonging to this year or earlier (value dates)"),
    ] = None,
    by_year: Annotated[bool, Query(description="Add the money per year to every row and the totals")] = False,
    status: Annotated[str | None, Query(max_length=2, description="IATI ActivityStatus")] = None,
    country: Annotated[str | None, Query(pattern=patterns.COUNTRY)] = None,
    city: Annotated[
        str | None, Query(max_length=200, description="Partner city: name, alias or GeoNames id; accents, case ignored")
    ] = None,
    network: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64)] = None,
) -> ReportFilters:
    """The filters every report accepts, as one FastAPI dependency; unknown codes and upside-down
    ranges are a 422 naming the parameter, never an empty report."""
    for name, value in (
        ("institution", institution),
        ("status", status),
        ("country", country),
        ("network", network),
        ("modality", modality),
    ):
        check_code(name, value)
    for new, old, alias in (("active_from", active_from, year_from), ("active_to", active_to, year_to)):
        if old is not None and alias is not None and old != alias:
            raise UnknownFilterValue(
                f"{new} and its deprecated alias disagree",
                errors=[field_error(new, "alias_differs", location="query", value=old)],
            )
    active_from = active_from if active_from is not None else year_from
    active_to = active_to if active_to is not None else year_to
    check_range("active_from", active_from, "active_to", active_to)
    check_range("money_year_from", money_year_from, "money_year_to", money_year_to)
    return ReportFilters(
        institution=institution,
        active_from=active_from,
        active_to=active_to,
        money_years=YearWindow(money_year_from, money_year_to),
        by_year=by_year,
        status=status,
        country=country,
        city=city,
        network=network,
        modality=modality,
        snapshot=snapshot,
    )


FiltersDep = Annotated[ReportFilters, Depends(report_filters)]
