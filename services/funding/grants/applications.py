"""Applications, from submission to acceptance: every step checks the state it starts from,
records who took it and why, and emits the application's new state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.calls import CallStatusConflict, officer_call, visible_call
from services.funding.grants.entities import EntityNotFound, ensure_entity, entity_of, is_entity
from services.funding.grants.models import GrantApplication, GrantApplicationStep, GrantCall, GrantEntity
from services.funding.grants.schemas import (
    Admission,
    ApplicationCreate,
    ApplicationRead,
    ObjectionCreate,
    ObjectionDecision,
    ScoreSheet,
    Step,
)
from services.funding.grants.scoring import criterion_scores, total_score
from services.funding.ledger.service import Actor
from shared.auth import Forbidden, Principal, may_write_for
from shared.contracts import grants as contracts
from shared.problems import Conflict, NotFound, Unprocessable


class ApplicationNotFound(NotFound):
    kind, title = "application-not-found", "No such application"


class CallClosed(Conflict):
    kind, title = "call-closed", "The call does not take applications now"


class NotEligible(Unprocessable):
    kind, title = "not-eligible", "The application breaks the call's eligibility rules"


class ApplicationStateConflict(Conflict):
    kind, title = "application-state", "The application is not in a state that allows this"


class InvalidScores(Unprocessable):
    kind, title = "invalid-scores", "The score sheet does not fit the call's criteria"


def decimal_sheets(sheets: dict[str, dict[str, str]]) -> dict[str, dict[str, Decimal]]:
    return {who: {c: Decimal(p) for c, p in points.items()} for who, points in sheets.items()}


def criteria_of(call: GrantCall) -> list[str]:
    return [c["code"] for c in call.rules["criteria"]]


def application_read(
    call: GrantCall, application: GrantApplication, steps: list[GrantApplicationStep]
) -> ApplicationRead:
    sheets = decimal_sheets(application.scores)
    return ApplicationRead(
        id=application.id,
        call_id=application.call_id,
        entity_id=application.entity_id,
        reference=application.reference,
        modality=application.modality,
        project_id=application.project_id,
        state=application.state,
        version=application.version,
        requested=events.money(application.requested),
        duration_months=application.duration_months,
        documents=application.documents,
        scores=sheets,
        criterion_scores=criterion_scores(sheets, criteria_of(call)),
        total_score=application.total_score,
        decision_reason=application.decision_reason,
        granted=events.money(application.granted),
        objection=application.objection,
        justification=application.justification,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        steps=[Step.model_validate(s, from_attributes=True) for s in steps],
    )


async def move(
    session: AsyncSession,
    actor: Actor,
    call: GrantCall,
    application: GrantApplication,
    to_state: str,
    allowed_from: set[str],
    note: str | None = None,
    event_type: str = contracts.APPLICATION_CHANGED,
) -> None:
    """The one way an application changes state: checked, logged with who and why, and emitted."""
    if application.state not in allowed_from:
        raise ApplicationStateConflict(
            f"Application {application.reference} is {application.state}; it cannot become {to_state}"
        )
    session.add(
        GrantApplicationStep(
            application_id=application.id,
            from_state=application.state,
            to_state=to_state,
            client_id=actor.principal.client_id,
            tenant=actor.principal.tenant,
            note=note,
            at=datetime.now(UTC),
        )
    )
    application.state = to_state
    application.version += 1
    application.updated_at = datetime.now(UTC)
    await session.flush()
    entity = await repository.entity(session, application.entity_id)
    assert entity is not None
    await events.application_event(session, actor, event_type, call, entity, application)


def _check_eligibility(call: GrantCall, entity: GrantEntity, data: ApplicationCreate) -> None:
    rules = call.rules
    errors: list[dict[str, object]] = []
    modality = next((m for m in rules["modalities"] if m["code"] == data.modality), None)
    if modality is None:
        errors.append({"field": "modality", "message": "not a modality of this call", "value": data.modality})
    years = {str(y) for m in rules["modalities"] for y in m["budget"]}
    for year in data.requested:
        if str(year) not in years:
            errors.append({"field": f"requested.{year}", "message": "not a budget year of the call"})
    eligibility = rules["eligibility"]
    total = sum(data.requested.values(), Decimal(0))
    if total > Decimal(eligibility["max_grant_eur"]):
        errors.append(
            {"field": "requested", "message": f"{total} EUR is above the maximum grant {eligibility['max_grant_eur']}"}
        )
    if data.duration_months > eligibility["max_months"]:
        errors.append({"field": "duration_months", "message": f"longer than {eligibility['max_months']} months"})
    if entity.org_type not in eligibility["entity_types"]:
        errors.append({"field": "entity", "message": f"entities of type {entity.org_type} may not apply to this call"})
    if errors:
        raise NotEligible(f"{len(errors)} eligibility rule(s) broken", errors=errors)


async def _applicant(session: AsyncSession, principal: Principal, data: ApplicationCreate) -> GrantEntity:
    """The entity applying: the caller's own, or the one an admin names when migrating a past call."""
    if data.entity_id is None and data.submitted_at is None:
        return await entity_of(session, principal)
    if not principal.is_admin:
        raise Forbidden("Only an admin records an application on behalf of an entity or at a past time")
    entity = await repository.entity(session, data.entity_id) if data.entity_id else None
    if entity is None:
        raise EntityNotFound(f"No entity {data.entity_id}")
    return entity


async def submit(session: AsyncSession, actor: Actor, call_id: uuid.UUID, data: ApplicationCreate) -> GrantApplication:
    entity = await _applicant(session, actor.principal, data)
    await visible_call(session, actor.principal, call_id)  # unknown and unpublished calls are 404
    call = await repository.call(session, call_id, lock=True)
    assert call is not None
    now = data.submitted_at or datetime.now(UTC)
    opens, closes = datetime.fromisoformat(call.rules["opens_at"]), datetime.fromisoformat(call.rules["closes_at"])
    if call.status != "open" or not opens <= now < closes:
        raise CallClosed(
            f"Call {call.code} takes applications from {opens} until {closes} while open; it is {call.status}"
        )
    _check_eligibility(call, entity, data)
    application = GrantApplication(
        id=uuid.uuid4(),
        call_id=call.id,
        entity_id=entity.id,
        reference=f"{call.code}-{call.next_number:04d}",
        modality=data.modality,
        project_id=uuid.uuid4(),
        state="submitted",
        version=1,
        proposal=data.proposal.model_dump(mode="json"),
        requested={str(y): str(a) for y, a in sorted(data.requested.items())},
        documents=[d.model_dump(mode="json") for d in data.documents],
        duration_months=data.duration_months,
        scores={},
        granted={},
        bookings={},
        submitted_at=now,
        updated_at=now,
    )
    call.next_number += 1
    session.add(application)
    session.add(
        GrantApplicationStep(
            application_id=application.id,
            from_state=None,
            to_state="submitted",
            client_id=actor.principal.client_id,
            tenant=actor.principal.tenant,
            at=now,
        )
    )
    await session.flush()
    await events.application_event(session, actor, contracts.APPLICATION_SUBMITTED, call, entity, application)
    return application


async def readable(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> tuple[GrantCall, GrantApplication]:
    """The application, for its call's officers and its entity; anyone else learns nothing."""
    application = await repository.application(session, application_id)
    if application is not None:
        call = await repository.call(session, application.call_id)
        entity = await repository.entity(session, application.entity_id)
        assert call is not None and entity is not None
        if may_write_for(principal, call.institution) or is_entity(principal, entity):
            return call, application
    raise ApplicationNotFound(f"No application {application_id}")


async def for_officer(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> tuple[GrantCall, GrantApplication]:
    call, _ = await readable(session, principal, application_id)
    call = await officer_call(session, principal, call.id)
    application = await repository.application(session, application_id, lock=True)
    assert application is not None
    return call, application


async def for_entity(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> tuple[GrantCall, GrantApplication]:
    call, application = await readable(session, principal, application_id)
    entity = await repository.entity(session, application.entity_id)
    assert entity is not None
    ensure_entity(principal, entity)
    locked_call = await repository.call(session, call.id, lock=True)
    locked = await repository.application(session, application_id, lock=True)
    assert locked_call is not None and locked is not None
    return locked_call, locked


async def admit(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Admission) -> GrantApplication:
    call, application = await for_officer(session, actor.principal, application_id)
    if call.status not in ("open", "closed"):
        raise CallStatusConflict(f"Call {call.code} is {call.status}: admission is over")
    to_state = "admitted" if data.admitted else "not-admitted"
    application.decision_reason = None if data.admitted else data.reason
    await move(session, actor, call, application, to_state, {"submitted"}, data.reason)
    return application


def _validated_sheet(call: GrantCall, sheet: ScoreSheet) -> dict[str, str]:
    maxima = {c["code"]: Decimal(str(c["max_points"])) for c in call.rules["criteria"]}
    errors = [
        {"field": f"points.{code}", "message": "not a criterion of this call"}
        for code in sheet.points
        if code not in maxima
    ]
    errors += [{"field": f"points.{code}", "message": "missing"} for code in maxima if code not in sheet.points]
    errors += [
        {"field": f"points.{code}", "message": f"above the criterion's {maxima[code]} points"}
        for code, points in sheet.points.items()
        if code in maxima and points > maxima[code]
    ]
    if errors:
        raise InvalidScores(f"Score sheet of {sheet.evaluator} does not fit the criteria", errors=errors)
    return {code: str(points) for code, points in sheet.points.items()}


def _apply_sheets(call: GrantCall, application: GrantApplication, sheets: list[ScoreSheet]) -> None:
    scores = dict(application.scores)
    for sheet in sheets:
        scores[sheet.evaluator] = _validated_sheet(call, sheet)
    application.scores = scores
    application.total_score = total_score(decimal_sheets(scores), criteria_of(call))


async def score(session: AsyncSession, actor: Actor, application_id: uuid.UUID, sheet: ScoreSheet) -> GrantApplication:
    call, application = await for_officer(session, actor.principal, application_id)
    if call.status != "closed":
        raise CallStatusConflict(f"Call {call.code} is {call.status}: applications are scored once it is closed")
    _apply_sheets(call, application, [sheet])
    await move(session, actor, call, application, "scored", {"admitted", "scored"}, f"score sheet of {sheet.evaluator}")
    return application


async def object_to(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: ObjectionCreate
) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    if call.status != "provisionally-resolved":
        raise CallStatusConflict(f"Call {call.code} is {call.status}: objections follow the provisional resolution")
    if application.objection is not None:
        raise ApplicationStateConflict(f"Application {application.reference} already filed its objection")
    application.objection = {
        "text": data.text,
        "filed_at": datetime.now(UTC).isoformat(),
        "from_state": application.state,
        "status": "pending",
    }
    await move(
        session, actor, call, application, "objected", {"provisionally-granted", "provisionally-denied"}, data.text
    )
    return application


async def decide_objection(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: ObjectionDecision
) -> GrantApplication:
    call, application = await for_officer(session, actor.principal, application_id)
    if application.objection is None or application.state != "objected":
        raise ApplicationStateConflict(f"Application {application.reference} has no pending objection")
    if data.sheets and not data.upheld:
        raise InvalidScores("Revised score sheets come only with an upheld objection")
    if data.sheets:
        _apply_sheets(call, application, data.sheets)
    application.objection = {
        **application.objection,
        "status": "upheld" if data.upheld else "rejected",
        "answer": data.answer,
        "decided_at": datetime.now(UTC).isoformat(),
    }
    back = str(application.objection["from_state"])
    await move(session, actor, call, application, back, {"objected"}, data.answer)
    return application


async def accept(session: AsyncSession, actor: Actor, application_id: uuid.UUID) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    await move(session, actor, call, application, "accepted", {"granted"}, "grant accepted")
    return application


async def of_call(
    session: AsyncSession, principal: Principal, call_id: uuid.UUID
) -> tuple[GrantCall, list[GrantApplication]]:
    """All applications of a call, for its institution's officers (others learn nothing)."""
    call = await repository.call(session, call_id)
    if call is None or not may_write_for(principal, call.institution):
        raise ApplicationNotFound(f"No applications of call {call_id} for {principal.tenant}")
    return call, await repository.applications(session, call.id)
