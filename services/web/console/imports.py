"""Officers: a CSV of the template's columns or an IATI activity file uploaded for their
institution, sent to the projects API's import routes, and the API's report per row or activity
(imported, updated, skipped or refused, and why)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from services.web.console import reviews_api
from services.web.console.api import Problem
from services.web.console.auth import csrf_ok, finish, require_session
from services.web.console.forms import FieldError, errors_of
from services.web.console.kit import OFFICER_ROLES, Language, api_for, dedupe, forbidden, only, page
from services.web.console.session import Session
from services.web.i18n import Formats
from shared.guards import UPLOAD_FILE_BYTES

router = APIRouter(prefix="/{lang}/console")
VISIBILITIES = ("draft", "published")
# The gateway takes this form's uploads up to 20 MiB (shared/guards.py); a larger IATI file goes to
# the API or the CLI, which stream it.
MAX_FILE_BYTES = UPLOAD_FILE_BYTES


def kind_of(filename: str, data: bytes) -> str:
    """IATI when it is XML (by its name, or by its first character), else the CSV template."""
    if filename.lower().endswith(".xml"):
        return "iati"
    if filename.lower().endswith(".csv"):
        return "csv"
    return "iati" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "csv"


def _form_page(
    request: Request,
    session: Session,
    lang: str,
    visibility: str,
    errors: list[FieldError],
    status: int = 200,
) -> Response:
    context = {"values": {"visibility": visibility}, "errors": errors}
    return page(request, session, lang, "console/imports/form.html", context, status=status)


@router.get("/imports")
async def import_form(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    return _form_page(request, session, lang, "draft", [])


def _file_field(error: dict[str, Any]) -> str | None:
    # The owner is the person's institution and visibility a choice of two: the rest is the file's.
    return "visibility" if str(error.get("field", "")) == "visibility" else "file"


@router.post("/imports")
async def import_send(request: Request, lang: Language) -> Response:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not csrf_ok(request, session, fields):
        return forbidden(request, session, lang)
    gettext = Formats(lang).gettext
    visibility = fields.get("visibility", "draft")
    if visibility not in VISIBILITIES:
        visibility = "draft"
    upload = form.get("file")
    data = await upload.read(MAX_FILE_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if not data.strip():
        return _form_page(
            request, session, lang, visibility, [FieldError("file", gettext("Choose a file to import."))], 422
        )
    if len(data) > MAX_FILE_BYTES:
        message = gettext("The file is larger than 20 MB: send it through the API or the command line instead.")
        return _form_page(request, session, lang, visibility, [FieldError("file", message)], 413)
    kind = kind_of(upload.filename or "" if isinstance(upload, UploadFile) else "", data)
    answer = await reviews_api.import_file(api_for(request, session, lang), kind, session.tenant, visibility, data)
    if isinstance(answer, Problem):
        # A problem of the whole file (no errors[]) is the file's too: said beside it.
        errors = dedupe([FieldError(e.field or "file", e.message) for e in errors_of(answer, _file_field)])
        status = answer.status if 400 <= answer.status < 500 else 502
        return _form_page(request, session, lang, visibility, errors, status)
    if kind == "iati" and answer.get("import_id"):
        # The IATI report is kept by the API: shown from there (a reload sends nothing again).
        return finish(request, RedirectResponse(f"/{lang}/console/imports/iati/{answer['import_id']}", status_code=303))
    # The API keeps no CSV report: it is shown once, as answered (a reload asks before resending).
    return page(request, session, lang, "console/imports/csv_report.html", {"report": answer})


@router.get("/imports/iati/{import_id}")
async def iati_report(request: Request, lang: Language, import_id: uuid.UUID) -> Response:
    session = await require_session(request, lang)
    only(session, OFFICER_ROLES)
    report = await reviews_api.iati_report(api_for(request, session, lang), str(import_id))
    if report is None:
        raise HTTPException(status_code=404)
    return page(request, session, lang, "console/imports/iati_report.html", {"report": report})
