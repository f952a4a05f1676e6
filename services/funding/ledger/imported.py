"""Money an IATI import books in the ledger, and withdraws when a later file no longer has it.

The projects service checked that whoever imported may write for the owner; here the owner
institution books it, through the ledger's own emission (every entry is a ledger event with the
project's new totals, as a booking by hand is). A publisher's figures state what happened
elsewhere, so the ledger takes them as published (no budget-year, over-disbursement or sign rule: a
negative value is the publisher's correction), but only what its columns hold exactly and what is
a fact: cents, a known type, a period that ends after it starts, money that moved not after today.
The rest stays with the imported money (services/funding/iati_money), flagged. Functions flush.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger import repository
from services.funding.ledger.models import BudgetLine, PlannedDisbursement, Transaction
from services.funding.ledger.service import FutureDated, _emit, check_not_future
from services.funding.project_refs.service import fundable_project
from services.funding.rates.conversion import Conversion
from shared.actor import Actor
from shared.auth import Principal
from shared.codelists import codelists
from shared.contracts import funding as events
from shared.problems import ProblemError

IMPORT_CLIENT = "iati-import"
IMPORT_INSTRUMENT = "iati-import"
ImportedKind = Literal["transaction", "budget", "planned-disbursement"]


class NotBookable(Exception):
    """Why the ledger cannot hold an imported entry (`flag`: a stable code; `message`: why)."""

    def __init__(self, flag: str, message: str) -> None:
        super().__init__(message)
        self.flag, self.message = flag, message


def import_actor(owner: str, request_id: str | None, source: str, traceparent: str | None) -> Actor:
    """The owner institution booking its import's money (the import's request id travels on)."""
    principal = Principal(
        client_id=IMPORT_CLIENT, tenant=owner, tenant_kind="institution", scopes=frozenset({"funding:write"})
    )
    return Actor(principal, request_id, source, traceparent)


async def import_refusal(session: AsyncSession, actor: Actor, project_id: uuid.UUID) -> str | None:
    """None if the project takes the import's money; else why not (archived, cancelled, unknown)."""
    try:
        await fundable_project(session, actor.principal, project_id)
    except ProblemError as exc:
        return exc.detail or exc.title
    return None


@dataclass(frozen=True)
class ImportedEntry:
    """One entry of an imported file, valued in EUR, as the ledger would hold it."""

    kind: ImportedKind
    code: str | None  # TransactionType, or BudgetType
    status: str | None  # BudgetStatus of a budget
    amount: Decimal
    currency: str
    value_date: date
    period_start: date | None
    period_end: date | None
    description: str | None
    provider_org: str | None
    receiver_org: str | None
    conversion: Conversion
    imported: events.ImportedV1


def _bookable(entry: ImportedEntry) -> None:
    if entry.amount != entry.amount.quantize(repository.CENT):
        raise NotBookable("sub-cent", f"{entry.amount} has fractions of a cent; the ledger holds cents")
    lists = codelists()
    if entry.kind == "transaction":
        if entry.code is None or entry.code not in lists["TransactionType"]:
            raise NotBookable("no-type", f"transaction type {entry.code!r} is not an IATI TransactionType")
        try:
            check_not_future(entry.code, entry.value_date)
        except FutureDated as exc:
            raise NotBookable("future-dated", exc.detail or exc.title) from exc
        return
    if entry.code not in lists["BudgetType"] or (entry.kind == "budget" and entry.status not in lists["BudgetStatus"]):
        raise NotBookable("no-type", f"type {entry.code!r} / status {entry.status!r} is not an IATI BudgetType/Status")
    if entry.period_start is None or (entry.kind == "budget" and entry.period_end is None):
        raise NotBookable("no-period", "no period start" if entry.period_start is None else "no period end")
    if entry.period_end is not None and entry.period_end < entry.period_start:
        raise NotBookable("bad-period", f"the period ends ({entry.period_end}) before it starts ({entry.period_start})")


@dataclass(frozen=True)
class Booking:
    """How one kind of entry is held: its table, its columns beyond the money's (copied as they are
    when an entry is withdrawn), the ledger events of booking and withdrawing it, and whether it
    says why and in which request (a transaction's description and request id)."""

    model: type[Transaction | BudgetLine | PlannedDisbursement]
    columns: tuple[str, ...]
    booked: str
    withdrawn: str
    noted: bool = False


BOOKINGS: dict[ImportedKind, Booking] = {
    "transaction": Booking(
        Transaction,
        ("transaction_type", "in_kind", "instrument", "value_date", "provider_org", "receiver_org"),
        events.TRANSACTION_RECORDED,
        events.TRANSACTION_REVERSED,
        noted=True,
    ),
    "budget": Booking(
        BudgetLine,
        ("budget_type", "budget_status", "period_start", "period_end", "source_id"),
        events.BUDGET_SET,
        events.BUDGET_SET,
    ),
    "planned-disbursement": Booking(
        PlannedDisbursement,
        ("planned_type", "period_start", "period_end", "provider_org", "receiver_org"),
        events.PLANNED_DISBURSEMENT_ADDED,
        events.PLANNED_DISBURSEMENT_ADDED,
    ),
}
MODELS: dict[ImportedKind, type[Transaction | BudgetLine | PlannedDisbursement]] = {
    kind: booking.model for kind, booking in BOOKINGS.items()
}


async def _add(
    session: AsyncSession,
    actor: Actor,
    kind: ImportedKind,
    event_type: str,
    owner: str,
    columns: dict[str, object],
    description: str | None,
) -> uuid.UUID:
    """The entry into its table, then the ledger's own event with the project's new totals."""
    booking = BOOKINGS[kind]
    noted = {"description": description, "request_id": actor.request_id} if booking.noted else {}
    entry = booking.model(**columns, **noted)
    session.add(entry)
    await session.flush()
    await _emit(
        session,
        actor,
        event_type,
        entry.project_id,
        owner,
        transaction=entry if isinstance(entry, Transaction) else None,
        budget_line=entry if isinstance(entry, BudgetLine) else None,
        planned=entry if isinstance(entry, PlannedDisbursement) else None,
    )
    return entry.id


async def book_imported(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, owner: str, entry: ImportedEntry
) -> uuid.UUID:
    """Book one imported entry and emit the ledger's own event for it; NotBookable if it cannot be held."""
    _bookable(entry)
    # Every column an entry of some kind has, from the file's entry: each kind takes its own.
    found: dict[str, object] = {
        "transaction_type": entry.code,
        "budget_type": entry.code,
        "planned_type": entry.code,
        "budget_status": entry.status,
        "in_kind": False,
        "instrument": IMPORT_INSTRUMENT,
        "value_date": entry.value_date,
        "period_start": entry.period_start,
        "period_end": entry.period_end,
        "provider_org": entry.provider_org,
        "receiver_org": entry.receiver_org,
        "source_id": None,
    }
    money = {
        "id": uuid.uuid4(),
        "project_id": project_id,
        "amount": entry.amount,
        "currency": entry.currency,
        **asdict(entry.conversion),
        "client_id": IMPORT_CLIENT,
        "imported": entry.imported.model_dump(mode="json"),
        **{column: found[column] for column in BOOKINGS[entry.kind].columns},
    }
    return await _add(session, actor, entry.kind, BOOKINGS[entry.kind].booked, owner, money, entry.description)


def _negated(original: Transaction | BudgetLine | PlannedDisbursement, withdrawn_by: uuid.UUID) -> dict[str, object]:
    """The exact negation of an imported entry's money (same rate, same cents), saying which import withdrew it."""
    imported = events.ImportedV1.model_validate(original.imported).model_copy(update={"withdrawn_by": withdrawn_by})
    return {
        "id": uuid.uuid4(),
        "project_id": original.project_id,
        "reverses_id": original.id,
        "amount": -original.amount,
        "currency": original.currency,
        "amount_eur": -original.amount_eur,
        "rate": original.rate,
        "rate_date": original.rate_date,
        "rate_source": original.rate_source,
        "client_id": IMPORT_CLIENT,
        "imported": imported.model_dump(mode="json"),
    }


async def withdraw_imported(
    session: AsyncSession, actor: Actor, kind: ImportedKind, entry_id: uuid.UUID, owner: str, withdrawn_by: uuid.UUID
) -> bool:
    """Withdraw an entry an earlier import booked and a later file no longer has: a negating entry on
    the original's own dates (so every year's figure is as if it had never been booked), emitted
    like any other. False if it was withdrawn or reversed already (a correction by hand stands)."""
    model = MODELS[kind]
    original: Transaction | BudgetLine | PlannedDisbursement | None = await session.get(model, entry_id)
    if original is None or original.imported is None:
        return False  # only ever what an import booked
    if await repository.negation_of(session, model, entry_id) is not None:
        return False
    negation = _negated(original, withdrawn_by)
    negation.update((column, getattr(original, column)) for column in BOOKINGS[kind].columns)
    why = f"Withdrawn: IATI import {withdrawn_by} no longer has it"
    await _add(session, actor, kind, BOOKINGS[kind].withdrawn, owner, negation, why)
    return True
