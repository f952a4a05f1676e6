"""`xarxa reporting rebuild`: drop the read models and replay the topics from the beginning.

Replays up to the end offsets seen when it starts, through the same inbox-and-apply path as the
live consumer, in batches. A live consumer may run meanwhile: versions decide, so whichever
applies an event first, the rows end the same.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import delete, text

from services.reporting.config import CONSUMER_GROUP, Settings
from services.reporting.consumers import on_event, on_events
from services.reporting.readmodels.models import READ_MODELS
from shared.backbone import inbox
from shared.consumer import PoisonMessage, apply_batch_once, apply_once
from shared.db import create_engine, create_sessionmaker, transaction
from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC

log = logging.getLogger("xarxa.reporting.rebuild")
TOPICS = (PROJECTS_TOPIC, FUNDING_TOPIC)
BATCH = 2000


@dataclass
class RebuildStats:
    events: int = 0
    skipped: int = 0
    seconds: float = 0.0
    per_topic: dict[str, int] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


async def topic_partitions(bootstrap: str, topics: tuple[str, ...]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]


async def rebuild(settings: Settings) -> RebuildStats:
    stats = RebuildStats()
    started = time.perf_counter()
    group = CONSUMER_GROUP
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, group_id=None, enable_auto_commit=False, max_poll_records=BATCH
    )
    try:
        async with transaction(sessions) as session:
            await session.execute(text(f"TRUNCATE {', '.join(model.__tablename__ for model in READ_MODELS)}"))
            await session.execute(delete(inbox).where(inbox.c.consumer == group))
        await consumer.start()
        partitions = await topic_partitions(settings.kafka_bootstrap, TOPICS)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp, end in ends.items() if end > 0}
        while remaining:
            batches = await consumer.getmany(*remaining, timeout_ms=500, max_records=BATCH)
            for tp, records in batches.items():
                records = [r for r in records if r.offset < ends[tp]]
                if not records:
                    continue
                try:
                    async with transaction(sessions) as session:
                        await apply_batch_once(session, group, records, on_events)
                except Exception:  # noqa: BLE001 - isolate what cannot be applied, as the live consumer does
                    for record in records:
                        try:
                            async with transaction(sessions) as session:
                                await apply_once(session, group, record, on_event)
                        except (PoisonMessage, ValueError) as exc:
                            log.warning(
                                "rebuild skips %s/%s@%s: %s", record.topic, record.partition, record.offset, exc
                            )
                            stats.skipped += 1
                stats.events += len(records)
                stats.per_topic[tp.topic] = stats.per_topic.get(tp.topic, 0) + len(records)
                if records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
        await engine.dispose()
    stats.seconds = time.perf_counter() - started
    return stats
