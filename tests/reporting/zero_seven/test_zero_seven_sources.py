"""The 0.7 % numerator is own money only: external money (by source kind) beside it, by hand."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.consumers import on_events
from services.reporting.readmodels.snapshot import Snapshot
from services.reporting.zero_seven.service import money_class, zero_seven_report
from shared.contracts.funding import BUDGET_SET, REVENUE_DECLARED, TRANSACTION_RECORDED
from shared.contracts.projects import PROJECT_REGISTERED
from shared.events import CloudEvent
from tests.support.database import rolled_back_session
from tests.support.stack import Stack

OWNER = "sant-adria"  # a year no other test declares
YEAR = 2019


@pytest.fixture
async def session(stack: Stack) -> AsyncIterator[AsyncSession]:
    async with rolled_back_session(stack.infra.database_url("reporting")) as session:
        yield session


def event(type_: str, data: dict[str, Any]) -> CloudEvent:
    return CloudEvent(source="/tests", type=type_, subject=str(uuid.uuid4()), time=datetime.now(UTC), data=data)


def project(project_id: uuid.UUID, visibility: str = "published") -> CloudEvent:
    now = datetime.now(UTC).isoformat()
    return event(
        PROJECT_REGISTERED,
        {
            "id": str(project_id),
            "version": 1,
            "owner": OWNER,
            "code": f"Z7-{project_id.hex[:6]}",
            "iati_identifier": f"XX-{project_id.hex[:6]}",
            "title": {"en": "t"},
            "description": {},
            "status": "2",
            "visibility": visibility,
            "partner_cities": [],
            "participating_orgs": [],
            "sdg_goals": [{"goal": "5", "share": "100"}],
            "created_at": now,
            "updated_at": now,
        },
    )


def booking(project_id: uuid.UUID, version: int, type_: str, amount: str, **source: str | None) -> CloudEvent:
    entry: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "amount": amount,
        "currency": "EUR",
        "amount_eur": amount,
        "rate": "1",
        "rate_date": f"{YEAR}-03-01",
        "rate_source": "identity",
        **source,
    }
    if type_ == "budget":
        key, entry = (
            "budget_line",
            {
                **entry,
                "budget_type": "1",
                "budget_status": "2",
                "period_start": f"{YEAR}-01-01",
                "period_end": f"{YEAR}-12-31",
            },
        )
    else:
        key, entry = (
            "transaction",
            {
                **entry,
                "transaction_type": type_,
                "in_kind": False,
                "instrument": "conveni",
                "value_date": f"{YEAR}-03-01",
            },
        )
    return event(
        BUDGET_SET if type_ == "budget" else TRANSACTION_RECORDED,
        {
            "project_id": str(project_id),
            "owner": OWNER,
            "version": version,
            "totals": {},
            key: entry,
            "updated_at": datetime.now(UTC).isoformat(),
        },
    )


def test_money_classes() -> None:
    assert money_class({"source_id": None}) == "own"
    assert money_class({"source_id": str(uuid.uuid4()), "source_kind": "own-budget"}) == "own"
    assert money_class({"source_id": str(uuid.uuid4()), "source_kind": "feder"}) == "feder"
    assert money_class({"source_id": str(uuid.uuid4())}) == "unclassified"


async def test_own_money_in_the_ratio_external_beside_it(session: AsyncSession) -> None:
    published, draft = uuid.uuid4(), uuid.uuid4()
    own_source, feder, ec = (str(uuid.uuid4()) for _ in range(3))
    events = [
        project(published),
        project(draft, visibility="draft"),
        event(
            REVENUE_DECLARED,
            {
                "institution": OWNER,
                "year": YEAR,
                "version": 1,
                "own_revenues_eur": "200000.00",
                "target_eur": "1400.00",
                "updated_at": datetime.now(UTC).isoformat(),
            },
        ),
        booking(published, 1, "2", "400.00"),  # no source: own budget
        booking(published, 2, "2", "300.00", source_id=own_source, source_kind="own-budget"),
        booking(published, 3, "2", "5000.00", source_id=feder, source_kind="feder"),
        booking(published, 4, "3", "2500.00", source_id=feder, source_kind="feder"),
        booking(published, 5, "2", "800.00", source_id=ec, source_kind="ec-call"),
        booking(published, 6, "3", "350.00"),
        booking(published, 7, "budget", "1200.00", source_id=own_source, source_kind="own-budget"),
        booking(published, 8, "budget", "9000.00", source_id=feder, source_kind="feder"),
        booking(draft, 1, "2", "100000.00"),  # drafts never count
    ]
    await on_events(session, events)
    report = await zero_seven_report(session, Snapshot(), OWNER, YEAR, YEAR, "declared-shares")
    (row,) = report.rows
    assert (row.budgeted_eur, row.committed_eur, row.disbursed_eur) == (
        Decimal("1200.00"),
        Decimal("700.00"),
        Decimal("350.00"),
    )
    assert (row.committed_share_of_target, row.disbursed_share_of_target, row.gap_eur) == (
        Decimal("50.00"),  # 700 / 1400
        Decimal("25.00"),
        Decimal("700.00"),
    )
    assert {k: (v.budgeted_eur, v.committed_eur, v.disbursed_eur) for k, v in row.external.items()} == {
        "ec-call": (Decimal("0.00"), Decimal("800.00"), Decimal("0.00")),
        "feder": (Decimal("9000.00"), Decimal("5000.00"), Decimal("2500.00")),
    }
    assert row.unclassified.committed_eur == Decimal("0.00")
    assert row.committed_by_sdg == {"5": Decimal("700.00")}
    assert "own money" in report.definition.counts
