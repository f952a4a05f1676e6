"""Every query of the project references (the funding service's copy of the registry's projects)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.project_refs.models import ProjectRef
from shared.readmodel import upsert_if_newer


async def save_if_newer(session: AsyncSession, values: dict[str, Any]) -> None:
    """Store this version of the reference unless a newer one is stored (events may come late)."""
    await upsert_if_newer(session, ProjectRef, values)


async def get(session: AsyncSession, project_id: uuid.UUID) -> ProjectRef | None:
    return await session.get(ProjectRef, project_id)
