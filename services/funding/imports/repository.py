"""Every query of the transaction import."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.project_refs.models import ProjectRef


async def projects_by_code(session: AsyncSession, owner: str, codes: set[str]) -> dict[str, ProjectRef]:
    """The owner's projects known to funding whose codes are among `codes`, by code."""
    rows = await session.execute(select(ProjectRef).where(ProjectRef.owner == owner, ProjectRef.code.in_(codes)))
    return {ref.code: ref for ref in rows.scalars()}
