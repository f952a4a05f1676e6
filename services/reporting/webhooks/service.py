"""Webhooks: subscriptions per tenant and event type, a delivery row per matching event (taken from
the topics by consumer group `xarxa.webhooks`, at most once per subscription and event), and a
dispatcher that POSTs each, signed, retrying with exponential backoff, every attempt logged.

Signature (documented in docs/integrations.md): header `Xarxa-Webhook-Signature: v1=<hex>`, the
HMAC-SHA256 with the subscription's secret of `<Xarxa-Webhook-Timestamp>.<raw body>`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.webhooks.models import WebhookDelivery, WebhookSubscription
from services.reporting.webhooks.schemas import SubscriptionCreate
from shared.auth import Principal
from shared.contracts.asyncapi import EVENTS
from shared.db import transaction
from shared.events import CloudEvent
from shared.problems import NotFound, Unprocessable
from shared.runtime import Runtime

log = logging.getLogger("xarxa.webhooks")
ALL_TENANTS = "xarxa"  # an admin's subscription receives every tenant's events
MAX_ATTEMPTS = 12
BATCH = 20


class SubscriptionNotFound(NotFound):
    kind, title = "subscription-not-found", "No such webhook subscription"


class DeliveryNotFound(NotFound):
    kind, title = "delivery-not-found", "No such webhook delivery"


class UnknownEventType(Unprocessable):
    kind, title = "unknown-event-type", "Not an event type of the AsyncAPI document"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at an hour."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 3600))


def _tenant_of(principal: Principal) -> str:
    return ALL_TENANTS if principal.is_admin else principal.tenant


async def subscribe(session: AsyncSession, principal: Principal, data: SubscriptionCreate) -> WebhookSubscription:
    unknown = sorted(set(data.event_types) - set(EVENTS))
    if unknown:
        raise UnknownEventType(
            f"Unknown event types: {', '.join(unknown)}",
            errors=[{"field": "event_types", "message": "not in /asyncapi.json", "value": t} for t in unknown],
        )
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        tenant=_tenant_of(principal),
        url=str(data.url),
        event_types=sorted(set(data.event_types)),
        secret=secrets.token_urlsafe(32),
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(subscription)
    await session.flush()
    return subscription


def _mine(principal: Principal, subscription: WebhookSubscription | None) -> bool:
    return subscription is not None and (principal.is_admin or subscription.tenant == principal.tenant)


async def subscriptions(session: AsyncSession, principal: Principal) -> list[WebhookSubscription]:
    query = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    if not principal.is_admin:
        query = query.where(WebhookSubscription.tenant == principal.tenant)
    return list((await session.execute(query.order_by(WebhookSubscription.created_at))).scalars())


async def subscription(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> WebhookSubscription:
    found = await session.get(WebhookSubscription, subscription_id)
    if found is None or not _mine(principal, found):
        raise SubscriptionNotFound(f"No subscription {subscription_id}")
    return found


async def deliveries(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> list[WebhookDelivery]:
    await subscription(session, principal, subscription_id)
    rows = await session.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(500)
    )
    return list(rows.scalars())


async def replay(session: AsyncSession, principal: Principal, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send a delivery again, whatever came of it before (its log keeps the earlier attempts)."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise DeliveryNotFound(f"No delivery {delivery_id}")
    await subscription(session, principal, delivery.subscription_id)
    delivery.status = "pending"
    delivery.next_attempt_at = datetime.now(UTC)
    delivery.log = [*delivery.log, {"at": datetime.now(UTC).isoformat(), "replay": True}]
    await session.flush()
    return delivery


def _event_tenant(event: CloudEvent) -> str | None:
    data = event.data
    tenant = data.get("owner") or data.get("institution")
    return str(tenant) if tenant else None


async def take_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    """A pending delivery per event and matching subscription (a repeat adds nothing)."""
    if not events:
        return
    active = list(
        (await session.execute(select(WebhookSubscription).where(WebhookSubscription.active.is_(True)))).scalars()
    )
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for event in events:
        tenant = _event_tenant(event)
        for sub in active:
            if event.type in sub.event_types and sub.tenant in (ALL_TENANTS, tenant):
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "subscription_id": sub.id,
                        "event_id": event.id,
                        "event_type": event.type,
                        "event": event.model_dump(mode="json", exclude_none=True),
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "log": [],
                        "created_at": now,
                    }
                )
    if rows:
        await session.execute(insert(WebhookDelivery).on_conflict_do_nothing(), rows)


async def take_event(session: AsyncSession, event: CloudEvent) -> None:
    await take_events(session, [event])


async def _attempt(client: httpx.AsyncClient, sub: WebhookSubscription, delivery: WebhookDelivery) -> dict[str, Any]:
    body = orjson.dumps(delivery.event)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/cloudevents+json",
        "Xarxa-Webhook-Id": str(delivery.id),
        "Xarxa-Webhook-Timestamp": timestamp,
        "Xarxa-Webhook-Signature": sign(sub.secret, timestamp, body),
    }
    started = time.perf_counter()
    entry: dict[str, Any] = {"at": datetime.now(UTC).isoformat()}
    try:
        response = await client.post(sub.url, content=body, headers=headers)
        entry["status"] = response.status_code
    except httpx.HTTPError as exc:
        entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
    entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return entry


async def dispatch_due(runtime: Runtime, client: httpx.AsyncClient) -> int:
    """One round: claim due deliveries (SKIP LOCKED, so several instances share the work), send."""
    async with transaction(runtime.sessions) as session:
        due = list(
            (
                await session.execute(
                    select(WebhookDelivery, WebhookSubscription)
                    .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
                    .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= datetime.now(UTC))
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(of=WebhookDelivery, skip_locked=True)
                )
            ).all()
        )
        entries = await asyncio.gather(*(_attempt(client, sub, delivery) for delivery, sub in due))
        for (delivery, _), entry in zip(due, entries, strict=True):
            attempts = delivery.attempts + 1
            ok = 200 <= entry.get("status", 0) < 300
            values: dict[str, Any] = {"attempts": attempts, "log": [*delivery.log, entry]}
            if ok:
                values.update(status="delivered", delivered_at=datetime.now(UTC))
            elif attempts >= MAX_ATTEMPTS:
                values.update(status="failed")
            else:
                values.update(next_attempt_at=datetime.now(UTC) + backoff(attempts))
            await session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id).values(**values))
    return len(due)


async def deliver_webhooks(runtime: Runtime) -> None:
    """The dispatcher: runs for the life of the service."""
    async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client:
        while True:
            try:
                if await dispatch_due(runtime, client) == BATCH:
                    continue
            except Exception as exc:  # noqa: BLE001 - a database outage: wait, never lose a delivery
                log.warning("webhook dispatch: %s", exc)
            await asyncio.sleep(0.2)
