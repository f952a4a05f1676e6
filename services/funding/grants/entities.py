"""Applicant entities: NGOs and other organisations, each acting through its own API client (tenant)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.models import GrantEntity
from services.funding.grants.schemas import EntityCreate
from shared.auth import OtherTenant, Principal
from shared.problems import Conflict, NotFound


class EntityNotFound(NotFound):
    kind, title = "entity-not-found", "No such entity"


class EntityTaken(Conflict):
    kind, title = "entity-taken", "An entity with this tenant or tax id is already registered"


def is_entity(principal: Principal, entity: GrantEntity) -> bool:
    return principal.tenant_kind == "partner" and principal.tenant == entity.tenant


def ensure_entity(principal: Principal, entity: GrantEntity) -> None:
    if not (principal.is_admin or is_entity(principal, entity)):
        raise OtherTenant(f"Only {entity.name} acts on its applications")


async def register_entity(session: AsyncSession, data: EntityCreate) -> GrantEntity:
    if await repository.entity_taken(session, data.tenant, data.tax_id):
        raise EntityTaken(f"Tenant {data.tenant} or tax id {data.tax_id} is already registered")
    entity = GrantEntity(
        id=uuid.uuid4(),
        tenant=data.tenant,
        tax_id=data.tax_id,
        org_ref=data.org_ref or f"XARXA-ENT-{data.tax_id}",
        name=data.name,
        org_type=data.org_type,
        contact=data.contact.model_dump(mode="json"),
        created_at=datetime.now(UTC),
    )
    session.add(entity)
    try:
        await session.flush()
    except IntegrityError as exc:  # registered concurrently between the check and here
        raise EntityTaken(f"Tenant {data.tenant} or tax id {data.tax_id} is already registered") from exc
    return entity


async def entity_of(session: AsyncSession, principal: Principal) -> GrantEntity:
    """The entity the caller acts for."""
    entity = await repository.entity_of_tenant(session, principal.tenant)
    if entity is None or principal.tenant_kind != "partner":
        raise EntityNotFound(f"No entity is registered for tenant {principal.tenant}")
    return entity
