"""Event handlers of the reporting service: every read model is built here, from events only."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.portfolio.service import apply_funding_event, apply_project_event
from services.reporting.zero_seven.service import apply_revenue_event
from shared.events import CloudEvent
from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC
from shared.runtime import ConsumerSpec


async def on_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_project_event(session, event)
    await apply_funding_event(session, event)
    await apply_revenue_event(session, event)


CONSUMERS = [ConsumerSpec(group="xarxa.reporting", topics=[PROJECTS_TOPIC, FUNDING_TOPIC], handler=on_event)]
