"""HTTP wiring of partner updates: push (one or a batch), receipts, listing, resubmission, review."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel

from services.projects.projects.endpoints import request_actor
from services.projects.projects.service import ProjectArchived, ProjectNotFound
from services.projects.updates import service
from services.projects.updates.schemas import (
    Batch,
    BatchReport,
    BatchResult,
    Receipt,
    ReceiptPage,
    Review,
    UpdateContent,
)
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.idempotency import IdempotencyKeyReused, StoredResponse, create_once
from shared.problems import IdempotencyKeyRequired, ProblemError, problem_responses

router = APIRouter(prefix="/api/projects", tags=["partner updates"])
Pusher = Annotated[Principal, requires("updates:push")]
Reviewer = Annotated[Principal, requires("updates:review")]
Reader = Annotated[Principal, requires("updates:push", "updates:review")]
IdempotencyKey = Annotated[
    str | None, Header(description="Required: a retry with the same key returns the first receipt")
]
PUSH = access("required", ("updates:push",), tenant="owner-or-partner")
PUSH_ERRORS = problem_responses(
    ProjectNotFound, ProjectArchived, service.InvalidUpdate, IdempotencyKeyRequired, IdempotencyKeyReused
)


def _required(key: str | None) -> str:
    if not key:
        raise IdempotencyKeyRequired(
            "Partner pushes need an Idempotency-Key header, so that a retry is never a second update"
        )
    return key


async def _once(session: SessionDep, request: Request, principal: Principal, key: str | None, make: object) -> Response:
    async def create() -> StoredResponse:
        body: BaseModel = await make()  # type: ignore[operator]
        return StoredResponse(201, {}, body.model_dump_json().encode())

    return await create_once(session, request, principal.client_id, _required(key), create)


@router.post(
    "/projects/{project_id}/updates",
    status_code=201,
    response_model=Receipt,
    openapi_extra=PUSH,
    responses=PUSH_ERRORS,
    summary="Push an update (narrative, indicator actuals, spending, links) for a project you are a partner of",
)
async def push(
    project_id: uuid.UUID,
    body: UpdateContent,
    session: SessionDep,
    request: Request,
    principal: Pusher,
    idempotency_key: IdempotencyKey = None,
    traceparent: Annotated[str | None, Header()] = None,
) -> Response:
    actor = request_actor(request, principal, traceparent)

    async def make() -> BaseModel:
        return await service.push(session, actor, project_id, body)

    return await _once(session, request, principal, idempotency_key, make)


@router.post(
    "/updates/batch",
    status_code=201,
    response_model=BatchReport,
    openapi_extra=access("required", ("updates:push",)),
    responses=problem_responses(IdempotencyKeyRequired, IdempotencyKeyReused),
    summary="Push many updates: each item all or nothing, with a result per item",
)
async def push_batch(
    body: Batch,
    session: SessionDep,
    request: Request,
    principal: Pusher,
    idempotency_key: IdempotencyKey = None,
    traceparent: Annotated[str | None, Header()] = None,
) -> Response:
    actor = request_actor(request, principal, traceparent)

    async def make() -> BaseModel:
        results = []
        for index, item in enumerate(body.items):
            try:
                async with session.begin_nested():
                    pushed = await service.push(session, actor, item.project_id, item.update)
                results.append(BatchResult(index=index, project_id=item.project_id, status=201, receipt=pushed))
            except ProblemError as exc:
                problem = {"type": exc.kind, "title": exc.title, "detail": exc.detail, "errors": exc.errors}
                results.append(BatchResult(index=index, project_id=item.project_id, status=exc.status, problem=problem))
        accepted = sum(r.status == 201 for r in results)
        return BatchReport(accepted=accepted, refused=len(results) - accepted, items=results)

    return await _once(session, request, principal, idempotency_key, make)


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
    request: Request,
    principal: Pusher,
    traceparent: Annotated[str | None, Header()] = None,
) -> Receipt:
    return await service.resubmit(session, request_actor(request, principal, traceparent), update_id, body)


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
    request: Request,
    principal: Reviewer,
    traceparent: Annotated[str | None, Header()] = None,
) -> Receipt:
    return await service.review(session, request_actor(request, principal, traceparent), update_id, body)
