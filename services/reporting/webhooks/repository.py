"""Every query of webhooks: subscriptions, their deliveries, and the dispatcher's claims."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, type_coerce, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.webhooks.models import WebhookDelivery, WebhookSubscription

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"
LOG_LIMIT = 500


async def active_subscriptions(session: AsyncSession, tenant: str | None = None) -> list[WebhookSubscription]:
    """Active subscriptions, oldest first; of one tenant if given."""
    query = select(WebhookSubscription).where(WebhookSubscription.active.is_(True))
    if tenant is not None:
        query = query.where(WebhookSubscription.tenant == tenant)
    return list((await session.execute(query.order_by(WebhookSubscription.created_at))).scalars())


async def get_subscription(session: AsyncSession, subscription_id: uuid.UUID) -> WebhookSubscription | None:
    return await session.get(WebhookSubscription, subscription_id)


async def get_delivery_for_update(session: AsyncSession, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    return await session.get(WebhookDelivery, delivery_id, with_for_update=True)


def _cancelled_entry() -> Any:
    entry = {"at": datetime.now(UTC).isoformat(), "cancelled": "subscription stopped"}
    return type_coerce([entry], JSONB)


async def cancel_pending(session: AsyncSession, subscription_id: uuid.UUID) -> None:
    """The subscription's pending deliveries cancelled, the reason appended to each log."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id, WebhookDelivery.status == PENDING)
        .values(status=CANCELLED, log=WebhookDelivery.log.op("||")(_cancelled_entry()))
    )


async def cancel(session: AsyncSession, delivery_ids: list[uuid.UUID]) -> None:
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(delivery_ids))
        .values(status=CANCELLED, log=WebhookDelivery.log.op("||")(_cancelled_entry()))
    )


async def deliveries(session: AsyncSession, subscription_id: uuid.UUID) -> list[WebhookDelivery]:
    """The newest deliveries of a subscription first."""
    rows = await session.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(LOG_LIMIT)
    )
    return list(rows.scalars())


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """At most one delivery per subscription and event: a repeated event adds nothing."""
    await session.execute(insert(WebhookDelivery).on_conflict_do_nothing(), rows)


async def claim_due(session: AsyncSession, limit: int) -> list[tuple[WebhookDelivery, WebhookSubscription]]:
    """Due pending deliveries with their subscription, locked; rows another dispatcher holds are skipped."""
    rows = await session.execute(
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= datetime.now(UTC))
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    return [(delivery, sub) for delivery, sub in rows.all()]


async def record_attempt(session: AsyncSession, delivery_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(**values))
