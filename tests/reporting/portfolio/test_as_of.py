"""as_of=DATE: the reports as they stood at the end of a day in Barcelona, whatever order events came in."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.breakdown.service import breakdown
from services.reporting.readmodels import projections
from services.reporting.readmodels.filters import ReportFilters
from services.reporting.readmodels.snapshot import Snapshot
from services.reporting.results.service import results_report
from services.reporting.sdg.service import sdg_report
from services.reporting.zero_seven.service import zero_seven_report
from shared.contracts.funding import REVENUE_DECLARED, TRANSACTION_RECORDED
from shared.contracts.projects import PROJECT_REGISTERED, PROJECT_UPDATED
from shared.events import CloudEvent
from tests.support.database import rolled_back_session
from tests.support.stack import Stack

BARCELONA = ZoneInfo("Europe/Madrid")


@pytest.fixture
async def session(stack: Stack) -> AsyncIterator[AsyncSession]:
    async with rolled_back_session(stack.infra.database_url("reporting")) as session:
        yield session


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BARCELONA)


def project_event(project_id: uuid.UUID, owner: str, version: int, goal: str, when: datetime) -> CloudEvent:
    return CloudEvent(
        source="/tests",
        type=PROJECT_REGISTERED if version == 1 else PROJECT_UPDATED,
        subject=str(project_id),
        time=when,
        data={
            "id": str(project_id),
            "version": version,
            "owner": owner,
            "code": f"ASOF-{project_id.hex[:6]}",
            "iati_identifier": f"XARXA-{owner}-ASOF-{project_id.hex[:6]}",
            "title": {"en": f"v{version}"},
            "description": {},
            "status": "2",
            "visibility": "published",
            "partner_cities": [{"name": "Maputo", "country": "MZ"}],
            "participating_orgs": [],
            "sdg_goals": [{"goal": goal, "share": "100"}],
            "results": [
                {
                    "id": str(uuid.UUID(int=version)),
                    "type": "1",
                    "title": {"en": "Water"},
                    "indicators": [
                        {
                            "id": str(uuid.UUID(int=100 + version)),
                            "measure": "1",
                            "title": {"en": "Connections"},
                            "periods": [{"start": "2030-01-01", "end": "2030-12-31", "target": 10 * version}],
                        }
                    ],
                }
            ],
            "created_at": when.isoformat(),
            "updated_at": when.isoformat(),
        },
    )


def funding_event(project_id: uuid.UUID, owner: str, version: int, committed: str, when: datetime) -> CloudEvent:
    amount = Decimal(committed) - (Decimal("1000.00") if version == 2 else 0)
    return CloudEvent(
        source="/tests",
        type=TRANSACTION_RECORDED,
        subject=str(project_id),
        time=when,
        data={
            "project_id": str(project_id),
            "owner": owner,
            "version": version,
            "totals": {"committed_eur": committed},
            "transaction": {
                "id": str(uuid.uuid4()),
                "transaction_type": "2",
                "in_kind": False,
                "instrument": "conveni",
                "value_date": when.date().isoformat(),
                "amount": str(amount),
                "currency": "EUR",
                "amount_eur": str(amount),
                "rate": "1",
                "rate_date": when.date().isoformat(),
                "rate_source": "identity",
            },
            "updated_at": when.isoformat(),
        },
    )


def revenue_event(owner: str, version: int, revenues: str, when: datetime) -> CloudEvent:
    return CloudEvent(
        source="/tests",
        type=REVENUE_DECLARED,
        subject=f"{owner}:2030",
        time=when,
        data={
            "institution": owner,
            "year": 2030,
            "version": version,
            "own_revenues_eur": revenues,
            "target_eur": str(Decimal(revenues) * Decimal("0.007")),
            "updated_at": when.isoformat(),
        },
    )


async def apply(session: AsyncSession, event: CloudEvent) -> None:
    await projections.apply_project_event(session, event)
    await projections.apply_funding_event(session, event)
    await projections.apply_revenue_event(session, event)


async def test_reports_as_they_stood_at_the_end_of_a_day(session: AsyncSession) -> None:
    owner = f"asof-{uuid.uuid4().hex[:8]}"
    project_id = uuid.uuid4()
    events = [
        project_event(project_id, owner, 1, "5", at("2030-12-20T10:00")),
        # 23:30 UTC on 31 December is already New Year's Day in Barcelona.
        project_event(project_id, owner, 2, "11", datetime.fromisoformat("2030-12-31T23:30+00:00")),
        funding_event(project_id, owner, 1, "1000.00", at("2030-12-30T12:00")),
        funding_event(project_id, owner, 2, "1500.00", at("2031-01-02T09:00")),
        revenue_event(owner, 1, "100000.00", at("2030-06-01T09:00")),
        revenue_event(owner, 2, "200000.00", at("2031-02-01T09:00")),
    ]
    random.Random(7).shuffle(events)  # arrival order must not matter
    for event in events:
        await apply(session, event)
        await apply(session, event)  # nor duplicates

    async def figures(as_of: date | None) -> dict[str, Any]:
        snapshot = Snapshot(as_of)
        filters = ReportFilters(institution=owner, snapshot=snapshot)
        sdg = await sdg_report(session, filters, "declared-shares")
        by_year = await breakdown(session, filters, "year")
        zero_seven = await zero_seven_report(session, snapshot, owner, None, None, "declared-shares")
        results = await results_report(session, snapshot, owner, None)
        return {
            "projects": sdg.projects,
            "goals": {g.goal: str(g.attributed.committed_eur) for g in sdg.goals},
            "years": {r.value: str(r.attributed.committed_eur) for r in by_year.rows},
            "revenues": [str(r.own_revenues_eur) for r in zero_seven.rows],
            "targets": [str(p.target) for r in results.projects for i in r.indicators for p in i.periods],
            "last_event": sdg.freshness.last_event_time,
            "cutoff": sdg.freshness.cutoff,
        }

    assert (await figures(date(2030, 5, 31)))["revenues"] == []
    before = await figures(date(2030, 12, 19))
    assert (before["projects"], before["goals"], before["targets"]) == (0, {}, [])
    assert before["revenues"] == ["100000.00"]

    new_year_eve = await figures(date(2030, 12, 31))
    assert new_year_eve["projects"] == 1
    assert new_year_eve["goals"] == {"5": "1000.00"}
    assert new_year_eve["years"] == {"2030": "1000.00"}
    assert new_year_eve["revenues"] == ["100000.00"]
    assert new_year_eve["targets"] == ["10"]
    assert new_year_eve["cutoff"] == at("2031-01-01T00:00")
    assert new_year_eve["last_event"] == at("2030-12-30T12:00")

    new_year = await figures(date(2031, 1, 1))
    assert (new_year["goals"], new_year["targets"]) == ({"11": "1000.00"}, ["20"])

    later = await figures(date(2031, 3, 1))
    assert later["goals"] == {"11": "1500.00"}
    assert later["years"] == {"2030": "1000.00", "2031": "500.00"}
    assert later["revenues"] == ["200000.00"]

    now = await figures(None)
    assert {k: v for k, v in now.items() if k != "cutoff"} == {k: v for k, v in later.items() if k != "cutoff"}
    assert now["cutoff"] is None
