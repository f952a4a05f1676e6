"""Knowledge time: only an admin migration records a change at a past instant, never in the future,
never before the aggregate's last change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.auth import Principal
from shared.problems import ProblemError
from shared.recorded import InvalidRecordedAt, RecordedAtNeedsAdmin, recording_time, require_migration

ADMIN = Principal("admin", "xarxa", "institution", frozenset({"admin"}))
OFFICER = Principal("officer", "amb", "institution", frozenset({"projects:write", "funding:write"}))
PAST = datetime(2022, 3, 1, 10, tzinfo=timezone(timedelta(hours=1)))


def field_of(error: ProblemError) -> str:
    assert error.errors
    return str(error.errors[0]["field"])


def test_without_recorded_at_a_change_is_recorded_now_for_anyone() -> None:
    before = datetime.now(UTC)
    for principal in (ADMIN, OFFICER):
        assert before <= recording_time(principal, None, last_change=before) <= datetime.now(UTC)


def test_an_admin_migration_records_at_the_past_instant_given_in_utc() -> None:
    when = recording_time(ADMIN, PAST, last_change=PAST - timedelta(days=1))
    assert when == PAST and when.tzinfo == UTC and when.hour == 9
    assert recording_time(ADMIN, PAST, last_change=PAST) == PAST  # the same instant as the last change


@pytest.mark.parametrize("principal", [OFFICER, Principal("partner", "MZ-CMM", "partner", frozenset({"updates:push"}))])
def test_nobody_but_an_admin_backdates(principal: Principal) -> None:
    with pytest.raises(RecordedAtNeedsAdmin) as caught:
        recording_time(principal, PAST)
    assert caught.value.status == 403 and field_of(caught.value) == "recorded_at"


@pytest.mark.parametrize(
    ("when", "last_change"),
    [
        (lambda: datetime(2022, 3, 1, 10), None),  # no time zone: which instant is meant is unknown
        (lambda: datetime.now(UTC) + timedelta(minutes=5), None),  # the future is not knowledge
        (lambda: datetime.now(timezone(timedelta(hours=-5))) + timedelta(seconds=30), None),
        (lambda: PAST, PAST + timedelta(microseconds=1)),  # before the aggregate's last change
    ],
)
def test_no_future_no_naive_no_going_back(when: Callable[[], datetime], last_change: datetime | None) -> None:
    recorded_at = when()  # taken when the test runs, not when it is collected: "the future" stays ahead
    with pytest.raises(InvalidRecordedAt) as caught:
        recording_time(ADMIN, recorded_at, last_change)
    assert caught.value.status == 422 and field_of(caught.value) == "recorded_at"
    assert caught.value.errors and caught.value.errors[0]["value"] == recorded_at.isoformat()


def test_where_a_route_has_a_migration_flag_recorded_at_needs_it() -> None:
    require_migration(None, False)
    require_migration(PAST, True)
    with pytest.raises(InvalidRecordedAt) as caught:
        require_migration(PAST, False)
    assert field_of(caught.value) == "recorded_at"
