"""Funding sources of each institution, and for EU sources the co-financing arithmetic."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.filters import check_institution
from services.funding.sources import repository
from services.funding.sources.models import FundingSource
from services.funding.sources.repository import EXPENDITURE
from services.funding.sources.schemas import PeriodFigures, ReportingPeriod, SourceCreate, SourceSummary
from shared.auth import Principal, ensure_may_write_for, may_read
from shared.problem_texts import field_error
from shared.problems import Conflict, NotFound, Unprocessable

EU_KINDS = {"feder", "ec-call"}
CENT = Decimal("0.01")


class SourceCodeTaken(Conflict):
    kind, title = "source-code-taken", "The institution already has a source with this code"


class SourceNotFound(NotFound):
    kind, title = "source-not-found", "No such funding source"


async def create_source(session: AsyncSession, principal: Principal, data: SourceCreate) -> FundingSource:
    ensure_may_write_for(principal, data.institution)
    if data.kind in EU_KINDS and data.co_financing_rate is None:
        raise Unprocessable(
            "EU sources state their co-financing rate",
            errors=[field_error("co_financing_rate", "required_for_eu_sources")],
        )
    if await repository.code_taken(session, data.institution, data.code):
        raise SourceCodeTaken(f"{data.institution} already has source {data.code}")
    source = FundingSource(id=uuid.uuid4(), **data.model_dump(mode="json"))
    await repository.add(session, source)
    return source


async def list_sources(session: AsyncSession, institution: str | None) -> list[FundingSource]:
    """Every institution's sources, or one's (a 422 for an institution that does not exist)."""
    check_institution(institution)
    return await repository.sources(session, institution)


async def check_source(session: AsyncSession, source_id: uuid.UUID | None, owner: str) -> FundingSource | None:
    if source_id is None:
        return None
    source = await repository.get(session, source_id)
    if source is None or source.institution != owner:
        raise Unprocessable(
            "Unknown funding source for this institution",
            errors=[field_error("source_id", "unknown_source", value=str(source_id))],
        )
    return source


def check_eligibility(source: FundingSource | None, transaction_type: str, eu_eligible: bool | None) -> None:
    """EU expenditure says whether it is eligible; nothing else may say so."""
    is_eu = source is not None and source.kind in EU_KINDS
    if is_eu and transaction_type == EXPENDITURE and eu_eligible is None:
        raise Unprocessable(
            "Expenditure charged to an EU source states whether it is eligible",
            errors=[field_error("eu_eligible", "required_for_eu_expenditure")],
        )
    if not is_eu and eu_eligible is not None:
        raise Unprocessable(
            "Only expenditure charged to an EU source has an eligibility",
            errors=[field_error("eu_eligible", "only_for_eu_sources")],
        )


def eu_figures(co_financing_rate: Decimal, eligible: Decimal) -> tuple[Decimal, Decimal]:
    """The EU share of eligible costs and the match funding the institution owes, to the cent."""
    share = (eligible * co_financing_rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return share, eligible - share


async def source_summary(session: AsyncSession, principal: Principal, source_id: uuid.UUID) -> SourceSummary:
    source = await repository.get(session, source_id)
    if source is None or not may_read(principal, source.institution, []):
        raise SourceNotFound(f"No funding source {source_id}")
    sums = await repository.totals(session, source_id)
    committed, received, spent, eligible, non_eligible = (v.quantize(CENT) for v in sums)
    summary = SourceSummary(
        source_id=source.id,
        kind=source.kind,
        co_financing_rate=source.co_financing_rate,
        committed_eur=committed,
        received_eur=received,
        spent_eur=spent,
    )
    if source.kind not in EU_KINDS or source.co_financing_rate is None:
        return summary
    share, match = eu_figures(source.co_financing_rate, eligible)
    periods = []
    for stored in source.reporting_periods:
        period = ReportingPeriod.model_validate(stored)  # JSONB holds the dates as strings
        amount = await repository.eligible_between(session, source_id, period.start, period.end)
        periods.append(
            PeriodFigures(start=period.start, end=period.end, due=period.due, eligible_eur=amount.quantize(CENT))
        )
    return summary.model_copy(
        update={
            "eligible_eur": eligible,
            "non_eligible_eur": non_eligible,
            "eu_share_eur": share,
            "match_funding_eur": match,
            "eu_balance_due_eur": share - received,
            "periods": periods,
        }
    )
