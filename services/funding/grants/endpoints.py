"""HTTP wiring of the annual grant call: calls, entities, applications, resolutions, master plan."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Response

from services.funding.filters import UnknownFilter
from services.funding.grants import service
from services.funding.grants.applications import (
    ApplicationNotFound,
    ApplicationStateConflict,
    CallClosed,
    InvalidScores,
    NotEligible,
)
from services.funding.grants.calls import CallCodeTaken, CallNotFound, CallStatusConflict
from services.funding.grants.deadlines import InvalidActDate, PeriodOpen, PeriodOver
from services.funding.grants.document_refs import DocumentReference
from services.funding.grants.entities import EntityNotFound, EntityTaken
from services.funding.grants.exports import exported
from services.funding.grants.grant_money import InvalidAmount
from services.funding.grants.master_plan import NoMasterPlan
from services.funding.grants.resolutions import ApplicationsPending, NoResolution, ProposalNotRegistered
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
    MasterPlanReport,
    ObjectionCreate,
    ObjectionDecision,
    Payment,
    Resolution,
    ResolutionRequest,
    ScoreSheet,
    Withdrawal,
)
from shared.actor import Actor, actor_of
from shared.auth import Principal, access, optional_principal, requires
from shared.http import SessionDep
from shared.idempotency import IdempotencyKeyReused, IdempotentCreate, idempotent_create
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/grants", tags=["grant calls"])
Officer = Annotated[Principal, requires("funding:write")]
Applicant = Annotated[Principal, requires("grants:apply")]
Either = Annotated[Principal, requires("funding:write", "grants:apply")]
OFFICER = access("required", ("funding:write",), tenant="owner")
APPLICANT = access("required", ("grants:apply",), tenant="owner")
STEP_ERRORS = problem_responses(ApplicationNotFound, ApplicationStateConflict)


OfficerActor = Annotated[Actor, actor_of("funding:write")]
ApplicantActor = Annotated[Actor, actor_of("grants:apply")]


# --- Calls ----------------------------------------------------------------------------------


@router.post(
    "/calls",
    status_code=201,
    response_model=CallRead,
    openapi_extra=OFFICER,
    responses=problem_responses(CallCodeTaken, IdempotencyKeyReused),
    summary="Create a call (draft): budget per programme, modality and budget year, criteria, eligibility",
)
async def create_call(
    body: CallCreate,
    session: SessionDep,
    actor: OfficerActor,
    idem: Annotated[IdempotentCreate, idempotent_create("A retry with the same key creates one call")],
) -> Response:
    return await idem.once(actor.principal, lambda: service.create_call(session, actor, body))


@router.get(
    "/calls",
    response_model=CallPage,
    openapi_extra=access("optional", ("funding:write",), tenant="owner"),
    responses=problem_responses(UnknownFilter),
    summary="Published calls; with them, drafts to their institution's officers (admins: all drafts)",
)
async def list_calls(
    session: SessionDep,
    principal: Annotated[Principal | None, optional_principal()],
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> CallPage:
    return await service.listed_calls(session, principal, institution, year)


@router.get(
    "/calls/{call_id}",
    response_model=CallRead,
    openapi_extra=access("optional", ("funding:write",), tenant="owner"),
    responses=problem_responses(CallNotFound),
    summary="A call; drafts only to its institution",
)
async def get_call(
    call_id: uuid.UUID,
    session: SessionDep,
    principal: Annotated[Principal | None, optional_principal()],
) -> CallRead:
    return await service.call(session, principal, call_id)


@router.post(
    "/calls/{call_id}/status",
    response_model=CallRead,
    openapi_extra=OFFICER,
    responses=problem_responses(CallNotFound, CallStatusConflict),
    summary="Open or close a call",
)
async def move_call(call_id: uuid.UUID, body: CallTransition, session: SessionDep, actor: OfficerActor) -> CallRead:
    return await service.move_call(session, actor, call_id, body.status)


@router.post(
    "/calls/{call_id}/resolutions/{kind}",
    response_model=Resolution,
    openapi_extra=OFFICER,
    responses=problem_responses(
        CallNotFound,
        CallStatusConflict,
        ApplicationsPending,
        ProposalNotRegistered,
        PeriodOpen,
        InvalidActDate,
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
    return await service.resolve(session, actor, call_id, kind, body)


@router.get(
    "/calls/{call_id}/resolution",
    response_model=Resolution,
    openapi_extra=access("none"),
    responses={
        **problem_responses(CallNotFound, NoResolution),
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
    return exported(await service.resolution_export(session, call_id, format, lang))


# --- Entities ---------------------------------------------------------------------------------


@router.post(
    "/entities",
    status_code=201,
    response_model=EntityRead,
    openapi_extra=APPLICANT,
    responses=problem_responses(EntityTaken),
    summary="Register an applicant entity: its own API client's tenant (or an admin for any)",
)
async def register_entity(body: EntityCreate, session: SessionDep, principal: Applicant) -> EntityRead:
    return await service.register_entity(session, principal, body)


@router.get(
    "/entities/{entity_id}",
    response_model=EntityRead,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner"),
    responses=problem_responses(EntityNotFound),
    summary="An entity: for itself, the institutions whose calls it applied to, and admins",
)
async def get_entity(entity_id: uuid.UUID, session: SessionDep, principal: Either) -> EntityRead:
    return await service.entity(session, principal, entity_id)


# --- Applications -------------------------------------------------------------------------------


@router.post(
    "/calls/{call_id}/applications",
    status_code=201,
    response_model=ApplicationRead,
    openapi_extra=access("required", ("grants:apply",)),
    responses=problem_responses(CallNotFound, CallClosed, NotEligible, IdempotencyKeyReused),
    summary="Apply to a modality with a project proposal (the registry holds it as a draft)",
)
async def submit_application(
    call_id: uuid.UUID,
    body: ApplicationCreate,
    session: SessionDep,
    actor: ApplicantActor,
    idem: Annotated[IdempotentCreate, idempotent_create("A retry with the same key submits once")],
) -> Response:
    return await idem.once(actor.principal, lambda: service.submit(session, actor, call_id, body))


@router.get(
    "/calls/{call_id}/applications",
    response_model=ApplicationPage,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner-or-partner"),
    responses=problem_responses(ApplicationNotFound),
    summary="The call's applications with their scores and states: all for its officers, its own for an entity",
)
async def list_applications(call_id: uuid.UUID, session: SessionDep, principal: Either) -> ApplicationPage:
    return await service.call_applications(session, principal, call_id)


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
    return await service.application_page(session, principal, call_id, state, limit, cursor)


@router.get(
    "/applications/{application_id}",
    response_model=ApplicationRead,
    openapi_extra=access("required", ("funding:write", "grants:apply"), tenant="owner-or-partner"),
    responses=problem_responses(ApplicationNotFound),
    summary="An application with its steps: for the call's officers and the applicant",
)
async def get_application(application_id: uuid.UUID, session: SessionDep, principal: Either) -> ApplicationRead:
    return await service.application(session, principal, application_id)


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
    return await service.admit(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/scores",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(InvalidScores)},
    summary="The signed-in evaluator's score sheet with the declaration of no conflict of interest; "
    "a new sheet is a new version; the total is computed",
)
async def score(
    application_id: uuid.UUID, body: ScoreSheet, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await service.score(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/objection",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={
        **STEP_ERRORS,
        **problem_responses(PeriodOver, InvalidActDate, DocumentReference),
    },
    summary="Object to the provisional resolution within its period, citing the files uploaded for it",
)
async def object_to(
    application_id: uuid.UUID, body: ObjectionCreate, session: SessionDep, actor: ApplicantActor
) -> ApplicationRead:
    return await service.object_to(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/objection/decision",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(InvalidScores)},
    summary="Uphold or reject an objection; sheets the evaluators revised meanwhile count only if upheld",
)
async def decide_objection(
    application_id: uuid.UUID, body: ObjectionDecision, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await service.decide_objection(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/hearing-waiver",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={**STEP_ERRORS, **problem_responses(CallStatusConflict, PeriodOver)},
    summary="Waive the hearing: no objection to the provisional resolution (within its period)",
)
async def waive_hearing(application_id: uuid.UUID, session: SessionDep, actor: ApplicantActor) -> ApplicationRead:
    return await service.waive_hearing(session, actor, application_id)


@router.post(
    "/applications/{application_id}/acceptance",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={**STEP_ERRORS, **problem_responses(PeriodOver, InvalidActDate)},
    summary="Accept the grant within its period (a partial grant with the project reformulated); "
    "the payment plan's orders are issued",
)
async def accept(
    application_id: uuid.UUID,
    session: SessionDep,
    actor: ApplicantActor,
    body: Annotated[AcceptanceCreate | None, Body()] = None,
) -> ApplicationRead:
    return await service.accept(session, actor, application_id, body)


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
    return await service.renounce(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/release",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(CallStatusConflict, ProposalNotRegistered)},
    summary="Release a renounced grant, or exclude a grantee, with the reason: the commitments are reversed and "
    "the reserve list takes over in its order",
)
async def release(
    application_id: uuid.UUID, body: Withdrawal, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await service.release(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/payments",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(InvalidAmount)},
    summary="Pay a budget year's first due payment order (a disbursement in the ledger)",
)
async def pay(application_id: uuid.UUID, body: Payment, session: SessionDep, actor: OfficerActor) -> ApplicationRead:
    return await service.pay(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/justification",
    response_model=ApplicationRead,
    openapi_extra=APPLICANT,
    responses={
        **STEP_ERRORS,
        **problem_responses(InvalidAmount, PeriodOver, DocumentReference),
    },
    summary="Justify the spending by expense line (budget categories of the call), within the period, "
    "citing the files uploaded for it",
)
async def justify(
    application_id: uuid.UUID, body: JustificationCreate, session: SessionDep, actor: ApplicantActor
) -> ApplicationRead:
    return await service.justify(session, actor, application_id, body)


@router.post(
    "/applications/{application_id}/justification/review",
    response_model=ApplicationRead,
    openapi_extra=OFFICER,
    responses={**STEP_ERRORS, **problem_responses(InvalidAmount)},
    summary="Accept or refuse each expense line with its reason: accepted expenditure booked, what was paid "
    "and not justified returned by a return order and reversing entries, the rest after justification made due",
)
async def review_justification(
    application_id: uuid.UUID, body: JustificationReview, session: SessionDep, actor: OfficerActor
) -> ApplicationRead:
    return await service.review_justification(session, actor, application_id, body)


# --- Master plan ---------------------------------------------------------------------------------


@router.get(
    "/master-plan/{institution}",
    response_model=MasterPlanReport,
    openapi_extra=access("none"),
    responses=problem_responses(NoMasterPlan),
    summary="The master plan's targets against each year's actuals",
)
async def master_plan_report(institution: Annotated[str, Path(max_length=64)], session: SessionDep) -> MasterPlanReport:
    return await service.master_plan_report(session, institution)
