"""HTTP wiring of the annual grant call: calls, entities, applications, resolutions, master plan."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel

from services.funding.filters import UnknownFilter, check_institution
from services.funding.grants import (
    application_list,
    applications,
    calls,
    deadlines,
    document_refs,
    documents,
    entities,
    grant_money,
    master_plan,
    repository,
    reserve,
    resolutions,
)
from services.funding.grants.models import GrantApplication, GrantCall
from services.funding.grants.schemas import (
    AcceptanceCreate,
    Admission,
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApplicationState,
    ApplicationSummaryPage,
    CallCreate,
    CallPage,
    CallRead,
    CallTransition,
    EntityCreate,
    EntityRead,
    JustificationCreate,
    JustificationReview,
    ObjectionCreate,
    ObjectionDecision,
    Payment,
    Resolution,
    ScoreSheet,
    Withdrawal,
)
from services.funding.ledger.endpoints import Booking
from services.funding.ledger.service import Actor
from shared.auth import Principal, access, optional_principal, requires
from shared.dates import CalendarDate
from shared.http import SessionDep, runtime_of
from shared.idempotency import IdempotencyKeyReused
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/grants", tags=["grant calls"])
Officer = Annotated[Principal, requires("funding:write")]
Applicant = Annotated[Principal, requires("grants:apply")]
Either = Annotated[Principal, requires("funding:write", "grants:apply")]
OFFICER = access("required", ("funding:write",), tenant="owner")
APPLICANT = access("required", ("grants:apply",), tenant="owner")
STEP_ERRORS = problem_responses(applications.ApplicationNotFound, applications.ApplicationStateConflict)


def _actor(request: Request, principal: Principal, traceparent: str | None) -> Actor:
    return Actor(principal, runtime_of(request).settings.source, traceparent)


async def _officer(request: Request, principal: Officer, traceparent: Annotated[str | None, Header()] = None) -> Actor:
    return _actor(request, principal, traceparent)


async def _applicant(
    request: Request, principal: Applicant, traceparent: Annotated[str | None, Header()] = None
) -> Actor:
    return _actor(request, principal, traceparent)


OfficerActor = Annotated[Actor, Depends(_officer)]
ApplicantActor = Annotated[Actor, Depends(_applicant)]


async def _read(
    session: SessionDep, call: GrantCall, application: GrantApplication, principal: Principal | None = None
) -> ApplicationRead:
    return applications.application_read(
        call,
        application,
        await repository.steps(session, application.id),
        await repository.score_sheets(session, application.id),
        await repository.payment_orders(session, application.id),
        hide_scores=principal is not None and applications.scores_hidden(principal, call),
    )


async def _read_by_id(
    session: SessionDep, application: GrantApplication, principal: Principal | None = None
) -> ApplicationRead:
    call = await repository.call(session, application.call_id)
    assert call is not None
    return await _read(session, call, application, principal)


# --- Calls ----------------------------------------------------------------------------------


@router.post(
    "/calls",
    status_code=201,
    response_model=CallRead,
    openapi_extra=OFFICER,
    responses=problem_responses(calls.CallCodeTaken),
    summary="Create a call (draft): budget per programme, modality and budget year, criteria, eligibility",
)
async def create_call(body: CallCreate, session: SessionDep, actor: OfficerActor) -> CallRead:
    return calls.call_read(await calls.create_call(session, actor, body))


@router.get(
    "/calls",
    response_model=CallPage,
    openapi_extra=access("none"),
    responses=problem_responses(UnknownFilter),
    summary="Published calls",
)
async def list_calls(
    session: SessionDep,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> CallPage:
    check_institution(institution)
    return CallPage(items=[calls.call_read(c) for c in await repository.calls(session, institution, year)])


@router.get(
    "/calls/{call_id}",
    response_model=CallRead,
    openapi_extra=access("optional", ("funding:write",), tenant="owner"),
    responses=problem_responses(calls.CallNotFound),
    summary="A call; drafts only to its institution",
)
async def get_call(
    call_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal | None, optional_principal()],
) -> CallRead:
    return calls.call_read(await calls.visible_call(session, principal, call_id))


@router.post(
    "/calls/{call_id}/status",
    response_model=CallRead,
    openapi_extra=OFFICER,
    responses=problem_responses(calls.CallNotFound, calls.CallStatusConflict),
    summary="Open or close a call",
)
async def move_call(call_id: uuid.UUID, body: CallTransition, session: SessionDep, actor: OfficerActor) -> CallRead:
    return calls.call_read(await calls.transition(session, actor, call_id, body.status))


class ResolutionRequest(BaseModel):
    resolved_on: CalendarDate | None = None


@router.post(
    "/calls/{call_id}/resolutions/{kind}",
    response_model=Resolution,
    openapi_extra=OFFICER,
    responses=problem_responses(
        calls.CallNotFound,
        calls.CallStatusConflict,
        resolutions.ApplicationsPending,
        resolutions.ProposalNotRegistered,
        deadlines.PeriodOpen,
        deadlines.InvalidActDate,
    ),
    summary="Resolve the call: allocation by rank, decisions with reasons; the definitive one books the grants",
)
async def resolve(
    call_id: uuid.UUID,
    kind: Literal["provisional", "definitive"],
    session: SessionDep,
    actor: OfficerActor,
    body: Annotated[ResolutionRequest | None, Body()] = None,
) -> Resolution:
    resolved_on = body.resolved_on if body else None
    return await resolutions.resolve(session, actor, call_id, kind, resolved_on)


@router.get(
    "/calls/{call_id}/resolution",
    response_model=Resolution,
    openapi_extra=access("none"),
    responses={
        **problem_responses(calls.CallNotFound, resolutions.NoResolution),
        200: {"content": {"text/csv": {}, "text/html": {}}},
    },
    summary="The published resolution: JSON, CSV, or a printable HTML page (lang ca, es, en)",
)
async def published_resolution(
    call_id: uuid.UUID,
    session: SessionDep,
    format: Literal["json", "csv", "html"] = "json",
    lang: Literal["ca", "es", "en"] = "ca",
) -> Response:
    resolution = await resolutions.published_resolution(session, None, call_id)
    if format == "csv":
        name = f"{resolution.call_code}-{resolution.kind}.csv".replace("/", "-")
        return PlainTextResponse(
            documents.resolution_csv(resolution),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if format == "html":
        return HTMLResponse(documents.resolution_html(resolution, lang))
    return Response(resolution.model_dump_json(), media_type="application/json")


# --- Entities ---------------------------------------------------------------------------------


@router.post(
    "/entities",
    status_code=201,
    response_model=EntityRead,
    openapi_extra=APPLICANT,
    responses=problem_responses(entities.EntityTaken),
    summary="Register an applicant entity: its own API client's tenant (or an admin for any)",
)
async def register_entity(body: EntityCreate, session: SessionDep, principal: Applicant) -> EntityRead:
    return EntityRead.model_validate(await entities.register_entity(session, principal, body), from_attributes=True)


@router.get(
    "/entities/{entity_id}",
    response_model=EntityRead,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner"),
    responses=problem_responses(entities.EntityNotFound),
    summary="An entity: for itself, the institutions whose calls it applied to, and admins",
)
async def get_entity(entity_id: uuid.UUID, session: SessionDep, principal: Either) -> EntityRead:
    return EntityRead.model_validate(await entities.visible_entity(session, principal, entity_id), from_attributes=True)


# --- Applications -------------------------------------------------------------------------------


@router.post(
    "/calls/{call_id}/applications",
    status_code=201,
    response_model=ApplicationRead,
    openapi_extra=access("required", ("grants:apply",)),
    responses=problem_responses(
        calls.CallNotFound, applications.CallClosed, applications.NotEligible, IdempotencyKeyReused
    ),
    summary="Apply to a modality with a project proposal (the registry holds it as a draft)",
)
async def submit_application(
    call_id: uuid.UUID,
    body: ApplicationCreate,
    session: SessionDep,
    request: Request,
    actor: ApplicantActor,
    idempotency_key: Annotated[str | None, Header(description="A retry with the same key submits once")] = None,
) -> Response:
    async def submit() -> BaseModel:
        return await _read_by_id(session, await applications.submit(session, actor, call_id, body), actor.principal)

    return await Booking(session, request, actor, idempotency_key).once(submit)


@router.get(
    "/calls/{call_id}/applications",
    response_model=ApplicationPage,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner-or-partner"),
    responses=problem_responses(applications.ApplicationNotFound),
    summary="The call's applications with their scores and states: all for its officers, its own for an entity",
)
async def list_applications(call_id: uuid.UUID, session: SessionDep, principal: Either) -> ApplicationPage:
    call, items = await applications.of_call(session, principal, call_id)
    return ApplicationPage(items=[await _read(session, call, a, principal) for a in items])


@router.get(
    "/applications",
    response_model=ApplicationSummaryPage,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner"),
    summary="Applications across calls, newest first: an entity's own (scores once resolved), "
    "its calls' for an institution's officers",
)
async def list_own_applications(
    session: SessionDep,
    principal: Either,
    call_id: Annotated[uuid.UUID | None, Query(description="Only this call's")] = None,
    state: Annotated[ApplicationState | None, Query(description="Only those in this state")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ApplicationSummaryPage:
    items, next_cursor = await application_list.page(session, principal, call_id, state, limit, cursor)
    return ApplicationSummaryPage(items=items, next_cursor=next_cursor)


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner-or-partner"),
    responses=problem_responses(applications.ApplicationNotFound),
    summary="An application with its steps: for the call's officers and the applicant",
)
async def get_application(application_id: uuid.UUID, session: SessionDep, principal: Either) -> ApplicationRead:
    call, application = await applications.readable(session, principal, application_id)
    return await _read(session, call, application, principal)


@router.post(
    "/applications/{application_id}/admission",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses=STEP_ERRORS,
    summary="Admit, or not admit with a reason",
)
async def admit(
    application_id: uuid.UUID, body: Admission, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await _read_by_id(session, await applications.admit(session, actor, application_id, body))


@router.post(
    "/applications/{application_id}/scores",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(applications.InvalidScores)},
    summary="The signed-in evaluator's score sheet with the declaration of no conflict of interest; "
    "a new sheet is a new version; the total is computed",
)
async def score(
    application_id: uuid.UUID, body: ScoreSheet, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await _read_by_id(session, await applications.score(session, actor, application_id, body))


@router.post(
    "/applications/{application_id}/objection",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={
        **STEP_ERRORS,
        **problem_responses(deadlines.PeriodOver, deadlines.InvalidActDate, document_refs.DocumentReference),
    },
    summary="Object to the provisional resolution within its period, citing the files uploaded for it",
)
async def object_to(
    application_id: uuid.UUID, body: ObjectionCreate, session: SessionDep, actor: ApplicantActor
) -> ApplicationRead:
    return await _read_by_id(
        session, await applications.object_to(session, actor, application_id, body), actor.principal
    )


@router.post(
    "/applications/{application_id}/objection/decision",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(applications.InvalidScores)},
    summary="Uphold or reject an objection; sheets the evaluators revised meanwhile count only if upheld",
)
async def decide_objection(
    application_id: uuid.UUID, body: ObjectionDecision, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await _read_by_id(session, await applications.decide_objection(session, actor, application_id, body))


@router.post(
    "/applications/{application_id}/hearing-waiver",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={**STEP_ERRORS, **problem_responses(calls.CallStatusConflict, deadlines.PeriodOver)},
    summary="Waive the hearing: no objection to the provisional resolution (within its period)",
)
async def waive_hearing(application_id: uuid.UUID, session: SessionDep, actor: ApplicantActor) -> ApplicationRead:
    return await _read_by_id(session, await applications.waive_hearing(session, actor, application_id), actor.principal)


@router.post(
    "/applications/{application_id}/acceptance",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={**STEP_ERRORS, **problem_responses(deadlines.PeriodOver, deadlines.InvalidActDate)},
    summary="Accept the grant within its period (a partial grant with the project reformulated); "
    "the payment plan's orders are issued",
)
async def accept(
    application_id: uuid.UUID,
    session: SessionDep,
    actor: ApplicantActor,
    body: Annotated[AcceptanceCreate | None, Body()] = None,
) -> ApplicationRead:
    application = await grant_money.accept(session, actor, application_id, body or AcceptanceCreate())
    return await _read_by_id(session, application, actor.principal)


@router.post(
    "/applications/{application_id}/renunciation",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses=STEP_ERRORS,
    summary="Renounce the grant (before any payment), with the reason",
)
async def renounce(
    application_id: uuid.UUID, body: Withdrawal, session: SessionDep, actor: ApplicantActor
) -> ApplicationRead:
    return await _read_by_id(session, await reserve.renounce(session, actor, application_id, body), actor.principal)


@router.post(
    "/applications/{application_id}/release",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(calls.CallStatusConflict, resolutions.ProposalNotRegistered)},
    summary="Release a renounced grant, or exclude a grantee, with the reason: the commitments are reversed and "
    "the reserve list takes over in its order",
)
async def release(
    application_id: uuid.UUID, body: Withdrawal, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await _read_by_id(session, await reserve.release(session, actor, application_id, body))


@router.post(
    "/applications/{application_id}/payments",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(grant_money.InvalidAmount)},
    summary="Pay a budget year's first due payment order (a disbursement in the ledger)",
)
async def pay(application_id: uuid.UUID, body: Payment, session: SessionDep, actor: OfficerActor) -> ApplicationRead:
    return await _read_by_id(session, await grant_money.pay(session, actor, application_id, body))


@router.post(
    "/applications/{application_id}/justification",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={
        **STEP_ERRORS,
        **problem_responses(grant_money.InvalidAmount, deadlines.PeriodOver, document_refs.DocumentReference),
    },
    summary="Justify the spending by expense line (budget categories of the call), within the period, "
    "citing the files uploaded for it",
)
async def justify(
    application_id: uuid.UUID, body: JustificationCreate, session: SessionDep, actor: ApplicantActor
) -> ApplicationRead:
    return await _read_by_id(session, await grant_money.justify(session, actor, application_id, body), actor.principal)


@router.post(
    "/applications/{application_id}/justification/review",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(grant_money.InvalidAmount)},
    summary="Accept or refuse each expense line with its reason: accepted expenditure booked, what was paid "
    "and not justified returned by a return order and reversing entries, the rest after justification made due",
)
async def review_justification(
    application_id: uuid.UUID, body: JustificationReview, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await _read_by_id(session, await grant_money.review_justification(session, actor, application_id, body))


# --- Master plan ---------------------------------------------------------------------------------


@router.get(
    "/master-plan/{institution}",
    response_model=master_plan.MasterPlanReport,
    openapi_extra=access("none"),
    responses=problem_responses(master_plan.NoMasterPlan),
    summary="The master plan's targets against each year's actuals",
)
async def master_plan_report(
    institution: Annotated[str, Path(max_length=64)], session: SessionDep
) -> master_plan.MasterPlanReport:
    return await master_plan.master_plan_report(session, institution, None)
