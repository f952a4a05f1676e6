"""Provisional and definitive resolutions: the allocation applied to the call's applications,
with the figures a press release gives, stored as published. Each is dated (the date of the act)
and opens its period: objections after the provisional, acceptance after the definitive. The
definitive waits for the objection period to end, unless every applicant concerned has objected
(and been answered) or waived the hearing."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.allocation import Allocation, Candidate, ModalityBudget, allocate
from services.funding.grants.applications import criteria_of, decimal_sheets, move
from services.funding.grants.calls import CallStatusConflict, move_call, officer_call, visible_call
from services.funding.grants.deadlines import InvalidActDate, PeriodOpen, calendar_of, periods_of, today
from services.funding.grants.grant_money import book_commitments
from services.funding.grants.models import GrantApplication, GrantCall, GrantEntity
from services.funding.grants.schemas import (
    Resolution,
    ResolutionDecision,
    ResolutionFigures,
    TransferRead,
)
from services.funding.grants.scoring import TIE_BREAK, criterion_scores
from shared.actor import Actor
from shared.auth import Principal
from shared.contracts import grants as contracts
from shared.problems import Conflict, NotFound

PROVISIONAL_FROM = {"scored", "provisionally-granted", "provisionally-denied"}
HEARD = ("provisionally-granted", "provisionally-denied")
DEFINITIVE_FROM = {"provisionally-granted", "provisionally-denied"}


class ApplicationsPending(Conflict):
    kind, title = "applications-pending", "Some applications are not ready for this resolution"


class ProposalNotRegistered(Conflict):
    kind, title = "proposal-not-registered", "A funded proposal has not reached the project registry yet; retry"


class NoResolution(NotFound):
    kind, title = "no-resolution", "The call has no published resolution yet"


def _candidates(call: GrantCall, applications: list[GrantApplication]) -> list[Candidate]:
    criteria = criteria_of(call)
    candidates = []
    for a in applications:
        by_criterion = criterion_scores(decimal_sheets(a.scores), criteria)
        candidates.append(
            Candidate(
                id=str(a.id),
                reference=a.reference,
                modality=a.modality,
                admitted=a.state != "not-admitted",
                total=a.total_score,
                by_criterion=tuple(by_criterion.get(c, Decimal(0)) for c in criteria),
                submitted_at=a.submitted_at,
                requested=events.money(a.requested),
            )
        )
    return candidates


def partial_share(call: GrantCall) -> Decimal | None:
    """The call's minimum share of a partial grant, as a fraction; None when it allows none."""
    rule = call.rules.get("partial_funding")
    return Decimal(str(rule["min_share_percent"])) / 100 if rule else None


def allocation_of(call: GrantCall, applications: list[GrantApplication]) -> Allocation:
    return allocate(
        _modalities(call),
        _candidates(call, applications),
        Decimal(str(call.rules["min_score"])),
        partial_share(call),
        bool(call.rules.get("reserve_list", False)),
    )


def _modalities(call: GrantCall) -> list[ModalityBudget]:
    return [
        ModalityBudget(
            code=m["code"],
            budget={int(y): Decimal(a) for y, a in m["budget"].items()},
            remainder_to=tuple(m.get("remainder_to", [])),
        )
        for m in call.rules["modalities"]
    ]


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if whole else None


def resolution_of(
    call: GrantCall,
    applications: list[GrantApplication],
    entities: dict[uuid.UUID, GrantEntity],
    allocation: Allocation,
    kind: str,
    resolved_at: datetime,
    resolved_on: date | None = None,
    objections_until: date | None = None,
    acceptance_until: date | None = None,
) -> Resolution:
    decided = allocation.by_id()
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    by_programme: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    min_score = Decimal(str(call.rules["min_score"]))
    rows = []
    for application in applications:
        decision = decided[str(application.id)]
        programme = events.programme_of(call, application.modality)
        for year, amount in decision.granted.items():
            by_year[year] += amount
            by_programme[programme][year] += amount
        rows.append(
            ResolutionDecision(
                application_id=application.id,
                reference=application.reference,
                entity=entities[application.entity_id].name,
                modality=application.modality,
                programme=programme,
                rank=decision.rank,
                total_score=application.total_score,
                funded=decision.funded,
                granted=decision.granted,
                reason=decision.reason,
                partial=decision.partial,
                reserve=decision.reserve,
            )
        )
    order = {d.id: i for i, d in enumerate(allocation.decisions)}
    rows.sort(key=lambda r: order[str(r.application_id)])
    admitted = [a for a in applications if a.state != "not-admitted"]
    eligible = [a for a in admitted if a.total_score is not None and a.total_score >= min_score]
    funded = sum(1 for r in rows if r.funded)
    return Resolution(
        call_id=call.id,
        call_code=call.code,
        institution=call.institution,
        kind=kind,
        resolved_at=resolved_at,
        resolved_on=resolved_on,
        objections_until=objections_until,
        acceptance_until=acceptance_until,
        min_score=min_score,
        tie_break=TIE_BREAK,
        figures=ResolutionFigures(
            submitted=len(applications),
            admitted=len(admitted),
            at_or_above_minimum=len(eligible),
            funded=funded,
            funded_share_of_eligible_percent=_percent(funded, len(eligible)),
            budget_by_year=events.budget_by_year(call),
            granted_by_year=dict(sorted(by_year.items())),
            granted_by_programme={p: dict(sorted(v.items())) for p, v in sorted(by_programme.items())},
            granted_total=sum(by_year.values(), Decimal(0)),
        ),
        decisions=rows,
        transfers=[
            TransferRead(source=t.source, target=t.target, amounts=t.amounts, used=t.used) for t in allocation.transfers
        ],
        left_by_modality={code: dict(sorted(pool.items())) for code, pool in allocation.left.items()},
    )


async def resolve(
    session: AsyncSession, actor: Actor, call_id: uuid.UUID, kind: str, resolved_on: date | None = None
) -> Resolution:
    call = await officer_call(session, actor.principal, call_id)
    applications = await repository.applications(session, call.id, lock=True)
    on = resolved_on or today()
    if on > today():
        raise InvalidActDate(
            f"A resolution is not dated {on}, after today",
            errors=[{"field": "resolved_on", "message": "not after today", "value": str(on)}],
        )
    periods, calendar = periods_of(call), calendar_of(call)
    if kind == "provisional":
        if call.status != "closed":
            raise CallStatusConflict(f"Call {call.code} is {call.status}; a provisional resolution needs it closed")
        pending = [a.reference for a in applications if a.state in ("submitted", "admitted")]
        if pending:
            raise ApplicationsPending(f"Not yet admitted or scored: {', '.join(pending)}")
    else:
        if call.status != "provisionally-resolved":
            raise CallStatusConflict(
                f"Call {call.code} is {call.status}; the definitive resolution follows the provisional"
            )
        pending = [a.reference for a in applications if a.state == "objected"]
        if pending:
            raise ApplicationsPending(f"Objections not yet decided: {', '.join(pending)}")
        _ensure_hearing_over(call, applications, on)
    allocation = allocation_of(call, applications)
    decided = allocation.by_id()
    if kind == "definitive":
        missing = [
            a.reference
            for a in applications
            if decided[str(a.id)].funded and not await repository.in_registry(session, a.project_id)
        ]
        if missing:
            raise ProposalNotRegistered(f"Proposals not yet in the registry: {', '.join(missing)}")
    now = datetime.now(UTC)
    for application in applications:
        if application.state == "not-admitted":
            continue
        decision = decided[str(application.id)]
        application.granted = {str(y): str(a) for y, a in sorted(decision.granted.items())}
        application.decision_reason = decision.reason
        if kind == "provisional":
            to_state = "provisionally-granted" if decision.funded else "provisionally-denied"
            await move(session, actor, call, application, to_state, PROVISIONAL_FROM, decision.reason)
        elif decision.funded:
            await book_commitments(session, actor, call, application, on)
            await move(
                session,
                actor,
                call,
                application,
                "granted",
                DEFINITIVE_FROM,
                decision.reason,
                event_type=contracts.APPLICATION_GRANTED,
            )
        else:
            await move(session, actor, call, application, "denied", DEFINITIVE_FROM, decision.reason)
    entities = await repository.entities(session, {a.entity_id for a in applications})
    resolution = resolution_of(
        call,
        applications,
        entities,
        allocation,
        kind,
        now,
        resolved_on=on,
        objections_until=calendar.add(on, periods.objection_days) if kind == "provisional" else None,
        acceptance_until=calendar.add(on, periods.acceptance_days) if kind == "definitive" else None,
    )
    call.resolution = resolution.model_dump(mode="json")
    if kind == "provisional":
        await move_call(session, actor, call, "provisionally-resolved", {"closed", "provisionally-resolved"})
    else:
        await move_call(session, actor, call, "resolved", {"provisionally-resolved"})
    return resolution


def _ensure_hearing_over(call: GrantCall, applications: list[GrantApplication], on: date) -> None:
    """The definitive resolution is dated after the objection period, or every applicant concerned
    has objected (and been answered) or waived it."""
    provisional = Resolution.model_validate(call.resolution) if call.resolution else None
    if provisional is None or provisional.kind != "provisional":
        return
    since = provisional.resolved_on or provisional.resolved_at.date()
    if on < since:
        raise InvalidActDate(
            f"The definitive resolution cannot be dated before the provisional one of {since}",
            errors=[{"field": "resolved_on", "message": f"not before {since}", "value": str(on)}],
        )
    deadline = provisional.objections_until or calendar_of(call).add(since, periods_of(call).objection_days)
    unheard = [a.reference for a in applications if a.state in HEARD and a.objection is None]
    if on <= deadline and unheard:
        raise PeriodOpen(
            f"The period to object ends on {deadline.isoformat()}; until then the definitive resolution waits for "
            f"{len(unheard)} application(s) that neither objected nor waived it: {', '.join(unheard)}",
            errors=[{"field": "resolved_on", "message": f"after {deadline.isoformat()}", "value": str(on)}],
            deadline=deadline.isoformat(),
        )


async def published_resolution(session: AsyncSession, principal: Principal | None, call_id: uuid.UUID) -> Resolution:
    call = await visible_call(session, principal, call_id)
    if call.resolution is None:
        raise NoResolution(f"Call {call.code} is {call.status}")
    return Resolution.model_validate(call.resolution)
