"""The CloudEvents envelope and trace context."""

import re
import uuid

from shared.events import CloudEvent, child_traceparent, new_traceparent

TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")


def test_envelope_round_trips_with_required_attributes() -> None:
    event = CloudEvent(
        source="/xarxa/projects",
        type="project.registered",
        subject="p1",
        dataschema="https://x/schema",
        traceparent=new_traceparent(),
        data={"a": 1},
    )
    raw = event.to_json()
    back = CloudEvent.from_json(raw)
    assert back == event
    for attribute in ("id", "source", "type", "specversion", "time", "subject", "datacontenttype", "data"):
        assert f'"{attribute}"'.encode() in raw
    assert back.specversion == "1.0"
    assert isinstance(back.id, uuid.UUID)
    assert back.time.tzinfo is not None


def test_extension_attributes_survive() -> None:
    event = CloudEvent(source="/s", type="t", data={}, xarxarequestid="abc")
    assert CloudEvent.from_json(event.to_json()).model_extra == {"xarxarequestid": "abc"}


def test_child_traceparent_keeps_the_trace_and_changes_the_span() -> None:
    parent = new_traceparent()
    child = child_traceparent(parent)
    assert TRACEPARENT.match(child)
    assert child.split("-")[1] == parent.split("-")[1]
    assert child.split("-")[2] != parent.split("-")[2]


def test_invalid_parent_starts_a_new_trace() -> None:
    assert TRACEPARENT.match(child_traceparent("garbage"))
    assert TRACEPARENT.match(child_traceparent(None))
