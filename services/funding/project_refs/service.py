"""Keeping and reading the local reference of projects."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.project_refs import repository
from services.funding.project_refs.models import ProjectRef
from shared.auth import Principal, may_read
from shared.contracts.projects import PROJECT_EVENT_TYPES, ProjectStateV1
from shared.events import CloudEvent
from shared.problems import Conflict, NotFound

CANCELLED = "5"  # IATI ActivityStatus


class ProjectRefNotFound(NotFound):
    kind, title = "project-not-found", "Project unknown to the funding service"


async def apply_project_event(session: AsyncSession, event: CloudEvent) -> None:
    if event.type not in PROJECT_EVENT_TYPES:
        return
    state = ProjectStateV1.model_validate(event.data)
    await repository.save_if_newer(
        session,
        {
            "id": state.id,
            "version": state.version,
            "owner": state.owner,
            "code": state.code,
            "status": state.status,
            "visibility": state.visibility,
            "archived": state.archived,
            # The organisations that read the project's money: those it names, as the registry does.
            "partners": sorted({org.ref for org in state.participating_orgs if org.ref != state.owner}),
            "updated_at": state.updated_at,
        },
    )


async def visible_ref(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> ProjectRef | None:
    """The reference if the caller may read the project; None for unknown and invisible alike."""
    ref = await repository.get(session, project_id)
    return ref if ref is not None and may_read(principal, ref.owner, ref.partners) else None


async def get_ref(session: AsyncSession, principal: Principal, project_id: uuid.UUID) -> ProjectRef:
    ref = await visible_ref(session, principal, project_id)
    if ref is None:
        raise ProjectRefNotFound(f"No project {project_id} has reached the funding service")
    return ref


class ProjectNotFundable(Conflict):
    kind, title = "project-not-fundable", "The project cannot take money"


async def fundable_project(
    session: AsyncSession, principal: Principal, project_id: uuid.UUID, *, allow_closed: bool = False
) -> ProjectRef:
    """The project, if it may take money: known here, visible to the caller, neither archived nor
    cancelled (reads and reversals of past mistakes are allowed on those with allow_closed)."""
    ref = await get_ref(session, principal, project_id)
    if not allow_closed and ref.archived:
        raise ProjectNotFundable(f"Project {ref.code} is archived")
    if not allow_closed and ref.status == CANCELLED:
        raise ProjectNotFundable(f"Project {ref.code} is cancelled")
    return ref
