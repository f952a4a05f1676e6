"""The AsyncAPI document is served next to the OpenAPI one, and every event on the topics
validates against the schema it publishes for its type."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from aiokafka import AIOKafkaConsumer
from jsonschema import Draft202012Validator, FormatChecker

from services.reporting.rebuild import topic_partitions
from shared.contracts.asyncapi import EVENTS, message_name
from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC
from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def whole_topic(bootstrap: str, topic: str) -> list[bytes]:
    """Every record from the beginning to the end the topic has now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(bootstrap, (topic,))
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            for tp, records in (await consumer.getmany(*remaining, timeout_ms=1000)).items():
                values += [r.value for r in records if r.offset < ends[tp]]
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
        return values
    finally:
        await consumer.stop()


def validators(doc: dict[str, Any]) -> dict[str, Draft202012Validator]:
    out = {}
    for event_type in EVENTS:
        payload = doc["components"]["messages"][message_name(event_type)]["payload"]
        # The payload refers to #/components/schemas: validate it with the document's components.
        schema = {**payload, "components": doc["components"]}
        Draft202012Validator.check_schema(schema)
        out[event_type] = Draft202012Validator(schema, format_checker=FormatChecker())
    return out


async def test_every_emitted_event_validates_against_its_published_schema(
    stack: Stack, gateway: httpx.AsyncClient
) -> None:
    # Events of its own (the suite's other tests add every other kind when run together).
    project = (await gateway.post("/api/projects/projects", json=project_payload())).json()

    async def known() -> bool:
        return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

    await eventually(known, what="the project in funding")
    booking = {
        "transaction_type": "2",
        "amount": "5.00",
        "currency": "EUR",
        "value_date": "2025-02-03",
        "instrument": "conveni",
    }
    assert (await gateway.post(f"/api/funding/projects/{project['id']}/transactions", json=booking)).status_code == 201

    async def published() -> bool:
        return any(
            b"funding.transaction-recorded" in v for v in await whole_topic(stack.infra.bootstrap, FUNDING_TOPIC)
        )

    await eventually(published, what="the booking on the topic")
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        doc = (await client.get("/asyncapi.json")).json()
    assert doc["asyncapi"] == "3.0.0"
    assert {c["address"] for c in doc["channels"].values()} == {PROJECTS_TOPIC, FUNDING_TOPIC}
    checks = validators(doc)
    seen: dict[str, int] = {}
    for topic in (PROJECTS_TOPIC, FUNDING_TOPIC):
        for value in await whole_topic(stack.infra.bootstrap, topic):
            event = orjson.loads(value)
            assert event["type"] in checks, f"{event['type']} is not in the AsyncAPI document"
            errors = [e.message for e in checks[event["type"]].iter_errors(event)]
            assert not errors, (event["type"], errors[:3])
            seen[event["type"]] = seen.get(event["type"], 0) + 1
    # The suite's earlier tests emitted most kinds; at least the core ones must have been checked.
    assert {"project.registered", "funding.transaction-recorded"} <= set(seen), seen
