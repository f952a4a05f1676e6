"""Keeping `sdg_attribution` current: after any batch that touched projects' goals or money."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.models import FundingView, ProjectView
from services.reporting.sdg.attribution import FIELDS, METHODS, attribution_rows
from services.reporting.sdg.models import SdgAttribution


async def refresh_attribution(session: AsyncSession, project_ids: set[uuid.UUID]) -> None:
    if not project_ids:
        return
    ids = list(project_ids)
    zero = 0
    rows = await session.execute(
        select(
            ProjectView.id,
            ProjectView.sdg_goals,
            func.coalesce(FundingView.budget_eur, zero).label("budgeted"),
            func.coalesce(FundingView.committed_eur, zero).label("committed"),
            func.coalesce(FundingView.disbursed_eur, zero).label("disbursed"),
            func.coalesce(FundingView.spent_eur, zero).label("spent"),
        )
        .outerjoin(FundingView, FundingView.id == ProjectView.id)
        .where(ProjectView.id.in_(ids))
    )
    values: list[dict[str, Any]] = []
    for row in rows.all():
        amounts = {name: Decimal(getattr(row, name)) for name in FIELDS}
        for method in METHODS:
            for level, code, money in attribution_rows(row.sdg_goals, amounts, method):
                values.append({"project_id": row.id, "method": method, "level": level, "code": code, **money})
    await session.execute(delete(SdgAttribution).where(SdgAttribution.project_id.in_(ids)))
    if values:
        await session.execute(insert(SdgAttribution), values)
