"""The money of an imported IATI activity, from projects to funding and back, version 1.

`project.iati-money-imported` (topic `xarxa.projects.v1`, key = project id) carries every
transaction, budget and planned disbursement of one activity as the file states them: funding
replaces what it holds for the project from IATI with exactly this set, so a re-import updates
and never duplicates. `imported_at` orders the sets of one project (a consumer applies a set
only if it is newer than the one it holds). `funding.iati-money-applied` (topic
`xarxa.funding.v1`, same key) answers with what funding made of it, so that the import's result
says per activity what happened to its money: which entries the ledger holds (booked now, or
unchanged since an earlier import) and which are flagged (without an EUR value, or valued but not
holdable by the ledger), never dropped.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_BASE = "https://xarxa.barcelona/schemas/events/iati-money/v1/"

IATI_MONEY_IMPORTED = "project.iati-money-imported"
IATI_MONEY_APPLIED = "funding.iati-money-applied"

Kind = Literal["transaction", "budget", "planned-disbursement"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True)


class OrgV1(_Part):
    ref: str | None = None
    name: str | None = None
    type: str | None = None
    activity_id: str | None = Field(default=None, description="provider-activity-id / receiver-activity-id")


class MoneyEntryV1(_Part):
    """One money element of the activity, in the file's order (`ordinal` within its kind)."""

    kind: Kind
    ordinal: int = Field(ge=0)
    code: str | None = Field(
        default=None,
        description="transaction: IATI TransactionType; budget and planned disbursement: IATI BudgetType",
    )
    status: str | None = Field(default=None, description="budget: IATI BudgetStatus")
    value: Decimal | None = Field(default=None, description="As written in the file; None if not a number")
    currency: str | None = Field(default=None, description="The value's, else the activity's default currency")
    value_date: date | None = Field(
        default=None, description="value/@value-date, else the transaction date or the period start"
    )
    transaction_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    description: str | None = None
    reference: str | None = Field(default=None, description="transaction/@ref")
    humanitarian: bool | None = None
    provider: OrgV1 | None = None
    receiver: OrgV1 | None = None
    flow_type: str | None = None
    finance_type: str | None = None
    aid_types: list[str] = Field(default_factory=list, description="vocabulary:code, e.g. 1:C01")
    tied_status: str | None = None
    disbursement_channel: str | None = None
    notes: list[str] = Field(default_factory=list, description="What the projects service found unreadable")


class ActivityMoneyV1(_Part):
    import_id: uuid.UUID
    project_id: uuid.UUID
    owner: str
    iati_identifier: str = Field(description="The activity's identifier in the file")
    default_currency: str | None = None
    imported_at: datetime
    entries: list[MoneyEntryV1] = Field(default_factory=list)


class FlaggedEntryV1(_Part):
    kind: Kind
    ordinal: int
    flag: str = Field(
        description="No EUR value: no-rate, no-currency, no-value, no-date. Valued but not in the ledger: "
        "sub-cent, no-type, no-period, bad-period, future-dated, not-fundable"
    )
    message: str


class MoneyAppliedV1(_Part):
    import_id: uuid.UUID
    project_id: uuid.UUID
    owner: str
    iati_identifier: str
    outcome: Literal["applied", "superseded"] = Field(
        description="superseded: a newer import of the project's money was applied before this one"
    )
    transactions: int = 0
    budgets: int = 0
    planned_disbursements: int = 0
    converted: int = Field(default=0, description="Entries valued in EUR at a stored rate (or EUR already)")
    replaced: int = Field(default=0, description="Entries of an earlier import of the activity that this set replaced")
    booked: int = Field(default=0, description="Entries booked in the ledger by this set")
    unchanged: int = Field(
        default=0, description="Entries an earlier import booked that this set states unchanged: their booking stays"
    )
    withdrawn: int = Field(
        default=0, description="Ledger entries of an earlier import that this file no longer states, negated"
    )
    flagged: list[FlaggedEntryV1] = Field(default_factory=list)
    applied_at: datetime
