"""/api/integrations/webhooks: subscriptions, their delivery log, replays (served by reporting)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request, Response

from services.reporting.config import Settings
from services.reporting.webhooks import service
from services.reporting.webhooks.schemas import (
    Delivery,
    DeliveryPage,
    Subscription,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPage,
)
from shared.auth import Principal, access, requires
from shared.http import SessionDep, runtime_of
from shared.outbound import Allowlist
from shared.problems import problem_responses

router = APIRouter(prefix="/api/integrations/webhooks", tags=["webhooks"])
Integrator = Annotated[Principal, requires("reports:read")]
OWN = access("required", ("reports:read",), tenant="owner")


def _allowed(request: Request) -> Allowlist:
    settings = runtime_of(request).settings
    return settings.webhook_destinations if isinstance(settings, Settings) else Allowlist()


@router.post(
    "",
    status_code=201,
    response_model=SubscriptionCreated,
    openapi_extra=access("required", ("reports:read",)),
    responses=problem_responses(service.UnknownEventType, service.UnsafeDestination),
    summary="Subscribe a public http(s) URL to event types of your tenant; the signing secret is shown once",
)
async def subscribe(
    body: SubscriptionCreate, request: Request, session: SessionDep, principal: Integrator
) -> SubscriptionCreated:
    created = await service.subscribe(session, principal, body, _allowed(request))
    return SubscriptionCreated.model_validate(created, from_attributes=True)


@router.get("", response_model=SubscriptionPage, openapi_extra=access("required", ("reports:read",)))
async def list_subscriptions(session: SessionDep, principal: Integrator) -> SubscriptionPage:
    items = await service.subscriptions(session, principal)
    return SubscriptionPage(items=[Subscription.model_validate(s, from_attributes=True) for s in items])


@router.delete(
    "/{subscription_id}",
    status_code=204,
    openapi_extra=OWN,
    responses=problem_responses(service.SubscriptionNotFound),
    summary="Stop a subscription: its pending deliveries are cancelled (its delivery log stays)",
)
async def unsubscribe(subscription_id: uuid.UUID, session: SessionDep, principal: Integrator) -> Response:
    await service.unsubscribe(session, principal, subscription_id)
    return Response(status_code=204)


@router.get(
    "/{subscription_id}/deliveries",
    response_model=DeliveryPage,
    openapi_extra=OWN,
    responses=problem_responses(service.SubscriptionNotFound),
    summary="The delivery log: every event sent, every attempt with its status",
)
async def deliveries(subscription_id: uuid.UUID, session: SessionDep, principal: Integrator) -> DeliveryPage:
    items = await service.deliveries(session, principal, subscription_id)
    return DeliveryPage(items=[Delivery.model_validate(d, from_attributes=True) for d in items])


@router.post(
    "/deliveries/{delivery_id}/replay",
    response_model=Delivery,
    openapi_extra=OWN,
    responses=problem_responses(service.DeliveryNotFound, service.SubscriptionStopped),
    summary="Send a delivery of an active subscription again",
)
async def replay(delivery_id: uuid.UUID, session: SessionDep, principal: Integrator) -> Delivery:
    return Delivery.model_validate(await service.replay(session, principal, delivery_id), from_attributes=True)
