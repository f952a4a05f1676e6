"""Imports of the funding service: transactions from CSV, and its template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from services.funding.imports import service
from shared.actor import Actor, actor_of
from shared.auth import access
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/imports", tags=["imports"])


@router.get(
    "/transactions/template",
    response_class=PlainTextResponse,
    openapi_extra=access("none"),
    responses={200: {"content": {"text/csv": {}}}},
    summary="The CSV template of the transaction import, with an example row",
)
async def template() -> PlainTextResponse:
    return PlainTextResponse(
        service.template(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="xarxa-transactions-template.csv"'},
    )


@router.post(
    "/transactions",
    response_model=service.CsvReport,
    openapi_extra={
        **access("required", ("funding:write",), tenant="owner"),
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
    },
    responses=problem_responses(service.InvalidCsvFile),
    summary="Book transactions from a CSV with the template's columns: a result per row, errors by column",
)
async def import_transactions(
    request: Request,
    session: SessionDep,
    actor: Annotated[Actor, actor_of("funding:write")],
    owner: Annotated[str, Query(max_length=64, description="The institution whose projects the rows name")],
) -> service.CsvReport:
    return await service.import_transactions(session, actor, await request.body(), owner)
