"""The grant call's events: each call and application change goes into the outbox with the change."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants.models import GrantApplication, GrantCall, GrantEntity
from shared.actor import Actor
from shared.contracts import grants as contracts
from shared.emit import emit
from shared.kafka import FUNDING_TOPIC


def budget_by_year(call: GrantCall) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for modality in call.rules["modalities"]:
        for year, amount in modality["budget"].items():
            totals[int(year)] = totals.get(int(year), Decimal(0)) + Decimal(amount)
    return dict(sorted(totals.items()))


def programme_of(call: GrantCall, modality: str) -> str:
    return str(next(m["programme"] for m in call.rules["modalities"] if m["code"] == modality))


def money(values: dict[str, str]) -> dict[int, Decimal]:
    return {int(year): Decimal(amount) for year, amount in sorted(values.items())}


async def _emit(session: AsyncSession, actor: Actor, event_type: str, key: str, data: BaseModel) -> None:
    await emit(session, actor, FUNDING_TOPIC, key, event_type, data, schema_base=contracts.SCHEMA_BASE)


async def call_changed(session: AsyncSession, actor: Actor, call: GrantCall) -> None:
    state = contracts.CallV1(
        id=call.id,
        institution=call.institution,
        year=call.year,
        code=call.code,
        title=call.rules["title"],
        status=call.status,
        version=call.version,
        budget_by_year=budget_by_year(call),
        updated_at=call.updated_at,
    )
    await _emit(session, actor, contracts.CALL_CHANGED, str(call.id), state)


def application_state(call: GrantCall, entity: GrantEntity, application: GrantApplication) -> contracts.ApplicationV1:
    return contracts.ApplicationV1(
        id=application.id,
        call_id=call.id,
        institution=call.institution,
        reference=application.reference,
        modality=application.modality,
        programme=programme_of(call, application.modality),
        entity=contracts.EntityV1(id=entity.id, org_ref=entity.org_ref, name=entity.name, org_type=entity.org_type),
        project_id=application.project_id,
        state=application.state,
        version=application.version,
        requested=money(application.requested),
        granted=money(application.granted),
        total_score=application.total_score,
        updated_at=application.updated_at,
    )


async def application_event(
    session: AsyncSession,
    actor: Actor,
    event_type: str,
    call: GrantCall,
    entity: GrantEntity,
    application: GrantApplication,
) -> None:
    state = application_state(call, entity, application)
    payload: BaseModel = state
    if event_type == contracts.APPLICATION_SUBMITTED:
        payload = contracts.ApplicationSubmittedV1(**state.model_dump(), proposal=application.proposal)
    await _emit(session, actor, event_type, str(application.id), payload)
