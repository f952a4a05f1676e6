"""Two real relay processes on one outbox: one publishes, in order; killing it hands over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator

import orjson
import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.backbone import backbone_metadata
from shared.db import create_engine, create_sessionmaker, transaction
from shared.events import CloudEvent
from shared.outbox import enqueue, relay_lock_id
from tests.support.infra import RunningInfra
from tests.support.kafka import create_topics, read_all
from tests.support.waiting import eventually

SERVICE = "relaytest"
KEYS = [f"project-{i}" for i in range(10)]


@pytest.fixture
async def outbox_db(infra: RunningInfra) -> AsyncIterator[tuple[str, AsyncEngine]]:
    name = f"xarxa_relay_{uuid.uuid4().hex[:8]}"
    infra.postgres.create_databases([name])
    url = infra.postgres.url(name)
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    yield url, engine
    await engine.dispose()


def start_relay(url: str, bootstrap: str, name: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xarxa.cli",
            "relay",
            SERVICE,
            "--database-url",
            url,
            "--bootstrap",
            bootstrap,
            "--name",
            name,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def relays(outbox_db: tuple[str, AsyncEngine], infra: RunningInfra) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    url, _ = outbox_db
    procs = {name: start_relay(url, infra.bootstrap, name) for name in ("relay-a", "relay-b")}
    yield procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=15)


async def write_events(engine: AsyncEngine, topic: str, start: int, count: int) -> None:
    """`count` events per key, sequence numbers from `start`, several transactions."""
    sessions = create_sessionmaker(engine)
    for seq in range(start, start + count):
        async with transaction(sessions) as session:
            for key in KEYS:
                await enqueue(
                    session,
                    topic,
                    key,
                    CloudEvent(source="/tests", type="test.seq", subject=key, data={"key": key, "seq": seq}),
                )


async def lock_holder(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        row = await conn.execute(
            text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = :objid AND l.database = "
                "(SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"objid": relay_lock_id(SERVICE) & 0xFFFFFFFF},
        )
        return row.scalar()


def check_order(records: list[ConsumerRecord]) -> dict[str, list[int]]:
    per_key: dict[str, list[int]] = defaultdict(list)
    for record in records:
        body = orjson.loads(record.value)
        per_key[body["data"]["key"]].append(body["data"]["seq"])
    return per_key


async def test_one_relay_publishes_each_event_once_in_order_and_the_other_takes_over(
    infra: RunningInfra, outbox_db: tuple[str, AsyncEngine], relays: dict[str, subprocess.Popen[bytes]]
) -> None:
    _, engine = outbox_db
    topic = f"test.relay.{uuid.uuid4().hex[:8]}"
    await create_topics(infra.bootstrap, topic)
    active = await eventually(lambda: lock_holder(engine), what="a relay holding the lock")

    await write_events(engine, topic, start=0, count=20)
    records = await read_all(infra.bootstrap, topic, expect=200)
    ids = [orjson.loads(r.value)["id"] for r in records]
    assert len(ids) == 200 and len(set(ids)) == 200, "each event published exactly once"
    for key, seqs in check_order(records).items():
        assert seqs == list(range(20)), f"order broken for {key}"
    assert await lock_holder(engine) == active, "the active relay did not change while healthy"

    os.kill(relays[active].pid, signal.SIGKILL)  # a crash, not a clean shutdown
    relays[active].wait(timeout=10)
    standby = ({"relay-a", "relay-b"} - {active}).pop()
    assert await eventually(lambda: lock_holder(engine), what="the standby taking over") == standby

    await write_events(engine, topic, start=20, count=10)
    records = await read_all(infra.bootstrap, topic, expect=300)
    ids = [orjson.loads(r.value)["id"] for r in records]
    assert len(ids) == 300 and len(set(ids)) == 300
    for key, seqs in check_order(records).items():
        assert seqs == list(range(30)), f"order broken for {key} after the takeover"
    async with engine.connect() as conn:
        waiting = await conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    assert waiting == 0
