"""Importing IATI activity files into the registry: each activity on its own (a savepoint), so one
that cannot be taken is reported and the rest still land; an activity already imported for this
owner (same IATI identifier) is updated in place."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.imports import iati, tables
from services.projects.imports.schemas import ActivityOutcome, CsvReport, ImportReport, RowOutcome
from services.projects.projects import repository, service
from services.projects.projects.completeness import missing
from services.projects.projects.schemas import OtherIdentifier, ProjectEditable
from services.projects.projects.service import EDITABLE_FIELDS, INITIAL_STATUSES
from shared import csv_tables
from shared.auth import ensure_may_write_for
from shared.problems import ProblemError, Unprocessable


class InvalidCsvFile(Unprocessable):
    kind, title = "invalid-csv-file", "The CSV file cannot be read with the template's columns"


class InvalidIatiFile(Unprocessable):
    kind, title = "invalid-iati-file", "The file is not an IATI activity file that can be read safely"


async def import_iati(
    session: AsyncSession, actor: service.Actor, content: bytes, owner: str, visibility: str
) -> ImportReport:
    ensure_may_write_for(actor.principal, owner)
    try:
        root = iati.parse(content)
    except iati.UnsafeXml as exc:
        raise InvalidIatiFile(str(exc)) from exc
    items: list[ActivityOutcome] = []
    prefix = service.org_prefix(owner)
    mapped_all = [iati.activity(e, owner, visibility, prefix) for e in root.findall("iati-activity")]
    known = await repository.by_iati_identifiers(session, owner, [m.own_identifier for m in mapped_all])
    for mapped in mapped_all:
        data = iati.validated(mapped)
        existing = known.get(mapped.own_identifier.lower())
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
        try:
            async with session.begin_nested():
                if existing is None:
                    project = await service.register_project(
                        session, actor, data, migrated=migrated, other_identifiers=others
                    )
                    known[mapped.own_identifier.lower()] = project  # the same identifier twice in one file updates
                    outcome = "imported"
                else:
                    editable = ProjectEditable.model_validate(data.model_dump(include=EDITABLE_FIELDS))
                    project = await service.replace_project(session, actor, existing.id, existing.version, editable)
                    outcome = "updated"
        except ProblemError as exc:
            mapped.notes.append(exc.detail or exc.title)
            items.append(ActivityOutcome(iati_identifier=mapped.identifier, outcome="skipped", notes=mapped.notes))
            continue
        items.append(
            ActivityOutcome(
                iati_identifier=mapped.identifier,
                registered_as=project.iati_identifier,
                outcome=outcome,
                project_id=project.id,
                notes=mapped.notes,
            )
        )
    return ImportReport(
        activities=len(items),
        imported=sum(i.outcome == "imported" for i in items),
        updated=sum(i.outcome == "updated" for i in items),
        skipped=sum(i.outcome == "skipped" for i in items),
        items=items,
    )


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
