"""The input model of a project, shared by the registry's API and by the services that propose
projects to it (grant applications). Every code is checked against its codelist here, so a wrong
code is a 422 naming the field and the value before anything is written."""

from __future__ import annotations

import datetime as _dt
import itertools
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared import iati, patterns
from shared.codelists import coded, codelists
from shared.dates import CalendarDate
from shared.problem_texts import invalid

Lang = Annotated[str, StringConstraints(pattern=patterns.LANGUAGE), coded("Language")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20000)]
Localized = dict[Lang, Text]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300)]
# Six decimals: an IATI file's small percentages (0.001 % of a multi-country programme) are kept.
Percent = Annotated[Decimal, Field(gt=0, le=100, max_digits=9, decimal_places=6)]
Money = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=2)]
Number = Annotated[Decimal, Field(max_digits=20, decimal_places=6)]
Country = Annotated[str, StringConstraints(pattern=patterns.COUNTRY), coded("Country")]
Slug = Annotated[str, StringConstraints(pattern=patterns.SLUG)]
OrgRef = Annotated[str, StringConstraints(pattern=patterns.ORG_REF)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _sums_to_100(items: list[Any], attribute: str, what: str) -> None:
    if items:
        total = sum((getattr(item, attribute) for item in items), Decimal(0))
        if total != Decimal(100):
            raise invalid("sum_not_100", what=what, total=total)


def _unique(values: list[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise invalid("duplicate", what=what)


class PartnerCity(Strict):
    """A partner city by name (any of its names or aliases) and country, optionally its GeoNames id;
    the registry resolves it in its gazetteer (GET /api/projects/places/cities) and fills the rest."""

    name: Name
    country: Country = Field(description="ISO 3166-1 alpha-2 (IATI Country codelist)")
    region: Annotated[str, StringConstraints(max_length=200)] | None = None
    geonames_id: int | None = Field(
        default=None, ge=1, description="GeoNames id, to tell apart cities of one name in one country"
    )
    latitude: float | None = Field(
        default=None, ge=-90, le=90, description="The gazetteer's; given ones must lie within 25 km of it"
    )
    longitude: float | None = Field(default=None, ge=-180, le=180)
    # Filled by the registry from its gazetteer; what a client sends here is replaced (so that a
    # project read can be sent back as it is).
    names: dict[Lang, Name] = Field(default_factory=dict, description="Read-only: names per language (CLDR)")
    aliases: list[Name] = Field(default_factory=list, max_length=500, description="Read-only: GeoNames aliases")


class RecipientCountry(Strict):
    code: Country
    percentage: Percent


class RecipientRegion(Strict):
    code: Annotated[str, coded("Region")] = Field(description="OECD DAC region (IATI Region codelist)")
    percentage: Percent


class ParticipatingOrg(Strict):
    ref: OrgRef = Field(description="IATI organisation identifier, or a Xarxa tenant id; partner tokens match it")
    name: Name
    role: Annotated[str, coded("OrganisationRole")] = Field(
        description="IATI OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing"
    )
    type: Annotated[str, coded("OrganisationType")] | None = Field(default=None, description="IATI OrganisationType")
    side: Literal["barcelona", "partner"] | None = Field(
        default=None, description="A city actor of Barcelona/AMB or its counterpart in the partner city"
    )
    activity_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="IATI activity identifier of this organisation's own activity (imports)"
    )
    given_ref: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = Field(
        default=None, description="An imported file's ref that is no usable identifier (e.g. N/A), as written"
    )


class SectorShare(Strict):
    code: Annotated[str, coded("Sector")] = Field(description="OECD DAC 5-digit purpose code")
    percentage: Percent


class SdgShare(Strict):
    goal: Annotated[str, coded("sdg-goals")]
    share: Percent = Field(description="Attribution share of the project, percent; shares sum to 100")
    targets: list[Annotated[str, coded("sdg-targets")]] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _targets_under_goal(self) -> SdgShare:
        _unique(self.targets, "SDG target")
        for target in self.targets:
            item = codelists()["sdg-targets"].get(target)
            if item is None or item.parent != self.goal:
                raise invalid("target_not_under_goal", target=target, goal=self.goal)
        return self


class PolicyMarker(Strict):
    code: Annotated[str, coded("PolicyMarker")] = Field(description="e.g. 1 gender equality")
    significance: Annotated[str, coded("PolicySignificance")] = Field(
        description="0 not targeted, 1 significant, 2 principal, 3 principal and in most topics, 4 explicit"
    )


class Dates(Strict):
    planned_start: CalendarDate | None = None
    planned_end: CalendarDate | None = None
    actual_start: CalendarDate | None = None
    actual_end: CalendarDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Dates:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise invalid("end_before_start", end="planned_end", start="planned_start")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            raise invalid("end_before_start", end="actual_end", start="actual_start")
        if self.actual_end and not self.actual_start:
            raise invalid("end_needs_start", end="actual_end", start="actual_start")
        return self


Dimension = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]


class DisaggregatedValue(Strict):
    dimensions: dict[Dimension, Annotated[str, StringConstraints(min_length=1, max_length=60)]] = Field(
        min_length=1, description='e.g. {"sex": "female", "age": "15-24"}'
    )
    target: Number | None = None
    actual: Number | None = None


class Period(Strict):
    start: CalendarDate
    end: CalendarDate
    target: Number | None = Field(default=None, description="A number; never text")
    actual: Number | None = Field(default=None, description="Approved actual; a number, never text")
    target_comment: Annotated[str, StringConstraints(max_length=2000)] | None = None
    actual_comment: Annotated[str, StringConstraints(max_length=2000)] | None = None
    disaggregated: list[DisaggregatedValue] = Field(default_factory=list, max_length=200)
    locked: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise invalid("end_before_start", end="end", start="start")
        return self


class Baseline(Strict):
    year: int | None = Field(default=None, ge=1950, le=2100)
    value: Number | None = None
    comment: Annotated[str, StringConstraints(max_length=2000)] | None = None


QUALITATIVE = "5"
# Validation context key (`model_validate(..., context={KEEP_OVERLAPPING_PERIODS: True})`): overlapping
# periods are accepted, as an IATI import takes a publisher's file.
KEEP_OVERLAPPING_PERIODS = "keep_overlapping_periods"
_Day = TypeVar("_Day", _dt.date, str)  # the model's dates, or a file's ISO dates


def overlapping_periods(periods: list[tuple[_Day, _Day]]) -> list[tuple[tuple[_Day, _Day], tuple[_Day, _Day]]]:
    """The pairs of periods (start, end), in date order, that share more than a day's edge: periods
    that touch (one ends the day the next starts, as many publishers write consecutive years) do
    not overlap; the same dates twice do. Neighbours in (start, end) order are enough to find
    whether any two overlap."""
    ordered = sorted(periods)
    return [(a, b) for a, b in itertools.pairwise(ordered) if b[0] < a[1] or a == b]


class Indicator(Strict):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    title: Localized = Field(min_length=1)
    measure: Annotated[str, coded("IndicatorMeasure")] = Field(
        description="1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative"
    )
    ascending: bool = True
    cumulative: bool | None = Field(
        default=None,
        description="Whether each period's value is a running total since the start (true) or that period's "
        "own (false); roll-ups add a cumulative indicator's periods never, a non-cumulative one's over its life",
    )
    aggregation_status: bool | None = Field(
        default=None, description="IATI aggregation-status: whether the values may be added up with others"
    )
    baseline: Baseline | None = None
    sdg_indicator: Annotated[str, coded("sdg-indicators")] | None = Field(default=None, description="e.g. 11.6.2")
    disaggregations: list[Dimension] = Field(default_factory=list, max_length=10)
    periods: list[Period] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Indicator:
        _unique(self.disaggregations, "disaggregation")
        # An IATI import keeps a publisher's overlapping periods (and says so in its report); the
        # same dates twice stay refused everywhere: an actual names its period by its dates.
        kept = bool(info.context and info.context.get(KEEP_OVERLAPPING_PERIODS))
        for before, after in overlapping_periods([(p.start, p.end) for p in self.periods]):
            if not kept or before == after:
                raise invalid("periods_overlap", first=f"{before[0]}..{before[1]}", second=f"{after[0]}..{after[1]}")
        for period in self.periods:
            if self.measure == QUALITATIVE and (period.target is not None or period.actual is not None):
                raise invalid("qualitative_takes_comments")
            if self.measure == "2":
                for value in (period.target, period.actual):
                    if value is not None and not Decimal(0) <= value <= Decimal(100):
                        raise invalid("percentage_range")
            for cell in period.disaggregated:
                unknown = set(cell.dimensions) - set(self.disaggregations)
                if unknown:
                    raise invalid("undeclared_dimensions", dimensions=sorted(unknown))
        return self


class Result(Strict):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: Annotated[str, coded("ResultType")] = Field(description="1 output, 2 outcome, 3 impact, 9 other")
    title: Localized = Field(min_length=1)
    description: Localized = Field(default_factory=dict)
    documents: list[DocumentLink] = Field(default_factory=list, max_length=50, description="IATI result document-link")
    indicators: list[Indicator] = Field(default_factory=list, max_length=50)


class Exchange(Strict):
    date: CalendarDate
    direction: Literal["to-partner", "from-partner"]
    institution: Name = Field(description="Whose experts travelled or hosted, e.g. AMB water department")
    experts: int = Field(ge=1, le=1000)
    staff_days: Annotated[Decimal, Field(gt=0, max_digits=8, decimal_places=2)]
    value_eur: Money = Field(description="In-kind value of the expertise, EUR")
    description: Localized = Field(default_factory=dict)


class DocumentLink(Strict):
    url: HttpUrl
    title: Localized = Field(min_length=1)
    category: Annotated[str, coded("DocumentCategory")] = Field(description="e.g. A01 pre- and post-project impact")
    language: Lang | None = None
    date: CalendarDate | None = None
    format: Annotated[str, StringConstraints(pattern=r"^[a-z]+/[A-Za-z0-9.+_-]{1,100}$")] | None = Field(
        default=None, description="IANA media type, e.g. application/pdf; text/html when not given"
    )


Short = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class OtherSector(Strict):
    """A sector of any vocabulary but DAC 5-digit (those are `sectors`), kept as the file gives it."""

    vocabulary: Annotated[str, coded("SectorVocabulary")] = Field(
        description="IATI SectorVocabulary: 2 DAC 3-digit, 7/8 SDG goal/target, 99 reporting organisation, ..."
    )
    code: Short
    percentage: Percent | None = None
    vocabulary_uri: Short | None = None
    narrative: Localized = Field(default_factory=dict)


class OtherPolicyMarker(Strict):
    """A policy marker Xarxa's own list does not hold (another vocabulary, or an OECD DAC one without a
    known significance), kept as the file gives it."""

    vocabulary: Annotated[str, coded("PolicyMarkerVocabulary")] = "1"
    vocabulary_uri: Short | None = None
    code: Short
    significance: Annotated[str, StringConstraints(max_length=10)] | None = None
    narrative: Localized = Field(default_factory=dict)


class AidTypeCode(Strict):
    vocabulary: Annotated[str, coded("AidTypeVocabulary")] = "1"
    code: Annotated[str, StringConstraints(min_length=1, max_length=20)]


class Location(Strict):
    """An IATI location; a point is optional (a place named without coordinates is still a place)."""

    ref: Short | None = None
    name: Localized = Field(default_factory=dict)
    description: Localized = Field(default_factory=dict)
    activity_description: Localized = Field(default_factory=dict)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    exactness: Annotated[str, StringConstraints(max_length=10)] | None = None
    location_reach: Annotated[str, StringConstraints(max_length=10)] | None = None
    location_class: Annotated[str, StringConstraints(max_length=10)] | None = None
    feature_designation: Annotated[str, StringConstraints(max_length=20)] | None = None


class ContactInfo(Strict):
    type: Annotated[str, StringConstraints(max_length=10)] | None = None
    organisation: Localized = Field(default_factory=dict)
    department: Localized = Field(default_factory=dict)
    person_name: Localized = Field(default_factory=dict)
    job_title: Localized = Field(default_factory=dict)
    telephone: Short | None = None
    email: Short | None = None
    website: Short | None = None
    mailing_address: Localized = Field(default_factory=dict)


class Condition(Strict):
    type: Annotated[str, StringConstraints(max_length=10)] = Field(description="IATI ConditionType: 1 policy, ...")
    text: Localized = Field(default_factory=dict)


class Conditions(Strict):
    attached: bool
    items: list[Condition] = Field(default_factory=list, max_length=100)


class RelatedActivity(Strict):
    ref: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    type: Annotated[str, coded("RelatedActivityType")] = Field(description="1 parent, 2 child, 3 sibling, ...")


class IatiClassification(Strict):
    """What an IATI activity says beyond Xarxa's own fields, kept so that an export gives it back."""

    other_sectors: list[OtherSector] = Field(default_factory=list, max_length=100)
    policy_markers: list[OtherPolicyMarker] = Field(default_factory=list, max_length=100)
    default_aid_types: list[AidTypeCode] = Field(default_factory=list, max_length=20)
    default_finance_type: Annotated[str, coded("FinanceType")] | None = None
    default_flow_type: Annotated[str, coded("FlowType")] | None = None
    default_tied_status: Annotated[str, coded("TiedStatus")] | None = None
    collaboration_type: Annotated[str, coded("CollaborationType")] | None = None
    activity_scope: Annotated[str, coded("ActivityScope")] | None = None
    humanitarian: bool | None = None
    locations: list[Location] = Field(default_factory=list, max_length=500)
    contact_info: list[ContactInfo] = Field(default_factory=list, max_length=20)
    conditions: Conditions | None = None
    related_activities: list[RelatedActivity] = Field(default_factory=list, max_length=1000)


class ProjectEditable(Strict):
    """What PUT replaces and PATCH merges: everything but identity, status, visibility and results."""

    title: Localized = Field(min_length=1, description="At least one language")
    description: Localized = Field(default_factory=dict)
    objectives: Localized = Field(default_factory=dict)
    parent_id: uuid.UUID | None = Field(default=None, description="The programme this project belongs to")
    intervention_line: Annotated[str, StringConstraints(max_length=200)] | None = None
    modality: Annotated[str, coded("modalities")] | None = None
    partner_cities: list[PartnerCity] = Field(default_factory=list, max_length=100)
    # Room for every country and region of the codelists: a global programme names them all.
    recipient_countries: list[RecipientCountry] = Field(default_factory=list, max_length=300)
    recipient_regions: list[RecipientRegion] = Field(default_factory=list, max_length=100)
    participating_orgs: list[ParticipatingOrg] = Field(default_factory=list, max_length=100)
    networks: list[Slug] = Field(default_factory=list, max_length=30, description="Codes of the managed network list")
    sectors: list[SectorShare] = Field(default_factory=list, max_length=50)
    sdg_goals: list[SdgShare] = Field(default_factory=list, max_length=17)
    policy_markers: list[PolicyMarker] = Field(default_factory=list, max_length=20)
    dates: Dates = Field(default_factory=Dates)
    exchanges: list[Exchange] = Field(default_factory=list, max_length=500)
    documents: list[DocumentLink] = Field(default_factory=list, max_length=200)
    tags: list[Slug] = Field(default_factory=list, max_length=50)
    iati: IatiClassification = Field(
        default_factory=IatiClassification, description="IATI classifications beyond Xarxa's own fields (imports)"
    )

    @field_validator("sectors")
    @classmethod
    def _sectors(cls, sectors: list[SectorShare]) -> list[SectorShare]:
        _sums_to_100(sectors, "percentage", "sector percentages")
        _unique([s.code for s in sectors], "sector")
        return sectors

    @field_validator("sdg_goals")
    @classmethod
    def _goals(cls, goals: list[SdgShare]) -> list[SdgShare]:
        _sums_to_100(goals, "share", "SDG shares")
        _unique([g.goal for g in goals], "SDG goal")
        return goals

    @field_validator("policy_markers")
    @classmethod
    def _markers(cls, markers: list[PolicyMarker]) -> list[PolicyMarker]:
        _unique([m.code for m in markers], "policy marker")
        return markers

    @field_validator("networks", "tags")
    @classmethod
    def _distinct(cls, codes: list[str]) -> list[str]:
        _unique(codes, "code")
        return codes

    @model_validator(mode="after")
    def _recipients(self) -> ProjectEditable:
        _sums_to_100(
            [*self.recipient_countries, *self.recipient_regions],
            "percentage",
            "recipient_countries and recipient_regions percentages together",
        )
        return self


class ProjectCreate(ProjectEditable):
    owner: Annotated[str, coded("institutions")] = Field(description="Owner institution (institutions list)")
    iati_identifier: Annotated[str, StringConstraints(pattern=r"^[^\s/][^\s]{0,199}$")] | None = Field(
        default=None,
        description="The activity's IATI identifier when it was first registered elsewhere (imports); "
        "by default the owner's IATI prefix and the code",
    )
    code: Annotated[str, StringConstraints(pattern=patterns.CODE)] = Field(
        description="Internal code, unique per owner"
    )
    status: Annotated[str, coded("ActivityStatus")] = Field(default=iati.PIPELINE, description="IATI ActivityStatus")
    visibility: Literal["draft", "published"] = "draft"
    results: list[Result] = Field(default_factory=list, max_length=50)


# --- Proposals: what an applicant (grant call entity) may propose --------------------------------
#
# A proposal stays a proposal: it may describe the project, its planned dates and the results it
# aims at, but not what only the owning institution decides or records. Participating
# organisations give their tenants access to the draft (partners are added by the institution
# through the normal project edit); networks and parent programmes are the registry's; approved
# actuals, locked periods and actual dates are facts the institution records; in-kind exchanges
# are the institution's own experts, valued by it. Both sides apply this: the funding service
# refuses such a proposal (422 naming each field), the registry builds its draft only from
# `proposal_draft`, whatever an event carries. The checks run before the fields' own validation,
# so a refused field is refused as such whatever it holds.

PROPOSAL_REFUSED: dict[str, str] = {
    "participating_orgs": "partners get access when the owning institution adds them, not from a proposal",
    "exchanges": "in-kind exchanges are recorded and valued by the institution, not proposed",
    "networks": "networks are set by the institution after the grant",
    "parent_id": "the parent programme is set by the institution after the grant",
}
ACTUALS_REFUSED = "approved actuals are recorded by the institution, not proposed"
_T = TypeVar("_T")


def _refuse(value: _T, message: str) -> _T:
    """`value` if it is unset (None, false, empty); a 0 or an empty string is set, so refused."""
    if value is None or value is False or (isinstance(value, (list, dict)) and not value):
        return value
    raise invalid("not_proposable", reason=message)


class ProposalDisaggregatedValue(DisaggregatedValue):
    @field_validator("actual", mode="before")
    @classmethod
    def _no_actual(cls, value: Any) -> Any:
        return _refuse(value, ACTUALS_REFUSED)


class ProposalPeriod(Period):
    disaggregated: list[ProposalDisaggregatedValue] = Field(default_factory=list, max_length=200)  # type: ignore[assignment]

    @field_validator("actual", "actual_comment", mode="before")
    @classmethod
    def _no_actual(cls, value: Any) -> Any:
        return _refuse(value, ACTUALS_REFUSED)

    @field_validator("locked", mode="before")
    @classmethod
    def _not_locked(cls, value: Any) -> Any:
        return _refuse(value, "periods are locked by the institution once their actuals are approved")


class ProposalIndicator(Indicator):
    periods: list[ProposalPeriod] = Field(default_factory=list, max_length=100)  # type: ignore[assignment]


class ProposalResult(Result):
    indicators: list[ProposalIndicator] = Field(default_factory=list, max_length=50)  # type: ignore[assignment]


class ProposalDates(Dates):
    @field_validator("actual_start", "actual_end", mode="before")
    @classmethod
    def _planned_only(cls, value: Any) -> Any:
        return _refuse(value, "a proposal has planned dates; actual ones are recorded by the institution")


class ProjectProposal(ProjectEditable):
    """A project as an applicant proposes it: see PROPOSAL_REFUSED for what it may not carry."""

    dates: ProposalDates = Field(default_factory=ProposalDates)
    results: list[ProposalResult] = Field(default_factory=list, max_length=50)

    @field_validator(*PROPOSAL_REFUSED, mode="before")
    @classmethod
    def _refused_fields(cls, value: Any, info: ValidationInfo) -> Any:
        assert info.field_name is not None
        return _refuse(value, PROPOSAL_REFUSED[info.field_name])


def proposal_draft(proposal: dict[str, Any]) -> dict[str, Any]:
    """Only what a proposal may carry, from any proposal document: refused fields dropped, and
    results without actuals or locks, dates without actual ones. The registry's draft is built
    from this, so an event that skipped the funding service's check grants nothing."""
    draft = {k: v for k, v in proposal.items() if k not in PROPOSAL_REFUSED}
    if isinstance(draft.get("dates"), dict):
        draft["dates"] = {k: v for k, v in draft["dates"].items() if k not in ("actual_start", "actual_end")}
    results = draft.get("results")
    if isinstance(results, list):
        draft["results"] = [_planned_result(r) for r in results]
    return draft


def _planned_result(result: Any) -> Any:
    if not isinstance(result, dict) or not isinstance(result.get("indicators"), list):
        return result
    indicators = []
    for indicator in result["indicators"]:
        if isinstance(indicator, dict) and isinstance(indicator.get("periods"), list):
            indicator = {**indicator, "periods": [_planned_period(p) for p in indicator["periods"]]}
        indicators.append(indicator)
    return {**result, "indicators": indicators}


def _planned_period(period: Any) -> Any:
    if not isinstance(period, dict):
        return period
    planned = {k: v for k, v in period.items() if k not in ("actual", "actual_comment", "locked")}
    if isinstance(planned.get("disaggregated"), list):
        planned["disaggregated"] = [
            {k: v for k, v in cell.items() if k != "actual"} if isinstance(cell, dict) else cell
            for cell in planned["disaggregated"]
        ]
    return planned
