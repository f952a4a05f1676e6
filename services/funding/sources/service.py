"""Funding sources of each institution."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.sources.models import FundingSource
from services.funding.sources.schemas import SourceCreate
from shared.auth import Principal, ensure_may_write_for
from shared.problems import Conflict, Unprocessable

EU_KINDS = {"feder", "ec-call"}


class SourceCodeTaken(Conflict):
    kind, title = "source-code-taken", "The institution already has a source with this code"


async def create_source(session: AsyncSession, principal: Principal, data: SourceCreate) -> FundingSource:
    ensure_may_write_for(principal, data.institution)
    if data.kind in EU_KINDS and data.co_financing_rate is None:
        raise Unprocessable(
            "EU sources state their co-financing rate",
            errors=[{"field": "co_financing_rate", "message": "required for feder and ec-call sources"}],
        )
    taken = await session.execute(
        select(FundingSource.id).where(FundingSource.institution == data.institution, FundingSource.code == data.code)
    )
    if taken.first() is not None:
        raise SourceCodeTaken(f"{data.institution} already has source {data.code}")
    source = FundingSource(id=uuid.uuid4(), **data.model_dump(mode="json"))
    session.add(source)
    await session.flush()
    return source


async def list_sources(session: AsyncSession, institution: str | None) -> list[FundingSource]:
    query = select(FundingSource).order_by(FundingSource.institution, FundingSource.code)
    if institution:
        query = query.where(FundingSource.institution == institution)
    return list((await session.execute(query)).scalars())


async def check_source(session: AsyncSession, source_id: uuid.UUID | None, owner: str) -> None:
    if source_id is None:
        return
    source = await session.get(FundingSource, source_id)
    if source is None or source.institution != owner:
        raise Unprocessable(
            "Unknown funding source for this institution",
            errors=[{"field": "source_id", "message": "unknown source", "value": str(source_id)}],
        )
