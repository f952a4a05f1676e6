"""API models of the project registry."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
Localized = dict[LanguageCode, Text]


class PartnerCity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = Field(
        description="ISO 3166-1 alpha-2 country code"
    )


class ParticipatingOrg(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")] = Field(
        description="Organisation identifier (IATI organisation ref, or a Xarxa tenant id); partner tokens match it"
    )
    name: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    role: Literal["1", "2", "3", "4"] = Field(
        description="IATI OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing"
    )
    type: Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")] | None = Field(
        default=None, description="IATI OrganisationType code"
    )


class SdgShare(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: Annotated[str, StringConstraints(pattern=r"^([1-9]|1[0-7])$")] = Field(description="SDG goal 1-17")
    share: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2, description="Percent of the project")


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    owner: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
    title: Localized = Field(min_length=1)
    description: Localized = Field(default_factory=dict)
    status: Literal["1", "2", "3", "4", "5", "6"] = Field(default="1", description="IATI ActivityStatus")
    visibility: Literal["draft", "published"] = "draft"
    partner_cities: list[PartnerCity] = Field(default_factory=list, max_length=100)
    participating_orgs: list[ParticipatingOrg] = Field(default_factory=list, max_length=100)
    sdg_goals: list[SdgShare] = Field(default_factory=list, max_length=17)

    @field_validator("sdg_goals")
    @classmethod
    def _shares_sum_to_100(cls, goals: list[SdgShare]) -> list[SdgShare]:
        if goals:
            if len({g.goal for g in goals}) != len(goals):
                raise ValueError("each SDG goal may appear once")
            total = sum((g.share for g in goals), Decimal(0))
            if total != Decimal(100):
                raise ValueError(f"SDG shares must sum to 100, not {total}")
        return goals


class ProjectRead(BaseModel):
    id: uuid.UUID
    version: int
    owner: str
    code: str
    title: dict[str, str]
    description: dict[str, str]
    status: str
    visibility: str
    partner_cities: list[PartnerCity]
    participating_orgs: list[ParticipatingOrg]
    sdg_goals: list[SdgShare]
    created_at: datetime
    updated_at: datetime


class ProjectPage(BaseModel):
    items: list[ProjectRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end")
