"""Every query of institution years (the ledger's totals are the ledger repository's)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.institutions.models import InstitutionYear


async def year(session: AsyncSession, institution: str, year: int, *, lock: bool = False) -> InstitutionYear | None:
    return await session.get(InstitutionYear, (institution, year), with_for_update=lock)


def add(session: AsyncSession, row: InstitutionYear) -> None:
    session.add(row)
