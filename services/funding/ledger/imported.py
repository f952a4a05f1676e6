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


async def book_imported(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, owner: str, entry: ImportedEntry
) -> uuid.UUID:
    """Book one imported entry and emit the ledger's own event for it; NotBookable if it cannot be held."""
    _bookable(entry)
    money = {
        "id": uuid.uuid4(),
        "project_id": project_id,
        "amount": entry.amount,
        "currency": entry.currency,
        **asdict(entry.conversion),
        "client_id": IMPORT_CLIENT,
        "imported": entry.imported.model_dump(mode="json"),
    }
    if entry.kind == "transaction":
        assert entry.code is not None  # checked by _bookable
        txn = Transaction(
            **money,
            transaction_type=entry.code,
            in_kind=False,
            instrument=IMPORT_INSTRUMENT,
            value_date=entry.value_date,
            provider_org=entry.provider_org,
            receiver_org=entry.receiver_org,
            description=entry.description,
            request_id=actor.request_id,
        )
        session.add(txn)
        await session.flush()
        await _emit(session, actor, events.TRANSACTION_RECORDED, project_id, owner, transaction=txn)
        return txn.id
    assert entry.code is not None and entry.period_start is not None
    if entry.kind == "budget":
        assert entry.status is not None and entry.period_end is not None
        line = BudgetLine(
            **money,
            budget_type=entry.code,
            budget_status=entry.status,
            period_start=entry.period_start,
            period_end=entry.period_end,
        )
        session.add(line)
        await session.flush()
        await _emit(session, actor, events.BUDGET_SET, project_id, owner, budget_line=line)
        return line.id
    planned = PlannedDisbursement(
        **money,
        planned_type=entry.code,
        period_start=entry.period_start,
        period_end=entry.period_end,
        provider_org=entry.provider_org,
        receiver_org=entry.receiver_org,
    )
    session.add(planned)
    await session.flush()
    await _emit(session, actor, events.PLANNED_DISBURSEMENT_ADDED, project_id, owner, planned=planned)
    return planned.id


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


MODELS: dict[ImportedKind, type[Transaction | BudgetLine | PlannedDisbursement]] = {
    "transaction": Transaction,
    "budget": BudgetLine,
    "planned-disbursement": PlannedDisbursement,
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
    if isinstance(original, Transaction):
        reversal = Transaction(
            **negation,
            transaction_type=original.transaction_type,
            in_kind=original.in_kind,
            instrument=original.instrument,
            value_date=original.value_date,
            provider_org=original.provider_org,
            receiver_org=original.receiver_org,
            description=f"Withdrawn: IATI import {withdrawn_by} no longer has it",
            request_id=actor.request_id,
        )
        session.add(reversal)
        await session.flush()
        await _emit(session, actor, events.TRANSACTION_REVERSED, original.project_id, owner, transaction=reversal)
    elif isinstance(original, BudgetLine):
        line = BudgetLine(
            **negation,
            budget_type=original.budget_type,
            budget_status=original.budget_status,
            period_start=original.period_start,
            period_end=original.period_end,
            source_id=original.source_id,
        )
        session.add(line)
        await session.flush()
        await _emit(session, actor, events.BUDGET_SET, original.project_id, owner, budget_line=line)
    else:
        planned = PlannedDisbursement(
            **negation,
            planned_type=original.planned_type,
            period_start=original.period_start,
            period_end=original.period_end,
            provider_org=original.provider_org,
            receiver_org=original.receiver_org,
        )
        session.add(planned)
        await session.flush()
        await _emit(session, actor, events.PLANNED_DISBURSEMENT_ADDED, original.project_id, owner, planned=planned)
    return True
