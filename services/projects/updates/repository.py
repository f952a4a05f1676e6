"""Every query of partner updates."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.updates.models import PartnerUpdate

# A listing is a working list, not an archive: the newest this many.
LISTING_LIMIT = 500


async def add(session: AsyncSession, update: PartnerUpdate) -> None:
    session.add(update)
    await session.flush()


async def get(session: AsyncSession, update_id: uuid.UUID, *, lock: bool = False) -> PartnerUpdate | None:
    return await session.get(PartnerUpdate, update_id, with_for_update=lock)


async def listing(
    session: AsyncSession,
    *,
    owner: str | None = None,
    partner: str | None = None,
    status: str | None = None,
    project_id: uuid.UUID | None = None,
) -> list[PartnerUpdate]:
    """The newest updates first, narrowed by whichever filters are given."""
    query = select(PartnerUpdate).order_by(PartnerUpdate.created_at.desc()).limit(LISTING_LIMIT)
    if owner is not None:
        query = query.where(PartnerUpdate.owner == owner)
    if partner is not None:
        query = query.where(PartnerUpdate.partner == partner)
    if status:
        query = query.where(PartnerUpdate.status == status)
    if project_id:
        query = query.where(PartnerUpdate.project_id == project_id)
    return list((await session.execute(query)).scalars())
