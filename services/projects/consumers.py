"""Event handlers of the projects service: proposals and grants of the annual call, from funding."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.config import CONSUMER_GROUP
from services.projects.imports.service import apply_money_answer
from services.projects.projects.proposals import apply_grant_event
from shared.events import CloudEvent
from shared.kafka import FUNDING_TOPIC
from shared.runtime import ConsumerSpec


async def on_funding_event(session: AsyncSession, event: CloudEvent) -> None:
    await apply_grant_event(session, event)
    await apply_money_answer(session, event)


CONSUMERS = [ConsumerSpec(group=CONSUMER_GROUP, topics=[FUNDING_TOPIC], handler=on_funding_event)]
