"""Business rules of the project registry. Functions flush; the caller's edge commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects import repository
from services.projects.projects.events import TOPIC, project_event
from services.projects.projects.models import Project
from services.projects.projects.schemas import ProjectCreate
from shared.auth import Principal, ensure_may_write_for, may_see_unpublished
from shared.contracts.projects import PROJECT_REGISTERED
from shared.outbox import enqueue
from shared.problems import Conflict, NotFound


class ProjectNotFound(NotFound):
    kind, title = "project-not-found", "Project not found"


class ProjectCodeTaken(Conflict):
    kind, title = "project-code-taken", "The owner already has a project with this code"


async def register_project(
    session: AsyncSession, principal: Principal, data: ProjectCreate, source: str, traceparent: str | None = None
) -> Project:
    ensure_may_write_for(principal, data.owner)
    if await repository.code_taken(session, data.owner, data.code):
        raise ProjectCodeTaken(f"{data.owner} already uses code {data.code}")
    now = datetime.now(UTC)
    project = Project(
        id=uuid.uuid4(),
        version=1,
        owner=data.owner,
        code=data.code,
        title=data.title,
        description=data.description,
        status=data.status,
        visibility=data.visibility,
        partner_cities=[c.model_dump() for c in data.partner_cities],
        participating_orgs=[o.model_dump() for o in data.participating_orgs],
        sdg_goals=[g.model_dump(mode="json") for g in data.sdg_goals],
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    await session.flush()
    await enqueue(session, TOPIC, str(project.id), project_event(PROJECT_REGISTERED, project, source, traceparent))
    return project


async def get_project(session: AsyncSession, principal: Principal | None, project_id: uuid.UUID) -> Project:
    """A published project for anyone; a draft only for its owner or partners (else not found)."""
    project = await repository.get(session, project_id)
    if project is None or not visible_to(principal, project):
        raise ProjectNotFound(f"No project {project_id}")
    return project


def visible_to(principal: Principal | None, project: Project) -> bool:
    return project.visibility == "published" or may_see_unpublished(principal, project.owner, project.partner_refs())
