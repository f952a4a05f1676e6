"""The idempotent consumer against the real broker and database.

Its effect here is deliberately not idempotent (one row per application), so only the inbox can
keep a duplicate delivery from having a second effect.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.consumer import IdempotentConsumer
from shared.db import create_engine, create_sessionmaker
from shared.events import CloudEvent
from shared.kafka import dead_letter_topic
from tests.support.infra import RunningInfra
from tests.support.kafka import create_topics, produce, read_all
from tests.support.stack import Stack
from tests.support.waiting import eventually


@pytest.fixture
async def engine(stack: Stack) -> AsyncIterator[AsyncEngine]:
    # The reporting database has the inbox table (migrated by the stack).
    engine = create_engine(stack.infra.database_url("reporting"))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS test_effects (event_id uuid, note text)"))
    yield engine
    await engine.dispose()


async def apply_effect(session: AsyncSession, event: CloudEvent) -> None:
    if event.type == "test.refused":
        raise ValueError("the handler refuses this event")
    await session.execute(
        text("INSERT INTO test_effects VALUES (:id, :note)"), {"id": event.id, "note": event.data["note"]}
    )


def event(note: str, type_: str = "test.noted") -> CloudEvent:
    return CloudEvent(source="/tests", type=type_, subject="k", data={"note": note})


async def effects(engine: AsyncEngine, notes: list[str]) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT note, count(*) FROM test_effects WHERE note = ANY(:n) GROUP BY note"), {"n": notes}
        )
        return {str(note): int(n) for note, n in rows.all()}


async def run_consumer(
    infra: RunningInfra, engine: AsyncEngine, group: str, topic: str
) -> tuple[IdempotentConsumer, asyncio.Task[None]]:
    consumer = IdempotentConsumer(
        name=group,
        topics=[topic],
        bootstrap=infra.bootstrap,
        sessions=create_sessionmaker(engine),
        handler=apply_effect,
    )
    return consumer, asyncio.create_task(consumer.run())


async def stop(consumer: IdempotentConsumer, task: asyncio.Task[None]) -> None:
    consumer.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_same_event_twice_has_one_effect_and_poison_goes_to_dead_letter(
    infra: RunningInfra, engine: AsyncEngine
) -> None:
    suffix = uuid.uuid4().hex[:8]
    topic, group = f"test.consumer.{suffix}", f"test.group.{suffix}"
    await create_topics(infra.bootstrap, topic, dead_letter_topic(group))
    first, refused, after = (
        event(f"first-{suffix}"),
        event(f"refused-{suffix}", "test.refused"),
        event(f"after-{suffix}"),
    )
    # One key, so one partition: the poison messages sit between the good ones.
    await produce(
        infra.bootstrap,
        topic,
        [
            (b"k", first.to_json()),
            (b"k", first.to_json()),
            (b"k", b"\xff not json"),
            (b"k", refused.to_json()),
            (b"k", after.to_json()),
        ],
    )
    consumer, task = await run_consumer(infra, engine, group, topic)
    try:
        notes = [f"first-{suffix}", f"after-{suffix}", f"refused-{suffix}"]

        async def both_applied() -> dict[str, int] | None:
            found = await effects(engine, notes)
            return found if len(found) == 2 else None

        assert await eventually(both_applied, what="effects of the good events") == {
            f"first-{suffix}": 1,
            f"after-{suffix}": 1,
        }
        dead = await read_all(infra.bootstrap, dead_letter_topic(group), expect=2)
        assert len(dead) == 2
        errors = [dict(r.headers)["dlq_error_type"].decode() for r in dead]
        assert errors == ["PoisonMessage", "ValueError"]
        assert dict(dead[1].headers)["dlq_error"].decode() == "the handler refuses this event"
        assert dead[1].value == refused.to_json()
        assert consumer.stats.duplicates == 1
    finally:
        await stop(consumer, task)


async def test_redelivery_after_a_restart_has_no_second_effect(infra: RunningInfra, engine: AsyncEngine) -> None:
    suffix = uuid.uuid4().hex[:8]
    topic, group = f"test.redeliver.{suffix}", f"test.group.{suffix}"
    await create_topics(infra.bootstrap, topic, dead_letter_topic(group))
    once = event(f"once-{suffix}")
    await produce(infra.bootstrap, topic, [(b"k", once.to_json())])
    consumer, task = await run_consumer(infra, engine, group, topic)
    await eventually(lambda: effects(engine, [f"once-{suffix}"]), what="first application")
    await stop(consumer, task)
    # The producer retried after a lost ack, say: the same event arrives again.
    await produce(infra.bootstrap, topic, [(b"k", once.to_json()), (b"k", event(f"next-{suffix}").to_json())])
    consumer, task = await run_consumer(infra, engine, group, topic)
    try:

        async def next_applied() -> dict[str, int] | None:
            found = await effects(engine, [f"once-{suffix}", f"next-{suffix}"])
            return found if len(found) == 2 else None

        assert await eventually(next_applied, what="the next event") == {f"once-{suffix}": 1, f"next-{suffix}": 1}
    finally:
        await stop(consumer, task)


async def test_a_batch_applies_each_new_event_once(engine: AsyncEngine) -> None:
    """apply_batch_once: duplicates inside a batch and events applied before have no second effect."""
    from aiokafka import ConsumerRecord

    from shared.consumer import apply_batch_once

    def record(e: CloudEvent, offset: int) -> ConsumerRecord[bytes, bytes]:
        return ConsumerRecord("t", 0, offset, 0, 0, b"k", e.to_json(), None, 1, len(e.to_json()), [])

    async def apply_all(session: AsyncSession, events: list[CloudEvent]) -> None:
        for e in events:
            await apply_effect(session, e)

    tag = uuid.uuid4().hex[:6]
    first, second = event(f"b1-{tag}"), event(f"b2-{tag}")
    group = f"batch-{tag}"
    sessions = create_sessionmaker(engine)
    async with sessions() as session, session.begin():
        outcomes = await apply_batch_once(session, group, [record(first, 0), record(first, 1)], apply_all)
    assert [o.id if o else None for o in outcomes] == [first.id, None]
    async with sessions() as session, session.begin():
        outcomes = await apply_batch_once(session, group, [record(first, 0), record(second, 2)], apply_all)
    assert [o.id if o else None for o in outcomes] == [None, second.id]
    assert await effects(engine, [f"b1-{tag}", f"b2-{tag}"]) == {f"b1-{tag}": 1, f"b2-{tag}": 1}
