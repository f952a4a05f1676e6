"""Topic names and administration. Topics keep every event: read models are rebuilt by replay."""

from __future__ import annotations

import contextlib
import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger("xarxa.kafka")

PROJECTS_TOPIC = "xarxa.projects.v1"
FUNDING_TOPIC = "xarxa.funding.v1"


def dead_letter_topic(consumer_group: str) -> str:
    return f"{consumer_group}.dlq"


async def ensure_topics(bootstrap: str, names: list[str], partitions: int, replication: int) -> None:
    """Create the topics that are missing, with unlimited retention and no compaction."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=name,
                num_partitions=partitions,
                replication_factor=replication,
                topic_configs={"retention.ms": "-1", "cleanup.policy": "delete"},
            )
            for name in names
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # created concurrently by another service
                await admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
    finally:
        await admin.close()
