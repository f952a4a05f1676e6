"""API models of the imports."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any, Literal

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


class SpooledReport:
    """An ImportReport whose items (compact JSON, one a line, in the file's order) wait in a
    temporary file: a large file's report costs disk, not memory. `amended` holds the few items
    changed after they were spooled (the programme links resolved last), by slot."""

    CHUNK = 1 << 16

    def __init__(
        self, import_id: uuid.UUID, counts: dict[str, int], spool: IO[bytes], amended: dict[int, bytes]
    ) -> None:
        self.import_id, self.counts, self.spool, self.amended = import_id, counts, spool, amended

    @property
    def head(self) -> dict[str, Any]:
        """The report without its items (what the import's row keeps)."""
        return {"import_id": str(self.import_id), **self.counts}

    def chunks(self) -> Iterator[bytes]:
        """The report's JSON, about CHUNK bytes at a time."""
        yield orjson.dumps(self.head)[:-1] + b',"items":['
        self.spool.seek(0)
        pieces: list[bytes] = []
        size = 0
        for slot, line in enumerate(self.spool):
            item = self.amended.get(slot, line[:-1])
            pieces.append(item if slot == 0 else b"," + item)
            size += len(item) + 1
            if size >= self.CHUNK:
                yield b"".join(pieces)
                pieces, size = [], 0
        yield b"".join(pieces) + b"]}"

    def json(self) -> bytes:
        return b"".join(self.chunks())

    def close(self) -> None:
        self.spool.close()


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
