"""API models of partner updates."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints

from shared import patterns
from shared.codelists import coded
from shared.contracts.project_input import Localized, Number
from shared.dates import CalendarDate

Amount = Annotated[Decimal, Field(max_digits=15, decimal_places=2, description='A decimal string, e.g. "1250.50"')]
CurrencyCode = Annotated[str, StringConstraints(pattern=patterns.CURRENCY), coded("Currency")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Actual(Strict):
    indicator_id: uuid.UUID
    period_start: CalendarDate
    period_end: CalendarDate
    value: Number | None = Field(default=None, description="A number; qualitative indicators take a comment")
    comment: Annotated[str, StringConstraints(max_length=2000)] | None = None


class Spending(Strict):
    amount: Amount = Field(gt=0)
    currency: CurrencyCode
    period_start: CalendarDate
    period_end: CalendarDate
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None


class Link(Strict):
    url: HttpUrl
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    kind: Literal["document", "photo", "video", "other"] = "document"


class UpdateContent(Strict):
    narrative: Localized = Field(default_factory=dict, description="What happened, in any languages")
    actuals: list[Actual] = Field(default_factory=list, max_length=200)
    spending: list[Spending] = Field(default_factory=list, max_length=200)
    links: list[Link] = Field(default_factory=list, max_length=100)


class BatchItem(Strict):
    project_id: uuid.UUID
    update: UpdateContent


class Batch(Strict):
    items: list[BatchItem] = Field(min_length=1, max_length=200)


class Review(Strict):
    decision: Literal["approve", "return"]
    comments: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = Field(
        default=None, description="Required to return an update"
    )


class Receipt(BaseModel):
    """What a partner keeps and polls: the update, its validation and its review state."""

    id: uuid.UUID
    project_id: uuid.UUID
    owner: str
    partner: str
    status: Literal["submitted", "approved", "returned"]
    version: int
    content: dict[str, Any]
    validation: list[str] = Field(description="What was checked and accepted; refusals are 422 problems instead")
    log: list[dict[str, Any]]
    created_at: dt.datetime
    updated_at: dt.datetime


class ReceiptPage(BaseModel):
    items: list[Receipt]


class BatchResult(BaseModel):
    index: int
    project_id: uuid.UUID
    status: int = Field(description="The HTTP status this item alone would have had")
    receipt: Receipt | None = None
    problem: dict[str, Any] | None = None


class BatchReport(BaseModel):
    accepted: int
    refused: int
    items: list[BatchResult]
