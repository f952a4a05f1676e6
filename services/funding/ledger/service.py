"""Booking money. Functions flush; the caller's edge commits.

Rules: only projects known to this service (from project events), neither archived nor cancelled,
take money, and only from their owner institution; disbursements beyond commitments need a reason;
the ledger is append-only and a reversal negates one entry exactly, once, never dated before it.

Dates are facts, not plans: money that moved (disbursements, expenditure and the other actual
flows) is not dated after today in Barcelona (Europe/Madrid); a plan to pay is a planned
disbursement, a resource of its own. A commitment commits the budget year of its value date: once
a project has budget lines, only a year one of them covers can be committed (a project without
budget lines, such as a grant whose resolution states its years, is not held to it; the grant
flow books each budget year's commitment within that year). Every booking bumps the
project's funding version and puts an event with its new totals into the outbox.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger import repository
from services.funding.ledger.models import BudgetLine, PlannedDisbursement, Transaction
from services.funding.ledger.schemas import (
    BudgetLineCreate,
    FundingSummary,
    PlannedDisbursementCreate,
    Reversal,
    TransactionCreate,
)
from services.funding.project_refs.service import fundable_project, visible_ref
from services.funding.rates.service import convert
from services.funding.sources.service import check_eligibility, check_source
from shared.actor import Actor
from shared.auth import Principal, ensure_may_write_for
from shared.contracts import funding as events
from shared.emit import emit
from shared.kafka import FUNDING_TOPIC
from shared.problems import Conflict, NotFound, Unprocessable
from shared.recorded import recording_time


class TransactionNotFound(NotFound):
    kind, title = "transaction-not-found", "No such transaction"


class OverDisbursement(Unprocessable):
    kind, title = "over-disbursement", "Disbursements would exceed what was committed"


class FutureDated(Unprocessable):
    kind, title = "future-dated", "Money that moved cannot be dated after today"


class OutsideBudgetYears(Unprocessable):
    kind, title = "outside-budget-years", "A commitment falls within a budget year of the project"


class ReversalBeforeOriginal(Unprocessable):
    kind, title = "reversal-before-original", "A reversal cannot be dated before what it reverses"


class AlreadyReversed(Conflict):
    kind, title = "already-reversed", "This transaction was already reversed"


class ReversalOfReversal(Conflict):
    kind, title = "reversal-of-reversal", "A reversing entry cannot itself be reversed; book a new entry"


BARCELONA = ZoneInfo("Europe/Madrid")
# IATI TransactionType codes that are intentions, not flows: commitments and pledges. Every other
# type records money that moved, so it has happened by the day it is booked.
NOT_FLOWS = frozenset({repository.COMMITMENT, "10", "11", "12", "13"})


def today() -> date:
    """Today where the institutions book (a 23:30 UTC booking on 31 December is next year's)."""
    return datetime.now(BARCELONA).date()


def check_not_future(transaction_type: str, value_date: date, recorded_at: datetime | None = None) -> None:
    """Not after today, or, for an admin migration recorded at a past time, after that day."""
    if transaction_type in NOT_FLOWS:
        return
    now = recorded_at.astimezone(BARCELONA).date() if recorded_at else today()
    if value_date > now:
        raise FutureDated(
            f"value_date {value_date} is after today ({now}, Barcelona); plan a payment as a planned disbursement",
            errors=[
                {
                    "field": "value_date",
                    "message": f"money that moved is dated on or before {now}; "
                    "future payments go to /planned-disbursements",
                    "value": value_date.isoformat(),
                }
            ],
        )


async def check_budget_year(session: AsyncSession, project_id: uuid.UUID, value_date: date) -> None:
    years = await repository.budget_years(session, project_id)
    if years and value_date.year not in years:
        raise OutsideBudgetYears(
            f"No budget line of the project covers {value_date.year}",
            errors=[
                {
                    "field": "value_date",
                    "message": f"must fall within a budget year of the project: {sorted(years)}",
                    "value": value_date.isoformat(),
                }
            ],
        )


def transaction_contract(txn: Transaction) -> events.TransactionV1:
    return events.TransactionV1.model_validate(txn, from_attributes=True)


async def _emit(
    session: AsyncSession,
    actor: Actor,
    event_type: str,
    project_id: uuid.UUID,
    owner: str,
    transaction: Transaction | None = None,
    budget_line: BudgetLine | None = None,
    planned: PlannedDisbursement | None = None,
) -> None:
    funding = await repository.lock_funding(session, project_id, owner)
    # Version 0 is the row's placeholder before the first booking: nothing recorded yet.
    last = funding.updated_at if funding.version else None
    funding.version += 1
    funding.updated_at = recording_time(actor.principal, actor.recorded_at, last)
    await session.flush()
    state = events.ProjectFundingV1(
        project_id=project_id,
        owner=owner,
        version=funding.version,
        totals=await repository.totals(session, project_id),
        # The source's kind travels with the entry, so reports can tell own money from external money.
        transaction=transaction_contract(transaction).model_copy(
            update={"source_kind": await repository.source_kind(session, transaction.source_id)}
        )
        if transaction
        else None,
        budget_line=events.BudgetLineV1.model_validate(budget_line, from_attributes=True).model_copy(
            update={"source_kind": await repository.source_kind(session, budget_line.source_id)}
        )
        if budget_line
        else None,
        planned_disbursement=events.PlannedDisbursementV1.model_validate(planned, from_attributes=True)
        if planned
        else None,
        updated_at=funding.updated_at,
    )
    await emit(
        session,
        actor,
        FUNDING_TOPIC,
        str(project_id),
        event_type,
        state,
        schema_base=events.SCHEMA_BASE,
        time=funding.updated_at,  # knowledge time: when this booking was recorded
    )


async def record_transaction(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, data: TransactionCreate
) -> Transaction:
    ref = await fundable_project(session, actor.principal, project_id)
    ensure_may_write_for(actor.principal, ref.owner)
    source = await check_source(session, data.source_id, ref.owner)
    check_eligibility(source, data.transaction_type, data.eu_eligible)
    check_not_future(data.transaction_type, data.value_date, actor.recorded_at)
    await repository.lock_funding(session, project_id, ref.owner)  # serialises the checks below
    if data.transaction_type == repository.COMMITMENT:
        await check_budget_year(session, project_id, data.value_date)
    conversion = await convert(session, data.amount, data.currency, data.value_date)
    if data.transaction_type == repository.DISBURSEMENT and not data.in_kind:
        totals = await repository.totals(session, project_id)
        after = totals.disbursed_eur + conversion.amount_eur
        if after > totals.committed_eur and not data.over_commitment_reason:
            raise OverDisbursement(
                f"Disbursed would be {after} EUR against {totals.committed_eur} EUR committed; "
                "send over_commitment_reason to book it anyway",
                errors=[{"field": "over_commitment_reason", "message": "required beyond commitments"}],
            )
    txn = Transaction(
        id=uuid.uuid4(),
        project_id=project_id,
        **data.model_dump(exclude={"amount"}),
        amount=data.amount,
        **asdict(conversion),  # amount_eur, rate, rate_date, rate_source: kept as booked
        client_id=actor.principal.client_id,
        request_id=actor.request_id,
        **({"created_at": actor.recorded_at} if actor.recorded_at else {}),
    )
    session.add(txn)
    await session.flush()
    await _emit(session, actor, events.TRANSACTION_RECORDED, project_id, ref.owner, transaction=txn)
    return txn


async def reverse_transaction(
    session: AsyncSession, actor: Actor, transaction_id: uuid.UUID, data: Reversal
) -> Transaction:
    original = await session.get(Transaction, transaction_id)
    # An entry of a project the caller cannot see is answered exactly like one that does not exist
    # (its project id would otherwise leak); archived and cancelled projects still take reversals.
    ref = await visible_ref(session, actor.principal, original.project_id) if original is not None else None
    if original is None or ref is None:
        raise TransactionNotFound(f"No transaction {transaction_id}")
    ensure_may_write_for(actor.principal, ref.owner)
    await repository.lock_funding(session, original.project_id, ref.owner)
    if original.reverses_id is not None:
        raise ReversalOfReversal(f"{transaction_id} reverses {original.reverses_id}")
    if await repository.reversal_of(session, transaction_id) is not None:
        raise AlreadyReversed(f"{transaction_id} was reversed before")
    # By default today, or the original's own date when that is later (a commitment of next year).
    value_date = data.value_date or max(today(), original.value_date)
    if value_date < original.value_date:
        raise ReversalBeforeOriginal(
            f"{transaction_id} is dated {original.value_date}",
            errors=[
                {
                    "field": "value_date",
                    "message": f"on or after {original.value_date}, the date of the entry it reverses",
                    "value": value_date.isoformat(),
                }
            ],
        )
    check_not_future(original.transaction_type, value_date, actor.recorded_at)
    # Exact negation of the booked figures (same rate, same cents): the pair sums to zero.
    reversal = Transaction(
        id=uuid.uuid4(),
        project_id=original.project_id,
        transaction_type=original.transaction_type,
        in_kind=original.in_kind,
        instrument=original.instrument,
        value_date=value_date,
        provider_org=original.provider_org,
        receiver_org=original.receiver_org,
        source_id=original.source_id,
        description=f"Reversal of {original.id}: {data.reason}",
        reverses_id=original.id,
        amount=-original.amount,
        currency=original.currency,
        amount_eur=-original.amount_eur,
        rate=original.rate,
        rate_date=original.rate_date,
        rate_source=original.rate_source,
        client_id=actor.principal.client_id,
        request_id=actor.request_id,
    )
    session.add(reversal)
    await session.flush()
    await _emit(session, actor, events.TRANSACTION_REVERSED, original.project_id, ref.owner, transaction=reversal)
    return reversal


async def add_budget_line(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, data: BudgetLineCreate
) -> BudgetLine:
    ref = await fundable_project(session, actor.principal, project_id)
    ensure_may_write_for(actor.principal, ref.owner)
    await check_source(session, data.source_id, ref.owner)
    conversion = await convert(session, data.amount, data.currency, data.period_start)
    line = BudgetLine(
        id=uuid.uuid4(),
        project_id=project_id,
        **data.model_dump(exclude={"amount"}),
        amount=data.amount,
        **asdict(conversion),  # amount_eur, rate, rate_date, rate_source: kept as booked
        client_id=actor.principal.client_id,
    )
    session.add(line)
    await session.flush()
    await _emit(session, actor, events.BUDGET_SET, project_id, ref.owner, budget_line=line)
    return line


async def plan_disbursement(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, data: PlannedDisbursementCreate
) -> PlannedDisbursement:
    """A payment foreseen: any date, in no total; valued at the latest rate known for its start."""
    ref = await fundable_project(session, actor.principal, project_id)
    ensure_may_write_for(actor.principal, ref.owner)
    conversion = await convert(session, data.amount, data.currency, data.period_start)
    planned = PlannedDisbursement(
        id=uuid.uuid4(),
        project_id=project_id,
        **data.model_dump(exclude={"amount"}),
        amount=data.amount,
        **asdict(conversion),  # amount_eur, rate, rate_date, rate_source: kept as booked
        client_id=actor.principal.client_id,
    )
    session.add(planned)
    await session.flush()
    await _emit(session, actor, events.PLANNED_DISBURSEMENT_ADDED, project_id, ref.owner, planned=planned)
    return planned


async def readable(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> None:
    """Owner and partners read a project's money, whatever its state."""
    await fundable_project(session, principal, project_id, allow_closed=True)


async def summary(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> FundingSummary:
    await readable(session, principal, project_id)
    version = await repository.funding_version(session, project_id)
    return FundingSummary.model_validate(
        {
            "project_id": project_id,
            "version": version,
            "totals": await repository.totals(session, project_id),
            "by_currency": await repository.by_currency(session, project_id),
            "by_source": await repository.by_source(session, project_id),
            "by_year": await repository.by_year(session, project_id),
        }
    )
