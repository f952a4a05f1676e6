"""HTTP wiring of the grant call's documents: uploaded files (multipart/form-data) and their
downloads, the resolution as an administrative act (HTML, PDF, CSV), and the public list of
grants awarded."""

from __future__ import annotations

import asyncio
import base64
import uuid
from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse

from services.funding.filters import UnknownFilter, check_institution
from services.funding.grants import (
    act,
    applications,
    attachments,
    calls,
    repository,
    resolutions,
    storage,
    transparency,
)
from services.funding.grants.attachments import Purpose
from services.funding.grants.files import MAX_FILE_BYTES
from services.funding.grants.models import GrantDocument
from services.funding.grants.schemas import AwardedPage, DocumentPage, DocumentRead, Name
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/grants", tags=["grant calls"])
Applicant = Annotated[Principal, requires("grants:apply")]
Reader = Annotated[Principal, requires("funding:write", "grants:apply")]
READERS = access("required", ("funding:write", "grants:apply"), tenant="owner-or-partner")


def _read(document: GrantDocument) -> DocumentRead:
    return DocumentRead.model_validate(document, from_attributes=True)


@router.post(
    "/applications/{application_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    openapi_extra=access("required", ("grants:apply",), tenant="owner"),
    responses=problem_responses(
        applications.ApplicationNotFound,
        applications.ApplicationStateConflict,
        applications.CallClosed,
        attachments.FileTooLarge,
        attachments.FileTypeRefused,
    ),
    summary=(
        f"Add a file (PDF, OOXML, OpenDocument, PNG, JPEG; at most {MAX_FILE_BYTES // 1048576} MiB) to the "
        "application, its objection or its justification: multipart/form-data with purpose, title and file"
    ),
)
async def upload_document(
    application_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: Applicant,
    purpose: Annotated[Purpose, Form()],
    title: Annotated[Name, Form()],
    file: Annotated[UploadFile, File(description="The file; its type is read from its content")],
) -> DocumentRead:
    content = await file.read(MAX_FILE_BYTES + 1)  # one byte more tells it is too large
    document = await attachments.upload(
        session,
        principal,
        storage.current(request.app),
        application_id,
        purpose,
        title,
        file.filename,
        content,
    )
    return _read(document)


@router.get(
    "/applications/{application_id}/documents",
    response_model=DocumentPage,
    openapi_extra=READERS,
    responses=problem_responses(applications.ApplicationNotFound),
    summary="The application's files: for the applicant, and the call's grant managers and evaluators",
)
async def list_documents(application_id: uuid.UUID, session: SessionDep, principal: Reader) -> DocumentPage:
    return DocumentPage(items=[_read(d) for d in await attachments.listed(session, principal, application_id)])


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    openapi_extra=READERS,
    responses={
        **problem_responses(applications.ApplicationNotFound, attachments.DocumentNotFound, storage.ContentMissing),
        200: {"content": {"application/octet-stream": {}}},
    },
    summary="Download a file, checked against its SHA-256 (Repr-Digest)",
)
async def download_document(
    application_id: uuid.UUID, document_id: uuid.UUID, request: Request, session: SessionDep, principal: Reader
) -> Response:
    document, content = await attachments.download(
        session, principal, storage.stores(request.app), application_id, document_id
    )
    name = attachments.download_name(document)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return Response(
        content,
        media_type=document.media_type,
        headers={
            # Always a download, never rendered in the API's origin.
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/calls/{call_id}/resolution/act",
    openapi_extra=access("none"),
    responses={
        **problem_responses(calls.CallNotFound, resolutions.NoResolution),
        200: {"content": {"text/html": {}, "application/pdf": {}, "text/csv": {}}},
    },
    summary="The published resolution as the administrative act: HTML, PDF or CSV, in ca, es or en",
)
async def resolution_act(
    call_id: uuid.UUID,
    session: SessionDep,
    format: Literal["html", "pdf", "csv"] = "html",
    lang: Literal["ca", "es", "en"] = "ca",
) -> Response:
    resolution = await resolutions.published_resolution(session, None, call_id)
    call = await repository.call(session, call_id)
    assert call is not None
    items = await repository.applications(session, call.id)
    entities = await repository.entities(session, {a.entity_id for a in items})
    document = act.act_of(call, resolution, items, entities, lang)
    name = f"{call.code}-{resolution.kind}-{lang}".replace("/", "-")
    if format == "csv":
        return PlainTextResponse(
            act.act_csv(document),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"', "Content-Language": lang},
        )
    page = act.act_html(document)
    if format == "pdf":
        pdf = await asyncio.to_thread(act.act_pdf, page)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}.pdf"', "Content-Language": lang},
        )
    return HTMLResponse(page, headers={"Content-Language": lang})


@router.get(
    "/awarded",
    response_model=AwardedPage,
    openapi_extra=access("none"),
    responses={**problem_responses(UnknownFilter), 200: {"content": {"text/csv": {}}}},
    summary="Grants awarded by definitive resolutions (transparency): beneficiary, purpose, amount, call, date",
)
async def awarded(
    session: SessionDep,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="The call's year")] = None,
    lang: Literal["ca", "es", "en"] = "ca",
    format: Literal["json", "csv"] = "json",
) -> Response:
    check_institution(institution)
    grants = await transparency.awarded(session, institution, year, lang)
    if format == "csv":
        return PlainTextResponse(
            transparency.awarded_csv(grants, lang),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="grants-awarded.csv"', "Content-Language": lang},
        )
    page = AwardedPage(items=grants, total_eur=sum((g.amount_eur for g in grants), Decimal("0.00")))
    return Response(page.model_dump_json(), media_type="application/json")
