"""What grants do to the ledger: commitments per budget year at the definitive grant, a
disbursement per instalment, and at the end the accepted expenditure, with the unspent money
returned by reversing entries (the ledger is append-only: a reduced entry is reversed whole and
booked again at the kept amount, at its original value date)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.applications import ApplicationStateConflict, for_entity, for_officer, move
from services.funding.grants.models import GrantApplication, GrantCall
from services.funding.grants.schemas import JustificationCreate, JustificationReview, Payment
from services.funding.ledger.models import Transaction
from services.funding.ledger.schemas import Reversal, TransactionCreate
from services.funding.ledger.service import Actor, record_transaction, reverse_transaction, today
from shared.problems import Unprocessable

COMMITMENT, DISBURSEMENT, EXPENDITURE = "2", "3", "4"
KINDS = {COMMITMENT: "commitment", DISBURSEMENT: "disbursement", EXPENDITURE: "expenditure"}


class InvalidAmount(Unprocessable):
    kind, title = "invalid-amount", "The amount does not fit the grant"


def commitment_date(budget_year: int, resolved_on: date) -> date:
    """The resolution's date for its own and earlier budget years; 1 January for later ones."""
    return resolved_on if budget_year <= resolved_on.year else date(budget_year, 1, 1)


async def _book(
    session: AsyncSession,
    actor: Actor,
    call: GrantCall,
    application: GrantApplication,
    kind: str,
    year: int,
    amount: Decimal,
    on: date,
) -> Transaction:
    entity = await repository.entity(session, application.entity_id)
    assert entity is not None
    txn = await record_transaction(
        session,
        actor,
        application.project_id,
        TransactionCreate(
            transaction_type=kind,
            amount=amount,
            currency="EUR",
            value_date=on,
            instrument="grant-call",
            receiver_org=entity.name,
            description=f"{call.code} {application.reference}: {KINDS[kind]}, budget year {year}",
        ),
    )
    bookings = {k: dict(v) for k, v in application.bookings.items()}
    bookings.setdefault(KINDS[kind], {})[str(year)] = str(txn.id)
    application.bookings = bookings
    return txn


async def book_commitments(
    session: AsyncSession, actor: Actor, call: GrantCall, application: GrantApplication, resolved_on: date
) -> None:
    for year, amount in events.money(application.granted).items():
        await _book(session, actor, call, application, COMMITMENT, year, amount, commitment_date(year, resolved_on))


async def pay(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Payment) -> GrantApplication:
    call, application = await for_officer(session, actor.principal, application_id)
    granted = events.money(application.granted)
    if data.budget_year not in granted:
        raise InvalidAmount(
            f"{application.reference} has no instalment for {data.budget_year}",
            errors=[{"field": "budget_year", "message": f"granted years: {sorted(granted)}"}],
        )
    if str(data.budget_year) in application.bookings.get("disbursement", {}):
        raise ApplicationStateConflict(f"The {data.budget_year} instalment of {application.reference} was paid")
    if application.state not in ("accepted", "in-execution"):
        raise ApplicationStateConflict(f"Application {application.reference} is {application.state}: nothing to pay")
    on = data.value_date or today()
    await _book(session, actor, call, application, DISBURSEMENT, data.budget_year, granted[data.budget_year], on)
    await move(
        session,
        actor,
        call,
        application,
        "in-execution",
        {"accepted", "in-execution"},
        f"instalment {data.budget_year} paid: {granted[data.budget_year]} EUR",
    )
    return application


async def justify(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: JustificationCreate
) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    application.justification = {
        "spent_eur": str(data.spent_eur),
        "summary": data.summary,
        "report_url": str(data.report_url) if data.report_url else None,
        "submitted_at": datetime.now(UTC).isoformat(),
    }
    await move(session, actor, call, application, "justified", {"in-execution"}, f"spent {data.spent_eur} EUR")
    return application


async def _booked(session: AsyncSession, application: GrantApplication, kind: str) -> Decimal:
    total = Decimal(0)
    for txn_id in application.bookings.get(KINDS[kind], {}).values():
        entry = await session.get(Transaction, uuid.UUID(txn_id))
        total += entry.amount_eur if entry else Decimal(0)
    return total


async def _reduce(
    session: AsyncSession,
    actor: Actor,
    call: GrantCall,
    application: GrantApplication,
    kind: str,
    keep: Decimal,
) -> None:
    """Bring the entries of one kind down to `keep` EUR, latest budget year first."""
    booked = {int(y): uuid.UUID(t) for y, t in application.bookings.get(KINDS[kind], {}).items()}
    entries = {y: await session.get(Transaction, t) for y, t in booked.items()}
    excess = sum((e.amount_eur for e in entries.values() if e), Decimal(0)) - keep
    for year in sorted(entries, reverse=True):
        entry = entries[year]
        if excess <= 0 or entry is None:
            break
        cut = min(entry.amount_eur, excess)
        excess -= cut
        await reverse_transaction(
            session,
            actor,
            entry.id,
            # At the entry's own value date, so each budget year keeps only what was spent in it.
            Reversal(reason=f"{application.reference}: {cut} EUR not spent, returned", value_date=entry.value_date),
        )
        if entry.amount_eur - cut > 0:
            await _book(session, actor, call, application, kind, year, entry.amount_eur - cut, entry.value_date)
        else:
            bookings = {k: dict(v) for k, v in application.bookings.items()}
            del bookings[KINDS[kind]][str(year)]
            application.bookings = bookings


async def review_justification(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: JustificationReview
) -> GrantApplication:
    call, application = await for_officer(session, actor.principal, application_id)
    if application.state != "justified":
        raise ApplicationStateConflict(f"Application {application.reference} is {application.state}: nothing to review")
    granted = sum(events.money(application.granted).values(), Decimal(0))
    if data.accepted_eur > granted:
        raise InvalidAmount(
            f"Accepted {data.accepted_eur} EUR is more than the {granted} EUR granted",
            errors=[{"field": "accepted_eur", "message": f"at most {granted}"}],
        )
    reviewed_on = data.value_date or today()
    disbursed = await _booked(session, application, DISBURSEMENT)
    if data.accepted_eur > 0:
        await _book(session, actor, call, application, EXPENDITURE, reviewed_on.year, data.accepted_eur, reviewed_on)
    await _reduce(session, actor, call, application, COMMITMENT, data.accepted_eur)
    await _reduce(session, actor, call, application, DISBURSEMENT, data.accepted_eur)
    returned = max(disbursed - data.accepted_eur, Decimal(0))
    application.justification = {
        **(application.justification or {}),
        "accepted_eur": str(data.accepted_eur),
        "returned_eur": str(returned),
        "released_eur": str(granted - data.accepted_eur),
        "note": data.note,
        "reviewed_at": datetime.now(UTC).isoformat(),
    }
    await move(
        session,
        actor,
        call,
        application,
        "closed",
        {"justified"},
        f"accepted {data.accepted_eur} EUR; {returned} EUR paid and not spent returned; "
        f"commitment reduced by {granted - data.accepted_eur} EUR",
    )
    return application
