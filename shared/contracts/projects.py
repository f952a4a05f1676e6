"""Events of the projects service (topic `xarxa.projects.v1`, key = project id), version 1.

Each event carries the project's whole new state and its version: a consumer applies it only if
it is newer than what it holds, so replays and duplicates are harmless. These models describe
structure only; the projects service validates codes against the codelists before anything is
written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_BASE = "https://xarxa.barcelona/schemas/events/projects/v1/"

PROJECT_REGISTERED = "project.registered"
PROJECT_UPDATED = "project.updated"
PROJECT_STATUS_CHANGED = "project.status-changed"
PROJECT_PUBLISHED = "project.published"
PROJECT_ARCHIVED = "project.archived"
PROJECT_RESULTS_CHANGED = "project.results-changed"
PROJECT_EVENT_TYPES = (
    PROJECT_REGISTERED,
    PROJECT_UPDATED,
    PROJECT_STATUS_CHANGED,
    PROJECT_PUBLISHED,
    PROJECT_ARCHIVED,
    PROJECT_RESULTS_CHANGED,
)

Localized = dict[str, str]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class PartnerCityV1(_Part):
    """A partner city as the project names it. Resolved in the registry's gazetteer, it carries the
    GeoNames id, the gazetteer's coordinates, names per language and aliases; unresolved (a grant
    proposal's city the gazetteer does not know), `geonames_id` is null and the rest as given."""

    name: str
    country: str
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonames_id: int | None = None
    names: dict[str, str] = Field(default_factory=dict, description="Per language: ca, es, en, the local one")
    aliases: list[str] = Field(default_factory=list)


class RecipientShareV1(_Part):
    code: str
    percentage: Decimal


class ParticipatingOrgV1(_Part):
    ref: str
    name: str
    role: str
    type: str | None = None
    side: Literal["barcelona", "partner"] | None = None
    activity_id: str | None = None
    given_ref: str | None = None


class SectorShareV1(_Part):
    code: str
    percentage: Decimal


class SdgShareV1(_Part):
    goal: str
    share: Decimal
    targets: list[str] = Field(default_factory=list)


class PolicyMarkerV1(_Part):
    code: str
    significance: str


class DatesV1(_Part):
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None


class DisaggregatedValueV1(_Part):
    dimensions: dict[str, str]
    target: Decimal | None = None
    actual: Decimal | None = None


class PeriodV1(_Part):
    start: dt.date
    end: dt.date
    target: Decimal | None = None
    actual: Decimal | None = None
    target_comment: str | None = None
    actual_comment: str | None = None
    disaggregated: list[DisaggregatedValueV1] = Field(default_factory=list)
    locked: bool = False


class BaselineV1(_Part):
    year: int | None = None
    value: Decimal | None = None
    comment: str | None = None


class IndicatorV1(_Part):
    id: uuid.UUID
    title: Localized
    measure: str
    ascending: bool = True
    # Null when the project does not say; reports then never add its periods up.
    cumulative: bool | None = None
    aggregation_status: bool | None = Field(default=None, description="IATI aggregation-status")
    baseline: BaselineV1 | None = None
    sdg_indicator: str | None = None
    disaggregations: list[str] = Field(default_factory=list)
    periods: list[PeriodV1] = Field(default_factory=list)


class ResultV1(_Part):
    id: uuid.UUID
    type: str
    title: Localized
    description: Localized = Field(default_factory=dict)
    documents: list[DocumentLinkV1] = Field(default_factory=list)
    indicators: list[IndicatorV1] = Field(default_factory=list)


class ExchangeV1(_Part):
    date: dt.date
    direction: Literal["to-partner", "from-partner"]
    institution: str
    experts: int
    staff_days: Decimal
    value_eur: Decimal
    description: Localized = Field(default_factory=dict)


class DocumentLinkV1(_Part):
    url: str
    title: Localized
    category: str
    language: str | None = None
    date: dt.date | None = None
    format: str | None = None


class OtherSectorV1(_Part):
    vocabulary: str
    code: str
    percentage: Decimal | None = None
    vocabulary_uri: str | None = None
    narrative: Localized = Field(default_factory=dict)


class OtherPolicyMarkerV1(_Part):
    vocabulary: str = "1"
    vocabulary_uri: str | None = None
    code: str
    significance: str | None = None
    narrative: Localized = Field(default_factory=dict)


class AidTypeCodeV1(_Part):
    vocabulary: str = "1"
    code: str


class LocationV1(_Part):
    ref: str | None = None
    name: Localized = Field(default_factory=dict)
    description: Localized = Field(default_factory=dict)
    activity_description: Localized = Field(default_factory=dict)
    latitude: float | None = None
    longitude: float | None = None
    exactness: str | None = None
    location_reach: str | None = None
    location_class: str | None = None
    feature_designation: str | None = None


class ContactInfoV1(_Part):
    type: str | None = None
    organisation: Localized = Field(default_factory=dict)
    department: Localized = Field(default_factory=dict)
    person_name: Localized = Field(default_factory=dict)
    job_title: Localized = Field(default_factory=dict)
    telephone: str | None = None
    email: str | None = None
    website: str | None = None
    mailing_address: Localized = Field(default_factory=dict)


class ConditionV1(_Part):
    type: str
    text: Localized = Field(default_factory=dict)


class ConditionsV1(_Part):
    attached: bool
    items: list[ConditionV1] = Field(default_factory=list)


class RelatedActivityV1(_Part):
    ref: str
    type: str


class IatiClassificationV1(_Part):
    """IATI classifications beyond Xarxa's own fields, as imported (empty for projects made here)."""

    other_sectors: list[OtherSectorV1] = Field(default_factory=list)
    policy_markers: list[OtherPolicyMarkerV1] = Field(default_factory=list)
    default_aid_types: list[AidTypeCodeV1] = Field(default_factory=list)
    default_finance_type: str | None = None
    default_flow_type: str | None = None
    default_tied_status: str | None = None
    collaboration_type: str | None = None
    activity_scope: str | None = None
    humanitarian: bool | None = None
    locations: list[LocationV1] = Field(default_factory=list)
    contact_info: list[ContactInfoV1] = Field(default_factory=list)
    conditions: ConditionsV1 | None = None
    related_activities: list[RelatedActivityV1] = Field(default_factory=list)


class ProjectStateV1(_Part):
    """The full state of a project after the change the event reports."""

    id: uuid.UUID
    version: int
    owner: str
    code: str
    iati_identifier: str
    title: Localized
    description: Localized = Field(default_factory=dict)
    objectives: Localized = Field(default_factory=dict)
    status: str
    status_reason: str | None = None
    visibility: Literal["draft", "published"]
    archived: bool = False
    parent_id: uuid.UUID | None = None
    intervention_line: str | None = None
    modality: str | None = None
    partner_cities: list[PartnerCityV1] = Field(default_factory=list)
    recipient_countries: list[RecipientShareV1] = Field(default_factory=list)
    recipient_regions: list[RecipientShareV1] = Field(default_factory=list)
    participating_orgs: list[ParticipatingOrgV1] = Field(default_factory=list)
    networks: list[str] = Field(default_factory=list)
    sectors: list[SectorShareV1] = Field(default_factory=list)
    sdg_goals: list[SdgShareV1] = Field(default_factory=list)
    policy_markers: list[PolicyMarkerV1] = Field(default_factory=list)
    dates: DatesV1 = Field(default_factory=DatesV1)
    results: list[ResultV1] = Field(default_factory=list)
    exchanges: list[ExchangeV1] = Field(default_factory=list)
    documents: list[DocumentLinkV1] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    iati: IatiClassificationV1 = Field(default_factory=IatiClassificationV1)
    created_at: datetime
    updated_at: datetime


UPDATE_SUBMITTED = "update.submitted"
UPDATE_APPROVED = "update.approved"
UPDATE_RETURNED = "update.returned"
UPDATE_EVENT_TYPES = (UPDATE_SUBMITTED, UPDATE_APPROVED, UPDATE_RETURNED)


class PartnerUpdateV1(_Part):
    """A partner's update of a project and its review state (key: project id)."""

    id: uuid.UUID
    project_id: uuid.UUID
    owner: str
    partner: str
    status: Literal["submitted", "approved", "returned"]
    version: int
    content: dict[str, Any]
    reviewer: str | None = None
    comments: str | None = None
    updated_at: datetime
