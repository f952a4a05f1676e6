"""What grants do to the ledger: commitments per budget year at the definitive grant; the call's
payment plan turned into payment orders at acceptance (e.g. an advance of each budget year, the rest
after the justification), each paid order a disbursement; and at the end the accepted expenditure
line by line, with what was paid and not justified returned by a return order and its reversing
entries (the ledger is append-only: a reduced entry is reversed whole and booked again at the kept
amount, at its original value date)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import applications, events, repository
from services.funding.grants.applications import ApplicationStateConflict, for_entity, for_officer, move
from services.funding.grants.deadlines import act_day, calendar_of, ensure_within, periods_of
from services.funding.grants.document_refs import cited
from services.funding.grants.models import GrantApplication, GrantCall, GrantPaymentOrder
from services.funding.grants.schemas import AcceptanceCreate, JustificationCreate, JustificationReview, Payment
from services.funding.ledger.models import Transaction
from services.funding.ledger.schemas import Reversal, TransactionCreate
from services.funding.ledger.service import record_transaction, reverse_transaction, today
from shared.actor import Actor
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
    key: str | None = None,
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
    bookings.setdefault(KINDS[kind], {})[key or str(year)] = str(txn.id)
    application.bookings = bookings
    return txn


async def book_commitments(
    session: AsyncSession, actor: Actor, call: GrantCall, application: GrantApplication, resolved_on: date
) -> None:
    for year, amount in events.money(application.granted).items():
        await _book(session, actor, call, application, COMMITMENT, year, amount, commitment_date(year, resolved_on))


CENT = Decimal("0.01")


async def issue_orders(session: AsyncSession, call: GrantCall, application: GrantApplication) -> None:
    """The payment plan applied to the grant: per budget year, one order per instalment; those of
    the acceptance are due now, those after the justification wait for it (`planned`). The last
    instalment takes the cents the shares leave."""
    plan = call.rules.get("payment_plan") or [{"stage": "acceptance", "share_percent": "100"}]
    number = len(await repository.payment_orders(session, application.id))
    now = datetime.now(UTC)
    for year, granted in events.money(application.granted).items():
        left = granted
        for i, instalment in enumerate(plan):
            last = i == len(plan) - 1
            share = Decimal(str(instalment["share_percent"]))
            amount = left if last else (granted * share / 100).quantize(CENT, rounding=ROUND_HALF_UP)
            left -= amount
            number += 1
            stage = str(instalment["stage"])
            session.add(
                GrantPaymentOrder(
                    id=uuid.uuid4(),
                    application_id=application.id,
                    number=number,
                    budget_year=year,
                    stage=stage,
                    amount=amount,
                    status="due" if stage == "acceptance" else "planned",
                    note=f"{share} % of the {year} grant, "
                    + ("on acceptance" if stage == "acceptance" else "after the justification"),
                    transaction_ids=[],
                    created_at=now,
                    updated_at=now,
                )
            )
    await session.flush()


async def accept(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: AcceptanceCreate
) -> GrantApplication:
    """The grant accepted within its period: the payment plan becomes the grant's payment orders."""
    application = await applications.accept(session, actor, application_id, data)
    call = await repository.call(session, application.call_id)
    assert call is not None
    await issue_orders(session, call, application)
    return application


async def cancel_orders(session: AsyncSession, application: GrantApplication, why: str) -> None:
    for order in await repository.payment_orders(session, application.id):
        if order.status in ("due", "planned"):
            order.status, order.note, order.updated_at = (
                "cancelled",
                f"{order.note}; cancelled: {why}",
                datetime.now(UTC),
            )
    await session.flush()


async def pay(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Payment) -> GrantApplication:
    """Pay the first due order of a budget year: a disbursement in the ledger."""
    call, application = await for_officer(session, actor.principal, application_id)
    granted = events.money(application.granted)
    if data.budget_year not in granted:
        raise InvalidAmount(
            f"{application.reference} has no instalment for {data.budget_year}",
            errors=[{"field": "budget_year", "message": f"granted years: {sorted(granted)}"}],
        )
    if application.state not in ("accepted", "in-execution", "justified"):
        raise ApplicationStateConflict(f"Application {application.reference} is {application.state}: nothing to pay")
    orders = [o for o in await repository.payment_orders(session, application.id) if o.budget_year == data.budget_year]
    order = next((o for o in orders if o.status == "due"), None)
    if order is None:
        waiting = next((o for o in orders if o.status == "planned"), None)
        raise ApplicationStateConflict(
            f"Payment order {waiting.number} of {application.reference} ({data.budget_year}) waits for the "
            "justification"
            if waiting
            else f"No payment order of {application.reference} for {data.budget_year} is due: the {data.budget_year} "
            "instalment was paid"
        )
    on = data.value_date or today()
    txn = await _book(
        session,
        actor,
        call,
        application,
        DISBURSEMENT,
        data.budget_year,
        order.amount,
        on,
        f"{data.budget_year}#{order.number}",
    )
    order.status, order.value_date, order.transaction_ids = "paid", on, [str(txn.id)]
    order.updated_at = datetime.now(UTC)
    note = f"payment order {order.number} paid: {order.amount} EUR of {data.budget_year} ({order.stage})"
    if application.state == "justified":
        remaining = [o for o in await repository.payment_orders(session, application.id) if o.status == "due"]
        await move(session, actor, call, application, "justified" if remaining else "closed", {"justified"}, note)
    else:
        await move(session, actor, call, application, "in-execution", {"accepted", "in-execution"}, note)
    return application


def justification_deadline(call: GrantCall, application: GrantApplication) -> tuple[date, date]:
    """(the project's last day, the last day to justify): the period runs from the end of the
    execution, the acceptance plus the project's months."""
    accepted = date.fromisoformat((application.acceptance or {}).get("on") or application.updated_at.date().isoformat())
    end = _add_months(accepted, application.duration_months)
    return end, calendar_of(call).add(end, periods_of(call).justification_days)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for d in (day.day, 30, 29, 28):  # the same day of the month, or the month's last
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _check_lines(call: GrantCall, data: JustificationCreate) -> None:
    categories = [c["code"] for c in call.rules.get("budget_categories", [])] or ["general"]
    errors = [
        {
            "field": f"lines.{i}.category",
            "message": f"not a budget category of the call: {', '.join(categories)}",
            "value": line.category,
        }
        for i, line in enumerate(data.lines)
        if line.category not in categories
    ]
    if errors:
        raise InvalidAmount(f"{len(errors)} line(s) outside the call's budget categories", errors=errors)


async def justify(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: JustificationCreate
) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    # Accepted and not yet paid: a grant paid wholly after its justification.
    if application.state not in ("accepted", "in-execution"):
        raise ApplicationStateConflict(
            f"Application {application.reference} is {application.state}: nothing to justify"
        )
    _check_lines(call, data)
    end, deadline = justification_deadline(call, application)
    filed_on = act_day(actor.principal, data.filed_on, "filed_on", None)
    ensure_within("justify", filed_on, deadline, periods_of(call).justification_days, end, "filed_on")
    documents = await cited(session, application, data.documents, "justification")
    spent = sum((line.amount_eur for line in data.lines), Decimal(0))
    application.justification = {
        "spent_eur": str(spent),
        "lines": [
            {"category": line.category, "amount_eur": str(line.amount_eur), "description": line.description}
            for line in data.lines
        ],
        "summary": data.summary,
        "report_url": str(data.report_url) if data.report_url else None,
        "documents": documents,
        "filed_on": filed_on.isoformat(),
        "deadline": deadline.isoformat(),
        "submitted_at": datetime.now(UTC).isoformat(),
    }
    await move(
        session,
        actor,
        call,
        application,
        "justified",
        {"accepted", "in-execution"},
        f"spent {spent} EUR in {len(data.lines)} line(s)",
    )
    return application


async def _reduce(
    session: AsyncSession,
    actor: Actor,
    call: GrantCall,
    application: GrantApplication,
    kind: str,
    keep: Decimal,
) -> None:
    """Bring the commitments down to `keep` EUR, latest budget year first."""
    booked = {int(y): uuid.UUID(t) for y, t in application.bookings.get(KINDS[kind], {}).items()}
    entries = {y: await repository.transaction(session, t) for y, t in booked.items()}
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
            Reversal(reason=f"{application.reference}: {cut} EUR not spent, released", value_date=entry.value_date),
        )
        if entry.amount_eur - cut > 0:
            await _book(session, actor, call, application, kind, year, entry.amount_eur - cut, entry.value_date)
        else:
            bookings = {k: dict(v) for k, v in application.bookings.items()}
            del bookings[KINDS[kind]][str(year)]
            application.bookings = bookings


async def _return(
    session: AsyncSession,
    actor: Actor,
    call: GrantCall,
    application: GrantApplication,
    orders: list[GrantPaymentOrder],
    amount: Decimal,
    on: date,
) -> None:
    """What was paid and not justified comes back: a return order, executed by reversing the paid
    orders' disbursements, latest first (each reversed whole and booked again at the kept amount)."""
    paid = sorted((o for o in orders if o.status == "paid"), key=lambda o: (o.budget_year, o.number), reverse=True)
    excess, reversals, years = amount, [], set()
    for order in paid:
        if excess <= 0:
            break
        cut = min(order.amount, excess)
        excess -= cut
        entry = await repository.transaction(session, uuid.UUID(order.transaction_ids[-1]))
        assert entry is not None
        reversal = await reverse_transaction(
            session,
            actor,
            entry.id,
            Reversal(
                reason=f"{application.reference}: {cut} EUR paid and not justified, returned",
                value_date=entry.value_date,
            ),
        )
        reversals.append(str(reversal.id))
        years.add(order.budget_year)
        key = f"{order.budget_year}#{order.number}"
        bookings = {k: dict(v) for k, v in application.bookings.items()}
        del bookings[KINDS[DISBURSEMENT]][key]
        application.bookings = bookings
        if order.amount - cut > 0:
            kept = await _book(
                session,
                actor,
                call,
                application,
                DISBURSEMENT,
                order.budget_year,
                order.amount - cut,
                entry.value_date,
                key,
            )
            order.transaction_ids = [*order.transaction_ids, str(kept.id)]
        order.note = f"{order.note}; {cut} EUR returned"
        order.updated_at = datetime.now(UTC)
    now = datetime.now(UTC)
    session.add(
        GrantPaymentOrder(
            id=uuid.uuid4(),
            application_id=application.id,
            number=len(orders) + 1,
            budget_year=max(years),
            stage="return",
            amount=-amount,
            status="returned",
            note=f"return of {amount} EUR paid and not justified",
            transaction_ids=reversals,
            value_date=on,
            created_at=now,
            updated_at=now,
        )
    )
    await session.flush()


async def review_justification(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: JustificationReview
) -> GrantApplication:
    call, application = await for_officer(session, actor.principal, application_id)
    if application.state != "justified" or (application.justification or {}).get("reviewed_at"):
        raise ApplicationStateConflict(f"Application {application.reference} is {application.state}: nothing to review")
    lines = list(application.justification.get("lines", [])) if application.justification else []
    reviews = {r.line: r for r in data.lines}
    errors: list[dict[str, object]] = [
        {"field": f"lines.{i}", "message": "every line is accepted or refused"}
        for i in range(len(lines))
        if i not in reviews
    ]
    errors += [{"field": "lines", "message": f"no line {n}", "value": n} for n in reviews if n >= len(lines)]
    if len(reviews) != len(data.lines):
        errors.append({"field": "lines", "message": "each line is reviewed once"})
    if errors:
        raise InvalidAmount("The review does not match the justification's lines", errors=errors)
    reviewed = [{**line, "accepted": reviews[i].accepted, "reason": reviews[i].reason} for i, line in enumerate(lines)]
    accepted = sum((Decimal(line["amount_eur"]) for line in reviewed if line["accepted"]), Decimal(0))
    granted = sum(events.money(application.granted).values(), Decimal(0))
    accepted = min(accepted, granted)  # expenditure beyond the grant is the entity's own
    reviewed_on = data.value_date or today()
    orders = await repository.payment_orders(session, application.id)
    paid = sum((o.amount for o in orders if o.status == "paid"), Decimal(0))
    if accepted > 0:
        await _book(session, actor, call, application, EXPENDITURE, reviewed_on.year, accepted, reviewed_on)
    await _reduce(session, actor, call, application, COMMITMENT, accepted)
    returned = max(paid - accepted, Decimal(0))
    if returned > 0:
        await _return(session, actor, call, application, orders, returned, reviewed_on)
    # What is still to pay (accepted beyond what was paid) becomes due on the open orders, in order.
    still = max(accepted - paid, Decimal(0))
    now = datetime.now(UTC)
    for order in sorted((o for o in orders if o.status in ("due", "planned")), key=lambda o: o.number):
        amount = min(order.amount, still)
        still -= amount
        if amount > 0:
            order.note = f"{order.note}; {amount} EUR after the review" if amount != order.amount else order.note
            order.amount, order.status = amount, "due"
        else:
            order.status, order.note = "cancelled", f"{order.note}; cancelled: not justified"
        order.updated_at = now
    await session.flush()
    due = [o for o in orders if o.status == "due"]
    application.justification = {
        **(application.justification or {}),
        "lines": reviewed,
        "accepted_eur": str(accepted),
        "returned_eur": str(returned),
        "released_eur": str(granted - accepted),
        "note": data.note,
        "reviewed_at": now.isoformat(),
    }
    refused = sum(1 for line in reviewed if not line["accepted"])
    await move(
        session,
        actor,
        call,
        application,
        "justified" if due else "closed",
        {"justified"},
        f"accepted {accepted} EUR ({len(reviewed) - refused} line(s) accepted, {refused} refused); {returned} EUR "
        f"paid and not justified returned; commitment reduced by {granted - accepted} EUR"
        + (f"; {len(due)} payment order(s) due" if due else ""),
    )
    return application
