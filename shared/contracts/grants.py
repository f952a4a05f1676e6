"""Events of the annual grant call (topic `xarxa.funding.v1`), version 1.

Call events are keyed by call id; application events by application id, so that an application's
submission (which proposes a draft project to the registry) precedes its grant (which moves the
project out of draft) on the same partition.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

SCHEMA_BASE = "https://xarxa.barcelona/schemas/events/grants/v1/"

CALL_CHANGED = "grants.call-changed"
APPLICATION_SUBMITTED = "grants.application-submitted"
APPLICATION_CHANGED = "grants.application-changed"
APPLICATION_GRANTED = "grants.application-granted"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class CallV1(_Part):
    id: uuid.UUID
    institution: str
    year: int
    code: str
    title: dict[str, str]
    status: str
    version: int
    budget_by_year: dict[int, Decimal]
    updated_at: datetime


class EntityV1(_Part):
    id: uuid.UUID
    org_ref: str
    name: str
    org_type: str


class ApplicationV1(_Part):
    id: uuid.UUID
    call_id: uuid.UUID
    institution: str
    reference: str
    modality: str
    programme: str
    entity: EntityV1
    project_id: uuid.UUID
    state: str
    version: int
    requested: dict[int, Decimal]
    granted: dict[int, Decimal]
    total_score: Decimal | None = None
    updated_at: datetime


class ApplicationSubmittedV1(ApplicationV1):
    """Carries the proposal: the registry registers it as a draft project with id `project_id`."""

    proposal: dict[str, Any]
