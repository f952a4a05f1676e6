"""Events of the funding service (topic `xarxa.funding.v1`), version 1.

Project money events are keyed by project id and carry the project's funding version and its new
totals; institution-year events are keyed `institution:year`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_BASE = "https://xarxa.barcelona/schemas/events/funding/v1/"

TRANSACTION_RECORDED = "funding.transaction-recorded"
TRANSACTION_REVERSED = "funding.transaction-reversed"
BUDGET_SET = "funding.budget-set"
# A payment foreseen (IATI planned-disbursement): not a transaction, in no total.
PLANNED_DISBURSEMENT_ADDED = "funding.planned-disbursement-added"
REVENUE_DECLARED = "funding.revenue-declared"
PROJECT_FUNDING_EVENT_TYPES = (TRANSACTION_RECORDED, TRANSACTION_REVERSED, BUDGET_SET, PLANNED_DISBURSEMENT_ADDED)


# Whether declared own revenues are those of the year's settled accounts or of its approved budget.
RevenuesBasis = Literal["settled", "budgeted"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class MoneyV1(_Part):
    amount: Decimal
    currency: str
    amount_eur: Decimal
    rate: Decimal
    rate_date: date
    rate_source: str


class ImportedOrgV1(_Part):
    ref: str | None = None
    name: str | None = None
    type: str | None = None
    activity_id: str | None = Field(default=None, description="provider-activity-id / receiver-activity-id")


class ImportedV1(_Part):
    """Set on an entry that an IATI import booked: which import, which element of the file, and what
    the file says that the ledger's own columns do not hold (so the IATI export gives it back)."""

    import_id: uuid.UUID = Field(description="The projects service's IATI import that booked it")
    iati_identifier: str
    kind: Literal["transaction", "budget", "planned-disbursement"]
    ordinal: int = Field(description="Its position among the activity's entries of its kind, from 0")
    value_date: date | None = None
    transaction_date: date | None = None
    reference: str | None = None
    humanitarian: bool | None = None
    provider: ImportedOrgV1 | None = None
    receiver: ImportedOrgV1 | None = None
    flow_type: str | None = None
    finance_type: str | None = None
    aid_types: list[str] = Field(default_factory=list, description="vocabulary:code, e.g. 1:C01")
    tied_status: str | None = None
    disbursement_channel: str | None = None
    withdrawn_by: uuid.UUID | None = Field(
        default=None, description="On a reversing entry: the later import whose file no longer holds the entry"
    )


class TransactionV1(MoneyV1):
    id: uuid.UUID
    transaction_type: str
    in_kind: bool
    instrument: str
    value_date: date
    provider_org: str | None = None
    receiver_org: str | None = None
    source_id: uuid.UUID | None = None
    # The kind of that source (shared/data/xarxa/funding-source-kinds.json), so that readers can tell
    # own money from external money without a source catalogue of their own; None: not sent.
    source_kind: str | None = None
    description: str | None = None
    reverses_id: uuid.UUID | None = None
    over_commitment_reason: str | None = None
    eu_eligible: bool | None = None
    imported: ImportedV1 | None = None


class BudgetLineV1(MoneyV1):
    id: uuid.UUID
    budget_type: str
    budget_status: str
    period_start: date
    period_end: date
    source_id: uuid.UUID | None = None
    source_kind: str | None = None
    # A budget line is withdrawn only by a negating line (an imported budget its file no longer has).
    reverses_id: uuid.UUID | None = None
    imported: ImportedV1 | None = None


class PlannedDisbursementV1(MoneyV1):
    """IATI planned-disbursement: a payment foreseen for a period, apart from the transactions."""

    id: uuid.UUID
    planned_type: str = Field(description="IATI BudgetType: 1 original, 2 revised")
    period_start: date
    period_end: date | None = None
    provider_org: str | None = None
    receiver_org: str | None = None
    reverses_id: uuid.UUID | None = None
    imported: ImportedV1 | None = None


class TotalsV1(_Part):
    """EUR totals of the project's ledger (money only; in-kind apart)."""

    budget_eur: Decimal = Decimal(0)
    incoming_eur: Decimal = Decimal(0)
    committed_eur: Decimal = Decimal(0)
    disbursed_eur: Decimal = Decimal(0)
    spent_eur: Decimal = Decimal(0)
    in_kind_eur: Decimal = Decimal(0)


class ProjectFundingV1(_Part):
    project_id: uuid.UUID
    owner: str
    version: int
    totals: TotalsV1
    transaction: TransactionV1 | None = None
    budget_line: BudgetLineV1 | None = None
    planned_disbursement: PlannedDisbursementV1 | None = None
    updated_at: datetime


class InstitutionYearV1(_Part):
    institution: str
    year: int
    version: int
    own_revenues_eur: Decimal
    target_eur: Decimal = Field(description="0.7 % of own revenues")
    cooperation_budget_eur: Decimal | None = None
    revenues_source: str | None = Field(
        default=None, description="The document the revenues figure comes from; null: not declared"
    )
    revenues_basis: RevenuesBasis | None = Field(
        default=None, description="`settled` (the year's closed accounts) or `budgeted` (its approved budget)"
    )
    updated_at: datetime
