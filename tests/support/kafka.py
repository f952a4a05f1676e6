"""Reading and writing topics directly, as an integrator or an attacker would."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.kafka import ensure_topics


async def create_topics(bootstrap: str, *names: str) -> None:
    await ensure_topics(bootstrap, list(names), partitions=3, replication=1)


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    """messages: (key, value) in order."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


async def read_all(bootstrap: str, topic: str, expect: int, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record of the topic from the beginning up to its end when the reading starts, waiting
    until at least `expect` are there. Reading to the end matters on the suite's shared topics: what
    a test just wrote is last, behind every earlier test's records."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    ends: dict[TopicPartition, int] | None = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for recs in batch.values():
                records.extend(recs)
            if ends is None and consumer.assignment():
                ends = await consumer.end_offsets(list(consumer.assignment()))
            if len(records) >= expect and ends is not None and await _reached(consumer, ends):
                # one more short poll, to see any unexpected extra (a duplicate) as well
                await asyncio.sleep(0.5)
                for recs in (await consumer.getmany(timeout_ms=300)).values():
                    records.extend(recs)
                break
    finally:
        await consumer.stop()
    return records


async def _reached(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True
