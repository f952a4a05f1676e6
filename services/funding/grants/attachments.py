"""Uploaded files of an application, of its objection and of its justification.

The applicant entity adds them while that part of the procedure is open for it: the application's
files while the call takes applications and the application awaits admission, the objection's
during the hearing (then cited by the objection, document_refs.py) and while it is pending, the
justification's from the acceptance until the justification is reviewed. Each file's type is read
from its content (files.py), its size bounded, its SHA-256 recorded; its content goes to the store
the settings name (storage.py).

Who reads them: the applicant entity, the institution's grant managers and evaluators (the
`funding:write` principals of the call's institution: evaluators score with that scope), and
admins; anyone else gets what an unknown application gets.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.grants import repository
from services.funding.grants.applications import ApplicationStateConflict, CallClosed, readable
from services.funding.grants.entities import ensure_entity
from services.funding.grants.files import EXTENSIONS, MAX_FILE_BYTES, sniff
from services.funding.grants.models import GrantApplication, GrantCall, GrantDocument
from services.funding.grants.storage import ContentMissing, DocumentStore
from shared.auth import Principal
from shared.problems import NotFound, ProblemError, Unprocessable

Purpose = Literal["application", "objection", "justification"]
MAX_DOCUMENTS = 50  # per application, all purposes together
# The application states in which the entity may add files of each purpose.
# Objection files go up during the hearing, before the objection that cites them is filed;
# justification files from the acceptance on (a grant may be paid wholly after its justification).
OPEN_FOR: dict[str, set[str]] = {
    "application": {"submitted"},
    "objection": {"provisionally-granted", "provisionally-denied", "objected"},
    "justification": {"accepted", "in-execution", "justified"},
}


class DocumentNotFound(NotFound):
    kind, title = "document-not-found", "No such document"


class FileTooLarge(ProblemError):
    status, kind, title = 413, "file-too-large", "The file is too large"


class FileTypeRefused(Unprocessable):
    kind, title = "file-type", "The file's type is not accepted"


def safe_filename(name: str | None) -> str:
    """The uploaded name as a plain label: no path, no control or format characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    kept = "".join(c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] not in "CZ" or c == " ")
    return kept.strip(" .")[:200] or "document"


def download_name(document: GrantDocument) -> str:
    """The name a download is saved as: the uploaded stem with the extension of its real type."""
    stem = document.filename.rsplit(".", 1)[0] if "." in document.filename else document.filename
    return f"{stem}.{EXTENSIONS[document.media_type]}"


def _check_open(call: GrantCall, application: GrantApplication, purpose: str) -> None:
    if application.state not in OPEN_FOR[purpose]:
        raise ApplicationStateConflict(
            f"Application {application.reference} is {application.state}: files of its {purpose} are added "
            f"while it is {' or '.join(sorted(OPEN_FOR[purpose]))}"
        )
    hearing = call.status == "provisionally-resolved" and application.objection is None
    if purpose == "objection" and application.state != "objected" and not hearing:
        raise ApplicationStateConflict(
            f"Application {application.reference} has no hearing open: files of an objection go up during it"
        )
    if purpose == "application":
        closes = datetime.fromisoformat(call.rules["closes_at"])
        if call.status != "open" or datetime.now(UTC) >= closes:
            raise CallClosed(f"Call {call.code} took applications until {closes}: its files are closed too")


async def upload(
    session: AsyncSession,
    principal: Principal,
    store: DocumentStore,
    application_id: uuid.UUID,
    purpose: Purpose,
    title: str,
    filename: str | None,
    content: bytes,
) -> GrantDocument:
    call, application = await readable(session, principal, application_id)
    entity = await repository.entity(session, application.entity_id)
    assert entity is not None
    ensure_entity(principal, entity)
    locked = await repository.application(session, application_id, lock=True)
    assert locked is not None
    _check_open(call, locked, purpose)
    if len(content) > MAX_FILE_BYTES:
        raise FileTooLarge(
            f"At most {MAX_FILE_BYTES} bytes per file",
            errors=[{"field": "file", "message": f"{len(content)} bytes; at most {MAX_FILE_BYTES}"}],
        )
    if not content:
        raise Unprocessable("The file is empty", errors=[{"field": "file", "message": "empty"}])
    sniffed = sniff(content)
    if sniffed is None:
        raise FileTypeRefused(
            "Files are PDF, Word/Excel/PowerPoint (OOXML), OpenDocument, PNG or JPEG, as read from their content",
            errors=[{"field": "file", "message": "not a PDF, OOXML, OpenDocument, PNG or JPEG file"}],
        )
    if await repository.document_count(session, application_id) >= MAX_DOCUMENTS:
        raise Unprocessable(
            f"An application carries at most {MAX_DOCUMENTS} files",
            errors=[{"field": "file", "message": f"at most {MAX_DOCUMENTS} files per application"}],
        )
    document = GrantDocument(
        id=uuid.uuid4(),
        application_id=application_id,
        purpose=purpose,
        title=title,
        filename=safe_filename(filename),
        media_type=sniffed.media_type,
        size_bytes=sniffed.size_bytes,
        sha256=sniffed.sha256,
        storage=store.name,
        client_id=principal.client_id,
        tenant=principal.tenant,
        uploaded_at=datetime.now(UTC),
    )
    session.add(document)
    await session.flush()
    await store.put(session, str(document.id), content, sniffed.media_type)
    return document


async def listed(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> list[GrantDocument]:
    await readable(session, principal, application_id)
    return await repository.documents(session, application_id)


async def download(
    session: AsyncSession,
    principal: Principal,
    stores: dict[str, DocumentStore],
    application_id: uuid.UUID,
    document_id: uuid.UUID,
) -> tuple[GrantDocument, bytes]:
    """The file, for those who read the application; its content is checked against its hash."""
    await readable(session, principal, application_id)
    document = await repository.document(session, document_id)
    if document is None or document.application_id != application_id:
        raise DocumentNotFound(f"No document {document_id} in application {application_id}")
    store = stores.get(document.storage)
    if store is None:
        raise ContentMissing(f"Document {document_id} is in the {document.storage} store, which is not configured")
    content = await store.get(session, str(document.id))
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise ContentMissing(f"The stored content of document {document_id} does not match its SHA-256")
    return document, content
