"""The one way to emit an event: the envelope built from a contract model, and its outbox row."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from shared.actor import Actor
from shared.auth import Principal
from shared.backbone import backbone_metadata, outbox
from shared.db import create_engine
from shared.emit import build_event, caused_by, emit
from shared.events import CloudEvent, new_traceparent
from tests.support.database import rolled_back_session
from tests.support.infra import RunningInfra

TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")
PRINCIPAL = Principal("emit-test", "AJB", "institution", frozenset({"funding:write"}))


class Thing(BaseModel):
    id: uuid.UUID
    amount: Decimal
    at: datetime


def _thing() -> Thing:
    return Thing(id=uuid.uuid4(), amount=Decimal("12.30"), at=datetime(2030, 5, 1, 9, 30, tzinfo=UTC))


def test_the_event_carries_source_type_schema_subject_and_the_contract_in_json() -> None:
    thing = _thing()
    actor = Actor(PRINCIPAL, "req-1", "/services/funding", new_traceparent())
    event = build_event(actor, "thing.done", thing, schema_base="https://x/schemas/v1/", subject="AJB:2030")
    assert (event.source, event.type, event.subject) == ("/services/funding", "thing.done", "AJB:2030")
    assert event.dataschema == "https://x/schemas/v1/thing.done"
    assert event.data == {"id": str(thing.id), "amount": "12.30", "at": "2030-05-01T09:30:00Z"}
    assert event.model_extra == {"xarxarequestid": "req-1"}


def test_the_trace_continues_with_a_new_span_and_is_never_dropped() -> None:
    parent = new_traceparent()
    event = build_event(Actor(PRINCIPAL, None, "/s", parent), "t", _thing(), schema_base="", subject="k")
    assert event.traceparent is not None and TRACEPARENT.match(event.traceparent)
    assert event.traceparent.split("-")[1] == parent.split("-")[1]
    assert event.traceparent.split("-")[2] != parent.split("-")[2]
    # A caller that sent no trace context still gets a trace: the event starts one.
    orphan = build_event(Actor(PRINCIPAL, None, "/s"), "t", _thing(), schema_base="", subject="k")
    assert orphan.traceparent is not None and TRACEPARENT.match(orphan.traceparent)
    # No request id: the extension attribute is left out of the JSON, not sent as null.
    assert b"xarxarequestid" not in orphan.to_json()


def test_time_is_the_knowledge_time_given_else_now() -> None:
    recorded = datetime(2024, 2, 1, 8, 0, tzinfo=UTC)
    origin = Actor(PRINCIPAL, None, "/s")
    assert build_event(origin, "t", _thing(), schema_base="", subject="k", time=recorded).time == recorded
    before = datetime.now(UTC)
    assert before <= build_event(origin, "t", _thing(), schema_base="", subject="k").time <= datetime.now(UTC)


def test_an_event_emitted_for_a_consumed_one_keeps_its_trace_and_request_id() -> None:
    parent = new_traceparent()
    cause = CloudEvent(source="/services/projects", type="x", data={}, traceparent=parent, xarxarequestid="r9")
    origin = caused_by(cause, "/services/funding/iati-money")
    event = build_event(origin, "answer", _thing(), schema_base="", subject="k")
    assert event.source == "/services/funding/iati-money"
    assert event.model_extra == {"xarxarequestid": "r9"}
    assert event.traceparent is not None and event.traceparent.split("-")[1] == parent.split("-")[1]
    assert caused_by(CloudEvent(source="/s", type="x", data={}), "/t").request_id is None


@pytest.fixture
async def outbox_url(infra: RunningInfra) -> str:
    name = f"xarxa_emit_{uuid.uuid4().hex[:8]}"
    infra.postgres.create_databases([name])
    url = infra.postgres.url(name)
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    await engine.dispose()
    return url


async def test_emit_puts_the_very_event_in_the_outbox_under_its_topic_and_key(outbox_url: str) -> None:
    thing = _thing()
    actor = Actor(PRINCIPAL, "req-2", "/services/funding", new_traceparent())
    async with rolled_back_session(outbox_url) as session:
        event = await emit(session, actor, "xarxa.funding", "AJB:2030", "thing.done", thing, schema_base="s/")
        row = (await session.execute(select(outbox))).one()
    assert (row.topic, row.key, row.event_type, row.event_id) == ("xarxa.funding", "AJB:2030", "thing.done", event.id)
    assert CloudEvent.model_validate(row.event) == event
    assert event.subject == "AJB:2030"  # the key, unless a subject is given
