"""Transactional outbox: the event is written in the same transaction as the state change.

`enqueue` is called by services inside the unit of work; `OutboxRelay` publishes what is waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Callable

import asyncpg
import orjson
from aiokafka import AIOKafkaProducer
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.backbone import outbox
from shared.backoff import Backoff
from shared.events import CONTENT_TYPE, CloudEvent

log = logging.getLogger("xarxa.outbox")

CHANNEL = "xarxa_outbox"


async def enqueue(session: AsyncSession, topic: str, key: str, event: CloudEvent) -> None:
    """Add the event to the outbox of the current transaction and wake the relay at commit."""
    await session.execute(
        insert(outbox).values(
            event_id=event.id,
            event_type=event.type,
            topic=topic,
            key=key,
            event=event.model_dump(mode="json", exclude_none=True),
        )
    )
    # NOTIFY is transactional: delivered at commit, dropped on rollback, merged within a transaction.
    # One per transaction is enough (they merge anyway); the relay's periodic sweep covers one lost
    # with a rolled-back savepoint.
    transaction = session.get_transaction()
    if session.info.get("outbox_notified") is not transaction:
        await session.execute(text(f"NOTIFY {CHANNEL}"))
        session.info["outbox_notified"] = transaction


async def enqueue_many(session: AsyncSession, topic: str, keyed: list[tuple[str, CloudEvent]]) -> None:
    """`enqueue` for many events (key, event) at once: one COPY, rows in list order (the
    relay publishes by id, so each key keeps its events' order), one NOTIFY per transaction."""
    if not keyed:
        return
    # The event's JSON as pydantic writes it, copied in (COPY: hundreds of rows for the price of a
    # few INSERTs, in the session's transaction); ids follow the records' order.
    records = [(event.id, event.type, topic, key, event.model_dump_json(exclude_none=True)) for key, event in keyed]
    connection = await (await session.connection()).get_raw_connection()
    driver: asyncpg.Connection = connection.driver_connection
    await driver.copy_records_to_table(
        "outbox", records=records, columns=["event_id", "event_type", "topic", "key", "event"]
    )
    transaction = session.get_transaction()
    if session.info.get("outbox_notified") is not transaction:
        await session.execute(text(f"NOTIFY {CHANNEL}"))
        session.info["outbox_notified"] = transaction


def relay_lock_id(service: str) -> int:
    """Advisory lock key: one active relay per service database."""
    return zlib.crc32(f"xarxa-outbox-relay:{service}".encode())


ProducerFactory = Callable[[], AIOKafkaProducer]


def default_producer_factory(bootstrap: str) -> ProducerFactory:
    def make() -> AIOKafkaProducer:
        # acks=all + idempotence: no loss, no broker-side duplicates, order kept per partition.
        return AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=2,
            request_timeout_ms=15000,
        )

    return make


class OutboxRelay:
    """Publishes outbox rows in id order, then marks them published.

    Several instances may run; the one holding the PostgreSQL advisory lock publishes, the others
    stand by and take over when its session ends (process death closes the lock's connection).
    Reading, locking and marking all go through that one connection, so a relay that lost its lock
    can no longer mark anything. Delivery is at-least-once: a crash between the broker's ack and
    the mark re-sends that batch, and consumers drop the duplicates by event id.
    """

    def __init__(
        self,
        dsn: str,
        service: str,
        producer_factory: ProducerFactory,
        batch_size: int = 500,
        standby_poll: float = 0.5,
        idle_poll: float = 5.0,
        name: str = "relay",
    ) -> None:
        self.dsn = dsn
        self.lock_id = relay_lock_id(service)
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.standby_poll = standby_poll
        self.idle_poll = idle_poll
        self.name = name
        self.active = False
        self.published = 0
        self._wake = asyncio.Event()
        self._stopping = False

    async def run(self) -> None:
        backoff = Backoff()
        while not self._stopping:
            try:
                await self._hold_lock_and_publish()
                backoff.succeeded()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database or broker trouble: retry, never give up
                delay = backoff.failed()
                log.warning("outbox relay %s: %s; retrying in %.1fs", self.name, exc, delay)
                self.active = False
                await asyncio.sleep(delay)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _hold_lock_and_publish(self) -> None:
        conn: asyncpg.Connection = await asyncpg.connect(self.dsn, server_settings={"application_name": self.name})
        try:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.lock_id):
                await asyncio.sleep(self.standby_poll)
                return
            self.active = True
            log.info("outbox relay %s is active", self.name)
            await conn.add_listener(CHANNEL, lambda *_: self._wake.set())
            producer = self.producer_factory()
            await producer.start()
            try:
                while not self._stopping:
                    self._wake.clear()
                    if await self._publish_batch(conn, producer) == self.batch_size:
                        continue
                    # A periodic sweep as well, in case a notification was missed.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=self.idle_poll)
            finally:
                await producer.stop()
        finally:
            self.active = False
            await conn.close()

    async def _publish_batch(self, conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
        rows = await conn.fetch(
            "SELECT id, topic, key, event, event_type FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
            self.batch_size,
        )
        if not rows:
            return 0
        # send() only enqueues; awaiting the returned futures waits for acks=all.
        # The idempotent producer keeps the enqueue order within each partition.
        futures = []
        for row in rows:
            futures.append(
                await producer.send(
                    row["topic"],
                    value=_as_bytes(row["event"]),
                    key=row["key"].encode(),
                    headers=[("content-type", CONTENT_TYPE.encode()), ("ce_type", row["event_type"].encode())],
                )
            )
        await asyncio.gather(*futures)
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
            [row["id"] for row in rows],
        )
        self.published += len(rows)
        return len(rows)


def _as_bytes(event: object) -> bytes:
    # asyncpg returns jsonb as text unless a codec is set.
    if isinstance(event, str):
        return event.encode()
    return orjson.dumps(event)
