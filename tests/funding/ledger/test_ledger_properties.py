"""Property: for any sequence of bookings and reversals, the summaries equal the sum of the ledger,
in EUR and in the original currencies, and every reversal cancels its original to the cent.

Runs the real service layer on the real funding database, each example in a transaction that is
rolled back.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger import repository, service
from services.funding.ledger.schemas import Reversal, TransactionCreate
from services.funding.project_refs.models import ProjectRef
from services.funding.rates.schemas import RateSet
from services.funding.rates.service import set_rate
from shared.actor import Actor
from shared.auth import Principal
from shared.db import create_engine
from tests.support.stack import Stack

VALUE_DATE = date(2025, 3, 10)
RATES = {"USD": Decimal("1.0815"), "MZN": Decimal("69.85"), "COP": Decimal("4512.3")}
TYPES = ["1", "2", "3", "4"]
amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("2500000"), places=2, allow_nan=False, allow_infinity=False
)
booking = st.tuples(st.just("book"), st.sampled_from(TYPES), amounts, st.sampled_from(["EUR", *RATES]), st.booleans())
reversal = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=100))
operations = st.lists(st.one_of(booking, booking, reversal), min_size=1, max_size=20)
ACTOR = Actor(Principal("property-test", "xarxa", "institution", frozenset({"admin"})), None, "/tests")


async def run(database_url: str, ops: list[tuple[Any, ...]]) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            outer = await conn.begin()
            session = AsyncSession(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
            try:
                await check(session, ops)
            finally:
                await session.close()
                await outer.rollback()
    finally:
        await engine.dispose()


async def check(session: AsyncSession, ops: list[tuple[Any, ...]]) -> None:
    project_id = uuid.uuid4()
    session.add(
        ProjectRef(
            id=project_id,
            version=1,
            owner="ajuntament-barcelona",
            code=f"P-{project_id.hex[:8]}",
            status="2",
            visibility="published",
            partners=[],
            archived=False,
            updated_at=datetime.now(UTC),
        )
    )
    for currency, rate in RATES.items():
        await set_rate(session, ACTOR.principal, currency, VALUE_DATE, RateSet(units_per_eur=rate))
    booked: list[Any] = []
    reversed_ids: set[uuid.UUID] = set()
    for op in ops:
        if op[0] == "book":
            _, type_, amount, currency, in_kind = op
            data = TransactionCreate(
                transaction_type=type_,
                amount=amount,
                currency="EUR" if in_kind else currency,
                value_date=VALUE_DATE,
                instrument="conveni",
                in_kind=in_kind,
                over_commitment_reason="property test",
            )
            booked.append(await service.record_transaction(session, ACTOR, project_id, data))
        else:
            candidates = [t for t in booked if t.reverses_id is None and t.id not in reversed_ids]
            if candidates:
                target = candidates[op[1] % len(candidates)]
                booked.append(await service.reverse_transaction(session, ACTOR, target.id, Reversal(reason="test")))
                reversed_ids.add(target.id)

    rows = await repository.transactions(session, project_id)
    eur: dict[str, Decimal] = defaultdict(Decimal)
    original: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        key = "in_kind" if row.in_kind else row.transaction_type
        eur[key] += row.amount_eur
        if not row.in_kind:
            original[(row.currency, row.transaction_type)] += row.amount
    totals = await repository.totals(session, project_id)
    assert totals.incoming_eur == eur["1"]
    assert totals.committed_eur == eur["2"]
    assert totals.disbursed_eur == eur["3"]
    assert totals.spent_eur == eur["4"]
    assert totals.in_kind_eur == eur["in_kind"]
    for line in await repository.by_currency(session, project_id):
        for field, type_ in (("incoming", "1"), ("committed", "2"), ("disbursed", "3"), ("spent", "4")):
            assert line[field] == original[(line["currency"], type_)], (line, field)
    by_id = {row.id: row for row in rows}
    for row in rows:
        if row.reverses_id is not None:
            first = by_id[row.reverses_id]
            assert first.amount + row.amount == 0 and first.amount_eur + row.amount_eur == 0
    summary = await service.summary(session, ACTOR.principal, project_id)
    assert sum((y.committed_eur for y in summary.by_year), Decimal(0)) == totals.committed_eur


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_summaries_equal_the_sum_of_the_ledger(stack: Stack, ops: list[tuple[Any, ...]]) -> None:
    asyncio.run(run(stack.infra.database_url("funding"), ops))
