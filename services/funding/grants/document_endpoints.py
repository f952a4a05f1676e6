"""HTTP wiring of the grant call's documents: uploaded files (multipart/form-data) and their
downloads, the resolution as an administrative act (HTML, PDF, CSV), and the public list of
grants awarded."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from services.funding.filters import UnknownFilter
from services.funding.grants import service, storage
from services.funding.grants.applications import ApplicationNotFound, ApplicationStateConflict, CallClosed
from services.funding.grants.attachments import DocumentNotFound, FileTooLarge, FileTypeRefused, Purpose
from services.funding.grants.calls import CallNotFound
from services.funding.grants.exports import exported
from services.funding.grants.files import MAX_FILE_BYTES
from services.funding.grants.resolutions import NoResolution
from services.funding.grants.schemas import AwardedPage, DocumentPage, DocumentRead, Name
from services.funding.grants.storage import ContentMissing
from shared.auth import Principal, access, requires
from shared.http import SessionDep
from shared.problems import problem_responses

router = APIRouter(prefix="/api/funding/grants", tags=["grant calls"])
Applicant = Annotated[Principal, requires("grants:apply")]
Reader = Annotated[Principal, requires("funding:write", "grants:apply")]
READERS = access("required", ("funding:write", "grants:apply"), tenant="owner-or-partner")


@router.post(
    "/applications/{application_id}/documents",
    status_code=201,
    response_model=DocumentRead,
    openapi_extra=access("required", ("grants:apply",), tenant="owner"),
    responses=problem_responses(
        ApplicationNotFound,
        ApplicationStateConflict,
        CallClosed,
        FileTooLarge,
        FileTypeRefused,
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
    return await service.upload_document(
        session,
        principal,
        storage.current(request.app),
        application_id,
        purpose,
        title,
        file.filename,
        content,
    )


@router.get(
    "/applications/{application_id}/documents",
    response_model=DocumentPage,
    openapi_extra=READERS,
    responses=problem_responses(ApplicationNotFound),
    summary="The application's files: for the applicant, and the call's grant managers and evaluators",
)
async def list_documents(application_id: uuid.UUID, session: SessionDep, principal: Reader) -> DocumentPage:
    return await service.documents_of(session, principal, application_id)


@router.get(
    "/applications/{application_id}/documents/{document_id}",
    openapi_extra=READERS,
    responses={
        **problem_responses(ApplicationNotFound, DocumentNotFound, ContentMissing),
        200: {"content": {"application/octet-stream": {}}},
    },
    summary="Download a file, checked against its SHA-256 (Repr-Digest)",
)
async def download_document(
    application_id: uuid.UUID, document_id: uuid.UUID, request: Request, session: SessionDep, principal: Reader
) -> Response:
    download = await service.download_document(
        session, principal, storage.stores(request.app), application_id, document_id
    )
    document, name = download.document, download.name
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return Response(
        download.content,
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
        **problem_responses(CallNotFound, NoResolution),
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
    return exported(await service.resolution_act(session, call_id, format, lang))


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
    return exported(await service.awarded(session, institution, year, lang, format))
