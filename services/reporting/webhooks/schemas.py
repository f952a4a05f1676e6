"""API models of webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl = Field(
        description="Where the events are POSTed: a public http(s) address, no user name or password in it"
    )
    event_types: list[str] = Field(min_length=1, max_length=50, description="See /asyncapi.json")


class Subscription(BaseModel):
    id: uuid.UUID
    tenant: str
    url: str
    event_types: list[str]
    active: bool
    created_at: datetime


class SubscriptionCreated(Subscription):
    secret: str = Field(description="The HMAC-SHA256 key of the signatures; shown this once")


class SubscriptionPage(BaseModel):
    items: list[Subscription]


class Delivery(BaseModel):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    event: dict[str, Any] = Field(description="The CloudEvent as sent")
    status: str = Field(description="pending, delivered, failed, or cancelled (the subscription was stopped)")
    attempts: int
    next_attempt_at: datetime
    log: list[dict[str, Any]] = Field(
        description="Every attempt: at, HTTP status, ms, and an error word (timeout, connection refused, "
        "connection failed, tls error, protocol error, destination not allowed, redirect not followed)"
    )
    created_at: datetime
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[Delivery]
