"""Every query of the ledger. Totals are SQL sums of booked cents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, case, cast, extract, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger.models import BudgetLine, PlannedDisbursement, ProjectFunding, Transaction
from services.funding.sources.models import FundingSource
from shared.contracts.funding import TotalsV1

INCOMING, COMMITMENT, DISBURSEMENT, EXPENDITURE = "1", "2", "3", "4"
CENT = Decimal("0.01")


def cents(value: Any) -> Decimal:
    """SQL sums come back with the scale of their inputs (0 when no row matched): always cents out."""
    return Decimal(value).quantize(CENT)


async def lock_funding(session: AsyncSession, project_id: uuid.UUID, owner: str) -> ProjectFunding:
    """The project's funding row, locked for this transaction: bookings of one project are serial.

    Once locked, the session hands the same row back without asking the database again (a booking
    needs it twice); the row is created on the project's first booking."""
    held: dict[uuid.UUID, ProjectFunding] = session.info.setdefault("funding_locks", {})
    if project_id in held:
        return held[project_id]
    locked = select(ProjectFunding).where(ProjectFunding.project_id == project_id).with_for_update()
    funding = (await session.execute(locked)).scalar_one_or_none()
    if funding is None:
        await session.execute(
            insert(ProjectFunding)
            .values(project_id=project_id, owner=owner, version=0, updated_at=datetime.now(UTC))
            .on_conflict_do_nothing()
        )
        funding = (await session.execute(locked)).scalar_one()
    held[project_id] = funding
    return funding


def _sum(condition: Any, column: Any = Transaction.amount_eur) -> Any:
    return func.coalesce(func.sum(case((condition, column), else_=0)), 0)


def _money(type_code: str) -> Any:
    return (Transaction.transaction_type == type_code) & Transaction.in_kind.is_(False)


async def totals(session: AsyncSession, project_id: uuid.UUID) -> TotalsV1:
    row = (
        await session.execute(
            select(
                _sum(_money(INCOMING)),
                _sum(_money(COMMITMENT)),
                _sum(_money(DISBURSEMENT)),
                _sum(_money(EXPENDITURE)),
                _sum(Transaction.in_kind.is_(True)),
            ).where(Transaction.project_id == project_id)
        )
    ).one()
    budget = (
        await session.execute(
            select(func.coalesce(func.sum(BudgetLine.amount_eur), 0)).where(BudgetLine.project_id == project_id)
        )
    ).scalar_one()
    incoming, committed, disbursed, spent, in_kind = (cents(v) for v in row)
    return TotalsV1(
        budget_eur=cents(budget),
        incoming_eur=incoming,
        committed_eur=committed,
        disbursed_eur=disbursed,
        spent_eur=spent,
        in_kind_eur=in_kind,
    )


async def by_currency(session: AsyncSession, project_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            Transaction.currency,
            _sum(_money(COMMITMENT), Transaction.amount),
            _sum(_money(DISBURSEMENT), Transaction.amount),
            _sum(_money(EXPENDITURE), Transaction.amount),
            _sum(_money(INCOMING), Transaction.amount),
        )
        .where(Transaction.project_id == project_id)
        .group_by(Transaction.currency)
        .order_by(Transaction.currency)
    )
    return [
        {"currency": c, "committed": cents(a), "disbursed": cents(b), "spent": cents(d), "incoming": cents(e)}
        for c, a, b, d, e in rows
    ]


async def by_source(session: AsyncSession, project_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(
            Transaction.source_id,
            _sum(_money(COMMITMENT)),
            _sum(_money(DISBURSEMENT)),
            _sum(_money(EXPENDITURE)),
        )
        .where(Transaction.project_id == project_id)
        .group_by(Transaction.source_id)
    )
    return [
        {"source_id": s, "committed_eur": cents(a), "disbursed_eur": cents(b), "spent_eur": cents(c)}
        for s, a, b, c in rows
    ]


async def by_year(session: AsyncSession, project_id: uuid.UUID) -> list[dict[str, Any]]:
    year = cast(extract("year", Transaction.value_date), Integer)
    rows = await session.execute(
        select(
            year,
            _sum(_money(COMMITMENT)),
            _sum(_money(DISBURSEMENT)),
            _sum(_money(EXPENDITURE)),
        )
        .where(Transaction.project_id == project_id)
        .group_by(year)
        .order_by(year)
    )
    return [
        {"year": y, "committed_eur": cents(a), "disbursed_eur": cents(b), "spent_eur": cents(c)} for y, a, b, c in rows
    ]


async def transactions(session: AsyncSession, project_id: uuid.UUID) -> list[Transaction]:
    rows = await session.execute(
        select(Transaction).where(Transaction.project_id == project_id).order_by(Transaction.seq)
    )
    return list(rows.scalars())


async def budget_lines(session: AsyncSession, project_id: uuid.UUID) -> list[BudgetLine]:
    rows = await session.execute(select(BudgetLine).where(BudgetLine.project_id == project_id).order_by(BudgetLine.seq))
    return list(rows.scalars())


async def planned_disbursements(session: AsyncSession, project_id: uuid.UUID) -> list[PlannedDisbursement]:
    query = select(PlannedDisbursement).where(PlannedDisbursement.project_id == project_id)
    rows = await session.execute(query.order_by(PlannedDisbursement.seq))
    return list(rows.scalars())


async def budget_years(session: AsyncSession, project_id: uuid.UUID) -> set[int]:
    """Every calendar year that one of the project's budget lines covers, in part or whole (a
    withdrawn line and its negation cover none)."""
    withdrawn = select(BudgetLine.reverses_id).where(BudgetLine.reverses_id.is_not(None))
    rows = await session.execute(
        select(BudgetLine.period_start, BudgetLine.period_end).where(
            BudgetLine.project_id == project_id, BudgetLine.reverses_id.is_(None), BudgetLine.id.not_in(withdrawn)
        )
    )
    return {year for start, end in rows for year in range(start.year, end.year + 1)}


async def negation_of(
    session: AsyncSession, model: type[Transaction | BudgetLine | PlannedDisbursement], entry_id: uuid.UUID
) -> uuid.UUID | None:
    """The entry that reverses (or withdraws) this one, if any."""
    found: uuid.UUID | None = await session.scalar(select(model.id).where(model.reverses_id == entry_id))
    return found


async def reversal_of(session: AsyncSession, transaction_id: uuid.UUID) -> Transaction | None:
    rows = await session.execute(select(Transaction).where(Transaction.reverses_id == transaction_id))
    return rows.scalar_one_or_none()


async def institution_year_totals(session: AsyncSession, institution: str, year: int) -> tuple[Decimal, Decimal]:
    """Committed and disbursed EUR (money, not in-kind) of the institution's projects in a year."""
    row = (
        await session.execute(
            select(_sum(_money(COMMITMENT)), _sum(_money(DISBURSEMENT)))
            .select_from(Transaction)
            .join(ProjectFunding, ProjectFunding.project_id == Transaction.project_id)
            .where(ProjectFunding.owner == institution, extract("year", Transaction.value_date) == year)
        )
    ).one()
    return cents(row[0]), cents(row[1])


async def funding_version(session: AsyncSession, project_id: uuid.UUID) -> int:
    """The project's funding version (0 before its first booking), without locking."""
    version = await session.execute(select(ProjectFunding.version).where(ProjectFunding.project_id == project_id))
    return int(version.scalar() or 0)


async def source_kind(session: AsyncSession, source_id: uuid.UUID | None) -> str | None:
    """The kind of the funding source an entry is charged to (own budget, FEDER, EC call, ...)."""
    if source_id is None:
        return None
    kind: str | None = await session.scalar(select(FundingSource.kind).where(FundingSource.id == source_id))
    return kind
