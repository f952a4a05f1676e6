"""Queries of the SDG report over the kept attribution (the shared ones are readmodels/repository.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.readmodels.attribution import FIELDS
from services.reporting.readmodels.filters import FiltersDep as FiltersDep
from services.reporting.readmodels.filters import ReportFilters as ReportFilters
from services.reporting.readmodels.filters import UnknownFilterValue as UnknownFilterValue
from services.reporting.readmodels.models import ProjectView, SdgAttribution
from services.reporting.readmodels.repository import filter_conditions
from services.reporting.readmodels.repository import projects_with_money as projects_with_money

# Re-exported above under their old names for exports/, which is being reworked; new code imports
# them from readmodels.


async def live_attribution(session: AsyncSession, filters: ReportFilters, method: str) -> list[Any]:
    """The live SDG figures in one aggregate over the kept attribution: per (level, code), the
    projects and the attributed and full money ("project" rows give the totals, "none" the
    money of projects without goals)."""
    rows = await session.execute(
        select(
            SdgAttribution.level,
            SdgAttribution.code,
            func.count(),
            *(func.sum(getattr(SdgAttribution, name)) for name in FIELDS),
            *(func.sum(getattr(SdgAttribution, f"full_{name}")) for name in FIELDS),
        )
        .join(ProjectView, ProjectView.id == SdgAttribution.project_id)
        .where(SdgAttribution.method == method, *filter_conditions(ProjectView, filters))
        .group_by(SdgAttribution.level, SdgAttribution.code)
    )
    return list(rows.all())
