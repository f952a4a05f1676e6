"""Events of the projects service (topic `xarxa.projects.v1`), version 1.

Each event carries the project's whole new state and its version: a consumer applies it only if
it is newer than what it holds, so replays and duplicates are harmless.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

SCHEMA_BASE = "https://xarxa.barcelona/schemas/events/projects/v1/"

PROJECT_REGISTERED = "project.registered"
PROJECT_UPDATED = "project.updated"
PROJECT_EVENT_TYPES = (PROJECT_REGISTERED, PROJECT_UPDATED)


class PartnerCityV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    country: str


class ParticipatingOrgV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    ref: str
    name: str
    role: str
    type: str | None = None


class SdgShareV1(BaseModel):
    model_config = ConfigDict(frozen=True)

    goal: str
    share: Decimal


class ProjectStateV1(BaseModel):
    """The full state of a project after the change the event reports."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    version: int
    owner: str
    code: str
    title: dict[str, str]
    description: dict[str, str]
    status: str
    visibility: Literal["draft", "published"]
    partner_cities: list[PartnerCityV1]
    participating_orgs: list[ParticipatingOrgV1]
    sdg_goals: list[SdgShareV1]
    created_at: datetime
    updated_at: datetime
