"""API models of the project registry; the input model itself is shared (shared/contracts/project_input.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from shared.codelists import coded
from shared.contracts.project_input import (
    QUALITATIVE,
    Baseline,
    Country,
    Dates,
    Dimension,
    DisaggregatedValue,
    DocumentLink,
    Exchange,
    Indicator,
    Lang,
    Localized,
    Money,
    Name,
    Number,
    OrgRef,
    ParticipatingOrg,
    PartnerCity,
    Percent,
    Period,
    PolicyMarker,
    ProjectCreate,
    ProjectEditable,
    RecipientCountry,
    RecipientRegion,
    Result,
    SdgShare,
    SectorShare,
    Slug,
    Strict,
    Text,
)
from shared.contracts.projects import ProjectStateV1
from shared.dates import CalendarDate

__all__ = [
    "QUALITATIVE",
    "Baseline",
    "Country",
    "Dates",
    "Dimension",
    "DisaggregatedValue",
    "DocumentLink",
    "Exchange",
    "Indicator",
    "Lang",
    "Localized",
    "Money",
    "Name",
    "Number",
    "OrgRef",
    "ParticipatingOrg",
    "PartnerCity",
    "Percent",
    "Period",
    "PolicyMarker",
    "ProjectCreate",
    "ProjectEditable",
    "RecipientCountry",
    "RecipientRegion",
    "Result",
    "SdgShare",
    "SectorShare",
    "Slug",
    "Strict",
    "Text",
]


class StatusChange(Strict):
    status: Annotated[str, coded("ActivityStatus")] = Field(
        description="1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended"
    )
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = Field(
        default=None, description="Required to cancel or suspend"
    )
    date: CalendarDate | None = Field(default=None, description="When it happened; today by default")


class ResultsReplace(Strict):
    results: list[Result] = Field(max_length=50)


class LocalizedView(BaseModel):
    language: str = Field(description="The language chosen from Accept-Language, with fallback ca, es, en")
    title: str
    description: str | None = None
    objectives: str | None = None


class OtherIdentifier(BaseModel):
    ref: str
    type: str = Field(description="IATI OtherIdentifierType, e.g. B1 the previous reporting organisation's identifier")


class ProjectRead(ProjectStateV1):
    localized: LocalizedView
    other_identifiers: list[OtherIdentifier] = Field(
        default_factory=list, description="Identifiers the activity had with other publishers (IATI imports)"
    )


class ProjectPage(BaseModel):
    items: list[ProjectRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page; null at the end")
    total: int | None = Field(default=None, description="Matching projects, when cheap to count")


class Change(BaseModel):
    path: str
    before: Any = None
    after: Any = None


class HistoryEntry(BaseModel):
    """A version. Anonymous callers and other tenants get the published versions only, in the public
    fields, without who made them (client_id, tenant, request_id and migrated are absent)."""

    version: int
    event_type: str
    at: Any
    client_id: str | None = Field(default=None, description="Owner and admins only")
    tenant: str | None = Field(default=None, description="Owner and admins only")
    request_id: str | None = Field(default=None, description="Owner and admins only")
    migrated: bool = Field(default=False, description="Owner and admins only: registered by an admin migration")
    changes: list[Change]


class History(BaseModel):
    items: list[HistoryEntry]


class PublicationGap(BaseModel):
    field: str
    code: str
    message: str = Field(description="In the language asked for by Accept-Language")


class PublicationCheck(BaseModel):
    """What publishing would find missing now (the same rule the publish operation applies)."""

    publishable: bool
    visibility: str
    missing: list[PublicationGap]
