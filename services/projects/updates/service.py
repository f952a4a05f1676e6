"""Partner updates: a partner pushes, the owning institution approves or returns, the partner may
resubmit. Only approved actuals reach the results framework (and so the reports); a locked period
takes none. Every step is logged (who, when) and emitted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects import repository as projects
from services.projects.projects.models import Project
from services.projects.projects.service import ensure_not_archived, not_found, record_actuals
from services.projects.updates import repository
from services.projects.updates.models import PartnerUpdate
from services.projects.updates.schemas import Batch, BatchReport, BatchResult, Receipt, Review, UpdateContent
from shared.actor import Actor
from shared.auth import OtherTenant, Principal, may_write_for
from shared.contracts import projects as events
from shared.emit import emit
from shared.kafka import PROJECTS_TOPIC
from shared.problem_texts import field_error
from shared.problems import Conflict, NotFound, ProblemError, Unprocessable

UNIT_OR_NUMBER = {"1", "2", "3", "4"}


class UpdateNotFound(NotFound):
    kind, title = "update-not-found", "No such partner update"


class NotAPartner(OtherTenant):
    kind, title = "not-a-partner", "Only the project's partner organisations push updates for it"


class InvalidUpdate(Unprocessable):
    kind, title = "invalid-update", "The update does not fit the project's results framework"


class UpdateStateConflict(Conflict):
    kind, title = "update-state", "The update is not in a state that allows this"


def receipt(update: PartnerUpdate, validation: list[str] | None = None) -> Receipt:
    return Receipt(
        id=update.id,
        project_id=update.project_id,
        owner=update.owner,
        partner=update.partner,
        status=update.status,
        version=update.version,
        content=update.content,
        validation=validation if validation is not None else list(update.content.get("_validation", [])),
        log=update.log,
        created_at=update.created_at,
        updated_at=update.updated_at,
    )


def _periods(project: Project) -> dict[tuple[str, str, str], dict[str, Any]]:
    found = {}
    for result in project.doc.get("results", []):
        for indicator in result.get("indicators", []):
            for period in indicator.get("periods", []):
                found[(str(indicator["id"]), period["start"], period["end"])] = {
                    **period,
                    "_measure": indicator["measure"],
                }
    return found


def validate(project: Project, content: UpdateContent) -> list[str]:
    """Something to report (a narrative, actuals or spending); each actual must name a period of the
    project's framework, open, with a value its measure takes."""
    periods = _periods(project)
    errors: list[dict[str, Any]] = []
    checked: list[str] = []
    if not any(text.strip() for text in content.narrative.values()) and not content.actuals and not content.spending:
        # Links alone report nothing: an update says what happened, what was achieved or what was spent.
        errors.extend(field_error(field, "update_empty") for field in ("narrative", "actuals", "spending"))
    for n, actual in enumerate(content.actuals):
        key = (str(actual.indicator_id), actual.period_start.isoformat(), actual.period_end.isoformat())
        period = periods.get(key)
        field = f"actuals.{n}"
        if period is None:
            errors.append(field_error(field, "no_such_period"))
        elif period.get("locked"):
            errors.append(field_error(field, "period_locked"))
        elif period["_measure"] in UNIT_OR_NUMBER and actual.value is None:
            errors.append(field_error(f"{field}.value", "takes_a_number"))
        elif period["_measure"] == "5" and actual.value is not None:
            errors.append(field_error(f"{field}.value", "takes_a_comment"))
        elif period["_measure"] == "2" and actual.value is not None and not 0 <= actual.value <= 100:
            errors.append(field_error(f"{field}.value", "percentage_range"))
        else:
            checked.append(f"actual for indicator {key[0]} {key[1]}..{key[2]}: period open, value fits")
    for n, spend in enumerate(content.spending):
        if spend.period_end < spend.period_start:
            errors.append(field_error(f"spending.{n}", "end_before_start", end="period_end", start="period_start"))
        else:
            checked.append(f"spending of {spend.amount} {spend.currency}: currency known")
    if errors:
        raise InvalidUpdate(f"{len(errors)} problem(s) in the update", errors=errors)
    return checked


async def _emit(session: AsyncSession, actor: Actor, event_type: str, update: PartnerUpdate) -> None:
    last = update.log[-1]
    state = events.PartnerUpdateV1(
        id=update.id,
        project_id=update.project_id,
        owner=update.owner,
        partner=update.partner,
        status=update.status,
        version=update.version,
        content={k: v for k, v in update.content.items() if not k.startswith("_")},
        reviewer=last.get("reviewer"),
        comments=last.get("comments"),
        updated_at=update.updated_at,
    )
    await emit(
        session, actor, PROJECTS_TOPIC, str(update.project_id), event_type, state, schema_base=events.SCHEMA_BASE
    )


def _step(actor: Actor, action: str, **extra: Any) -> dict[str, Any]:
    principal = actor.principal
    return {
        "action": action,
        "client_id": principal.client_id,
        "tenant": principal.tenant,
        "at": datetime.now(UTC).isoformat(),
        **{k: v for k, v in extra.items() if v is not None},
    }


async def _partner_project(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> Project:
    """The project, if the caller takes part in it; else the very answer a random id gets, published
    or not, so that pushes cannot probe which projects exist. An archived one takes no pushes."""
    project = await projects.get(session, project_id)
    if project is None or not (principal.is_admin or principal.tenant in project.partners):
        raise not_found(project_id)
    ensure_not_archived(project)
    return project


async def push(session: AsyncSession, actor: Actor, project_id: uuid.UUID, content: UpdateContent) -> Receipt:
    project = await _partner_project(session, actor.principal, project_id)
    checked = validate(project, content)
    now = datetime.now(UTC)
    update = PartnerUpdate(
        id=uuid.uuid4(),
        project_id=project.id,
        owner=project.owner,
        partner=actor.principal.tenant,
        status="submitted",
        version=1,
        content={**content.model_dump(mode="json"), "_validation": checked},
        log=[_step(actor, "submitted")],
        created_at=now,
        updated_at=now,
    )
    await repository.add(session, update)
    await _emit(session, actor, events.UPDATE_SUBMITTED, update)
    return receipt(update, checked)


async def push_batch(session: AsyncSession, actor: Actor, batch: Batch) -> BatchReport:
    """Each item all or nothing (its own savepoint), with a result per item: one refused item
    leaves the others pushed."""
    results = []
    for index, item in enumerate(batch.items):
        try:
            async with session.begin_nested():
                pushed = await push(session, actor, item.project_id, item.update)
            results.append(BatchResult(index=index, project_id=item.project_id, status=201, receipt=pushed))
        except ProblemError as exc:
            problem = {"type": exc.kind, "title": exc.title, "detail": exc.detail, "errors": exc.errors}
            results.append(BatchResult(index=index, project_id=item.project_id, status=exc.status, problem=problem))
    accepted = sum(r.status == 201 for r in results)
    return BatchReport(accepted=accepted, refused=len(results) - accepted, items=results)


def _visible(principal: Principal, update: PartnerUpdate) -> bool:
    return principal.is_admin or update.partner == principal.tenant or may_write_for(principal, update.owner)


async def get(
    session: AsyncSession, principal: Principal, update_id: uuid.UUID, *, lock: bool = False
) -> PartnerUpdate:
    update = await repository.get(session, update_id, lock=lock)
    if update is None or not _visible(principal, update):
        raise UpdateNotFound(f"No update {update_id}")
    return update


async def listing(
    session: AsyncSession, principal: Principal, status: str | None, project_id: uuid.UUID | None
) -> list[PartnerUpdate]:
    """A partner sees its own submissions; an institution the updates of its projects."""
    if principal.is_admin:
        return await repository.listing(session, status=status, project_id=project_id)
    if principal.tenant_kind == "institution":
        return await repository.listing(session, owner=principal.tenant, status=status, project_id=project_id)
    return await repository.listing(session, partner=principal.tenant, status=status, project_id=project_id)


async def resubmit(session: AsyncSession, actor: Actor, update_id: uuid.UUID, content: UpdateContent) -> Receipt:
    update = await get(session, actor.principal, update_id, lock=True)
    if update.partner != actor.principal.tenant and not actor.principal.is_admin:
        raise NotAPartner("Only the partner that pushed an update resubmits it")
    if update.status != "returned":
        raise UpdateStateConflict(f"The update is {update.status}; only a returned one is resubmitted")
    project = await _partner_project(session, actor.principal, update.project_id)
    checked = validate(project, content)
    update.content = {**content.model_dump(mode="json"), "_validation": checked}
    update.status = "submitted"
    update.version += 1
    update.updated_at = datetime.now(UTC)
    update.log = [*update.log, _step(actor, "resubmitted")]
    await session.flush()
    await _emit(session, actor, events.UPDATE_SUBMITTED, update)
    return receipt(update, checked)


async def review(session: AsyncSession, actor: Actor, update_id: uuid.UUID, decision: Review) -> Receipt:
    update = await get(session, actor.principal, update_id, lock=True)
    if not may_write_for(actor.principal, update.owner):
        raise OtherTenant(f"Only {update.owner} reviews updates of its projects")
    if update.status != "submitted":
        raise UpdateStateConflict(f"The update is {update.status}; only a submitted one is reviewed")
    if decision.decision == "return" and not decision.comments:
        raise Unprocessable("Comments are required to return an update", errors=[field_error("comments", "required")])
    if decision.decision == "approve":
        project = await projects.get(session, update.project_id, for_update=True)
        assert project is not None  # an update's project is never deleted
        ensure_not_archived(project)  # its results are frozen: approving would change them
        await _apply_actuals(session, actor, update, project)
    update.status = "approved" if decision.decision == "approve" else "returned"
    update.version += 1
    update.updated_at = datetime.now(UTC)
    update.log = [
        *update.log,
        _step(actor, update.status, reviewer=actor.principal.client_id, comments=decision.comments),
    ]
    await session.flush()
    await _emit(
        session, actor, events.UPDATE_APPROVED if update.status == "approved" else events.UPDATE_RETURNED, update
    )
    return receipt(update)


async def _apply_actuals(session: AsyncSession, actor: Actor, update: PartnerUpdate, project: Project) -> None:
    """The approved actuals into the project's results: a new project version, in its history."""
    actuals = update.content.get("actuals", [])
    if not actuals:
        return
    content = UpdateContent.model_validate({k: v for k, v in update.content.items() if not k.startswith("_")})
    validate(project, content)  # again: a period may have been locked since the push
    await record_actuals(
        session,
        actor,
        project,
        {(a["indicator_id"], a["period_start"], a["period_end"]): (a.get("value"), a.get("comment")) for a in actuals},
    )
