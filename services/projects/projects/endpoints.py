"""HTTP wiring of the project registry: parse, call the service, shape the response."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects import repository, service
from services.projects.projects.completeness import IncompleteForPublication
from services.projects.projects.events import project_state
from services.projects.projects.localization import choose_language, preferred_languages
from services.projects.projects.models import Project
from services.projects.projects.schemas import (
    History,
    LocalizedView,
    ProjectCreate,
    ProjectEditable,
    ProjectPage,
    ProjectRead,
    PublicationCheck,
    ResultsReplace,
    StatusChange,
)
from shared.actor import Actor, actor_of
from shared.auth import InsufficientScope, OtherTenant, Principal, access, optional_principal
from shared.concurrency import etag, required_version
from shared.http import SessionDep
from shared.idempotency import IdempotencyKeyReused, IdempotentCreate, StoredResponse, idempotent_create
from shared.problem_texts import language_of
from shared.problems import PreconditionFailed, PreconditionRequired, problem_responses
from shared.recorded import InvalidRecordedAt, RecordedAtNeedsAdmin, RecordedAtQuery

router = APIRouter(prefix="/api/projects/projects", tags=["projects"])

Reader = Annotated[Principal | None, optional_principal()]
Writer = Annotated[Actor, actor_of("projects:write")]
CreateOnce = Annotated[IdempotentCreate, idempotent_create("Retries with the same key return the first result")]
IfMatch = Annotated[str | None, Header(description='ETag of the version being changed, e.g. "3"')]
AcceptLanguage = Annotated[str | None, Header(description="e.g. ca, es;q=0.8 - falls back to ca, es, en")]
READ = access("optional", ("projects:read",), tenant="owner-or-partner")
WRITE = access("required", ("projects:write",), tenant="owner")
WRITE_ERRORS = problem_responses(
    service.ProjectNotFound,
    service.ProjectArchived,
    PreconditionFailed,
    PreconditionRequired,
    InsufficientScope,
    OtherTenant,
)


def _read(project: Project, accept_language: str | None) -> ProjectRead:
    state = project_state(project)
    language = choose_language(state.title, preferred_languages(accept_language))
    localized = LocalizedView(
        language=language,
        title=state.title.get(language) or next(iter(state.title.values())),
        description=state.description.get(language),
        objectives=state.objectives.get(language),
    )
    return ProjectRead(
        **state.model_dump(), localized=localized, other_identifiers=project.doc.get("other_identifiers", [])
    )


def _respond(response: Response, project: Project, accept_language: str | None) -> ProjectRead:
    read = _read(project, accept_language)
    response.headers["ETag"] = etag(project.version)
    response.headers["Content-Language"] = read.localized.language
    return read


@router.post(
    "",
    status_code=201,
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses=problem_responses(
        RecordedAtNeedsAdmin,
        InvalidRecordedAt,
        service.ProjectCodeTaken,
        service.IatiIdentifierTaken,
        IdempotencyKeyReused,
        InsufficientScope,
        OtherTenant,
        service.UnknownReference,
        IncompleteForPublication,
    ),
    summary="Register a project: it starts in status 1 or 2 unless an admin migrates it",
)
async def create_project(
    body: ProjectCreate,
    session: SessionDep,
    actor: Writer,
    idempotency: CreateOnce,
    migration: Annotated[
        bool,
        Query(
            description="Admins only: a project migrated from another system, registered in any status "
            "and recorded as migrated (with who did it) in its history"
        ),
    ] = False,
    recorded_at: RecordedAtQuery = None,
    accept_language: AcceptLanguage = None,
) -> Response:
    async def register() -> StoredResponse:
        project = await service.register_project(session, actor, body, migrated=migration, recorded_at=recorded_at)
        read = _read(project, accept_language)
        headers = {
            "Location": f"{router.prefix}/{project.id}",
            "ETag": etag(project.version),
            "Content-Language": read.localized.language,
        }
        return StoredResponse(201, headers, read.model_dump_json().encode())

    return await idempotency.once(actor.principal, register)


@router.get("", response_model=ProjectPage, openapi_extra=READ, responses=problem_responses(service.UnknownFilter))
async def list_projects(
    session: SessionDep,
    principal: Reader,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=2, description="IATI ActivityStatus")] = None,
    city: Annotated[
        str | None,
        Query(max_length=200, description="Partner city: a name, an alias or a GeoNames id; accents and case ignored"),
    ] = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    sdg_goal: Annotated[str | None, Query(max_length=2)] = None,
    sdg_target: Annotated[str | None, Query(max_length=6)] = None,
    sector: Annotated[str | None, Query(pattern=r"^\d{5}$")] = None,
    network: Annotated[str | None, Query(max_length=64)] = None,
    modality: Annotated[str | None, Query(max_length=64, description="Modality code (the reports' filter)")] = None,
    year: Annotated[int | None, Query(ge=1950, le=2100, description="Active during this year")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in any language of the texts")] = None,
    parent_id: uuid.UUID | None = None,
    visibility: Annotated[str | None, Query(pattern="^(draft|published)$")] = None,
    include_archived: bool = False,
    sort: Annotated[str, Query(pattern="^-?(created_at|updated_at|code|title)$")] = "created_at",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    accept_language: AcceptLanguage = None,
) -> ProjectPage:
    filters = repository.ProjectFilters(
        owner=owner,
        status=status,
        city=city,
        country=country,
        sdg_goal=sdg_goal,
        sdg_target=sdg_target,
        sector=sector,
        network=network,
        modality=modality,
        year=year,
        q=q,
        parent_id=parent_id,
        visibility=visibility,
        include_archived=include_archived,
    )
    await service.check_filters(session, filters)
    rows, next_cursor, total = await repository.page(
        session, principal=principal, filters=filters, sort=sort, limit=limit, cursor=cursor
    )
    return ProjectPage(items=[_read(p, accept_language) for p in rows], next_cursor=next_cursor, total=total)


@router.get(
    "/{project_id}",
    response_model=ProjectRead,
    openapi_extra=READ,
    responses=problem_responses(service.ProjectNotFound),
)
async def read_project(
    project_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    principal: Reader,
    accept_language: AcceptLanguage = None,
) -> ProjectRead:
    return _respond(response, await service.get_project(session, principal, project_id), accept_language)


@dataclass
class Change:
    """What every change of a project needs: the transaction, who acts, the version they read."""

    session: AsyncSession
    actor: Actor
    expected_version: int
    response: Response
    accept_language: str | None

    def respond(self, project: Project) -> ProjectRead:
        return _respond(self.response, project, self.accept_language)


async def _change(
    session: SessionDep,
    response: Response,
    actor: Writer,
    if_match: IfMatch = None,
    accept_language: AcceptLanguage = None,
) -> Change:
    return Change(session, actor, required_version(if_match), response, accept_language)


ChangeDep = Annotated[Change, Depends(_change)]


@router.put(
    "/{project_id}",
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses={**WRITE_ERRORS, **problem_responses(IncompleteForPublication)},
    summary="Replace the editable fields (identity, status, visibility and results have their own operations)",
)
async def replace_project(project_id: uuid.UUID, body: ProjectEditable, change: ChangeDep) -> ProjectRead:
    return change.respond(
        await service.replace_project(change.session, change.actor, project_id, change.expected_version, body)
    )


@router.patch(
    "/{project_id}",
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses={**WRITE_ERRORS, **problem_responses(IncompleteForPublication)},
    summary="JSON Merge Patch (RFC 7396) of the editable fields",
)
async def patch_project(
    project_id: uuid.UUID,
    patch: Annotated[dict[str, Any], Body(media_type="application/merge-patch+json")],
    change: ChangeDep,
) -> ProjectRead:
    return change.respond(
        await service.patch_project(change.session, change.actor, project_id, change.expected_version, patch)
    )


@router.post(
    "/{project_id}/status",
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses={
        **problem_responses(RecordedAtNeedsAdmin, InvalidRecordedAt),
        **WRITE_ERRORS,
        **problem_responses(service.TransitionNotAllowed),
    },
    summary="Change the IATI activity status; cancelling and suspending need a reason",
)
async def change_status(
    project_id: uuid.UUID, body: StatusChange, change: ChangeDep, recorded_at: RecordedAtQuery = None
) -> ProjectRead:
    return change.respond(
        await service.change_status(
            change.session, change.actor, project_id, change.expected_version, body, recorded_at
        )
    )


@router.post(
    "/{project_id}/publish",
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses={**WRITE_ERRORS, **problem_responses(IncompleteForPublication)},
    summary="Make a draft public: it needs what an IATI activity needs (see the 422's errors)",
)
async def publish_project(project_id: uuid.UUID, change: ChangeDep) -> ProjectRead:
    return change.respond(await service.publish(change.session, change.actor, project_id, change.expected_version))


@router.get(
    "/{project_id}/publication-check",
    response_model=PublicationCheck,
    openapi_extra=READ,
    responses=problem_responses(service.ProjectNotFound),
    summary="What the project still lacks to be published (what an IATI activity needs); changes nothing",
)
async def check_publication(
    project_id: uuid.UUID, session: SessionDep, principal: Reader, accept_language: AcceptLanguage = None
) -> PublicationCheck:
    return await service.publication_check(session, principal, project_id, language_of(accept_language))


@router.post(
    "/{project_id}/archive",
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses=WRITE_ERRORS,
    summary="Archive: the project leaves lists and can no longer change",
)
async def archive_project(project_id: uuid.UUID, change: ChangeDep) -> ProjectRead:
    return change.respond(await service.archive(change.session, change.actor, project_id, change.expected_version))


@router.put(
    "/{project_id}/results",
    response_model=ProjectRead,
    openapi_extra=WRITE,
    responses=WRITE_ERRORS,
    summary="Replace the results framework (results, indicators, periods)",
)
async def replace_results(project_id: uuid.UUID, body: ResultsReplace, change: ChangeDep) -> ProjectRead:
    return change.respond(
        await service.replace_results(change.session, change.actor, project_id, change.expected_version, body.results)
    )


@router.get(
    "/{project_id}/history",
    response_model=History,
    # The public history leaves who made each version out rather than sending nulls.
    response_model_exclude_unset=True,
    openapi_extra=READ,
    responses=problem_responses(service.ProjectNotFound),
    summary="Every version: who, when, what changed (others than the owner: the published versions, public fields)",
)
async def project_history(project_id: uuid.UUID, session: SessionDep, principal: Reader) -> History:
    return await service.project_history(session, principal, project_id)
