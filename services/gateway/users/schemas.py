"""API models of the users administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Role = Literal[
    "officer",
    "finance-officer",
    "grant-manager",
    "evaluator",
    "reviewer",
    "partner-reporter",
    "entity-applicant",
    "tenant-admin",
    "platform-admin",
]


class Invitation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(min_length=3, max_length=254)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
    tenant: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    tenant_kind: Literal["institution", "partner", "entity"]
    roles: list[Role] = Field(min_length=1, max_length=9)
    locale: Literal["ca", "es", "en"] = "ca"


class RolesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Role] = Field(min_length=1, max_length=9)


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    second_factor: bool = Field(False, description="Also enrol a new TOTP second factor (a lost device)")


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str
    tenant: str
    tenant_kind: str
    roles: list[str]
    locale: str
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None
    active: bool = Field(description="Has set a password and is not disabled")
    second_factor: bool


class UserPage(BaseModel):
    items: list[UserRead]
    next_after: str | None


class IssuedLinkRead(BaseModel):
    user: UserRead
    link: str = Field(description="The one-time link to hand to the person; shown once")
    expires_at: datetime
