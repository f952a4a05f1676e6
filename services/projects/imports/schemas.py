"""API models of the imports."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class FlaggedMoney(BaseModel):
    kind: Literal["transaction", "budget", "planned-disbursement"]
    ordinal: int = Field(description="The entry's position among the activity's entries of its kind, from 0")
    flag: str = Field(description="no-rate, no-currency, no-value or no-date")
    message: str


class MoneyOutcome(BaseModel):
    """The activity's money: what the file holds (sent to funding) and what funding made of it."""

    status: Literal["pending", "applied", "superseded"] = Field(
        description="pending: funding has not answered yet; superseded: a later import of the activity won"
    )
    transactions: int
    budgets: int
    planned_disbursements: int
    converted: int | None = Field(default=None, description="Entries valued in EUR (at a stored rate, or EUR already)")
    replaced: int | None = Field(default=None, description="Entries of an earlier import that these replaced")
    flagged: list[FlaggedMoney] = Field(
        default_factory=list, description="Kept in funding, but without an EUR value or with a gap, and why"
    )
    applied_at: datetime | None = None


class ActivityOutcome(BaseModel):
    iati_identifier: str = Field(description="The file's")
    registered_as: str | None = Field(
        default=None, description="The project's IATI identifier: the file's, or the owner's prefix before it"
    )
    outcome: Literal["imported", "updated", "skipped"]
    project_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = Field(
        default=None, description="The programme, from the file's related activities of type 1 or 2 or kept"
    )
    notes: list[str]
    money: MoneyOutcome | None = Field(default=None, description="None for a skipped activity")


class ImportReport(BaseModel):
    import_id: uuid.UUID | None = Field(
        default=None, description="GET /api/projects/imports/iati/{import_id} gives this report with funding's answers"
    )
    activities: int
    imported: int
    updated: int
    skipped: int
    items: list[ActivityOutcome]


class RowOutcome(BaseModel):
    row: int
    code: str
    outcome: Literal["imported", "refused"]
    project_id: uuid.UUID | None = None
    errors: list[dict[str, Any]] = []


class CsvReport(BaseModel):
    rows: int
    imported: int
    refused: int
    items: list[RowOutcome]
