"""The AsyncAPI 3.0 document of every topic and event type, with JSON Schemas generated from the
Pydantic contracts, so that what is published is what the services emit."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.contracts import funding, grants, iati_money, projects
from shared.kafka import FUNDING_TOPIC, PROJECTS_TOPIC

# What each project event says beyond "the whole project after the change, with its version".
PROJECT_SUMMARIES = {
    projects.PROJECT_REGISTERED: "A project registered",
    projects.PROJECT_UPDATED: "A project's editable fields changed",
    projects.PROJECT_STATUS_CHANGED: "A project's status changed; also sent right after project.registered, with "
    "the same version, for a project migrated in a status later than 1 or 2",
    projects.PROJECT_PUBLISHED: "A project became public; also sent right after project.registered, with the same "
    "version, for a project created published. A published project has a description, a planned start, a "
    "recipient country or region, a sector and a participating organisation",
    projects.PROJECT_ARCHIVED: "A project archived (read-only, out of public lists)",
    projects.PROJECT_RESULTS_CHANGED: "A project's results framework or approved actuals changed",
}
FUNDING_SUMMARIES = {
    funding.PLANNED_DISBURSEMENT_ADDED: "A planned disbursement (IATI planned-disbursement) added: in "
    "`planned_disbursement`; it is in no total",
}

# event type -> (topic, payload model, producing service, summary)
EVENTS: dict[str, tuple[str, type[BaseModel], str, str]] = {
    **{
        t: (
            PROJECTS_TOPIC,
            projects.ProjectStateV1,
            "projects",
            f"{PROJECT_SUMMARIES.get(t, 'A change')}: the whole project after the change, with its version",
        )
        for t in projects.PROJECT_EVENT_TYPES
    },
    **{
        t: (PROJECTS_TOPIC, projects.PartnerUpdateV1, "projects", "A partner update pushed, approved or returned")
        for t in projects.UPDATE_EVENT_TYPES
    },
    **{
        t: (
            FUNDING_TOPIC,
            funding.ProjectFundingV1,
            "funding",
            FUNDING_SUMMARIES.get(t, "A booking and the project's new funding totals"),
        )
        for t in funding.PROJECT_FUNDING_EVENT_TYPES
    },
    funding.REVENUE_DECLARED: (
        FUNDING_TOPIC,
        funding.InstitutionYearV1,
        "funding",
        "Declared own revenues of an institution for a year, and its 0.7 % target",
    ),
    iati_money.IATI_MONEY_IMPORTED: (
        PROJECTS_TOPIC,
        iati_money.ActivityMoneyV1,
        "projects",
        "An IATI activity imported: all its transactions, budgets and planned disbursements, for funding to "
        "keep instead of what the project held from an earlier import (newest imported_at wins)",
    ),
    iati_money.IATI_MONEY_APPLIED: (
        FUNDING_TOPIC,
        iati_money.MoneyAppliedV1,
        "funding",
        "Funding's answer to project.iati-money-imported: entries kept, converted to EUR and flagged",
    ),
    grants.CALL_CHANGED: (FUNDING_TOPIC, grants.CallV1, "funding", "A grant call created, opened, closed or resolved"),
    grants.APPLICATION_SUBMITTED: (
        FUNDING_TOPIC,
        grants.ApplicationSubmittedV1,
        "funding",
        "An application to a grant call, with the project it proposes",
    ),
    grants.APPLICATION_CHANGED: (FUNDING_TOPIC, grants.ApplicationV1, "funding", "An application changed state"),
    grants.APPLICATION_GRANTED: (
        FUNDING_TOPIC,
        grants.ApplicationV1,
        "funding",
        "An application definitively granted: its commitments are booked",
    ),
}
CONSUMERS = {PROJECTS_TOPIC: ["funding", "reporting"], FUNDING_TOPIC: ["reporting", "projects"]}


def message_name(event_type: str) -> str:
    return event_type.replace(".", "_").replace("-", "_")


def envelope(model_name: str) -> dict[str, Any]:
    """The CloudEvents 1.0 structured-mode envelope around one payload model."""
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "time", "data"],
        "properties": {
            "specversion": {"const": "1.0"},
            "id": {"type": "string", "format": "uuid"},
            "source": {"type": "string"},
            "type": {"type": "string"},
            "subject": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"const": "application/json"},
            "dataschema": {"type": "string", "format": "uri"},
            "traceparent": {"type": "string"},
            "xarxarequestid": {"type": ["string", "null"]},
            "data": {"$ref": f"#/components/schemas/{model_name}"},
        },
    }


def document(version: str = "1.0.0") -> dict[str, Any]:
    models = sorted({model for _, model, _, _ in EVENTS.values()}, key=lambda m: m.__name__)
    _, schemas = models_json_schema([(m, "serialization") for m in models], ref_template="#/components/schemas/{model}")
    messages: dict[str, Any] = {}
    for event_type, (_, model, _, summary) in EVENTS.items():
        schema = envelope(model.__name__)
        schema["properties"]["type"] = {"const": event_type}
        messages[message_name(event_type)] = {
            "name": event_type,
            "title": event_type,
            "summary": summary,
            "contentType": "application/cloudevents+json",
            "headers": {
                "type": "object",
                "properties": {"ce_type": {"const": event_type}, "content-type": {"type": "string"}},
            },
            "payload": schema,
        }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in (PROJECTS_TOPIC, FUNDING_TOPIC):
        names = [message_name(t) for t, (top, *_) in EVENTS.items() if top == topic]
        channel = topic.replace(".", "_")
        channels[channel] = {
            "address": topic,
            "description": "Kept forever (retention.ms=-1); keyed by the aggregate's id, so its events stay ordered.",
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": "0.5.0"}},
        }
        producer = EVENTS[next(t for t, (top, *_) in EVENTS.items() if top == topic)][2]
        operations[f"{producer}_publishes_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "summary": f"The {producer} service publishes through its transactional outbox (acks=all).",
            "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in names],
        }
        for consumer in CONSUMERS[topic]:
            operations[f"{consumer}_receives_{channel}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{channel}"},
                "summary": f"Consumer group xarxa.{consumer}: idempotent (inbox); dead letters: xarxa.{consumer}.dlq.",
                "messages": [{"$ref": f"#/channels/{channel}/messages/{n}"} for n in names],
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Xarxa events",
            "version": version,
            "description": "Every event the Xarxa services emit: CloudEvents 1.0 in structured mode, "
            "each carrying the aggregate's full new state and its version. Integrators may read the "
            "topics directly.",
        },
        "servers": {"local": {"host": "127.0.0.1:59092", "protocol": "kafka", "description": "make up's broker"}},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas["$defs"]},
    }
