"""API models of the grant call: calls and their rules, entities, applications, steps, resolutions."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, model_validator

from services.funding.ledger.schemas import Amount
from shared.codelists import coded
from shared.contracts.project_input import Localized, ProjectProposal, Slug
from shared.dates import CalendarDate

Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Points = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
BudgetYear = Annotated[int, Field(ge=2000, le=2100)]
CallStatus = Literal["draft", "open", "closed", "provisionally-resolved", "resolved"]
ApplicationState = Literal[
    "submitted",
    "admitted",
    "not-admitted",
    "scored",
    "provisionally-granted",
    "provisionally-denied",
    "objected",
    "granted",
    "denied",
    "accepted",
    "in-execution",
    "justified",
    "closed",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Programme(Strict):
    code: Slug
    title: Localized = Field(min_length=1)


class Modality(Strict):
    code: Slug
    programme: Slug
    title: Localized = Field(min_length=1)
    budget: dict[BudgetYear, Amount] = Field(min_length=1, description="EUR per budget year")
    remainder_to: list[Slug] = Field(
        default_factory=list, description="Where money this modality leaves goes, in order; empty: it stays"
    )


class Criterion(Strict):
    code: Slug
    title: Localized = Field(min_length=1)
    max_points: Points = Field(gt=0, description="The criterion's weight: the most points it gives")


class Eligibility(Strict):
    max_grant_eur: Amount = Field(gt=0, description="Most a single application may request, all years together")
    max_months: int = Field(ge=1, le=60)
    entity_types: list[Annotated[str, coded("OrganisationType")]] = Field(
        min_length=1, description="IATI OrganisationType codes of the entities that may apply"
    )


class CallCreate(Strict):
    institution: Annotated[str, coded("institutions")]
    year: BudgetYear
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
    title: Localized = Field(min_length=1)
    rules: Localized = Field(default_factory=dict, description="The call's rules as published")
    opens_at: datetime
    closes_at: datetime
    programmes: list[Programme] = Field(min_length=1, max_length=20)
    modalities: list[Modality] = Field(min_length=1, max_length=50)
    criteria: list[Criterion] = Field(min_length=1, max_length=30)
    min_score: Points
    eligibility: Eligibility

    @model_validator(mode="after")
    def _consistent(self) -> CallCreate:
        if self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        for what, codes in (
            ("programme", [p.code for p in self.programmes]),
            ("modality", [m.code for m in self.modalities]),
            ("criterion", [c.code for c in self.criteria]),
        ):
            if len(set(codes)) != len(codes):
                raise ValueError(f"each {what} code may appear once")
        programmes = {p.code for p in self.programmes}
        modalities = [m.code for m in self.modalities]
        for m in self.modalities:
            if m.programme not in programmes:
                raise ValueError(f"modality {m.code}: unknown programme {m.programme}")
            if set(m.remainder_to) - set(modalities) or m.code in m.remainder_to:
                raise ValueError(f"modality {m.code}: remainder_to must name other modalities of the call")
            if min(m.budget) < self.year:
                raise ValueError(f"modality {m.code}: budget years start at the call's year {self.year}")
        if self.min_score > sum(c.max_points for c in self.criteria):
            raise ValueError("min_score is above the most points the criteria give")
        return self


class CallRead(CallCreate):
    id: uuid.UUID
    status: CallStatus
    version: int
    budget_by_year: dict[int, Decimal]
    tie_break: str
    created_at: datetime
    updated_at: datetime


class CallPage(BaseModel):
    items: list[CallRead]


class CallTransition(Strict):
    status: Literal["open", "closed"]


class Contact(Strict):
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ]{6,20}$")] | None = None
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


class EntityCreate(Strict):
    tenant: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")] = Field(
        description="The tenant of the entity's API client (scope grants:apply)"
    )
    name: Name
    tax_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{9}$")] = Field(description="Spanish NIF")
    org_type: Annotated[str, coded("OrganisationType")] = Field(description="IATI OrganisationType, e.g. 22 NGO")
    org_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")] | None = Field(
        default=None, description="IATI organisation identifier; XARXA-ENT-<tax id> when none"
    )
    contact: Contact


class EntityRead(EntityCreate):
    id: uuid.UUID
    org_ref: str
    created_at: datetime


class Proposal(ProjectProposal):
    """The project the entity proposes; the registry holds it as a draft owned by the call's
    institution. It carries no partners, exchanges, registry links, actuals or locks (422 naming
    each such field): those are the institution's to add once the project is its own."""


class Document(Strict):
    title: Name
    url: HttpUrl


class ApplicationCreate(Strict):
    modality: Slug
    proposal: Proposal
    requested: dict[BudgetYear, Amount] = Field(min_length=1, description="EUR per budget year")
    duration_months: int = Field(ge=1, le=60)
    documents: list[Document] = Field(default_factory=list, max_length=50)
    # Migration of past calls from earlier systems: an admin records an application on behalf of an
    # entity, at its original submission time (which must still fall within the call's dates).
    entity_id: uuid.UUID | None = Field(default=None, description="Admin only: the entity applying")
    submitted_at: datetime | None = Field(default=None, description="Admin only: the original submission time")


class Step(BaseModel):
    from_state: str | None
    to_state: str
    client_id: str
    tenant: str
    note: str | None
    at: datetime


class ApplicationRead(BaseModel):
    id: uuid.UUID
    call_id: uuid.UUID
    entity_id: uuid.UUID
    reference: str
    modality: str
    project_id: uuid.UUID
    state: ApplicationState
    version: int
    requested: dict[int, Decimal]
    duration_months: int
    documents: list[dict[str, Any]]
    scores: dict[str, dict[str, Decimal]]
    criterion_scores: dict[str, Decimal]
    total_score: Decimal | None
    decision_reason: str | None
    granted: dict[int, Decimal]
    objection: dict[str, Any] | None
    justification: dict[str, Any] | None
    submitted_at: datetime
    updated_at: datetime
    steps: list[Step] = Field(default_factory=list)


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]


class Admission(Strict):
    admitted: bool
    reason: Note | None = Field(default=None, description="Required when not admitted")

    @model_validator(mode="after")
    def _reason(self) -> Admission:
        if not self.admitted and not self.reason:
            raise ValueError("a reason is required to not admit an application")
        return self


class ScoreSheet(Strict):
    evaluator: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    points: dict[Slug, Points] = Field(min_length=1, description="Points per criterion code")


class ObjectionCreate(Strict):
    text: Note


class ObjectionDecision(Strict):
    upheld: bool
    answer: Note
    sheets: list[ScoreSheet] = Field(
        default_factory=list, description="Revised score sheets when upheld; they replace the same evaluators'"
    )


class Payment(Strict):
    budget_year: BudgetYear
    value_date: CalendarDate | None = Field(default=None, description="When it was paid; today by default")


class JustificationCreate(Strict):
    spent_eur: Amount = Field(ge=0)
    summary: Localized = Field(min_length=1)
    report_url: HttpUrl | None = None


class JustificationReview(Strict):
    accepted_eur: Amount = Field(ge=0, description="Expenditure accepted; the rest of the grant is returned")
    note: Note | None = None
    value_date: CalendarDate | None = Field(default=None, description="Date of the review's bookings; today by default")


class ResolutionDecision(BaseModel):
    application_id: uuid.UUID
    reference: str
    entity: str
    modality: str
    programme: str
    rank: int | None
    total_score: Decimal | None
    funded: bool
    granted: dict[int, Decimal]
    reason: str


class ResolutionFigures(BaseModel):
    submitted: int
    admitted: int
    at_or_above_minimum: int
    funded: int
    funded_share_of_eligible_percent: Decimal | None = Field(
        description="Funded among the applications at or above the minimum score"
    )
    budget_by_year: dict[int, Decimal]
    granted_by_year: dict[int, Decimal]
    granted_by_programme: dict[str, dict[int, Decimal]]
    granted_total: Decimal


class TransferRead(BaseModel):
    source: str
    target: str
    amounts: dict[int, Decimal]
    used: dict[int, Decimal]


class Resolution(BaseModel):
    call_id: uuid.UUID
    call_code: str
    institution: str
    kind: Literal["provisional", "definitive"]
    resolved_at: datetime
    min_score: Decimal
    tie_break: str
    figures: ResolutionFigures
    decisions: list[ResolutionDecision]
    transfers: list[TransferRead]
    left_by_modality: dict[str, dict[int, Decimal]]
