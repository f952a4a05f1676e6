"""Calls: created as drafts, opened, closed; resolutions live in resolutions.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import events, repository
from services.funding.grants.models import GrantCall
from services.funding.grants.schemas import CallCreate, CallRead
from services.funding.grants.scoring import TIE_BREAK
from shared.actor import Actor
from shared.auth import Principal, ensure_may_write_for, may_write_for
from shared.problems import Conflict, NotFound

# Which status a call may move to from each status (resolutions move it further).
OPENINGS = {"open": {"draft"}, "closed": {"open"}}


class CallNotFound(NotFound):
    kind, title = "call-not-found", "No such grant call"


class CallCodeTaken(Conflict):
    kind, title = "call-code-taken", "The institution already has a call with this code"


class CallStatusConflict(Conflict):
    kind, title = "call-status", "The call is not in a status that allows this"


def call_read(call: GrantCall) -> CallRead:
    return CallRead.model_validate(
        {
            **call.rules,
            "id": call.id,
            "institution": call.institution,
            "year": call.year,
            "code": call.code,
            "status": call.status,
            "version": call.version,
            "budget_by_year": events.budget_by_year(call),
            "tie_break": TIE_BREAK,
            "created_at": call.created_at,
            "updated_at": call.updated_at,
        }
    )


def _is_officer(principal: Principal | None, call: GrantCall) -> bool:
    return principal is not None and principal.has_any(["funding:write"]) and may_write_for(principal, call.institution)


def drafts_listed(principal: Principal | None) -> tuple[str | None, bool]:
    """Whose drafts the caller sees in the list of calls: (their institution, every one). An
    institution's officers see its own; an admin every institution's; anyone else none."""
    if principal is None or not principal.has_any(["funding:write"]):
        return None, False
    if principal.is_admin:
        return None, True
    return (principal.tenant, False) if principal.tenant_kind == "institution" else (None, False)


async def visible_call(session: AsyncSession, principal: Principal | None, call_id: uuid.UUID) -> GrantCall:
    """Published calls are public; a draft only to its institution's officers."""
    call = await repository.call(session, call_id)
    if call is None or (call.status == "draft" and not _is_officer(principal, call)):
        raise CallNotFound(f"No call {call_id}")
    return call


async def officer_call(session: AsyncSession, principal: Principal, call_id: uuid.UUID) -> GrantCall:
    """The call, locked, for a change by an officer of its institution. Another institution's
    draft is not there for the caller (404, as visible_call); a published one is a refusal (403)."""
    call = await repository.call(session, call_id, lock=True)
    if call is None or (call.status == "draft" and not _is_officer(principal, call)):
        raise CallNotFound(f"No call {call_id}")
    ensure_may_write_for(principal, call.institution)
    return call


async def create_call(session: AsyncSession, actor: Actor, data: CallCreate) -> GrantCall:
    ensure_may_write_for(actor.principal, data.institution)
    if await repository.code_taken(session, data.institution, data.code):
        raise CallCodeTaken(f"{data.institution} already has call {data.code}")
    now = datetime.now(UTC)
    call = GrantCall(
        id=uuid.uuid4(),
        institution=data.institution,
        year=data.year,
        code=data.code,
        status="draft",
        version=1,
        rules=data.model_dump(mode="json", exclude={"institution", "year", "code"}),
        created_at=now,
        updated_at=now,
    )
    session.add(call)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent create took the code between the check and here
        raise CallCodeTaken(f"{data.institution} already has call {data.code}") from exc
    await events.call_changed(session, actor, call)
    return call


async def move_call(session: AsyncSession, actor: Actor, call: GrantCall, status: str, allowed_from: set[str]) -> None:
    if call.status not in allowed_from:
        raise CallStatusConflict(f"Call {call.code} is {call.status}; it cannot become {status}")
    call.status = status
    call.version += 1
    call.updated_at = datetime.now(UTC)
    await session.flush()
    await events.call_changed(session, actor, call)


async def transition(session: AsyncSession, actor: Actor, call_id: uuid.UUID, status: str) -> GrantCall:
    call = await officer_call(session, actor.principal, call_id)
    await move_call(session, actor, call, status, OPENINGS[status])
    return call
