"""The grant call's service: what its endpoints call, from the call's creation to the justification.

Each function takes what the request carries and answers the API's models (or an `Export` for
the published documents). The rules themselves live in modules named for their job, which this
one puts together: calls.py (drafts, opening, closing), entities.py, applications.py (submission,
admission, scores, hearing), resolutions.py and allocation.py (ranking and the budget), reserve.py
(renounced and excluded grants, the reserve list), grant_money.py (commitments, payment orders,
justification), attachments.py (uploaded files), act.py, documents.py and transparency.py (what is
published), master_plan.py; every query is in repository.py.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.filters import check_institution
from services.funding.grants import (
    act,
    application_list,
    applications,
    attachments,
    calls,
    documents,
    entities,
    grant_money,
    master_plan,
    repository,
    reserve,
    resolutions,
    transparency,
)
from services.funding.grants.models import GrantApplication, GrantCall, GrantDocument
from services.funding.grants.repository import ApplicationFilters
from services.funding.grants.schemas import (
    AcceptanceCreate,
    Admission,
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApplicationSummaryPage,
    AwardedPage,
    CallCreate,
    CallPage,
    CallRead,
    DocumentPage,
    DocumentRead,
    EntityCreate,
    EntityRead,
    JustificationCreate,
    JustificationReview,
    MasterPlanReport,
    ObjectionCreate,
    ObjectionDecision,
    Payment,
    Resolution,
    ResolutionRequest,
    ScoreSheet,
    Withdrawal,
)
from services.funding.grants.storage import DocumentStore
from shared.actor import Actor
from shared.auth import Principal

Lang = Literal["ca", "es", "en"]


@dataclass(frozen=True)
class Export:
    """A published document as it is answered: its bytes, their type, and the file name it is saved
    under (shown in the browser when `download` is false); `language` is its language, if any."""

    content: str | bytes
    media_type: str
    filename: str | None = None
    download: bool = True
    language: str | None = None


@dataclass(frozen=True)
class Download:
    """An uploaded file as it is downloaded, its content checked against its SHA-256."""

    document: GrantDocument
    content: bytes
    name: str


# --- Calls ----------------------------------------------------------------------------------


async def create_call(session: AsyncSession, actor: Actor, data: CallCreate) -> CallRead:
    return calls.call_read(await calls.create_call(session, actor, data))


async def listed_calls(
    session: AsyncSession, principal: Principal | None, institution: str | None, year: int | None
) -> CallPage:
    """Published calls, and the drafts the caller's institution prepares (an admin's: all)."""
    check_institution(institution)
    drafts_of, every_draft = calls.drafts_listed(principal)
    found = await repository.calls(session, institution, year, drafts_of, every_draft)
    return CallPage(items=[calls.call_read(c) for c in found])


async def call(session: AsyncSession, principal: Principal | None, call_id: uuid.UUID) -> CallRead:
    return calls.call_read(await calls.visible_call(session, principal, call_id))


async def move_call(session: AsyncSession, actor: Actor, call_id: uuid.UUID, status: str) -> CallRead:
    return calls.call_read(await calls.transition(session, actor, call_id, status))


async def resolve(
    session: AsyncSession,
    actor: Actor,
    call_id: uuid.UUID,
    kind: Literal["provisional", "definitive"],
    data: ResolutionRequest | None,
) -> Resolution:
    return await resolutions.resolve(session, actor, call_id, kind, data.resolved_on if data else None)


async def resolution_export(
    session: AsyncSession, call_id: uuid.UUID, format: Literal["json", "csv", "html"], lang: Lang
) -> Export:
    """The published resolution as data: JSON, CSV, or a printable HTML page."""
    resolution = await resolutions.published_resolution(session, None, call_id)
    if format == "csv":
        name = f"{resolution.call_code}-{resolution.kind}.csv".replace("/", "-")
        return Export(documents.resolution_csv(resolution), "text/csv", name)
    if format == "html":
        return Export(documents.resolution_html(resolution, lang), "text/html")
    return Export(resolution.model_dump_json(), "application/json")


async def resolution_act(
    session: AsyncSession, call_id: uuid.UUID, format: Literal["html", "pdf", "csv"], lang: Lang
) -> Export:
    """The published resolution as the administrative act, in the language asked for."""
    resolution = await resolutions.published_resolution(session, None, call_id)
    found = await repository.call(session, call_id)
    assert found is not None
    items = await repository.applications(session, found.id)
    applicants = await repository.entities(session, {a.entity_id for a in items})
    document = act.act_of(found, resolution, items, applicants, lang)
    name = f"{found.code}-{resolution.kind}-{lang}".replace("/", "-")
    if format == "csv":
        return Export(act.act_csv(document), "text/csv", f"{name}.csv", language=lang)
    page = act.act_html(document)
    if format == "pdf":
        pdf = await asyncio.to_thread(act.act_pdf, page)  # WeasyPrint is CPU-bound: off the event loop
        return Export(pdf, "application/pdf", f"{name}.pdf", download=False, language=lang)
    return Export(page, "text/html", language=lang)


async def awarded(
    session: AsyncSession, institution: str | None, year: int | None, lang: Lang, format: Literal["json", "csv"]
) -> Export:
    """The grants awarded by definitive resolutions, as the transparency laws publish them."""
    check_institution(institution)
    grants = await transparency.awarded(session, institution, year, lang)
    if format == "csv":
        return Export(transparency.awarded_csv(grants, lang), "text/csv", "grants-awarded.csv", language=lang)
    page = AwardedPage(items=grants, total_eur=sum((g.amount_eur for g in grants), Decimal("0.00")))
    return Export(page.model_dump_json(), "application/json")


async def master_plan_report(session: AsyncSession, institution: str) -> MasterPlanReport:
    return await master_plan.master_plan_report(session, institution, None)


# --- Entities ---------------------------------------------------------------------------------


async def register_entity(session: AsyncSession, principal: Principal, data: EntityCreate) -> EntityRead:
    return EntityRead.model_validate(await entities.register_entity(session, principal, data), from_attributes=True)


async def entity(session: AsyncSession, principal: Principal, entity_id: uuid.UUID) -> EntityRead:
    return EntityRead.model_validate(await entities.visible_entity(session, principal, entity_id), from_attributes=True)


# --- Applications -------------------------------------------------------------------------------


async def _read(
    session: AsyncSession, call: GrantCall, application: GrantApplication, principal: Principal | None = None
) -> ApplicationRead:
    """The application with its steps, sheets and orders; scores hidden from `principal` (the
    applicant) until the call allows them, never from an officer's answer (principal None)."""
    return applications.application_read(
        call,
        application,
        await repository.steps(session, application.id),
        await repository.score_sheets(session, application.id),
        await repository.payment_orders(session, application.id),
        hide_scores=principal is not None and applications.scores_hidden(principal, call),
    )


async def _read_by_id(
    session: AsyncSession, application: GrantApplication, principal: Principal | None = None
) -> ApplicationRead:
    found = await repository.call(session, application.call_id)
    assert found is not None
    return await _read(session, found, application, principal)


async def submit(session: AsyncSession, actor: Actor, call_id: uuid.UUID, data: ApplicationCreate) -> ApplicationRead:
    return await _read_by_id(session, await applications.submit(session, actor, call_id, data), actor.principal)


async def call_applications(session: AsyncSession, principal: Principal, call_id: uuid.UUID) -> ApplicationPage:
    found, items = await applications.of_call(session, principal, call_id)
    return ApplicationPage(items=[await _read(session, found, a, principal) for a in items])


async def application_page(
    session: AsyncSession,
    principal: Principal,
    call_id: uuid.UUID | None,
    state: str | None,
    limit: int,
    cursor: str | None,
) -> ApplicationSummaryPage:
    after = application_list.decode_cursor(cursor) if cursor else None
    whose = await application_list.whose(session, principal)
    if whose is None:
        return ApplicationSummaryPage(items=[], next_cursor=None)
    filters = ApplicationFilters(whose.institution, whose.entity_id, call_id, state)
    rows = await repository.application_page(session, filters, limit + 1, after)
    more = len(rows) > limit
    rows = rows[:limit]
    return ApplicationSummaryPage(
        items=[application_list.summary(principal, c, a) for a, c in rows],
        next_cursor=application_list.encode_cursor(rows[-1][0]) if more else None,
    )


async def application(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> ApplicationRead:
    found, item = await applications.readable(session, principal, application_id)
    return await _read(session, found, item, principal)


async def admit(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Admission) -> ApplicationRead:
    return await _read_by_id(session, await applications.admit(session, actor, application_id, data))


async def score(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: ScoreSheet) -> ApplicationRead:
    return await _read_by_id(session, await applications.score(session, actor, application_id, data))


async def object_to(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: ObjectionCreate
) -> ApplicationRead:
    application = await applications.object_to(session, actor, application_id, data)
    return await _read_by_id(session, application, actor.principal)


async def decide_objection(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: ObjectionDecision
) -> ApplicationRead:
    return await _read_by_id(session, await applications.decide_objection(session, actor, application_id, data))


async def waive_hearing(session: AsyncSession, actor: Actor, application_id: uuid.UUID) -> ApplicationRead:
    return await _read_by_id(session, await applications.waive_hearing(session, actor, application_id), actor.principal)


async def accept(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: AcceptanceCreate | None
) -> ApplicationRead:
    application = await grant_money.accept(session, actor, application_id, data or AcceptanceCreate())
    return await _read_by_id(session, application, actor.principal)


async def renounce(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Withdrawal) -> ApplicationRead:
    return await _read_by_id(session, await reserve.renounce(session, actor, application_id, data), actor.principal)


async def release(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Withdrawal) -> ApplicationRead:
    return await _read_by_id(session, await reserve.release(session, actor, application_id, data))


async def pay(session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: Payment) -> ApplicationRead:
    return await _read_by_id(session, await grant_money.pay(session, actor, application_id, data))


async def justify(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: JustificationCreate
) -> ApplicationRead:
    return await _read_by_id(session, await grant_money.justify(session, actor, application_id, data), actor.principal)


async def review_justification(
    session: AsyncSession, actor: Actor, application_id: uuid.UUID, data: JustificationReview
) -> ApplicationRead:
    return await _read_by_id(session, await grant_money.review_justification(session, actor, application_id, data))


# --- Documents ---------------------------------------------------------------------------------


def _document(document: GrantDocument) -> DocumentRead:
    return DocumentRead.model_validate(document, from_attributes=True)


async def upload_document(
    session: AsyncSession,
    principal: Principal,
    store: DocumentStore,
    application_id: uuid.UUID,
    purpose: attachments.Purpose,
    title: str,
    filename: str | None,
    content: bytes,
) -> DocumentRead:
    document = await attachments.upload(session, principal, store, application_id, purpose, title, filename, content)
    return _document(document)


async def documents_of(session: AsyncSession, principal: Principal, application_id: uuid.UUID) -> DocumentPage:
    return DocumentPage(items=[_document(d) for d in await attachments.listed(session, principal, application_id)])


async def download_document(
    session: AsyncSession,
    principal: Principal,
    stores: dict[str, DocumentStore],
    application_id: uuid.UUID,
    document_id: uuid.UUID,
) -> Download:
    document, content = await attachments.download(session, principal, stores, application_id, document_id)
    return Download(document, content, attachments.download_name(document))
