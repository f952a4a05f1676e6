"""HTTP wiring of the ledger: budget lines, transactions, reversals, summaries."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger import repository, service
from services.funding.ledger.schemas import (
    BudgetLineCreate,
    BudgetLineRead,
    BudgetLines,
    FundingSummary,
    PlannedDisbursementCreate,
    PlannedDisbursementRead,
    PlannedDisbursements,
    Reversal,
    TransactionCreate,
    TransactionPage,
    TransactionRead,
)
from services.funding.project_refs.service import ProjectNotFundable, ProjectRefNotFound
from services.funding.rates.service import MissingRate
from shared.actor import Actor, actor_of
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.idempotency import IdempotencyKeyReused, IdempotentCreate, idempotent_create
from shared.problems import problem_responses
from shared.recorded import InvalidRecordedAt, RecordedAtNeedsAdmin

router = APIRouter(prefix="/api/funding", tags=["ledger"])
Reader = Annotated[Principal, requires("funding:write", "reports:read")]
WRITE = access("required", ("funding:write",), tenant="owner")
READ = access("required", ("funding:write", "reports:read"), tenant="owner-or-partner")
BOOKING_ERRORS = problem_responses(
    RecordedAtNeedsAdmin, InvalidRecordedAt, ProjectRefNotFound, ProjectNotFundable, MissingRate, IdempotencyKeyReused
)


@dataclass
class Booking:
    """What every booking needs: the transaction, who books, and the Idempotency-Key handling."""

    session: AsyncSession
    actor: Actor
    idempotency: IdempotentCreate

    async def once(self, book: Callable[[], Awaitable[BaseModel]]) -> Response:
        return await self.idempotency.once(self.actor.principal, book)


async def _booking(
    session: SessionDep,
    # recorded_at: refused before any work unless an admin gives a past instant.
    actor: Annotated[Actor, actor_of("funding:write", recorded_at=True)],
    idempotency: Annotated[IdempotentCreate, idempotent_create("Retries with the same key book once")],
) -> Booking:
    return Booking(session, actor, idempotency)


BookingDep = Annotated[Booking, Depends(_booking)]


@router.post(
    "/projects/{project_id}/transactions",
    status_code=201,
    response_model=TransactionRead,
    openapi_extra=WRITE,
    responses={
        **BOOKING_ERRORS,
        **problem_responses(service.OverDisbursement, service.FutureDated, service.OutsideBudgetYears),
    },
    summary="Book a transaction (IATI transaction type) in any currency",
)
async def record_transaction(project_id: uuid.UUID, body: TransactionCreate, booking: BookingDep) -> Response:
    async def book() -> BaseModel:
        txn = await service.record_transaction(booking.session, booking.actor, project_id, body)
        return TransactionRead.model_validate(txn, from_attributes=True)

    return await booking.once(book)


@router.post(
    "/transactions/{transaction_id}/reverse",
    status_code=201,
    response_model=TransactionRead,
    openapi_extra=WRITE,
    responses={
        **BOOKING_ERRORS,
        **problem_responses(service.TransactionNotFound, service.AlreadyReversed, service.ReversalBeforeOriginal),
    },
    summary="Correct a transaction with a reversing entry that references it",
)
async def reverse_transaction(transaction_id: uuid.UUID, body: Reversal, booking: BookingDep) -> Response:
    async def book() -> BaseModel:
        txn = await service.reverse_transaction(booking.session, booking.actor, transaction_id, body)
        return TransactionRead.model_validate(txn, from_attributes=True)

    return await booking.once(book)


@router.post(
    "/projects/{project_id}/budget-lines",
    status_code=201,
    response_model=BudgetLineRead,
    openapi_extra=WRITE,
    responses=BOOKING_ERRORS,
    summary="Add a budget line (IATI budget type/status)",
)
async def add_budget_line(project_id: uuid.UUID, body: BudgetLineCreate, booking: BookingDep) -> Response:
    async def book() -> BaseModel:
        line = await service.add_budget_line(booking.session, booking.actor, project_id, body)
        return BudgetLineRead.model_validate(line, from_attributes=True)

    return await booking.once(book)


@router.post(
    "/projects/{project_id}/planned-disbursements",
    status_code=201,
    response_model=PlannedDisbursementRead,
    openapi_extra=WRITE,
    responses=BOOKING_ERRORS,
    summary="Plan a disbursement (IATI planned-disbursement): a future payment, not a transaction",
)
async def plan_disbursement(project_id: uuid.UUID, body: PlannedDisbursementCreate, booking: BookingDep) -> Response:
    async def book() -> BaseModel:
        planned = await service.plan_disbursement(booking.session, booking.actor, project_id, body)
        return PlannedDisbursementRead.model_validate(planned, from_attributes=True)

    return await booking.once(book)


@router.get(
    "/projects/{project_id}/planned-disbursements",
    response_model=PlannedDisbursements,
    openapi_extra=READ,
    responses=problem_responses(ProjectRefNotFound),
)
async def list_planned_disbursements(
    project_id: uuid.UUID, session: SessionDep, principal: Reader
) -> PlannedDisbursements:
    await service.readable(session, principal, project_id)
    rows = await repository.planned_disbursements(session, project_id)
    return PlannedDisbursements(items=[PlannedDisbursementRead.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/projects/{project_id}/transactions",
    response_model=TransactionPage,
    openapi_extra=READ,
    responses=problem_responses(ProjectRefNotFound),
    summary="The project's ledger, in booking order",
)
async def list_transactions(project_id: uuid.UUID, session: SessionDep, principal: Reader) -> TransactionPage:
    await service.readable(session, principal, project_id)
    rows = await repository.transactions(session, project_id)
    return TransactionPage(items=[TransactionRead.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/projects/{project_id}/budget-lines",
    response_model=BudgetLines,
    openapi_extra=READ,
    responses=problem_responses(ProjectRefNotFound),
)
async def list_budget_lines(project_id: uuid.UUID, session: SessionDep, principal: Reader) -> BudgetLines:
    await service.readable(session, principal, project_id)
    rows = await repository.budget_lines(session, project_id)
    return BudgetLines(items=[BudgetLineRead.model_validate(r, from_attributes=True) for r in rows])


@router.get(
    "/projects/{project_id}/summary",
    response_model=FundingSummary,
    openapi_extra=READ,
    responses=problem_responses(ProjectRefNotFound),
    summary="Committed, disbursed, spent: in EUR, per currency, per source, per year",
)
async def funding_summary(project_id: uuid.UUID, session: SessionDep, principal: Reader) -> FundingSummary:
    return await service.summary(session, principal, project_id)
