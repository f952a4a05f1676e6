"""Renunciations and exclusions, and the reserve list taking over the money they release.

A grantee renounces (the entity's step); the institution then releases the grant, or excludes a
grantee (its own step, with its reason): the commitments are reversed, and, if the call keeps a
reserve list, the money goes to the reserve of the same modality in its order (full grants while
they fit, then a partial one if the call allows it), each with its reason, recorded in the
published resolution as a take-over. Without a reserve list the money stays in the modality."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.allocation import Reserve, take_over
from services.funding.grants.applications import ApplicationStateConflict, for_entity, for_officer, move
from services.funding.grants.calls import CallStatusConflict
from services.funding.grants.deadlines import act_day
from services.funding.grants.grant_money import book_commitments, cancel_orders
from services.funding.grants.models import GrantApplication, GrantCall
from services.funding.grants.resolutions import ProposalNotRegistered, partial_share
from services.funding.grants.schemas import Resolution, ResolutionDecision, TakeOver, Withdrawal
from services.funding.ledger.schemas import Reversal
from services.funding.ledger.service import reverse_transaction
from shared.actor import Actor
from shared.contracts import grants as contracts

RELEASABLE = {"granted", "accepted", "renounced"}


def _fmt(money: dict[int, Decimal]) -> str:
    return ", ".join(f"{y}: {a:.2f} EUR" for y, a in sorted(money.items())) or "nothing"


async def renounce(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Withdrawal
) -> GrantApplication:
    call, application = await for_entity(session, actor.principal, application_id)
    if application.bookings.get("disbursement"):
        raise ApplicationStateConflict(
            f"{application.reference} has been paid: a renunciation now is a return, through its justification"
        )
    on = act_day(actor.principal, data.on, "on", None)
    note = f"renounced on {on.isoformat()}: {data.reason}"
    await move(session, actor, call, application, "renounced", {"granted", "accepted"}, note)
    return application


async def release(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Withdrawal) -> GrantApplication:
    """The institution's act: a renounced grant released, or a grantee excluded; the reserve takes over."""
    call, application = await for_officer(session, actor.principal, application_id)
    if call.status != "resolved" or call.resolution is None:
        raise CallStatusConflict(f"Call {call.code} is {call.status}: grants are released after the definitive one")
    if application.state not in RELEASABLE:
        raise ApplicationStateConflict(
            f"Application {application.reference} is {application.state}: no grant to release"
        )
    if application.bookings.get("disbursement"):
        raise ApplicationStateConflict(
            f"{application.reference} has been paid: what it does not justify is returned through its justification"
        )
    resolution = Resolution.model_validate(call.resolution)
    on = act_day(actor.principal, data.on, "on", resolution.resolved_on)
    freed = events.money(application.granted)
    for txn_id in application.bookings.get("commitment", {}).values():
        entry = await repository.transaction(session, uuid.UUID(txn_id))
        if entry is not None:
            await reverse_transaction(
                session,
                actor,
                entry.id,
                Reversal(reason=f"{application.reference}: grant released ({data.reason})", value_date=on),
            )
    application.bookings = {k: v for k, v in application.bookings.items() if k != "commitment"}
    await cancel_orders(session, application, f"grant released: {data.reason}")
    renounced = application.state == "renounced"
    why = f"{'renounced' if renounced else 'excluded'} on {on.isoformat()}: {data.reason}"
    application.decision_reason = f"grant of {_fmt(freed)} released; {why}"
    application.granted = {}
    await move(
        session,
        actor,
        call,
        application,
        "renounced" if renounced else "excluded",
        RELEASABLE,
        application.decision_reason,
    )
    await _take_over(session, actor, call, resolution, application, freed, on, why)
    return application


async def _take_over(
    session: AsyncSession,
    actor: Actor,
    call: GrantCall,
    resolution: Resolution,
    released: GrantApplication,
    freed: dict[int, Decimal],
    on: date,
    why: str,
) -> None:
    modality = released.modality
    pool = dict(resolution.left_by_modality.get(modality, {}))
    for year, amount in freed.items():
        pool[year] = pool.get(year, Decimal(0)) + amount
    rows = {str(d.application_id): d for d in resolution.decisions}
    waiting = await repository.applications(session, call.id, lock=True)
    reserves = [
        Reserve(str(a.id), a.reference, rows[str(a.id)].reserve or 0, events.money(a.requested))
        for a in waiting
        if a.modality == modality and a.state == "denied" and rows.get(str(a.id)) and rows[str(a.id)].reserve
    ]
    funded, left = take_over(pool, reserves, partial_share(call)) if call.rules.get("reserve_list") else ([], pool)
    by_id = {str(a.id): a for a in waiting}
    decided: list[ResolutionDecision] = []
    for reserve, grant, partial in funded:
        application = by_id[reserve.id]
        if not await repository.in_registry(session, application.project_id):
            raise ProposalNotRegistered(f"Proposal {application.reference} is not yet in the registry")
        asked = sum(reserve.requested.values(), Decimal(0))
        share = (sum(grant.values(), Decimal(0)) * 100 / asked).quantize(Decimal("0.01"))
        reason = (
            f"funded from the reserve list, position {reserve.position} of {modality}, with the {_fmt(freed)} "
            f"released by {released.reference} ({why}): "
            + (
                f"partially, {_fmt(grant)} ({share} %); the applicant reformulates the project"
                if partial
                else "in full"
            )
        )
        application.granted = {str(y): str(a) for y, a in sorted(grant.items())}
        application.decision_reason = reason
        await book_commitments(session, actor, call, application, on)
        await move(
            session, actor, call, application, "granted", {"denied"}, reason, event_type=contracts.APPLICATION_GRANTED
        )
        row = rows[reserve.id].model_copy(
            update={"funded": True, "granted": grant, "reason": reason, "partial": partial}
        )
        rows[reserve.id] = row
        decided.append(row)
    rows[str(released.id)] = rows[str(released.id)].model_copy(
        update={"funded": False, "granted": {}, "reason": released.decision_reason or why}
    )
    takeover = TakeOver(
        at=datetime.now(UTC),
        on=on,
        released_by=released.reference,
        why=why,
        released=freed,
        funded=decided,
        left=dict(sorted(left.items())),
    )
    updated = resolution.model_copy(
        update={
            "decisions": [rows[str(d.application_id)] for d in resolution.decisions],
            "left_by_modality": {**resolution.left_by_modality, modality: takeover.left},
            "takeovers": [*resolution.takeovers, takeover],
        }
    )
    call.resolution = updated.model_dump(mode="json")
    call.updated_at = datetime.now(UTC)
    await session.flush()
