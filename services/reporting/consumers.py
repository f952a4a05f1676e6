"""Event handlers of the reporting service: every read model is built here, from events only."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.config import CONSUMER_GROUP, WEBHOOKS_GROUP
from services.reporting.readmodels.projections import (
    apply_funding_event,
    apply_funding_events,
    apply_project_event,
    apply_project_events,
    apply_revenue_event,
    apply_revenue_events,
)
from services.reporting.webhooks.service import take_event, take_events
from shared.events import CloudEvent
from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC
from shared.runtime import ConsumerSpec


async def on_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_project_event(session, event)
    await apply_funding_event(session, event)
    await apply_revenue_event(session, event)


async def on_events(session: AsyncSession, events: list[CloudEvent]) -> None:
    """The same effect as on_event for each, in a few bulk statements (live batches and rebuilds)."""
    await apply_project_events(session, events)
    await apply_funding_events(session, events)
    await apply_revenue_events(session, events)


CONSUMERS = [
    ConsumerSpec(
        group=CONSUMER_GROUP, topics=[PROJECTS_TOPIC, FUNDING_TOPIC], handler=on_event, batch_handler=on_events
    ),
    # Webhook deliveries have their own group: a slow subscriber never holds back the read models.
    ConsumerSpec(
        group=WEBHOOKS_GROUP, topics=[PROJECTS_TOPIC, FUNDING_TOPIC], handler=take_event, batch_handler=take_events
    ),
]
