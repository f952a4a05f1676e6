"""Applications, from submission to acceptance: every step checks the state it starts from,
records who took it and why, and emits the application's new state."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.calls import CallStatusConflict, officer_call, visible_call
from services.funding.grants.deadlines import act_day, calendar_of, ensure_within, periods_of
from services.funding.grants.document_refs import cited
from services.funding.grants.entities import EntityNotFound, ensure_entity, entity_of, is_entity
from services.funding.grants.models import (
    GrantApplication,
    GrantApplicationStep,
    GrantCall,
    GrantEntity,
    GrantPaymentOrder,
    GrantScoreSheet,
)
from services.funding.grants.schemas import (
    AcceptanceCreate,
    Admission,
    ApplicationCreate,
    ApplicationRead,
    ObjectionCreate,
    ObjectionDecision,
    PaymentOrderRead,
    ScoreSheet,
    ScoreSheetRead,
    Step,
)
from services.funding.grants.scoring import criterion_scores, total_score
from shared.actor import Actor
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


NO_CONFLICT = (
    "I declare that I have no conflict of interest with this application, its entity or its partners "
    "(Llei 40/2015, art. 23-24)"
)


def decimal_sheets(sheets: dict[str, dict[str, str]]) -> dict[str, dict[str, Decimal]]:
    return {who: {c: Decimal(p) for c, p in points.items()} for who, points in sheets.items()}


def criteria_of(call: GrantCall) -> list[str]:
    return [c["code"] for c in call.rules["criteria"]]


def application_read(
    call: GrantCall,
    application: GrantApplication,
    steps: list[GrantApplicationStep],
    sheets_on_file: Sequence[GrantScoreSheet] = (),
    orders: Sequence[GrantPaymentOrder] = (),
    hide_scores: bool = False,
) -> ApplicationRead:
    """`hide_scores`: for the applicant before the resolution, which makes them known."""
    sheets = {} if hide_scores else decimal_sheets(application.scores)
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
        proposal=application.proposal,
        documents=application.documents,
        scores=sheets,
        criterion_scores=criterion_scores(sheets, criteria_of(call)),
        total_score=None if hide_scores else application.total_score,
        decision_reason=application.decision_reason,
        granted=events.money(application.granted),
        objection=application.objection,
        justification=application.justification,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        steps=[Step.model_validate(s, from_attributes=True) for s in steps],
        acceptance=application.acceptance,
        score_sheets=[]
        if hide_scores
        else [ScoreSheetRead.model_validate(s, from_attributes=True) for s in sheets_on_file],
        payment_orders=[PaymentOrderRead.model_validate(o, from_attributes=True) for o in orders],
    )


def scores_hidden(principal: Principal, call: GrantCall) -> bool:
    """Applicants learn the scores with the (provisional) resolution; the call's officers always."""
    return call.resolution is None and not may_write_for(principal, call.institution)


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
    errors: list[dict[str, object]] = [
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
    if not sheet.no_conflict_of_interest:
        errors.append(
            {
                "field": "no_conflict_of_interest",
                "message": "an evaluator with a conflict of interest abstains: the sheet is not taken",
                "value": False,
            }
        )
    if errors:
        raise InvalidScores("The score sheet does not fit the call's criteria or lacks its declaration", errors=errors)
    return {code: str(points) for code, points in sheet.points.items()}


def _rescore(
    call: GrantCall, application: GrantApplication, sheets: list[GrantScoreSheet], before: datetime | None
) -> None:
    """The scores from each evaluator's latest sheet (filed before `before`, if given)."""
    latest: dict[str, dict[str, str]] = {}
    for sheet in sorted(sheets, key=lambda s: (s.evaluator, s.version)):
        if before is None or sheet.at < before:
            latest[sheet.evaluator] = dict(sheet.points)
    application.scores = latest
    application.total_score = total_score(decimal_sheets(latest), criteria_of(call))


async def score(session: AsyncSession, actor: Actor, application_id: uuid.UUID, sheet: ScoreSheet) -> GrantApplication:
    """The signed-in evaluator's sheet, with their declaration of no conflict of interest. A second
    sheet of the same evaluator is a new version: the earlier is kept, the latest counts. While an
    objection is pending, a revised sheet answers it (and counts only if the objection is upheld)."""
    call, application = await for_officer(session, actor.principal, application_id)
    revising = call.status == "provisionally-resolved" and application.state == "objected"
    if call.status != "closed" and not revising:
        raise CallStatusConflict(
            f"Call {call.code} is {call.status}: applications are scored once it is closed, and revised on an objection"
        )
    points = _validated_sheet(call, sheet)
    evaluator = actor.principal.client_id
    sheets = await repository.score_sheets(session, application.id)
    version = 1 + max((s.version for s in sheets if s.evaluator == evaluator), default=0)
    row = GrantScoreSheet(
        application_id=application.id,
        evaluator=evaluator,
        tenant=actor.principal.tenant,
        version=version,
        points=points,
        no_conflict={"declared": True, "text": NO_CONFLICT},
        note=sheet.note,
        at=datetime.now(UTC),
    )
    session.add(row)
    _rescore(call, application, [*sheets, row], None)
    note = f"score sheet of {evaluator}, version {version}" + (f": {sheet.note}" if sheet.note else "")
    if revising:
        await move(session, actor, call, application, "objected", {"objected"}, note)
    else:
        await move(session, actor, call, application, "scored", {"admitted", "scored"}, note)
    return application


def _hearing(call: GrantCall, application: GrantApplication) -> tuple[date, date]:
    """(date of the provisional resolution, last day to object), for an application that may still
    object or waive: once it did either, its hearing is over."""
    if call.status != "provisionally-resolved" or call.resolution is None:
        raise CallStatusConflict(f"Call {call.code} is {call.status}: objections follow the provisional resolution")
    if application.objection is not None:
        done = "waived its hearing" if application.objection["status"] == "waived" else "filed its objection"
        raise ApplicationStateConflict(f"Application {application.reference} already {done}")
    since = date.fromisoformat(call.resolution.get("resolved_on") or call.resolution["resolved_at"][:10])
    deadline = call.resolution.get("objections_until")
    return since, (
        date.fromisoformat(deadline) if deadline else calendar_of(call).add(since, periods_of(call).objection_days)
    )


async def object_to(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: ObjectionCreate
) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    since, deadline = _hearing(call, application)
    filed_on = act_day(actor.principal, data.filed_on, "filed_on", since)
    ensure_within("object", filed_on, deadline, periods_of(call).objection_days, since, "filed_on")
    documents = await cited(session, application, data.documents, "objection")
    application.objection = {
        "text": data.text,
        "documents": documents,
        "filed_at": datetime.now(UTC).isoformat(),
        "filed_on": filed_on.isoformat(),
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
    if not data.upheld:  # sheets revised while it was pending stay on file, and do not count
        filed_at = datetime.fromisoformat(application.objection["filed_at"])
        _rescore(call, application, await repository.score_sheets(session, application.id), filed_at)
    application.objection = {
        **application.objection,
        "status": "upheld" if data.upheld else "rejected",
        "answer": data.answer,
        "decided_at": datetime.now(UTC).isoformat(),
    }
    back = str(application.objection["from_state"])
    await move(session, actor, call, application, back, {"objected"}, data.answer)
    return application


async def waive_hearing(session: AsyncSession, actor: Actor, application_id: uuid.UUID) -> GrantApplication:
    """The applicant declares it will not object (Llei 39/2015, art. 82.4), so the definitive
    resolution need not wait for the period's end on its account."""
    call, application = await for_entity(session, actor.principal, application_id)
    if application.state not in ("provisionally-granted", "provisionally-denied"):
        raise ApplicationStateConflict(f"Application {application.reference} is {application.state}: no hearing")
    since, deadline = _hearing(call, application)
    waived_on = act_day(actor.principal, None, "waived_on", since)
    ensure_within("waive the hearing", waived_on, deadline, periods_of(call).objection_days, since, "waived_on")
    application.objection = {"status": "waived", "filed_at": datetime.now(UTC).isoformat()}
    await move(
        session,
        actor,
        call,
        application,
        application.state,
        {application.state},
        f"hearing waived: no objection to the provisional resolution (period until {deadline.isoformat()})",
    )
    return application


def is_partial(application: GrantApplication) -> bool:
    granted, requested = events.money(application.granted), events.money(application.requested)
    return bool(granted) and granted != requested


async def accept(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: AcceptanceCreate
) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    if application.state != "granted":
        raise ApplicationStateConflict(f"Application {application.reference} is {application.state}: nothing to accept")
    since, deadline = _acceptance_period(call, application)
    accepted_on = act_day(actor.principal, data.accepted_on, "accepted_on", since)
    ensure_within("accept", accepted_on, deadline, periods_of(call).acceptance_days, since, "accepted_on")
    partial = is_partial(application)
    if partial and data.reformulation is None:
        raise Unprocessable(
            f"{application.reference} was granted part of its request: the acceptance reformulates the project",
            errors=[{"field": "reformulation", "message": "required for a partial grant"}],
        )
    application.acceptance = {
        "on": accepted_on.isoformat(),
        "partial": partial,
        "reformulation": data.reformulation,
    }
    note = "grant accepted" + (", project reformulated to the partial grant" if partial else "")
    await move(session, actor, call, application, "accepted", {"granted"}, note)
    return application


def _acceptance_period(call: GrantCall, application: GrantApplication) -> tuple[date, date]:
    """(start, last day) of the period to accept: from the definitive resolution, or from the day
    the reserve list brought the grant."""
    resolution = call.resolution or {}
    since = date.fromisoformat(resolution.get("resolved_on") or resolution["resolved_at"][:10])
    for takeover in resolution.get("takeovers", []):
        if any(d["application_id"] == str(application.id) for d in takeover["funded"]):
            since = date.fromisoformat(takeover["on"])
    return since, calendar_of(call).add(since, periods_of(call).acceptance_days)


async def of_call(
    session: AsyncSession, principal: Principal, call_id: uuid.UUID
) -> tuple[GrantCall, list[GrantApplication]]:
    """All applications of a call for its institution's officers; an entity's own for the entity
    (a published call only); others learn nothing."""
    call = await repository.call(session, call_id)
    if call is not None and may_write_for(principal, call.institution):
        return call, await repository.applications(session, call.id)
    if call is not None and call.status != "draft" and principal.tenant_kind == "partner":
        entity = await repository.entity_of_tenant(session, principal.tenant)
        if entity is not None:
            return call, await repository.applications(session, call.id, entity_id=entity.id)
    raise ApplicationNotFound(f"No applications of call {call_id} for {principal.tenant}")
