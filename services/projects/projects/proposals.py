"""Projects proposed through the grant call: a submitted application's proposal becomes a draft
project of the call's institution (with the id the funding service gave it), and a definitive grant
moves it into implementation and publishes it when it has what a published activity needs (else it
stays a draft for the institution to complete). Applied from funding events, at most once each.

The draft is built only from what a proposal may carry (`proposal_draft`): whatever the event says,
it names no partner but the applicant itself, no network or parent, no exchange, no approved
actual, locked period or actual date. Partners get access when the institution adds them."""

from __future__ import annotations

import logging

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects import repository, service
from services.projects.projects.completeness import missing
from services.projects.projects.schemas import ProjectCreate, StatusChange
from shared.actor import Actor
from shared.auth import Principal
from shared.contracts.grants import APPLICATION_GRANTED, APPLICATION_SUBMITTED, ApplicationSubmittedV1, ApplicationV1
from shared.contracts.project_input import ProjectProposal, proposal_draft
from shared.emit import caused_by
from shared.events import CloudEvent

log = logging.getLogger("xarxa.projects.proposals")

SOURCE = "/services/projects/grant-call"
PIPELINE, IMPLEMENTATION = "1", "2"


def _actor(institution: str, event: CloudEvent) -> Actor:
    """The grant call acts for the call's institution, as recorded in the project's history."""
    principal = Principal(
        client_id="xarxa-grant-call",
        tenant=institution,
        tenant_kind="institution",
        scopes=frozenset({"projects:read", "projects:write"}),
    )
    cause = caused_by(event, SOURCE)
    return Actor(principal, cause.request_id, cause.source, cause.traceparent)


async def register_proposal(session: AsyncSession, event: CloudEvent) -> None:
    application = ApplicationSubmittedV1.model_validate(event.data)
    if await repository.get(session, application.project_id) is not None:
        return
    entity = application.entity
    try:
        ProjectProposal.model_validate(application.proposal)
    except ValidationError as exc:  # the funding service refuses these: someone went around it
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        log.warning("Proposal %s: %s left out of the draft", application.reference, ", ".join(fields))
    proposal = proposal_draft(application.proposal)
    # The applicant is the only organisation the draft names: the funding service knows it.
    orgs = [{"ref": entity.org_ref, "name": entity.name, "role": "4", "type": entity.org_type, "side": "barcelona"}]
    data = ProjectCreate.model_validate(
        {
            **proposal,
            "participating_orgs": orgs,
            "tags": sorted({*proposal.get("tags", []), "grant-call"}),
            "owner": application.institution,
            "code": application.reference,
            "status": PIPELINE,
            "visibility": "draft",
        }
    )
    await service.register_project(
        session,
        _actor(application.institution, event),
        data,
        project_id=application.project_id,
        lenient_cities=True,  # a 422 here would reach nobody: the draft keeps what can be read
    )


async def start_granted(session: AsyncSession, event: CloudEvent) -> None:
    application = ApplicationV1.model_validate(event.data)
    project = await repository.get(session, application.project_id)
    if project is None:
        raise LookupError(f"Granted proposal {application.project_id} is not registered yet")
    actor = _actor(application.institution, event)
    if project.status == PIPELINE:
        change = StatusChange(status=IMPLEMENTATION, reason=f"Granted in {application.reference}")
        project = await service.change_status(session, actor, project.id, project.version, change)
    if project.visibility != "published":
        gaps = missing(project.doc)
        if gaps:  # the institution completes and publishes it; a retry would not fill the gaps
            fields = ", ".join(gap["field"] for gap in gaps)
            log.warning("Granted %s stays a draft: it lacks %s", application.reference, fields)
            return
        await service.publish(session, actor, project.id, project.version)


async def apply_grant_event(session: AsyncSession, event: CloudEvent) -> None:
    if event.type == APPLICATION_SUBMITTED:
        await register_proposal(session, event)
    elif event.type == APPLICATION_GRANTED:
        await start_granted(session, event)
