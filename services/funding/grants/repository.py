"""Every query of the grant call, those it makes of the ledger, the project references and the
institutions' declared years included."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, extract, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants.models import (
    GrantApplication,
    GrantApplicationStep,
    GrantCall,
    GrantDocument,
    GrantDocumentContent,
    GrantEntity,
    GrantPaymentOrder,
    GrantScoreSheet,
)
from services.funding.institutions.models import InstitutionYear
from services.funding.ledger.models import Transaction
from services.funding.project_refs.models import ProjectRef


async def call(session: AsyncSession, call_id: uuid.UUID, *, lock: bool = False) -> GrantCall | None:
    return await session.get(GrantCall, call_id, with_for_update=lock)


async def calls(
    session: AsyncSession,
    institution: str | None,
    year: int | None,
    drafts_of: str | None = None,
    every_draft: bool = False,
) -> list[GrantCall]:
    """Published calls, with the drafts of `drafts_of` (an institution), or every draft (an admin)."""
    query = select(GrantCall).order_by(GrantCall.year.desc(), GrantCall.code)
    if not every_draft:
        published = GrantCall.status != "draft"
        query = query.where(or_(published, GrantCall.institution == drafts_of) if drafts_of else published)
    if institution:
        query = query.where(GrantCall.institution == institution)
    if year:
        query = query.where(GrantCall.year == year)
    return list((await session.execute(query)).scalars())


async def code_taken(session: AsyncSession, institution: str, code: str) -> bool:
    found = await session.execute(
        select(GrantCall.id).where(GrantCall.institution == institution, GrantCall.code == code)
    )
    return found.first() is not None


async def entity(session: AsyncSession, entity_id: uuid.UUID) -> GrantEntity | None:
    return await session.get(GrantEntity, entity_id)


async def entity_of_tenant(session: AsyncSession, tenant: str) -> GrantEntity | None:
    return (await session.execute(select(GrantEntity).where(GrantEntity.tenant == tenant))).scalar_one_or_none()


async def applied_to(session: AsyncSession, entity_id: uuid.UUID, institution: str) -> bool:
    """Whether the entity applied to any call of the institution."""
    found = await session.execute(
        select(GrantApplication.id)
        .join(GrantCall, GrantCall.id == GrantApplication.call_id)
        .where(GrantApplication.entity_id == entity_id, GrantCall.institution == institution)
        .limit(1)
    )
    return found.first() is not None


async def entity_taken(session: AsyncSession, tenant: str, tax_id: str) -> bool:
    found = await session.execute(
        select(GrantEntity.id).where((GrantEntity.tenant == tenant) | (GrantEntity.tax_id == tax_id))
    )
    return found.first() is not None


async def application(
    session: AsyncSession, application_id: uuid.UUID, *, lock: bool = False
) -> GrantApplication | None:
    return await session.get(GrantApplication, application_id, with_for_update=lock)


async def applications(
    session: AsyncSession, call_id: uuid.UUID, *, lock: bool = False, entity_id: uuid.UUID | None = None
) -> list[GrantApplication]:
    query = select(GrantApplication).where(GrantApplication.call_id == call_id).order_by(GrantApplication.reference)
    if entity_id is not None:
        query = query.where(GrantApplication.entity_id == entity_id)
    if lock:
        query = query.with_for_update()
    return list((await session.execute(query)).scalars())


@dataclass(frozen=True)
class ApplicationFilters:
    """Whose applications (an institution's calls, an entity's; neither for an admin) and which."""

    institution: str | None = None
    entity_id: uuid.UUID | None = None
    call_id: uuid.UUID | None = None
    state: str | None = None


async def application_page(
    session: AsyncSession, filters: ApplicationFilters, limit: int, after: tuple[datetime, uuid.UUID] | None
) -> list[tuple[GrantApplication, GrantCall]]:
    """Newest submitted first; `after` is the (submitted_at, id) of the last row of the page before."""
    query = select(GrantApplication, GrantCall).join(GrantCall, GrantCall.id == GrantApplication.call_id)
    if filters.institution is not None:
        query = query.where(GrantCall.institution == filters.institution)
    if filters.entity_id is not None:
        query = query.where(GrantApplication.entity_id == filters.entity_id)
    if filters.call_id is not None:
        query = query.where(GrantApplication.call_id == filters.call_id)
    if filters.state is not None:
        query = query.where(GrantApplication.state == filters.state)
    if after is not None:
        query = query.where(tuple_(GrantApplication.submitted_at, GrantApplication.id) < after)
    query = query.order_by(GrantApplication.submitted_at.desc(), GrantApplication.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def documents_by_id(
    session: AsyncSession, application_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, GrantDocument]:
    """Those of the ids that are files of the application."""
    if not ids:
        return {}
    rows = await session.execute(
        select(GrantDocument).where(GrantDocument.application_id == application_id, GrantDocument.id.in_(ids))
    )
    return {d.id: d for d in rows.scalars()}


async def entities(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, GrantEntity]:
    if not ids:
        return {}
    rows = await session.execute(select(GrantEntity).where(GrantEntity.id.in_(ids)))
    return {e.id: e for e in rows.scalars()}


async def steps(session: AsyncSession, application_id: uuid.UUID) -> list[GrantApplicationStep]:
    rows = await session.execute(
        select(GrantApplicationStep)
        .where(GrantApplicationStep.application_id == application_id)
        .order_by(GrantApplicationStep.id)
    )
    return list(rows.scalars())


async def documents(session: AsyncSession, application_id: uuid.UUID) -> list[GrantDocument]:
    rows = await session.execute(
        select(GrantDocument)
        .where(GrantDocument.application_id == application_id)
        .order_by(GrantDocument.uploaded_at, GrantDocument.id)
    )
    return list(rows.scalars())


async def document(session: AsyncSession, document_id: uuid.UUID) -> GrantDocument | None:
    return await session.get(GrantDocument, document_id)


async def document_count(session: AsyncSession, application_id: uuid.UUID) -> int:
    found = await session.execute(
        select(func.count()).select_from(GrantDocument).where(GrantDocument.application_id == application_id)
    )
    return int(found.scalar_one())


async def payment_orders(session: AsyncSession, application_id: uuid.UUID) -> list[GrantPaymentOrder]:
    rows = await session.execute(
        select(GrantPaymentOrder)
        .where(GrantPaymentOrder.application_id == application_id)
        .order_by(GrantPaymentOrder.number)
    )
    return list(rows.scalars())


async def score_sheets(session: AsyncSession, application_id: uuid.UUID) -> list[GrantScoreSheet]:
    rows = await session.execute(
        select(GrantScoreSheet)
        .where(GrantScoreSheet.application_id == application_id)
        .order_by(GrantScoreSheet.evaluator, GrantScoreSheet.version)
    )
    return list(rows.scalars())


async def project_titles(session: AsyncSession, call_id: uuid.UUID) -> dict[uuid.UUID, dict[str, str]]:
    """The proposed projects' titles of a call's applications, by application."""
    rows = await session.execute(
        select(GrantApplication.id, GrantApplication.proposal["title"]).where(GrantApplication.call_id == call_id)
    )
    return {row[0]: row[1] or {} for row in rows}


async def document_content(session: AsyncSession, key: str) -> GrantDocumentContent | None:
    return await session.get(GrantDocumentContent, key)


async def transaction(session: AsyncSession, transaction_id: uuid.UUID) -> Transaction | None:
    """A ledger entry the call booked (commitments, disbursements)."""
    return await session.get(Transaction, transaction_id)


async def in_registry(session: AsyncSession, project_id: uuid.UUID) -> bool:
    """Whether the registry announced the proposed project (this service then holds its reference)."""
    return await session.get(ProjectRef, project_id) is not None


async def call_commitments(
    session: AsyncSession, institution: str, first: int, last: int
) -> list[tuple[int, Decimal, dict[str, Any]]]:
    """(value year, EUR, proposal) of each money commitment the institution's calls booked in the years."""
    year = cast(extract("year", Transaction.value_date), Integer)
    rows = await session.execute(
        select(year, Transaction.amount_eur, GrantApplication.proposal)
        .join(GrantApplication, GrantApplication.project_id == Transaction.project_id)
        .join(GrantCall, GrantCall.id == GrantApplication.call_id)
        .where(
            GrantCall.institution == institution,
            Transaction.instrument == "grant-call",
            Transaction.transaction_type == "2",
            Transaction.in_kind.is_(False),
            year.between(first, last),
        )
    )
    return [(row[0], row[1], row[2]) for row in rows.all()]


async def cooperation_budgets(
    session: AsyncSession, institution: str, first: int, last: int
) -> dict[int, Decimal | None]:
    """The institution's declared cooperation budget of each year it declared."""
    rows = await session.execute(
        select(InstitutionYear).where(
            InstitutionYear.institution == institution, InstitutionYear.year.between(first, last)
        )
    )
    return {row.year: row.cooperation_budget_eur for row in rows.scalars()}
