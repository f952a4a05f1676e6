"""Transactions from CSV: one booking per row, each on its own (a savepoint), errors by row and
column; projects are named by their code in the owner institution."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.imports import repository
from services.funding.ledger.schemas import TransactionCreate
from services.funding.ledger.service import record_transaction
from shared import csv_tables
from shared.actor import Actor
from shared.auth import ensure_may_write_for
from shared.problems import ProblemError, Unprocessable

COLUMNS = [
    "project_code",
    "transaction_type",
    "amount",
    "currency",
    "value_date",
    "instrument",
    "in_kind",
    "provider_org",
    "receiver_org",
    "description",
]
EXAMPLE = {
    "project_code": "AJB-2026-001",
    "transaction_type": "2",
    "amount": "25000.00",
    "currency": "EUR",
    "value_date": "2026-03-02",
    "instrument": "conveni",
    "in_kind": "false",
    "provider_org": "Ajuntament de Barcelona",
    "receiver_org": "Conselho Municipal de Maputo",
    "description": "Primer tram",
}


class InvalidCsvFile(Unprocessable):
    kind, title = "invalid-csv-file", "The CSV file cannot be read with the template's columns"


class RowOutcome(BaseModel):
    row: int
    project_code: str
    outcome: Literal["booked", "refused"]
    transaction_id: uuid.UUID | None = None
    errors: list[dict[str, Any]] = []


class CsvReport(BaseModel):
    rows: int
    booked: int
    refused: int
    items: list[RowOutcome]


def template() -> str:
    return csv_tables.template(COLUMNS, EXAMPLE)


async def import_transactions(session: AsyncSession, actor: Actor, content: bytes, owner: str) -> CsvReport:
    ensure_may_write_for(actor.principal, owner)
    try:
        found = csv_tables.read_rows(content, COLUMNS, "project_code")
    except csv_tables.CsvError as exc:
        raise InvalidCsvFile(str(exc)) from exc
    codes = {row.get("project_code", "") for row in found}
    refs = await repository.projects_by_code(session, owner, codes)
    results: list[RowOutcome] = []
    for number, row in enumerate(found, start=2):
        code = row.get("project_code", "")
        ref = refs.get(code)
        if ref is None:
            error = {"field": "project_code", "message": f"{owner} has no project {code!r} known to funding"}
            results.append(RowOutcome(row=number, project_code=code, outcome="refused", errors=[error]))
            continue
        fields = {k: v for k, v in row.items() if k != "project_code" and v != ""}
        try:
            if "amount" in fields:  # Spanish Excel writes 1.234,56
                fields["amount"] = csv_tables.decimal_text(fields["amount"])
        except ValueError as exc:
            error = {"field": "amount", "message": str(exc), "value": fields["amount"]}
            results.append(RowOutcome(row=number, project_code=code, outcome="refused", errors=[error]))
            continue
        try:
            data = TransactionCreate.model_validate(fields)
        except ValidationError as exc:
            errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
            results.append(RowOutcome(row=number, project_code=code, outcome="refused", errors=errors))
            continue
        try:
            async with session.begin_nested():
                txn = await record_transaction(session, actor, ref.id, data)
        except ProblemError as exc:
            errors = exc.errors or [{"field": "", "message": exc.detail or exc.title}]
            results.append(RowOutcome(row=number, project_code=code, outcome="refused", errors=errors))
            continue
        results.append(RowOutcome(row=number, project_code=code, outcome="booked", transaction_id=txn.id))
    booked = sum(r.outcome == "booked" for r in results)
    return CsvReport(rows=len(results), booked=booked, refused=len(results) - booked, items=results)
