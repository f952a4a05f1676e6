"""Idempotent Kafka consumer: inbox row and effect in one transaction, offsets after the commit.

A batch from one partition is applied in a single transaction (fast path). If that fails, its
messages are retried one by one so that one poison message cannot hold back the others; a
message that still fails after `max_attempts` goes to the dead-letter topic with its error, and
the consumer moves on. Infrastructure failures (the database is down) are never dead-lettered:
the consumer waits and retries the same messages, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.backbone import inbox
from shared.backoff import Backoff
from shared.db import transaction
from shared.db_errors import is_transient
from shared.events import CloudEvent
from shared.kafka import dead_letter_topic

log = logging.getLogger("xarxa.consumer")

Handler = Callable[[AsyncSession, CloudEvent], Awaitable[None]]
# Applies many new events at once (bulk statements); must have the same effect as Handler on each.
BatchHandler = Callable[[AsyncSession, list[CloudEvent]], Awaitable[None]]


class PoisonMessage(Exception):
    """The message can never be applied (undecodable, or refused by the handler)."""


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    last_event_time: str | None = None


class IdempotentConsumer:
    def __init__(
        self,
        *,
        name: str,
        topics: list[str],
        bootstrap: str,
        sessions: async_sessionmaker[AsyncSession],
        handler: Handler,
        max_attempts: int = 3,
        max_batch: int = 500,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        self.name = name
        self.batch_handler = batch_handler
        self.topics = topics
        self.bootstrap = bootstrap
        self.sessions = sessions
        self.handler = handler
        self.max_attempts = max_attempts
        self.max_batch = max_batch
        self.dlq_topic = dead_letter_topic(name)
        self.stats = ConsumerStats()
        self._stopping = False
        self._consumer: AIOKafkaConsumer | None = None

    def stop(self) -> None:
        self._stopping = True

    async def run(self) -> None:
        backoff = Backoff()
        while not self._stopping:
            try:
                await self._consume()
                backoff.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - broker unreachable etc.: reconnect, never give up
                delay = backoff.failed()
                log.warning("consumer %s: %s; restarting in %.1fs", self.name, exc, delay)
                await asyncio.sleep(delay)

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap,
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_batch,
        )
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True)
        await consumer.start()
        self._consumer = consumer
        try:
            await producer.start()
            while not self._stopping:
                batches = await consumer.getmany(timeout_ms=200, max_records=self.max_batch)
                for tp, records in batches.items():
                    await self._apply_partition_batch(records, producer)
                    # Committed only once every record of the batch is applied or dead-lettered.
                    await consumer.commit({tp: records[-1].offset + 1})
        finally:
            self._consumer = None
            await consumer.stop()
            await producer.stop()

    async def _apply_partition_batch(self, records: list[ConsumerRecord], producer: AIOKafkaProducer) -> None:
        while True:
            try:
                async with transaction(self.sessions) as session:
                    if self.batch_handler is not None:
                        outcomes = await apply_batch_once(session, self.name, records, self.batch_handler)
                    else:
                        outcomes = [await self._apply(session, record) for record in records]
                self._count(outcomes)
                return
            except Exception as exc:  # noqa: BLE001
                if is_transient(exc):
                    await self._wait_for_infrastructure(exc)
                    continue
                break  # isolate the bad record below
        for record in records:
            await self._apply_alone(record, producer)

    async def _apply_alone(self, record: ConsumerRecord, producer: AIOKafkaProducer) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with transaction(self.sessions) as session:
                    outcome = await self._apply(session, record)
                self._count([outcome])
                return
            except Exception as exc:  # noqa: BLE001
                if is_transient(exc):
                    await self._wait_for_infrastructure(exc)
                    attempt = 0
                    continue
                if isinstance(exc, PoisonMessage) or attempt >= self.max_attempts:
                    await self._dead_letter(record, exc, producer)
                    return
                await asyncio.sleep(0.05 * attempt)

    def _count(self, outcomes: list[CloudEvent | None]) -> None:
        """Statistics of committed work only (a rolled-back batch counts nothing)."""
        for event in outcomes:
            if event is None:
                self.stats.duplicates += 1
            else:
                self.stats.applied += 1
                self.stats.last_event_time = event.time.isoformat()

    async def _apply(self, session: AsyncSession, record: ConsumerRecord) -> CloudEvent | None:
        return await apply_once(session, self.name, record, self.handler)

    async def _dead_letter(self, record: ConsumerRecord, error: BaseException, producer: AIOKafkaProducer) -> None:
        log.error(
            "consumer %s: dead-lettering %s[%s]@%s: %s", self.name, record.topic, record.partition, record.offset, error
        )
        headers = [
            *(record.headers or []),
            ("dlq_error", str(error).encode()[:4000]),
            ("dlq_error_type", type(error).__name__.encode()),
            ("dlq_trace", "".join(traceback.format_exception(error)).encode()[-4000:]),
            ("dlq_source", f"{record.topic}/{record.partition}/{record.offset}".encode()),
            ("dlq_consumer", self.name.encode()),
        ]
        await producer.send_and_wait(self.dlq_topic, value=record.value, key=record.key, headers=headers)
        self.stats.dead_lettered += 1

    async def _wait_for_infrastructure(self, error: BaseException) -> None:
        log.warning("consumer %s: database unavailable (%s); retrying", self.name, error)
        await asyncio.sleep(1.0)


async def apply_once(
    session: AsyncSession, consumer: str, record: ConsumerRecord, handler: Handler
) -> CloudEvent | None:
    """Record the event in the inbox and apply it, in the caller's transaction; None when it was
    applied before. Shared by live consumption and replays, so both have the same effect."""
    try:
        event = CloudEvent.from_json(record.value or b"")
    except (ValidationError, ValueError) as exc:
        raise PoisonMessage(f"not a CloudEvents JSON envelope: {exc}") from exc
    inserted = await session.execute(
        insert(inbox)
        .values(
            consumer=consumer,
            event_id=event.id,
            event_type=event.type,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    if inserted.first() is None:
        return None
    await handler(session, event)
    return event


async def apply_batch_once(
    session: AsyncSession, consumer: str, records: list[ConsumerRecord], handler: BatchHandler
) -> list[CloudEvent | None]:
    """apply_once for a batch in one transaction: one multi-row inbox insert, one handler call over
    the events not applied before. Per record: its event, or None for a duplicate."""
    events = []
    for record in records:
        try:
            events.append(CloudEvent.from_json(record.value or b""))
        except (ValidationError, ValueError) as exc:
            raise PoisonMessage(f"not a CloudEvents JSON envelope at offset {record.offset}: {exc}") from exc
    rows = [
        {
            "consumer": consumer,
            "event_id": event.id,
            "event_type": event.type,
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
        }
        for record, event in zip(records, events, strict=True)
    ]
    result = await session.execute(insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id), rows)
    fresh_ids: set[uuid.UUID] = {row[0] for row in result}
    outcomes: list[CloudEvent | None] = []
    for event in events:
        outcomes.append(event if event.id in fresh_ids else None)
        fresh_ids.discard(event.id)  # the same event twice in one batch applies once
    await handler(session, [event for event in outcomes if event is not None])
    return outcomes
