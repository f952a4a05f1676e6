"""Importing IATI activity files into the registry: each activity on its own (a savepoint), so one
that cannot be taken is reported and the rest still land; an activity already imported for this
owner (same IATI identifier) is updated in place."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.imports import hierarchy, iati, money, tables
from services.projects.imports.models import IatiImport, IatiImportMoney
from services.projects.imports.schemas import (
    ActivityOutcome,
    CsvReport,
    FlaggedMoney,
    ImportReport,
    MoneyOutcome,
    RowOutcome,
)
from services.projects.projects import repository, service
from services.projects.projects.completeness import missing
from services.projects.projects.models import Project
from services.projects.projects.schemas import OtherIdentifier, ProjectCreate, ProjectEditable
from services.projects.projects.service import EDITABLE_FIELDS, INITIAL_STATUSES
from shared import csv_tables
from shared.auth import Principal, ensure_may_write_for, may_write_for
from shared.contracts import iati_money as contract
from shared.events import CloudEvent, child_traceparent
from shared.kafka import PROJECTS_TOPIC
from shared.logs import request_id_var
from shared.outbox import enqueue
from shared.problems import NotFound, ProblemError, Unprocessable


class InvalidCsvFile(Unprocessable):
    kind, title = "invalid-csv-file", "The CSV file cannot be read with the template's columns"


class InvalidIatiFile(Unprocessable):
    kind, title = "invalid-iati-file", "The file is not an IATI activity file that can be read safely"


class ImportNotFound(NotFound):
    kind, title = "import-not-found", "No such IATI import"


def _sent(entries: list[contract.MoneyEntryV1]) -> MoneyOutcome:
    return MoneyOutcome(
        status="pending",
        transactions=sum(e.kind == "transaction" for e in entries),
        budgets=sum(e.kind == "budget" for e in entries),
        planned_disbursements=sum(e.kind == "planned-disbursement" for e in entries),
    )


async def _send_money(
    session: AsyncSession,
    actor: service.Actor,
    activity: contract.ActivityMoneyV1,
) -> None:
    """The activity's money to funding, in the transaction of the project change (the outbox)."""
    event = CloudEvent(
        source=actor.source,
        type=contract.IATI_MONEY_IMPORTED,
        subject=str(activity.project_id),
        dataschema=contract.SCHEMA_BASE + contract.IATI_MONEY_IMPORTED,
        traceparent=child_traceparent(actor.traceparent),
        data=activity.model_dump(mode="json"),
        xarxarequestid=request_id_var.get(),
    )
    await enqueue(session, PROJECTS_TOPIC, str(activity.project_id), event)


# Activities mapped per round trip to the database: memory stays flat whatever the file's size.
BATCH = 500
Parsed = tuple[iati.Mapped, tuple[str | None, list[contract.MoneyEntryV1]]]


def _batches(content: bytes, owner: str, visibility: str, prefix: str) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    try:
        for element in iati.activities(content):
            batch.append((iati.activity(element, owner, visibility, prefix), money.entries(element)))
            if len(batch) == BATCH:
                yield batch
                batch = []
    except iati.UnsafeXml as exc:  # before anything is written, or the request's transaction rolls back
        raise InvalidIatiFile(str(exc)) from exc
    if batch:
        yield batch


async def _save(
    session: AsyncSession,
    actor: service.Actor,
    data: ProjectCreate,
    existing: Project | None,
    migrated: bool,
    others: list[OtherIdentifier],
) -> Project:
    if existing is None:
        return await service.register_project(session, actor, data, migrated=migrated, other_identifiers=others)
    editable = ProjectEditable.model_validate(data.model_dump(include=EDITABLE_FIELDS))
    return await service.replace_project(session, actor, existing.id, existing.version, editable)


async def _unlinkable(session: AsyncSession, child: Project | None, parent: Project) -> str | None:
    """Why `parent` cannot be the programme of `child` (None: a project not registered yet), checked
    before saving so that the activity itself still lands; the registry's rules (service.py)."""
    if parent.archived:
        return "the parent programme is archived"
    if child is not None and child.archived:
        return "the project is archived"
    if child is not None and child.id in await repository.parent_chain(session, parent.id):
        return "a project cannot be inside itself"
    return None


async def _link(
    session: AsyncSession,
    actor: service.Actor,
    wanted: hierarchy.Wanted,
    known: dict[str, Project],
    outcomes: dict[str, ActivityOutcome],
) -> None:
    """The links the file's order left open (a child before its parent, a parent naming earlier or
    registry children), once every activity of the file is in."""
    for child_key, (parent_key, declarer) in wanted.parents.items():
        item = outcomes[declarer]
        child, parent = known.get(child_key), known.get(parent_key)
        if child is None or parent is None:
            absent = wanted.ref(child_key if child is None else parent_key)
            item.notes.append(
                f"related-activity {absent!r} is no activity of the owner's in the registry or the file: "
                "kept as a related activity"
            )
            continue
        reason = await _unlinkable(session, child, parent) if child.parent_id != parent.id else None
        if reason is None and child.parent_id != parent.id:
            try:
                async with session.begin_nested():
                    await service.patch_project(session, actor, child.id, child.version, {"parent_id": str(parent.id)})
            except ProblemError as exc:
                reason = exc.detail or exc.title
        if reason is not None:
            item.notes.append(
                f"related-activity {wanted.ref(parent_key if declarer == child_key else child_key)!r} "
                f"not linked as programme and project ({reason}): kept as a related activity"
            )
            continue
        if child_key in outcomes:
            outcomes[child_key].parent_id = parent.id


async def import_iati(
    session: AsyncSession, actor: service.Actor, content: bytes, owner: str, visibility: str
) -> ImportReport:
    ensure_may_write_for(actor.principal, owner)
    items: list[ActivityOutcome] = []
    prefix = service.org_prefix(owner)
    import_id, imported_at = uuid.uuid4(), datetime.now(UTC)
    known: dict[str, Project] = {}
    looked_up: set[str] = set()  # keys asked of the registry already (found or not)
    sent: dict[uuid.UUID, IatiImportMoney] = {}
    wanted_parents = hierarchy.Wanted()
    outcomes: dict[str, ActivityOutcome] = {}  # by registry key, the last outcome of each saved activity
    for parsed in _batches(content, owner, visibility, prefix):
        declared = [hierarchy.declared(m, prefix) for m, _ in parsed]
        keys = {m.own_identifier.lower() for m, _ in parsed}
        keys.update(k for d in declared for k in (d.parent, *d.children) if k)
        wanted = sorted(k for k in keys if k not in known and k not in looked_up)
        looked_up.update(wanted)
        known.update(await repository.by_iati_identifiers(session, owner, wanted))
        for (mapped, (default_currency, entries)), links in zip(parsed, declared, strict=True):
            data = iati.validated(mapped)
            key = mapped.own_identifier.lower()
            existing = known.get(key)
            # A file's later status (finalisation, closed...) is history: only an admin migrates it.
            migrated = data is not None and data.status not in INITIAL_STATUSES
            if data is not None and existing is None and migrated and not actor.principal.is_admin:
                mapped.notes.append(
                    f"status {data.status} in the file: a project starts in 1 or 2; "
                    "an admin imports later statuses as a migration"
                )
                data = None
            if data is None:
                items.append(ActivityOutcome(iati_identifier=mapped.identifier, outcome="skipped", notes=mapped.notes))
                continue
            gaps = missing(data.model_dump(mode="json")) if data.visibility == "published" else []
            if gaps and existing is None:  # imported all the same, for the institution to complete and publish
                mapped.notes.append(f"kept as a draft: to publish it needs {', '.join(g['field'] for g in gaps)}")
                data = data.model_copy(update={"visibility": "draft"})
            others = [OtherIdentifier(ref=mapped.identifier, type="B1")] if mapped.foreign else []
            # The programme when it is known by now; the file's silence keeps what the registry has.
            parent_key = links.parent or wanted_parents.parent_of(key)
            parent = known.get(parent_key) if parent_key else None
            parent_id = existing.parent_id if existing is not None else None
            if parent is not None and not await _unlinkable(session, existing, parent):
                parent_id = parent.id  # else `_link` tries again and says why not
            try:
                async with session.begin_nested():
                    project = await _save(
                        session, actor, data.model_copy(update={"parent_id": parent_id}), existing, migrated, others
                    )
                    # Always sent, empty too: a re-import without money clears what the last one booked.
                    activity = contract.ActivityMoneyV1(
                        import_id=import_id,
                        project_id=project.id,
                        owner=owner,
                        iati_identifier=mapped.identifier,
                        default_currency=default_currency,
                        imported_at=imported_at,
                        entries=entries,
                    )
                    await _send_money(session, actor, activity)
            except ProblemError as exc:
                mapped.notes.append(exc.detail or exc.title)
                items.append(ActivityOutcome(iati_identifier=mapped.identifier, outcome="skipped", notes=mapped.notes))
                continue
            known[key] = project  # the same identifier twice in one file updates
            outcome = "imported" if existing is None else "updated"
            outcome_money = _sent(entries)
            sent[project.id] = IatiImportMoney(
                import_id=import_id, project_id=project.id, sent=outcome_money.model_dump(mode="json")
            )
            items.append(
                ActivityOutcome(
                    iati_identifier=mapped.identifier,
                    registered_as=project.iati_identifier,
                    outcome=outcome,
                    project_id=project.id,
                    parent_id=project.parent_id,
                    notes=mapped.notes,
                    money=outcome_money,
                )
            )
            outcomes[key] = items[-1]
            wanted_parents.add(key, links)
    await _link(session, actor, wanted_parents, known, outcomes)
    report = ImportReport(
        import_id=import_id,
        activities=len(items),
        imported=sum(i.outcome == "imported" for i in items),
        updated=sum(i.outcome == "updated" for i in items),
        skipped=sum(i.outcome == "skipped" for i in items),
        items=items,
    )
    session.add(
        IatiImport(
            id=import_id, owner=owner, client_id=actor.principal.client_id, report=report.model_dump(mode="json")
        )
    )
    await session.flush()
    session.add_all(sent.values())
    await session.flush()
    return report


async def import_report(session: AsyncSession, principal: Principal, import_id: uuid.UUID) -> ImportReport:
    """The import's report with funding's answer per activity, for the owner (others: not found)."""
    found = await session.get(IatiImport, import_id)
    if found is None or not may_write_for(principal, found.owner):
        raise ImportNotFound(f"No IATI import {import_id}")
    report = ImportReport.model_validate(found.report)
    rows = (await session.execute(select(IatiImportMoney).where(IatiImportMoney.import_id == import_id))).scalars()
    answers = {row.project_id: row for row in rows}
    for item in report.items:
        row = answers.get(item.project_id) if item.project_id else None
        if row is not None and row.applied is not None and item.money is not None:
            applied = contract.MoneyAppliedV1.model_validate(row.applied)
            item.money = item.money.model_copy(
                update={
                    "status": applied.outcome,
                    "converted": applied.converted,
                    "replaced": applied.replaced,
                    "flagged": [FlaggedMoney.model_validate(f.model_dump()) for f in applied.flagged],
                    "applied_at": applied.applied_at,
                }
            )
    return report


async def apply_money_answer(session: AsyncSession, event: CloudEvent) -> None:
    """Funding's answer about one activity's money completes the import's report."""
    if event.type != contract.IATI_MONEY_APPLIED:
        return
    answer = contract.MoneyAppliedV1.model_validate(event.data)
    row = await session.get(IatiImportMoney, (answer.import_id, answer.project_id))
    if row is not None:  # an import of another database (a restored backup) has nothing to complete
        row.applied = answer.model_dump(mode="json")
        row.applied_at = answer.applied_at
        await session.flush()


async def import_csv(session: AsyncSession, actor: service.Actor, content: bytes, owner: str) -> CsvReport:
    """Each row a project, on its own (a savepoint); errors by row number (the header is row 1)."""
    ensure_may_write_for(actor.principal, owner)
    try:
        found = tables.rows(content)
    except csv_tables.CsvError as exc:
        raise InvalidCsvFile(str(exc)) from exc
    results: list[RowOutcome] = []
    for number, row in enumerate(found, start=2):
        try:
            data = tables.project(row, owner)
        except ValidationError as exc:
            results.append(
                RowOutcome(row=number, code=row.get("code", ""), outcome="refused", errors=tables.field_errors(exc))
            )
            continue
        try:
            async with session.begin_nested():
                project = await service.register_project(session, actor, data)
        except ProblemError as exc:
            errors = exc.errors or [{"field": "", "message": exc.detail or exc.title}]
            results.append(RowOutcome(row=number, code=data.code, outcome="refused", errors=errors))
            continue
        results.append(RowOutcome(row=number, code=data.code, outcome="imported", project_id=project.id))
    imported = sum(r.outcome == "imported" for r in results)
    return CsvReport(rows=len(results), imported=imported, refused=len(results) - imported, items=results)
