"""Every query of funding sources, and the ledger sums each source's summary is made of."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger.models import Transaction
from services.funding.sources.models import FundingSource

EXPENDITURE = "4"  # IATI TransactionType


async def code_taken(session: AsyncSession, institution: str, code: str) -> bool:
    taken = await session.execute(
        select(FundingSource.id).where(FundingSource.institution == institution, FundingSource.code == code)
    )
    return taken.first() is not None


async def add(session: AsyncSession, source: FundingSource) -> None:
    session.add(source)
    await session.flush()


async def sources(session: AsyncSession, institution: str | None) -> list[FundingSource]:
    query = select(FundingSource).order_by(FundingSource.institution, FundingSource.code)
    if institution:
        query = query.where(FundingSource.institution == institution)
    return list((await session.execute(query)).scalars())


async def get(session: AsyncSession, source_id: uuid.UUID) -> FundingSource | None:
    return await session.get(FundingSource, source_id)


def _total(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, Transaction.amount_eur), else_=0)), 0)


def _money(source_id: uuid.UUID) -> Any:
    """Money charged to the source (in-kind contributions are not money)."""
    return Transaction.in_kind.is_(False) & (Transaction.source_id == source_id)


async def totals(session: AsyncSession, source_id: uuid.UUID) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Committed, received, spent, eligible spent and non-eligible spent, in EUR (unrounded)."""
    expenditure = Transaction.transaction_type == EXPENDITURE
    row = (
        await session.execute(
            select(
                _total(Transaction.transaction_type == "2"),
                _total(Transaction.transaction_type.in_(["1", "11"])),
                _total(expenditure),
                _total(expenditure & Transaction.eu_eligible.is_(True)),
                _total(expenditure & Transaction.eu_eligible.is_(False)),
            ).where(_money(source_id))
        )
    ).one()
    committed, received, spent, eligible, non_eligible = (Decimal(v) for v in row)
    return committed, received, spent, eligible, non_eligible


async def eligible_between(session: AsyncSession, source_id: uuid.UUID, start: date, end: date) -> Decimal:
    """Eligible expenditure charged to the source with a value date in [start, end], in EUR."""
    in_period = (
        (Transaction.transaction_type == EXPENDITURE)
        & Transaction.eu_eligible.is_(True)
        & (Transaction.value_date >= start)
        & (Transaction.value_date <= end)
    )
    return Decimal((await session.execute(select(_total(in_period)).where(_money(source_id)))).scalar_one())
