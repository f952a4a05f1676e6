"""Business rules of the project registry. Functions flush; the caller's edge commits.

Every change bumps the version, refreshes the projections, records who changed what in the
history, and puts the event with the whole new state into the outbox, in the caller's transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.places.service import resolve_partner_cities
from services.projects.projects import repository
from services.projects.projects.completeness import ensure_publishable, missing
from services.projects.projects.documents import EDITABLE_FIELDS, Prepared, document, editable_of
from services.projects.projects.events import emit_project, project_state
from services.projects.projects.history import diff, public_versions
from services.projects.projects.models import Project, ProjectChange
from services.projects.projects.projections import projections
from services.projects.projects.schemas import (
    Change,
    History,
    HistoryEntry,
    OtherIdentifier,
    ProjectCreate,
    ProjectEditable,
    PublicationCheck,
    PublicationGap,
    Result,
    StatusChange,
)
from shared.actor import Actor
from shared.auth import Forbidden, Principal, ensure_may_write_for, may_see_unpublished
from shared.codelists import codelists
from shared.concurrency import check_version
from shared.contracts import projects as events
from shared.contracts.projects import SCHEMA_BASE
from shared.emit import build_event
from shared.events import child_traceparent
from shared.kafka import PROJECTS_TOPIC
from shared.merge_patch import apply_merge_patch
from shared.outbox import enqueue_many
from shared.problem_texts import field_error, render
from shared.problems import Conflict, NotFound, ProblemError, Unprocessable, invalid_input
from shared.recorded import recording_time, require_migration

# IATI ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation, 4 closed, 5 cancelled, 6 suspended.
TRANSITIONS: dict[str, set[str]] = {
    "1": {"2", "5"},
    "2": {"3", "5", "6"},
    "3": {"4"},
    "4": set(),
    "5": set(),
    "6": {"2", "5"},
}
NEEDS_REASON = {"5", "6"}
# Where a project may start: no transition leads into 1, and 2 (an activity already under way when
# it is registered) needs nothing that registration cannot give. Every later status needs a reason
# (5, 6) or an end date (3, 4) that only /status records; an admin migrating history is the exception.
INITIAL_STATUSES = frozenset({"1", "2"})


class ProjectNotFound(NotFound):
    kind, title = "project-not-found", "Project not found"


class ProjectCodeTaken(Conflict):
    kind, title = "project-code-taken", "The owner already has a project with this code"


class TransitionNotAllowed(Conflict):
    kind, title = "status-transition-not-allowed", "This status change is not allowed"


class ProjectArchived(Conflict):
    kind, title = "project-archived", "The project is archived and cannot change"


class UnknownReference(Unprocessable):
    kind, title = "unknown-reference", "The request refers to something that does not exist"


class UnknownFilter(Unprocessable):
    kind, title = "unknown-filter-value", "A filter names a code that does not exist"


# Query parameter -> the codelist its value must come from.
FILTER_CODELISTS = {
    "owner": "institutions",
    "status": "ActivityStatus",
    "country": "Country",
    "sdg_goal": "sdg-goals",
    "sdg_target": "sdg-targets",
    "sector": "Sector",
    "modality": "modalities",
}


async def check_filters(session: AsyncSession, filters: repository.ProjectFilters) -> None:
    """A filter on a code that does not exist is a mistake to name, not an empty page."""
    errors = [
        field_error(name, "not_in_codelist", location="query", value=value, codelist=listname)
        for name, listname in FILTER_CODELISTS.items()
        if (value := getattr(filters, name)) is not None and value not in codelists()[listname]
    ]
    if filters.network is not None and await repository.unknown_networks(session, [filters.network]):
        errors.append(field_error("network", "unknown_network", location="query", value=filters.network))
    if errors:
        raise UnknownFilter(", ".join(f"{e['field']}={e['value']}" for e in errors) + ": no such code", errors=errors)


class StatusNotInitial(Unprocessable):
    kind, title = "status-not-initial", "A project starts in pipeline (1) or implementation (2)"


class MigrationNeedsAdmin(Forbidden):
    kind, title = "migration-needs-admin", "Only an admin registers projects migrated from another system"


class InvalidIatiIdentifier(Unprocessable):
    kind, title = "invalid-iati-identifier", "The IATI identifier must start with the owner's organisation identifier"


class IatiIdentifierTaken(Conflict):
    kind, title = "iati-identifier-taken", "Another project of the registry has this IATI identifier"


# One wording whether the parent is missing, hidden from the caller or another owner's: the answer
# must not tell a caller which projects exist.
PARENT_UNAVAILABLE = "must be a project of the same owner that you can see"


def visible_to(principal: Principal | None, project: Project) -> bool:
    return project.visibility == "published" or may_see_unpublished(principal, project.owner, project.partners)


def not_found(project_id: uuid.UUID) -> ProjectNotFound:
    """The one answer for a project that is not there or not visible to the caller."""
    return ProjectNotFound(f"No project {project_id}")


def org_prefix(owner: str) -> str:
    """The owner's IATI organisation identifier (`iati_ref` in shared/data/xarxa/institutions.json)."""
    institution = codelists()["institutions"].get(owner)
    assert institution is not None  # validated by the schema
    return institution.extra["iati_ref"]


async def get_project(session: AsyncSession, principal: Principal | None, project_id: uuid.UUID) -> Project:
    """A published project for anyone; a draft only for its owner or partners (else not found)."""
    project = await repository.get(session, project_id)
    if project is None or not visible_to(principal, project):
        raise not_found(project_id)
    return project


async def publication_check(
    session: AsyncSession, principal: Principal | None, project_id: uuid.UUID, language: str
) -> PublicationCheck:
    """The gaps `publish` would refuse, named before anyone presses it (a preview changes nothing)."""
    project = await get_project(session, principal, project_id)
    gaps = [
        PublicationGap(field=g["field"], code=g["code"], message=render(g["code"], {}, language) or g["message"])
        for g in missing(project.doc)
    ]
    return PublicationCheck(publishable=not gaps, visibility=project.visibility, missing=gaps)


async def _writable(session: AsyncSession, actor: Actor, project_id: uuid.UUID, expected_version: int) -> Project:
    project = await repository.get(session, project_id, for_update=True)
    if project is None or not visible_to(actor.principal, project):
        raise not_found(project_id)
    ensure_may_write_for(actor.principal, project.owner)
    check_version(expected_version, project.version)
    ensure_not_archived(project)
    return project


def ensure_not_archived(project: Project) -> None:
    """Archived projects are read-only: no edit, status, results, approved update or push."""
    if project.archived:
        raise ProjectArchived(f"Project {project.code} was archived: it is read-only")


async def _check_references(
    session: AsyncSession, principal: Principal, owner: str, data: ProjectEditable, project_id: uuid.UUID | None
) -> None:
    unknown = await repository.unknown_networks(session, data.networks)
    if unknown:
        raise UnknownReference(
            "Unknown network(s); see /api/projects/networks",
            errors=[
                field_error(f"networks.{data.networks.index(code)}", "unknown_network", value=code) for code in unknown
            ],
        )
    if data.parent_id is not None:
        parent = await repository.get(session, data.parent_id)
        problem = None
        if parent is None or not visible_to(principal, parent) or parent.owner != owner:
            problem = PARENT_UNAVAILABLE
        elif parent.archived:
            problem = "the parent programme is archived"
        elif project_id is not None and project_id in await repository.parent_chain(session, data.parent_id):
            problem = "a project cannot be inside itself"
        if problem:
            raise UnknownReference(
                f"parent_id: {problem}",
                errors=[{"field": "parent_id", "message": problem, "value": str(data.parent_id)}],
            )


async def _with_places(data: ProjectEditable, *, lenient: bool = False) -> ProjectEditable:
    """Partner cities resolved in the gazetteer (places/service.py)."""
    cities = await resolve_partner_cities(data.partner_cities, lenient=lenient)
    return data.model_copy(update={"partner_cities": cities})


def _editable(project: Project) -> dict[str, Any]:
    current = {k: v for k, v in project.doc.items() if k in EDITABLE_FIELDS}
    current["parent_id"] = str(project.parent_id) if project.parent_id else None
    return current


async def _record(
    session: AsyncSession,
    actor: Actor,
    project: Project,
    event_type: str,
    before: dict[str, Any] | None,
    *,
    migrated: bool = False,
) -> Project:
    """Refresh projections, write history and the event, for the state the project now has."""
    for column, value in projections(project.doc, project.owner, project.code).items():
        setattr(project, column, value)
    await session.flush()
    state = project_state(project)
    after = state.model_dump(mode="json")
    session.add(
        ProjectChange(
            project_id=project.id,
            version=project.version,
            event_type=event_type,
            client_id=actor.principal.client_id,
            tenant=actor.principal.tenant,
            request_id=actor.request_id,
            migrated=migrated,
            changes=diff(before or {}, after),
        )
    )
    await emit_project(session, actor, event_type, state)
    await session.flush()
    return project


def _bump(project: Project, recorded_at: datetime | None = None) -> dict[str, Any]:
    """A new version, recorded now (or at the checked past time of an admin migration)."""
    before = project_state(project).model_dump(mode="json")
    project.version += 1
    project.updated_at = recorded_at or datetime.now(UTC)
    return before


def _check_initial_status(actor: Actor, data: ProjectCreate, migrated: bool) -> None:
    if migrated and not actor.principal.is_admin:
        raise MigrationNeedsAdmin("A migration registers any status; only an admin may do it")
    if data.status not in INITIAL_STATUSES and not migrated:
        raise StatusNotInitial(
            f"Status {data.status} is reached through /status, not at registration",
            errors=[
                {
                    "field": "status",
                    "message": "a project starts in 1 (pipeline) or 2 (implementation); "
                    "later statuses through POST /projects/{id}/status",
                    "value": data.status,
                }
            ],
        )


async def _check_iati_identifier(session: AsyncSession, owner: str, identifier: str) -> None:
    _check_identifier_prefix(owner, identifier)
    if await repository.iati_identifier_taken(session, identifier):
        raise _identifier_taken(identifier)


def _check_identifier_prefix(owner: str, identifier: str) -> None:
    prefix = f"{org_prefix(owner)}-"
    if not identifier.startswith(prefix) or len(identifier) == len(prefix):
        raise InvalidIatiIdentifier(
            f"iati_identifier must start with {prefix}",
            errors=[
                {
                    "field": "iati_identifier",
                    "message": f"must be the owner's organisation identifier, a hyphen and more: {prefix}...",
                    "value": identifier,
                }
            ],
        )


def _code_taken(owner: str, code: str) -> ProjectCodeTaken:
    return ProjectCodeTaken(
        f"{owner} already uses code {code} (case ignored)",
        errors=[{"field": "code", "message": "already used by this owner (case ignored)", "value": code}],
    )


def _identifier_taken(identifier: str) -> IatiIdentifierTaken:
    return IatiIdentifierTaken(
        f"iati_identifier {identifier} is taken",
        errors=[
            {"field": "iati_identifier", "message": "already used in the registry (case ignored)", "value": identifier}
        ],
    )


async def register_project(
    session: AsyncSession,
    actor: Actor,
    data: ProjectCreate,
    project_id: uuid.UUID | None = None,
    *,
    migrated: bool = False,
    other_identifiers: list[OtherIdentifier] | None = None,
    recorded_at: datetime | None = None,
    lenient_cities: bool = False,
) -> Project:
    """A new project. `migrated` (admins only) lets it start in any status and says so in its history,
    and `recorded_at` when the earlier system recorded it; `other_identifiers` are what the activity
    was called by other publishers (IATI imports); `lenient_cities`: see resolve_partner_cities."""
    ensure_may_write_for(actor.principal, data.owner)
    _check_initial_status(actor, data, migrated)
    now = recording_time(actor.principal, recorded_at)
    require_migration(recorded_at, migrated)
    await _check_references(session, actor.principal, data.owner, data, None)
    if await repository.code_taken(session, data.owner, data.code):  # before its derived identifier
        raise _code_taken(data.owner, data.code)
    identifier = data.iati_identifier or f"{org_prefix(data.owner)}-{data.code}"
    await _check_iati_identifier(session, data.owner, identifier)
    kept = {"other_identifiers": [o.model_dump() for o in other_identifiers or []]}
    editable = ProjectEditable.model_validate(data.model_dump(include=EDITABLE_FIELDS))
    editable = await _with_places(editable, lenient=lenient_cities)
    doc = document(editable, [r.model_dump(mode="json") for r in data.results], kept)
    if data.visibility == "published":
        ensure_publishable(doc)
    project = Project(
        id=project_id or uuid.uuid4(),
        version=1,
        owner=data.owner,
        code=data.code,
        iati_identifier=identifier,
        status=data.status,
        visibility=data.visibility,
        archived=False,
        parent_id=data.parent_id,
        doc=doc,
        created_at=now,
        updated_at=now,
    )
    session.add(project)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent create took the code between the check and here
        if "uq_projects_owner_code" in str(exc.orig):
            raise _code_taken(data.owner, data.code) from exc
        if "uq_projects_iati_identifier" in str(exc.orig):
            raise _identifier_taken(identifier) from exc
        raise
    await _record(session, actor, project, events.PROJECT_REGISTERED, None, migrated=migrated)
    await _announce_initial_state(actor, session, project, migrated)
    return project


async def _announce_initial_state(actor: Actor, session: AsyncSession, project: Project, migrated: bool) -> None:
    """A consumer that acts on status or visibility changes (webhooks, integrators) must not miss a
    project that was born published or, migrated, in a later status: after `project.registered`,
    the same version is announced as `project.published` and `project.status-changed`, in the same
    transaction. Consumers that apply states by version see nothing new in them."""
    state = project_state(project)
    follow_ups = []
    if migrated and project.status not in INITIAL_STATUSES:
        follow_ups.append(events.PROJECT_STATUS_CHANGED)
    if project.visibility == "published":
        follow_ups.append(events.PROJECT_PUBLISHED)
    for event_type in follow_ups:
        await emit_project(session, actor, event_type, state)
    await session.flush()


async def _edit(session: AsyncSession, actor: Actor, project: Project, data: ProjectEditable) -> Project:
    """A replacement or a merge patch, once validated: the same checks and the same event."""
    await _check_references(session, actor.principal, project.owner, data, project.id)
    data = await _with_places(data)
    doc = document(data, project.doc.get("results", []), project.doc)
    if project.visibility == "published":
        ensure_publishable(doc)
    before = _bump(project)
    project.parent_id = data.parent_id
    project.doc = doc
    return await _record(session, actor, project, events.PROJECT_UPDATED, before)


async def replace_project(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, expected_version: int, data: ProjectEditable
) -> Project:
    project = await _writable(session, actor, project_id, expected_version)
    return await _edit(session, actor, project, data)


async def patch_project(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, expected_version: int, patch: dict[str, Any]
) -> Project:
    """JSON Merge Patch over the editable fields, validated like a full replacement."""
    project = await _writable(session, actor, project_id, expected_version)
    read_only = sorted(set(patch) - EDITABLE_FIELDS)
    if read_only:
        raise Unprocessable(
            "These fields cannot be patched here",
            errors=[
                {
                    "field": name,
                    "message": "not editable (identity, status, visibility and results have their own operations)",
                }
                for name in read_only
            ],
        )
    try:
        data = ProjectEditable.model_validate(apply_merge_patch(_editable(project), patch))
    except ValidationError as exc:
        raise invalid_input(exc) from exc
    return await _edit(session, actor, project, data)


async def change_status(
    session: AsyncSession,
    actor: Actor,
    project_id: uuid.UUID,
    expected_version: int,
    change: StatusChange,
    recorded_at: datetime | None = None,
) -> Project:
    """`recorded_at` (admin migrations): the change as the earlier system recorded it, then."""
    project = await _writable(session, actor, project_id, expected_version)
    recorded = recording_time(actor.principal, recorded_at, project.updated_at)
    if change.status not in TRANSITIONS[project.status]:
        allowed = ", ".join(sorted(TRANSITIONS[project.status])) or "none"
        raise TransitionNotAllowed(
            f"From status {project.status} to {change.status} is not allowed (allowed: {allowed})"
        )
    if change.status in NEEDS_REASON and not change.reason:
        raise Unprocessable(
            "A reason is required to cancel or suspend",
            errors=[{"field": "reason", "message": "required for status 5 (cancelled) and 6 (suspended)"}],
        )
    before = _bump(project, recorded)
    when = (change.date or recorded.date()).isoformat()
    doc = dict(project.doc)
    dates = dict(doc.get("dates", {}))
    if change.status == "2" and not dates.get("actual_start"):
        dates["actual_start"] = when
    if change.status in ("3", "4") and not dates.get("actual_end"):
        dates["actual_end"] = max(when, dates.get("actual_start") or when)
    doc["dates"] = dates
    doc["status_reason"] = change.reason
    project.doc = doc
    project.status = change.status
    return await _record(
        session, actor, project, events.PROJECT_STATUS_CHANGED, before, migrated=recorded_at is not None
    )


async def publish(session: AsyncSession, actor: Actor, project_id: uuid.UUID, expected_version: int) -> Project:
    project = await _writable(session, actor, project_id, expected_version)
    if project.visibility == "published":
        raise Conflict("The project is already published")
    ensure_publishable(project.doc)
    before = _bump(project)
    project.visibility = "published"
    return await _record(session, actor, project, events.PROJECT_PUBLISHED, before)


async def archive(session: AsyncSession, actor: Actor, project_id: uuid.UUID, expected_version: int) -> Project:
    project = await _writable(session, actor, project_id, expected_version)
    before = _bump(project)
    project.archived = True
    return await _record(session, actor, project, events.PROJECT_ARCHIVED, before)


async def replace_results(
    session: AsyncSession, actor: Actor, project_id: uuid.UUID, expected_version: int, results: list[Result]
) -> Project:
    """The whole results framework; the history keeps every previous target and actual."""
    project = await _writable(session, actor, project_id, expected_version)
    _keep_locked_periods(project.doc.get("results", []), results)
    before = _bump(project)
    project.doc = {**project.doc, "results": [r.model_dump(mode="json") for r in results]}
    return await _record(session, actor, project, events.PROJECT_RESULTS_CHANGED, before)


async def record_actuals(
    session: AsyncSession, actor: Actor, project: Project, actuals: dict[tuple[str, str, str], tuple[Any, Any]]
) -> Project:
    """Approved actuals, (indicator id, period start, period end) -> (value, comment), written into
    the results framework as a new version of the (locked) project; the caller checked the periods."""
    ensure_not_archived(project)
    results = []
    for result in project.doc.get("results", []):
        indicators = []
        for indicator in result.get("indicators", []):
            periods = []
            for period in indicator.get("periods", []):
                actual = actuals.get((str(indicator["id"]), period["start"], period["end"]))
                if actual is not None:
                    period = {**period, "actual": actual[0], "actual_comment": actual[1]}
                periods.append(period)
            indicators.append({**indicator, "periods": periods})
        results.append({**result, "indicators": indicators})
    before = _bump(project)
    project.doc = {**project.doc, "results": results}
    return await _record(session, actor, project, events.PROJECT_RESULTS_CHANGED, before)


def _keep_locked_periods(current: list[dict[str, Any]], new: list[Result]) -> None:
    """A locked (closed) reporting period keeps its actuals."""
    locked: dict[tuple[str, str, str], Any] = {}
    for stored in current:
        for indicator in stored.get("indicators", []):
            for period in indicator.get("periods", []):
                if period.get("locked"):
                    locked[(indicator["id"], period["start"], period["end"])] = period.get("actual")
    for result in new:
        for indicator in result.indicators:
            for period in indicator.periods:
                key = (str(indicator.id), period.start.isoformat(), period.end.isoformat())
                if (
                    key in locked
                    and str(period.actual) != str(locked[key])
                    and not (period.actual is None and locked[key] is None)
                ):
                    raise Conflict(f"Period {period.start}..{period.end} of indicator {indicator.id} is locked")


async def project_history(session: AsyncSession, principal: Principal | None, project_id: uuid.UUID) -> History:
    """The owner and admins get every version and who made it; anyone else who sees the project
    (anonymous callers, other tenants, partners) its published versions in the public fields."""
    project = await get_project(session, principal, project_id)
    rows = await repository.history(session, project_id)
    if may_see_unpublished(principal, project.owner, []):
        return History(items=[HistoryEntry.model_validate(r, from_attributes=True) for r in rows])
    return History(
        items=[
            HistoryEntry(
                version=row.version,
                event_type=row.event_type,
                at=row.at,
                changes=[Change.model_validate(c) for c in changes],
            )
            for row, changes in public_versions(rows)
        ]
    )


# Bulk writes: the same rules, history and events as register_project / replace_project, for many
# projects at once (an IATI file), with one query per kind of check and one statement per table
# instead of a dozen round trips per project. A result per project: the project, or why not.


@dataclass(frozen=True)
class NewProject:
    """One project of `register_projects`: what `register_project` takes for it."""

    data: ProjectCreate
    migrated: bool = False
    other_identifiers: tuple[OtherIdentifier, ...] = ()
    project_id: uuid.UUID | None = None
    prepared: Prepared | None = None  # `documents.prepare(data, other_identifiers)`, computed beforehand


@dataclass(frozen=True)
class Replacement:
    """One project of `replace_projects`: what `replace_project` takes for it."""

    project_id: uuid.UUID
    expected_version: int
    data: ProjectEditable


async def _new_project(
    session: AsyncSession, actor: Actor, item: NewProject, codes: set[tuple[str, str]], identifiers: set[str]
) -> Project:
    """register_project's checks, in its order, against the codes and identifiers taken (lower-cased,
    those of the registry and of the items before this one); the project, not stored yet."""
    data, migrated = item.data, item.migrated
    ensure_may_write_for(actor.principal, data.owner)
    _check_initial_status(actor, data, migrated)
    now = recording_time(actor.principal, actor.recorded_at)
    require_migration(actor.recorded_at, migrated)
    await _check_references(session, actor.principal, data.owner, data, None)
    if (data.owner, data.code.lower()) in codes:
        raise _code_taken(data.owner, data.code)
    identifier = data.iati_identifier or f"{org_prefix(data.owner)}-{data.code}"
    _check_identifier_prefix(data.owner, identifier)
    if identifier.lower() in identifiers:
        raise _identifier_taken(identifier)
    if item.prepared is not None:
        doc, derived = item.prepared.doc, item.prepared.projections
    else:
        kept = {"other_identifiers": [o.model_dump() for o in item.other_identifiers]}
        editable = await _with_places(editable_of(data))
        doc = document(editable, [r.model_dump(mode="json") for r in data.results], kept)
        derived = projections(doc, data.owner, data.code)
    if data.visibility == "published":
        ensure_publishable(doc)
    project = Project(
        id=item.project_id or uuid.uuid4(),
        version=1,
        owner=data.owner,
        code=data.code,
        iati_identifier=identifier,
        status=data.status,
        visibility=data.visibility,
        archived=False,
        parent_id=data.parent_id,
        doc=doc,
        created_at=now,
        updated_at=now,
    )
    for column, value in derived.items():
        setattr(project, column, value)
    return project


async def register_projects(
    session: AsyncSession, actor: Actor, items: list[NewProject]
) -> list[Project | ProblemError]:
    """`register_project` for each item (the projects are not added to the session)."""
    codes: set[tuple[str, str]] = set()
    for owner in {i.data.owner for i in items}:
        taken = await repository.codes_taken(session, owner, [i.data.code for i in items if i.data.owner == owner])
        codes.update((owner, code) for code in taken)
    wanted = [i.data.iati_identifier or f"{org_prefix(i.data.owner)}-{i.data.code}" for i in items]
    identifiers = await repository.iati_identifiers_taken(session, wanted)
    results: list[Project | ProblemError] = []
    for item in items:
        try:
            project = await _new_project(session, actor, item, codes, identifiers)
        except ProblemError as exc:
            results.append(exc)
            continue
        codes.add((project.owner, project.code.lower()))
        identifiers.add(project.iati_identifier.lower())
        results.append(project)
    made = [r for r in results if isinstance(r, Project)]
    inserted = await repository.insert_new(session, made)
    for index, result in enumerate(results):
        if isinstance(result, Project) and result.id not in inserted:  # a concurrent create took it
            code_lost = await repository.code_taken(session, result.owner, result.code)
            results[index] = (
                _code_taken(result.owner, result.code) if code_lost else _identifier_taken(result.iati_identifier)
            )
    recorded: list[tuple[Project, list[str], dict[str, Any] | None, bool]] = []
    for item, result in zip(items, results, strict=True):
        if isinstance(result, Project):
            # As _announce_initial_state: a later status, then published, follow the registration.
            follow = [events.PROJECT_REGISTERED]
            if item.migrated and result.status not in INITIAL_STATUSES:
                follow.append(events.PROJECT_STATUS_CHANGED)
            if result.visibility == "published":
                follow.append(events.PROJECT_PUBLISHED)
            recorded.append((result, follow, None, item.migrated))
    await _record_many(session, actor, recorded)
    return results


async def replace_projects(
    session: AsyncSession, actor: Actor, items: list[Replacement]
) -> list[Project | ProblemError]:
    """`replace_project` for each item (distinct projects), the rows locked in one query."""
    found = await repository.get_many(session, [i.project_id for i in items], for_update=True)
    results: list[Project | ProblemError] = []
    recorded: list[tuple[Project, list[str], dict[str, Any] | None, bool]] = []
    for item in items:
        project = found.get(item.project_id)
        try:
            # _writable's checks, on the row locked above.
            if project is None or not visible_to(actor.principal, project):
                raise not_found(item.project_id)
            ensure_may_write_for(actor.principal, project.owner)
            check_version(item.expected_version, project.version)
            ensure_not_archived(project)
            await _check_references(session, actor.principal, project.owner, item.data, project.id)
            data = await _with_places(item.data)
            doc = document(data, project.doc.get("results", []), project.doc)
            if project.visibility == "published":
                ensure_publishable(doc)
        except ProblemError as exc:
            results.append(exc)
            continue
        before = _bump(project)
        project.parent_id = data.parent_id
        project.doc = doc
        for column, value in projections(project.doc, project.owner, project.code).items():
            setattr(project, column, value)
        results.append(project)
        recorded.append((project, [events.PROJECT_UPDATED], before, False))
    await session.flush()
    await _record_many(session, actor, recorded)
    return results


async def _record_many(
    session: AsyncSession, actor: Actor, recorded: list[tuple[Project, list[str], dict[str, Any] | None, bool]]
) -> None:
    """_record (and _announce_initial_state) for many: a history row per project, its events in
    order; in two statements."""
    changes: list[dict[str, Any]] = []
    keyed = []
    for project, event_types, before, migrated in recorded:
        state = project_state(project)
        key = str(project.id)
        first = build_event(actor, event_types[0], state, schema_base=SCHEMA_BASE, subject=key, time=state.updated_at)
        # The state is dumped once: the first event's data is the history's "after" and every
        # following event's data (the same state; each event its own id and span).
        keyed.append((key, first))
        for event_type in event_types[1:]:
            span = child_traceparent(actor.traceparent)
            update: dict[str, Any] = {"id": uuid.uuid4(), "type": event_type, "traceparent": span}
            keyed.append((key, first.model_copy(update={**update, "dataschema": SCHEMA_BASE + event_type})))
        changes.append(
            {
                "project_id": project.id,
                "version": project.version,
                "event_type": event_types[0],
                "client_id": actor.principal.client_id,
                "tenant": actor.principal.tenant,
                "request_id": actor.request_id,
                "migrated": migrated,
                "changes": diff(before or {}, first.data),
            }
        )
    await repository.add_changes(session, changes)
    await enqueue_many(session, PROJECTS_TOPIC, keyed)
