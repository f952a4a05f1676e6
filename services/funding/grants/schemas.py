"""API models of the grant call: calls and their rules, entities, applications, steps, resolutions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, ValidationInfo, field_validator

from services.funding.grants.tax_ids import EntityTaxId, PersonId
from services.funding.ledger.schemas import Amount
from shared.codelists import coded
from shared.contracts.project_input import Localized, ProjectProposal, Slug
from shared.dates import CalendarDate
from shared.problem_texts import invalid

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
    "renounced",
    "excluded",
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


class Periods(Strict):
    """The call's periods in working days (weekends and the holidays of Spain, Catalonia and the
    call's `local_holidays` excluded), each counted from the day after its act."""

    objection_days: int = Field(default=10, ge=1, le=60, description="To object to the provisional resolution")
    acceptance_days: int = Field(default=10, ge=1, le=60, description="To accept the grant after the definitive one")
    justification_days: int = Field(
        default=60, ge=1, le=250, description="To justify, after the project's last month (acceptance + duration)"
    )


class PartialFunding(Strict):
    min_share_percent: Annotated[Decimal, Field(gt=0, lt=100, max_digits=5, decimal_places=2)] = Field(
        description="The smallest share of its request the last fundable application may be granted"
    )


class Instalment(Strict):
    stage: Literal["acceptance", "justification"] = Field(
        description="When the payment order is issued: on acceptance (an advance) or after the justification"
    )
    share_percent: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]


def _full_advance() -> list[Instalment]:
    return [Instalment(stage="acceptance", share_percent=Decimal(100))]


class BudgetCategory(Strict):
    code: Slug
    title: Localized = Field(min_length=1)


class Signatory(Strict):
    name: Name
    post: Localized = Field(min_length=1, description="The post they sign in, per language")


class CallCreate(Strict):
    institution: Annotated[str, coded("institutions")]
    year: BudgetYear
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")]
    title: Localized = Field(min_length=1)
    rules: Localized = Field(default_factory=dict, description="The call's rules as published")
    regulatory_bases: Localized = Field(
        default_factory=dict,
        description="The regulatory bases the call follows, as the resolutions cite them (approval, publication)",
    )
    signatory: Signatory | None = Field(default=None, description="Who signs the call's resolutions")
    opens_at: datetime
    closes_at: datetime
    programmes: list[Programme] = Field(min_length=1, max_length=20)
    modalities: list[Modality] = Field(min_length=1, max_length=50)
    criteria: list[Criterion] = Field(min_length=1, max_length=30)
    min_score: Points
    eligibility: Eligibility
    periods: Periods = Field(default_factory=Periods)
    local_holidays: list[CalendarDate] = Field(
        default_factory=list,
        max_length=40,
        description="The city's local holidays over the call's procedure (Barcelona: Whit Monday and La Mercè "
        "of each year), set by the grant manager: the holiday package has no municipal calendar",
    )
    partial_funding: PartialFunding | None = Field(
        default=None, description="Whether the last fundable application may be funded partially; null: never"
    )
    reserve_list: bool = Field(default=False, description="Whether the eligible unfunded form a reserve list")
    payment_plan: list[Instalment] = Field(
        default_factory=_full_advance,
        min_length=1,
        max_length=2,
        description="Shares of each budget year's grant paid on acceptance and after the justification",
    )
    budget_categories: list[BudgetCategory] = Field(
        default_factory=list, max_length=30, description="The expense lines a justification reports by"
    )

    # Each rule names the field it concerns; one that compares with an earlier field reads it from
    # info.data (absent when that field was itself invalid: then only its own error is reported).
    @field_validator("local_holidays")
    @classmethod
    def _distinct_holidays(cls, value: list[date]) -> list[date]:
        if len(set(value)) != len(value):
            raise invalid("local_holiday_repeated")
        return value

    @field_validator("payment_plan")
    @classmethod
    def _payment_plan(cls, value: list[Instalment]) -> list[Instalment]:
        stages = [i.stage for i in value]
        if stages not in (["acceptance"], ["justification"], ["acceptance", "justification"]):
            raise invalid("payment_plan_stages")
        if sum(i.share_percent for i in value) != 100:
            raise invalid("payment_plan_shares")
        return value

    @field_validator("budget_categories")
    @classmethod
    def _distinct_categories(cls, value: list[BudgetCategory]) -> list[BudgetCategory]:
        if len({c.code for c in value}) != len(value):
            raise invalid("budget_category_repeated")
        return value

    @field_validator("closes_at")
    @classmethod
    def _closes_after_opening(cls, value: datetime, info: ValidationInfo) -> datetime:
        opens_at = info.data.get("opens_at")
        if opens_at is not None and value <= opens_at:
            raise invalid("closes_before_opens")
        return value

    @field_validator("programmes", "criteria")
    @classmethod
    def _distinct_codes(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        if len({item.code for item in value}) != len(value):
            raise invalid("programme_code_repeated" if info.field_name == "programmes" else "criterion_code_repeated")
        return value

    @field_validator("modalities")
    @classmethod
    def _modalities(cls, value: list[Modality], info: ValidationInfo) -> list[Modality]:
        codes = [m.code for m in value]
        if len(set(codes)) != len(codes):
            raise invalid("modality_code_repeated")
        programmes = info.data.get("programmes")
        year = info.data.get("year")
        for m in value:
            if programmes is not None and m.programme not in {p.code for p in programmes}:
                raise invalid("modality_unknown_programme", modality=m.code, programme=m.programme)
            if set(m.remainder_to) - set(codes) or m.code in m.remainder_to:
                raise invalid("modality_remainder_to", modality=m.code)
            if year is not None and min(m.budget) < year:
                raise invalid("modality_budget_before_year", modality=m.code, year=year)
        return value

    @field_validator("min_score")
    @classmethod
    def _reachable_score(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        criteria = info.data.get("criteria")
        if criteria is not None and value > sum(c.max_points for c in criteria):
            raise invalid("min_score_unreachable")
        return value


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


class LegalRepresentative(Strict):
    name: Name
    tax_id: PersonId
    post: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="The post by which they represent the entity, e.g. president"
    )


class EntityCreate(Strict):
    tenant: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")] = Field(
        description="The tenant of the entity's API client (scope grants:apply)"
    )
    name: Name
    tax_id: EntityTaxId
    org_type: Annotated[str, coded("OrganisationType")] = Field(description="IATI OrganisationType, e.g. 22 NGO")
    org_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")] | None = Field(
        default=None, description="IATI organisation identifier; XARXA-ENT-<tax id> when none"
    )
    contact: Contact
    legal_representative: LegalRepresentative = Field(description="Who signs for the entity")


class EntityRead(EntityCreate):
    id: uuid.UUID
    org_ref: str
    # Entities registered before the representative was asked for have none until they give it.
    legal_representative: LegalRepresentative | None  # type: ignore[assignment]
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
    proposal: dict[str, Any] = Field(
        default_factory=dict, description="The project proposed, as the entity sent it (what evaluators score)"
    )
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
    acceptance: dict[str, Any] | None = None
    score_sheets: list[ScoreSheetRead] = Field(
        default_factory=list, description="Every version of every evaluator's sheet (applicants: after the resolution)"
    )
    payment_orders: list[PaymentOrderRead] = Field(default_factory=list)


class ScoreSheetRead(BaseModel):
    evaluator: str
    version: int
    points: dict[str, Decimal]
    no_conflict: dict[str, Any]
    note: str | None
    at: datetime


class PaymentOrderRead(BaseModel):
    number: int
    budget_year: int
    stage: Literal["acceptance", "justification", "return"]
    amount: Decimal = Field(description="EUR; a return order is negative")
    status: Literal["planned", "due", "paid", "cancelled", "returned"]
    note: str
    transaction_ids: list[uuid.UUID]
    value_date: CalendarDate | None


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]


class ApplicationSummary(BaseModel):
    """An application in the list across calls: its call, state and money; its scores once the
    call is resolved (for the applicant; its officers see them always)."""

    id: uuid.UUID
    reference: str
    call_id: uuid.UUID
    call_code: str
    call_title: dict[str, str]
    call_status: CallStatus
    institution: str
    year: int
    entity_id: uuid.UUID
    modality: str
    state: ApplicationState
    requested: dict[int, Decimal]
    granted: dict[int, Decimal]
    criterion_scores: dict[str, Decimal]
    total_score: Decimal | None
    decision_reason: str | None
    submitted_at: datetime
    updated_at: datetime


class ApplicationSummaryPage(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None = Field(description="Pass it as `cursor` for the next page; null on the last")


class Admission(Strict):
    admitted: bool
    reason: Note | None = Field(default=None, validate_default=True, description="Required when not admitted")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("admitted") is False and not value:
            raise invalid("not_admitted_needs_reason")
        return value


class ScoreSheet(Strict):
    """The signed-in evaluator's sheet (the evaluator is the caller); sending it again is a new version."""

    points: dict[Slug, Points] = Field(min_length=1, description="Points per criterion code")
    no_conflict_of_interest: bool = Field(
        description="The evaluator declares no conflict of interest with this application (else abstains)"
    )
    note: Note | None = Field(default=None, description="Why a sheet is revised, or any remark")


DocumentRefs = Annotated[
    list[uuid.UUID],
    Field(
        default_factory=list,
        max_length=50,
        description="Ids of files uploaded to this application for this step (POST .../documents)",
    ),
]


class ObjectionCreate(Strict):
    text: Note
    documents: DocumentRefs
    filed_on: CalendarDate | None = Field(
        default=None, description="Admin only: the day it entered the general registry (on paper, or a past call)"
    )


class AcceptanceCreate(Strict):
    reformulation: Note | None = Field(
        default=None, description="Required for a partial grant: the project reformulated to the amount granted"
    )
    accepted_on: CalendarDate | None = Field(
        default=None, description="Admin only: the day it entered the general registry"
    )


class Withdrawal(Strict):
    """A grantee's renunciation, or its exclusion by the institution: the money goes to the reserve."""

    reason: Note
    on: CalendarDate | None = Field(default=None, description="Admin only: the day of the act in the registry")


class ObjectionDecision(Strict):
    upheld: bool
    answer: Note


class Payment(Strict):
    budget_year: BudgetYear
    value_date: CalendarDate | None = Field(default=None, description="When it was paid; today by default")


class ExpenseLine(Strict):
    category: Slug = Field(description="A budget category of the call")
    amount_eur: Amount = Field(gt=0)
    description: Note


class JustificationCreate(Strict):
    lines: list[ExpenseLine] = Field(min_length=1, max_length=500, description="The expenditure by budget category")
    summary: Localized = Field(min_length=1)
    report_url: HttpUrl | None = None
    documents: DocumentRefs
    filed_on: CalendarDate | None = Field(default=None, description="Admin only: the day it entered the registry")


class LineReview(Strict):
    line: int = Field(ge=0, description="The line's position in the justification")
    accepted: bool
    reason: Note | None = Field(default=None, validate_default=True, description="Required when refused")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("accepted") is False and not value:
            raise invalid("refused_line_needs_reason")
        return value


class JustificationReview(Strict):
    lines: list[LineReview] = Field(min_length=1, max_length=500, description="Every line accepted or refused")
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
    partial: bool = False
    reserve: int | None = Field(default=None, description="Position on the reserve list")


class TakeOver(BaseModel):
    """The reserve list taking over the money of a grantee who renounced or was excluded."""

    at: datetime
    on: CalendarDate = Field(description="The date of the act")
    released_by: str
    why: str
    released: dict[int, Decimal]
    funded: list[ResolutionDecision]
    left: dict[int, Decimal]


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
    resolved_on: CalendarDate | None = Field(default=None, description="The date of the act")
    objections_until: CalendarDate | None = Field(default=None, description="Last day to object (provisional)")
    acceptance_until: CalendarDate | None = Field(default=None, description="Last day to accept (definitive)")
    min_score: Decimal
    tie_break: str
    figures: ResolutionFigures
    decisions: list[ResolutionDecision]
    transfers: list[TransferRead]
    left_by_modality: dict[str, dict[int, Decimal]]
    takeovers: list[TakeOver] = Field(default_factory=list)


class DocumentRead(BaseModel):
    """An uploaded file: its type as read from its content, its size and SHA-256 (hex)."""

    id: uuid.UUID
    application_id: uuid.UUID
    purpose: Literal["application", "objection", "justification"]
    title: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_at: datetime


class DocumentPage(BaseModel):
    items: list[DocumentRead]


class AwardedGrant(BaseModel):
    """A grant awarded by a definitive resolution, as the transparency law publishes it."""

    beneficiary: str
    purpose: str = Field(description="The project's title, in the language asked for when it has one")
    modality: str
    amount_eur: Decimal
    amounts_by_year: dict[int, Decimal]
    call_id: uuid.UUID
    call_code: str
    call_title: str
    institution: str
    reference: str
    awarded_on: CalendarDate = Field(description="The date of the act that awarded it")
    partial: bool
    from_reserve_list: bool


class AwardedPage(BaseModel):
    items: list[AwardedGrant]
    total_eur: Decimal


class ResolutionRequest(BaseModel):
    resolved_on: CalendarDate | None = None


class MasterPlanYear(BaseModel):
    year: int
    directorate_budget_eur: Decimal | None = Field(description="The declared cooperation budget of the year")
    call_committed_eur: Decimal = Field(description="Grant-call commitments with a value date in the year")
    call_share_percent: Decimal | None
    target_min_percent: Decimal
    target_max_percent: Decimal
    on_target: bool | None = Field(description="Within the plan's band; null without a declared budget")
    priority_cities_eur: Decimal
    priority_cities_share_percent: Decimal | None = Field(description="Of the call's committed money")
    priority_countries_eur: Decimal
    priority_countries_share_percent: Decimal | None


class MasterPlanReport(BaseModel):
    plan: str
    title: dict[str, str]
    institution: str
    priority_cities: list[dict[str, str]]
    priority_countries: list[str]
    years: list[MasterPlanYear]
