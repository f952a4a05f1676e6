"""API models of the imports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field


class FlaggedMoney(BaseModel):
    kind: Literal["transaction", "budget", "planned-disbursement"]
    ordinal: int = Field(description="The entry's position among the activity's entries of its kind, from 0")
    flag: str = Field(
        description="no-rate, no-currency, no-value, no-date; or not in the ledger: sub-cent, no-type, ..."
    )
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
    booked: int | None = Field(default=None, description="Entries booked in funding's ledger by this import")
    unchanged: int | None = Field(default=None, description="Entries an earlier import booked, found unchanged: kept")
    withdrawn: int | None = Field(default=None, description="Ledger entries of an earlier import no longer in the file")
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


@dataclass(frozen=True)
class EncodedReport:
    """An ImportReport whose items are kept as their JSON (one per activity, in the file's order):
    a large file's report costs its bytes, not a tree of objects."""

    import_id: uuid.UUID
    activities: int
    imported: int
    updated: int
    skipped: int
    items: list[bytes]

    def json(self) -> bytes:
        counts = {"activities": self.activities, "imported": self.imported, "updated": self.updated}
        head = orjson.dumps({"import_id": str(self.import_id), **counts, "skipped": self.skipped})
        return head[:-1] + b',"items":[' + b",".join(self.items) + b"]}"


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
