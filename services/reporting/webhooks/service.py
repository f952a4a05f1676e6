"""Webhooks: subscriptions per tenant and event type, a delivery row per matching event (taken from
the topics by consumer group `xarxa.webhooks`, at most once per subscription and event), and a
dispatcher that POSTs each, signed, retrying with exponential backoff, every attempt logged.

Signature (documented in docs/integrations.md): header `Xarxa-Webhook-Signature: v1=<hex>`, the
HMAC-SHA256 with the subscription's secret of `<Xarxa-Webhook-Timestamp>.<raw body>`.

Destinations (shared/outbound.py): a public http(s) address, checked when subscribing and again at
every attempt, which connects to the very address checked; internal receivers only when the
operator allows them (`XARXA_REPORTING_WEBHOOK_ALLOWED_HOSTS`). Redirects are never followed. A
stopped subscription sends nothing more: its pending deliveries are cancelled with it, and the
dispatcher cancels any it still finds.
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
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.config import Settings
from services.reporting.webhooks import repository
from services.reporting.webhooks.models import WebhookDelivery, WebhookSubscription
from services.reporting.webhooks.schemas import SubscriptionCreate
from shared.auth import Principal
from shared.backoff import exponential
from shared.contracts.asyncapi import EVENTS
from shared.db import transaction
from shared.events import CloudEvent
from shared.outbound import (
    CREDENTIALS,
    Allowlist,
    DestinationRefused,
    Resolver,
    failure,
    pinned_request,
    system_resolver,
)
from shared.outbound import check as check_destination
from shared.problem_texts import field_error
from shared.problems import Conflict, NotFound, Unprocessable
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


class UnsafeDestination(Unprocessable):
    kind, title = "webhook-destination-not-allowed", "Webhooks are only sent to public http(s) addresses"


class SubscriptionStopped(Conflict):
    kind, title = "subscription-stopped", "The subscription was stopped; its deliveries are not sent again"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at an hour."""
    return timedelta(seconds=exponential(attempts, 1, 3600))


def _tenant_of(principal: Principal) -> str:
    return ALL_TENANTS if principal.is_admin else principal.tenant


async def subscribe(
    session: AsyncSession,
    principal: Principal,
    data: SubscriptionCreate,
    allowed: Allowlist,
    resolve: Resolver = system_resolver,
) -> WebhookSubscription:
    unknown = sorted(set(data.event_types) - set(EVENTS))
    if unknown:
        raise UnknownEventType(
            f"Unknown event types: {', '.join(unknown)}",
            errors=[field_error("event_types", "unknown_event_type", value=t) for t in unknown],
        )
    try:
        await check_destination(str(data.url), allowed, resolve)
    except DestinationRefused as exc:
        error: dict[str, Any] = {"field": "url", "message": exc.reason}
        if exc.reason != CREDENTIALS:  # a password is not echoed back
            error["value"] = str(data.url)
        raise UnsafeDestination(f"The url {exc.reason}", errors=[error]) from None
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
    return await repository.active_subscriptions(session, None if principal.is_admin else principal.tenant)


async def subscription(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> WebhookSubscription:
    found = await repository.get_subscription(session, subscription_id)
    if found is None or not _mine(principal, found):
        raise SubscriptionNotFound(f"No subscription {subscription_id}")
    return found


async def unsubscribe(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> None:
    """Stop the subscription and cancel its pending deliveries in the same transaction (a retry
    due later must not go out); the delivery log stays."""
    found = await subscription(session, principal, subscription_id)
    found.active = False
    await repository.cancel_pending(session, subscription_id)
    await session.flush()


async def deliveries(session: AsyncSession, principal: Principal, subscription_id: uuid.UUID) -> list[WebhookDelivery]:
    await subscription(session, principal, subscription_id)
    return await repository.deliveries(session, subscription_id)


async def replay(session: AsyncSession, principal: Principal, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send a delivery again, whatever came of it before (its log keeps the earlier attempts)."""
    delivery = await repository.get_delivery_for_update(session, delivery_id)
    owner = None if delivery is None else await repository.get_subscription(session, delivery.subscription_id)
    # Another tenant's delivery and no delivery answer the same 404.
    if delivery is None or owner is None or not _mine(principal, owner):
        raise DeliveryNotFound(f"No delivery {delivery_id}")
    if not owner.active:
        raise SubscriptionStopped(f"Subscription {owner.id} was stopped")
    delivery.status = repository.PENDING
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
    active = await repository.active_subscriptions(session)
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
                        "status": repository.PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "log": [],
                        "created_at": now,
                    }
                )
    if rows:
        await repository.add_deliveries(session, rows)


async def take_event(session: AsyncSession, event: CloudEvent) -> None:
    await take_events(session, [event])


async def _attempt(
    client: httpx.AsyncClient,
    sub: WebhookSubscription,
    delivery: WebhookDelivery,
    allowed: Allowlist,
    resolve: Resolver = system_resolver,
) -> dict[str, Any]:
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
    # The subscriber sees the status and timing, never exception text (it could describe our network).
    try:
        destination = await check_destination(sub.url, allowed, resolve)  # again: DNS may have changed
        response = await client.send(pinned_request(client, destination, body, headers), follow_redirects=False)
        entry["status"] = response.status_code
        if 300 <= response.status_code < 400:
            entry["error"] = "redirect not followed"
    except (DestinationRefused, httpx.HTTPError) as exc:
        entry["error"] = failure(exc)
    entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return entry


async def dispatch_due(
    runtime: Runtime, client: httpx.AsyncClient, allowed: Allowlist, resolve: Resolver = system_resolver
) -> int:
    """One round: claim due deliveries (SKIP LOCKED, so several instances share the work), send;
    a delivery of a stopped subscription is cancelled, not sent."""
    async with transaction(runtime.sessions) as session:
        due = await repository.claim_due(session, BATCH)
        stopped = [delivery.id for delivery, sub in due if not sub.active]
        if stopped:
            await repository.cancel(session, stopped)
        sending = [(delivery, sub) for delivery, sub in due if sub.active]
        entries = await asyncio.gather(*(_attempt(client, sub, d, allowed, resolve) for d, sub in sending))
        for (delivery, _), entry in zip(sending, entries, strict=True):
            attempts = delivery.attempts + 1
            ok = 200 <= entry.get("status", 0) < 300
            values: dict[str, Any] = {"attempts": attempts, "log": [*delivery.log, entry]}
            if ok:
                values.update(status=repository.DELIVERED, delivered_at=datetime.now(UTC))
            elif attempts >= MAX_ATTEMPTS:
                values.update(status=repository.FAILED)
            else:
                values.update(next_attempt_at=datetime.now(UTC) + backoff(attempts))
            await repository.record_attempt(session, delivery.id, values)
    return len(due)


async def deliver_webhooks(runtime: Runtime) -> None:
    """The dispatcher: runs for the life of the service."""
    settings = runtime.settings
    allowed = settings.webhook_destinations if isinstance(settings, Settings) else Allowlist()
    # No kept-alive connections: each attempt connects to the address it has just checked (a pooled
    # connection could have been opened, and its certificate checked, for another name on that address).
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=10.0, follow_redirects=False, limits=limits) as client:
        while True:
            try:
                if await dispatch_due(runtime, client, allowed) == BATCH:
                    continue
            except Exception as exc:  # noqa: BLE001 - a database outage: wait, never lose a delivery
                log.warning("webhook dispatch: %s", exc)
            await asyncio.sleep(0.2)
