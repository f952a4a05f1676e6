"""HTTP wiring of partner updates: push (one or a batch), receipts, listing, resubmission, review."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from services.projects.projects.service import ProjectArchived, ProjectNotFound
from services.projects.updates import service
from services.projects.updates.schemas import Batch, BatchReport, Receipt, ReceiptPage, Review, UpdateContent
from shared.actor import Actor, actor_of
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.idempotency import IdempotencyKeyReused, IdempotentCreate, idempotent_create
from shared.problems import IdempotencyKeyRequired, problem_responses

router = APIRouter(prefix="/api/projects", tags=["partner updates"])
Pusher = Annotated[Actor, actor_of("updates:push")]
Reviewer = Annotated[Actor, actor_of("updates:review")]
Reader = Annotated[Principal, requires("updates:push", "updates:review")]
PushOnce = Annotated[
    IdempotentCreate,
    idempotent_create(
        "Required: a retry with the same key returns the first receipt",
        required_because="Partner pushes need an Idempotency-Key header, so that a retry is never a second update",
    ),
]
PUSH = access("required", ("updates:push",), tenant="owner-or-partner")
PUSH_ERRORS = problem_responses(
    ProjectNotFound, ProjectArchived, service.InvalidUpdate, IdempotencyKeyRequired, IdempotencyKeyReused
)


@router.post(
    "/projects/{project_id}/updates",
    status_code=201,
    response_model=Receipt,
    openapi_extra=PUSH,
    responses=PUSH_ERRORS,
    summary="Push an update (narrative, indicator actuals, spending, links) for a project you are a partner of",
)
async def push(
    project_id: uuid.UUID, body: UpdateContent, session: SessionDep, actor: Pusher, idempotency: PushOnce
) -> Response:
    async def make() -> BaseModel:
        return await service.push(session, actor, project_id, body)

    return await idempotency.once(actor.principal, make)


@router.post(
    "/updates/batch",
    status_code=201,
    response_model=BatchReport,
    openapi_extra=access("required", ("updates:push",)),
    responses=problem_responses(IdempotencyKeyRequired, IdempotencyKeyReused),
    summary="Push many updates: each item all or nothing, with a result per item",
)
async def push_batch(body: Batch, session: SessionDep, actor: Pusher, idempotency: PushOnce) -> Response:
    async def make() -> BatchReport:
        return await service.push_batch(session, actor, body)

    return await idempotency.once(actor.principal, make)


@router.get(
    "/updates",
    response_model=ReceiptPage,
    openapi_extra=access("required", ("updates:push", "updates:review"), tenant="owner-or-partner"),
    summary="A partner's own submissions, or the updates of an institution's projects",
)
async def list_updates(
    session: SessionDep,
    principal: Reader,
    status: Literal["submitted", "approved", "returned"] | None = None,
    project_id: Annotated[uuid.UUID | None, Query()] = None,
) -> ReceiptPage:
    return ReceiptPage(
        items=[service.receipt(u) for u in await service.listing(session, principal, status, project_id)]
    )


@router.get(
    "/updates/{update_id}",
    response_model=Receipt,
    openapi_extra=access("required", ("updates:push", "updates:review"), tenant="owner-or-partner"),
    responses=problem_responses(service.UpdateNotFound),
    summary="The receipt of an update: validation, review state, every step",
)
async def get_update(update_id: uuid.UUID, session: SessionDep, principal: Reader) -> Receipt:
    return service.receipt(await service.get(session, principal, update_id))


@router.put(
    "/updates/{update_id}",
    response_model=Receipt,
    openapi_extra=PUSH,
    responses={
        **PUSH_ERRORS,
        **problem_responses(service.UpdateNotFound, service.UpdateStateConflict, service.NotAPartner),
    },
    summary="Resubmit a returned update with changes",
)
async def resubmit(
    update_id: uuid.UUID,
    body: UpdateContent,
    session: SessionDep,
    actor: Pusher,
) -> Receipt:
    return await service.resubmit(session, actor, update_id, body)


@router.post(
    "/updates/{update_id}/review",
    response_model=Receipt,
    openapi_extra=access("required", ("updates:review",), tenant="owner"),
    responses=problem_responses(
        service.UpdateNotFound, service.UpdateStateConflict, service.InvalidUpdate, ProjectArchived
    ),
    summary="Approve (the actuals reach the results framework) or return with comments",
)
async def review(
    update_id: uuid.UUID,
    body: Review,
    session: SessionDep,
    actor: Reviewer,
) -> Receipt:
    return await service.review(session, actor, update_id, body)
