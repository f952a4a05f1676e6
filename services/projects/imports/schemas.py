"""API models of the imports."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field


class ActivityOutcome(BaseModel):
    iati_identifier: str = Field(description="The file's")
    registered_as: str | None = Field(
        default=None, description="The project's IATI identifier: the file's, or the owner's prefix before it"
    )
    outcome: Literal["imported", "updated", "skipped"]
    project_id: uuid.UUID | None = None
    notes: list[str]


class ImportReport(BaseModel):
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
