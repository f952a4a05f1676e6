"""Event handlers of the funding service: decode, call the service layer, in the consumer's transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.config import CONSUMER_GROUP
from services.funding.iati_money.service import apply_activity_money
from services.funding.project_refs.service import apply_project_event
from shared.events import CloudEvent
from shared.kafka import PROJECTS_TOPIC
from shared.runtime import ConsumerSpec


async def on_project_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_project_event(session, event)
    await apply_activity_money(session, event)


CONSUMERS = [ConsumerSpec(group=CONSUMER_GROUP, topics=[PROJECTS_TOPIC], handler=on_project_event)]
