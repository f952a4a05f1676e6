"""Applicant entities: NGOs and other organisations, each acting through its own API client (tenant).

Who sees an entity: the entity itself, the institutions whose calls it applied to, admins; anyone
else gets the answer an unknown id gets. An entity is registered by its own tenant or an admin,
and a refused registration never says which of its tenant or tax id is already taken, nor by whom.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.models import GrantEntity
from services.funding.grants.schemas import EntityCreate
from shared.auth import OtherTenant, Principal
from shared.problems import Conflict, NotFound, Unprocessable


class EntityNotFound(NotFound):
    kind, title = "entity-not-found", "No such entity"


class EntityTaken(Conflict):
    kind, title = "entity-taken", "An entity with this tenant or tax id is already registered"


# One wording for a taken tenant and a taken tax id, naming neither the values nor their holder.
TAKEN = "This entity cannot be registered: its tenant or its tax id is already registered"


def is_entity(principal: Principal, entity: GrantEntity) -> bool:
    return principal.tenant_kind == "partner" and principal.tenant == entity.tenant


def ensure_entity(principal: Principal, entity: GrantEntity) -> None:
    if not (principal.is_admin or is_entity(principal, entity)):
        raise OtherTenant(f"Only {entity.name} acts on its applications")


def ensure_may_register(principal: Principal, data: EntityCreate) -> None:
    """Only the entity's own client (a partner tenant) or an admin registers it; the IATI identifier
    is the admin's to set, since the registry gives its holder access to the proposed draft."""
    if principal.is_admin:
        return
    if principal.tenant_kind != "partner" or principal.tenant != data.tenant:
        raise OtherTenant(f"Tenant {principal.tenant} registers only itself as an entity")
    if data.org_ref is not None:
        raise Unprocessable(
            "The IATI identifier of an entity is set by an admin",
            errors=[{"field": "org_ref", "message": "set by an admin; leave it out", "value": data.org_ref}],
        )


async def register_entity(session: AsyncSession, principal: Principal, data: EntityCreate) -> GrantEntity:
    ensure_may_register(principal, data)
    if await repository.entity_taken(session, data.tenant, data.tax_id):
        raise EntityTaken(TAKEN)
    entity = GrantEntity(
        id=uuid.uuid4(),
        tenant=data.tenant,
        tax_id=data.tax_id,
        org_ref=data.org_ref or f"XARXA-ENT-{data.tax_id}",
        name=data.name,
        org_type=data.org_type,
        contact=data.contact.model_dump(mode="json"),
        legal_representative=data.legal_representative.model_dump(mode="json"),
        created_at=datetime.now(UTC),
    )
    session.add(entity)
    try:
        await session.flush()
    except IntegrityError as exc:  # registered concurrently between the check and here
        raise EntityTaken(TAKEN) from exc
    return entity


async def visible_entity(session: AsyncSession, principal: Principal, entity_id: uuid.UUID) -> GrantEntity:
    """The entity, for itself, for the officers of an institution whose call it applied to, and
    for admins; anyone else learns nothing, not even that it exists."""
    entity = await repository.entity(session, entity_id)
    if entity is not None and (
        principal.is_admin
        or is_entity(principal, entity)
        or (
            principal.tenant_kind == "institution"
            and principal.has_any(["funding:write"])
            and await repository.applied_to(session, entity.id, principal.tenant)
        )
    ):
        return entity
    raise EntityNotFound(f"No entity {entity_id}")


async def entity_of(session: AsyncSession, principal: Principal) -> GrantEntity:
    """The entity the caller acts for."""
    entity = await repository.entity_of_tenant(session, principal.tenant)
    if entity is None or principal.tenant_kind != "partner":
        raise EntityNotFound(f"No entity is registered for tenant {principal.tenant}")
    return entity
