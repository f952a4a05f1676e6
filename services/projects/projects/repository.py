"""Every query of the project registry."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects.models import Project
from shared.auth import Principal
from shared.problems import Unprocessable


async def get(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await session.get(Project, project_id)


async def code_taken(session: AsyncSession, owner: str, code: str) -> bool:
    found = await session.execute(select(Project.id).where(Project.owner == owner, Project.code == code))
    return found.first() is not None


def encode_cursor(project: Project) -> str:
    return base64.urlsafe_b64encode(f"{project.created_at.isoformat()}|{project.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        created, ident = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Unprocessable(
            "The cursor is not one this API issued",
            errors=[{"field": "cursor", "in": "query", "message": "invalid cursor", "value": cursor}],
        ) from exc


def visibility_filter(principal: Principal | None) -> ColumnElement[bool]:
    """Published projects, plus the drafts this principal may see (same rule as service.visible_to)."""
    published = Project.visibility == "published"
    if principal is None or not principal.has_any(["projects:read"]):
        return published
    if principal.is_admin:
        return true()
    if principal.tenant_kind == "institution":
        return or_(published, Project.owner == principal.tenant)
    return or_(published, Project.participating_orgs.contains([{"ref": principal.tenant}]))


async def page(
    session: AsyncSession, *, principal: Principal | None, limit: int, cursor: str | None, owner: str | None = None
) -> tuple[list[Project], str | None]:
    query = select(Project).where(visibility_filter(principal)).order_by(Project.created_at, Project.id)
    query = query.limit(limit + 1)
    if owner:
        query = query.where(Project.owner == owner)
    if cursor:
        query = query.where(tuple_(Project.created_at, Project.id) > decode_cursor(cursor))
    rows = list((await session.execute(query)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None
