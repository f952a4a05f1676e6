"""What a running service holds: database engine, outbox relay, consumers. Built in the lifespan."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.backoff import Backoff
from shared.consumer import BatchHandler, Handler, IdempotentConsumer
from shared.db import asyncpg_dsn, create_engine, create_sessionmaker
from shared.kafka import dead_letter_topic, ensure_topics
from shared.outbox import OutboxRelay, default_producer_factory
from shared.settings import ServiceSettings

log = logging.getLogger("xarxa.runtime")


@dataclass(frozen=True)
class ConsumerSpec:
    """One consumer group of a service: the topics it reads and the handler applying each event."""

    group: str
    topics: list[str]
    handler: Handler
    batch_handler: BatchHandler | None = None


@dataclass
class Runtime:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    produces: list[str]
    relay: OutboxRelay | None = None
    consumers: list[IdempotentConsumer] = field(default_factory=list)
    # Long-running jobs of the service besides relay and consumers (e.g. webhook deliveries).
    workers: list[Callable[[Runtime], Coroutine[Any, Any, None]]] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _kafka_ok_until: float = 0.0

    @classmethod
    def build(cls, settings: ServiceSettings, produces: list[str], consumers: list[ConsumerSpec]) -> Runtime:
        engine = create_engine(settings.database_url, settings.database_pool_size)
        runtime = cls(settings=settings, engine=engine, sessions=create_sessionmaker(engine), produces=produces)
        if settings.relay_enabled and produces:
            runtime.relay = OutboxRelay(
                asyncpg_dsn(settings.database_url),
                settings.service_name,
                default_producer_factory(settings.kafka_bootstrap),
                name=f"{settings.service_name}-relay",
            )
        if settings.consumers_enabled:
            runtime.consumers = [
                IdempotentConsumer(
                    name=spec.group,
                    topics=spec.topics,
                    bootstrap=settings.kafka_bootstrap,
                    sessions=runtime.sessions,
                    handler=spec.handler,
                    batch_handler=spec.batch_handler,
                )
                for spec in consumers
            ]
        return runtime

    def all_topics(self) -> list[str]:
        topics = set(self.produces)
        for consumer in self.consumers:
            topics.update(consumer.topics)
            topics.add(dead_letter_topic(consumer.name))
        return sorted(topics)

    async def start(self) -> None:
        self.tasks.append(asyncio.create_task(self._prepare_then_run(), name="kafka-workers"))
        if self.settings.consumers_enabled:
            self.tasks += [asyncio.create_task(worker(self), name=worker.__name__) for worker in self.workers]

    async def _prepare_then_run(self) -> None:
        # Topics are created in the background so a service starts (and accepts writes into its
        # outbox) even while the broker is down.
        backoff = Backoff()
        while True:
            try:
                await ensure_topics(
                    self.settings.kafka_bootstrap,
                    self.all_topics(),
                    self.settings.kafka_partitions,
                    self.settings.kafka_replication,
                )
                break
            except Exception as exc:  # noqa: BLE001
                log.warning("cannot create topics yet: %s", exc)
                await asyncio.sleep(backoff.failed())
        workers = [c.run() for c in self.consumers]
        if self.relay is not None:
            workers.append(self.relay.run())
        await asyncio.gather(*workers)

    async def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()
        for consumer in self.consumers:
            consumer.stop()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.engine.dispose()

    async def check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def check_kafka(self) -> None:
        if time.monotonic() < self._kafka_ok_until:
            return
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap, request_timeout_ms=2000)
        try:
            await asyncio.wait_for(admin.start(), timeout=3)
            await asyncio.wait_for(admin.describe_cluster(), timeout=3)
        finally:
            await admin.close()
        self._kafka_ok_until = time.monotonic() + 2.0
