"""Importing IATI activity files into the registry, streamed: the file is read one activity at a
time and mapped a batch ahead (worker.py: a thread, or a process of its own for a large file), and
written in batches with set-based queries (the registry's bulk functions); each activity's result
is spooled as it is done (outcomes.py), so a large file imports in flat memory. An activity that
cannot be taken is reported, with why, and the rest still land; an activity already imported for
this owner (same IATI identifier) is updated in place."""

from __future__ import annotations

import tempfile
import typing
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import Table, Text, bindparam, cast, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.imports import collector, hierarchy, iati, outcomes, tables, worker
from services.projects.imports.models import IatiImport, IatiImportItem, IatiImportMoney
from services.projects.imports.schemas import (
    ActivityOutcome,
    CsvReport,
    FlaggedMoney,
    ImportReport,
    MoneyOutcome,
    RowOutcome,
    SpooledReport,
)
from services.projects.projects import repository, service
from services.projects.projects.documents import EDITABLE_FIELDS
from services.projects.projects.models import Project
from services.projects.projects.schemas import ProjectEditable
from services.projects.projects.service import INITIAL_STATUSES
from shared import csv_tables
from shared.actor import Actor
from shared.auth import Principal, ensure_may_write_for, may_write_for
from shared.contracts import iati_money as contract
from shared.emit import build_event
from shared.events import CloudEvent
from shared.kafka import PROJECTS_TOPIC
from shared.outbox import enqueue_many
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


def _money_event(actor: Actor, activity: contract.ActivityMoneyV1) -> CloudEvent:
    """The activity's money to funding, in the transaction of the project change (the outbox)."""
    return build_event(
        actor,
        contract.IATI_MONEY_IMPORTED,
        activity,
        schema_base=contract.SCHEMA_BASE,
        subject=str(activity.project_id),
    )


@dataclass
class Known:
    """What the import keeps of each of the owner's projects it meets (not the row: memory stays flat)."""

    id: uuid.UUID
    version: int
    parent_id: uuid.UUID | None
    archived: bool

    @classmethod
    def of(cls, project: Project) -> Known:
        return cls(project.id, project.version, project.parent_id, project.archived)


async def _unlinkable(session: AsyncSession, child: Known | None, parent: Known) -> str | None:
    """Why `parent` cannot be the programme of `child` (None: a project not registered yet), checked
    before saving so that the activity itself still lands; the registry's rules (service.py)."""
    if parent.archived:
        return "the parent programme is archived"
    if child is not None and child.archived:
        return "the project is archived"
    if child is not None and child.id in await repository.parent_chain(session, parent.id):
        return "a project cannot be inside itself"
    return None


@dataclass
class Planned:
    """An activity on its way to the registry, with what its outcome needs."""

    slot: int  # its place among the report's items
    key: str
    mapped: iati.Mapped
    links: hierarchy.Declared
    default_currency: str | None
    entries: list[contract.MoneyEntryV1]
    new: service.NewProject | None = None
    replacement: service.Replacement | None = None


class Run:
    """One import: the report's items (outcomes.py: spooled as they are done), what it knows of the
    owner's projects, and the activities planned but not written yet."""

    def __init__(self, session: AsyncSession, actor: Actor, owner: str, visibility: str) -> None:
        self.session, self.actor, self.owner, self.visibility = session, actor, owner, visibility
        self.prefix = service.org_prefix(owner)
        self.import_id, self.imported_at = uuid.uuid4(), datetime.now(UTC)
        self.items = outcomes.Outcomes(self.import_id)
        self.known: dict[str, Known] = {}
        self.looked_up: set[str] = set()  # keys asked of the registry already (found or not)
        self.wanted = hierarchy.Wanted()
        self.outcomes: dict[str, int] = {}  # registry key -> slot of the activity's last saved outcome
        self.pending: list[Planned] = []
        self.pending_keys: set[str] = set()  # keys planned, and keys their links name as children

    def skip(self, mapped: iati.Mapped, slot: int | None = None) -> None:
        item = ActivityOutcome(iati_identifier=mapped.identifier, outcome="skipped", notes=mapped.notes)
        self.items.fill(self.items.reserve() if slot is None else slot, "skipped", item.model_dump(mode="json"))

    async def save_items(self) -> None:
        """The items done (in the file's order) into the import's report rows, one statement."""
        rows = self.items.spool_ready()
        if rows:
            records = [(r["import_id"], r["slot"], r["item_json"]) for r in rows]
            await repository.copy_rows(self.session, "iati_import_items", ("import_id", "slot", "item"), records)

    async def batch(self, parsed: list[worker.Read]) -> None:
        keys = {r.mapped.own_identifier.lower() for r in parsed}
        keys.update(k for r in parsed for k in (r.links.parent, *r.links.children) if k)
        wanted = sorted(k for k in keys if k not in self.known and k not in self.looked_up)
        self.looked_up.update(wanted)
        found = await repository.by_iati_identifiers(self.session, self.owner, wanted)
        self.known.update((k, Known.of(p)) for k, p in found.items())
        for read in parsed:
            await self.plan(read)
        await self.write()
        await self.save_items()

    async def plan(self, read: worker.Read) -> None:
        mapped, data, links = read.mapped, read.data, read.links
        key = mapped.own_identifier.lower()
        # Written in order: the same identifier twice, or a programme and its project, are apart.
        if {key, links.parent, *links.children} & self.pending_keys:
            await self.write()
        existing = self.known.get(key)
        # A file's later status (finalisation, closed...) is history: only an admin migrates it.
        migrated = data is not None and data.status not in INITIAL_STATUSES
        if data is not None and existing is None and migrated and not self.actor.principal.is_admin:
            mapped.notes.append(
                f"status {data.status} in the file: a project starts in 1 or 2; "
                "an admin imports later statuses as a migration"
            )
            data = None
        if data is None:
            self.skip(mapped)
            return
        if read.gaps and existing is None:  # imported all the same, for the institution to complete and publish
            mapped.notes.append(f"kept as a draft: to publish it needs {', '.join(read.gaps)}")
            data = data.model_copy(update={"visibility": "draft"})
        # The programme when it is known by now; the file's silence keeps what the registry has.
        parent_key = links.parent or self.wanted.parent_of(key)
        parent = self.known.get(parent_key) if parent_key else None
        parent_id = existing.parent_id if existing is not None else None
        if parent is not None and not await _unlinkable(self.session, existing, parent):
            parent_id = parent.id  # else `_link` tries again and says why not
        data = data.model_copy(update={"parent_id": parent_id})
        planned = Planned(self.items.reserve(), key, mapped, links, read.default_currency, read.entries)
        if existing is None:
            planned.new = service.NewProject(data, migrated, read.others, uuid.uuid4(), read.prepared)
        else:
            editable = ProjectEditable.model_validate(data.model_dump(include=EDITABLE_FIELDS))
            planned.replacement = service.Replacement(existing.id, existing.version, editable)
        self.pending.append(planned)
        self.pending_keys.update((key, *links.children))

    async def write(self) -> None:
        """The planned activities into the registry, with their money to funding: a few statements."""
        pending, self.pending, self.pending_keys = self.pending, [], set()
        if not pending:
            return
        new = [p for p in pending if p.new is not None]
        replaced = [p for p in pending if p.replacement is not None]
        results: dict[int, Project | ProblemError] = {}
        made = await service.register_projects(self.session, self.actor, [p.new for p in new if p.new])
        results.update((p.slot, r) for p, r in zip(new, made, strict=True))
        changed = [p.replacement for p in replaced if p.replacement]
        done = await service.replace_projects(self.session, self.actor, changed)
        results.update((p.slot, r) for p, r in zip(replaced, done, strict=True))
        money_events: list[tuple[str, CloudEvent]] = []
        money_rows: list[dict[str, Any]] = []
        for planned in pending:  # in the file's order
            result, mapped = results[planned.slot], planned.mapped
            if isinstance(result, ProblemError):
                mapped.notes.append(result.detail or result.title)
                self.skip(mapped, planned.slot)
                continue
            # Always sent, empty too: a re-import without money clears what the last one booked.
            activity = contract.ActivityMoneyV1(
                import_id=self.import_id,
                project_id=result.id,
                owner=self.owner,
                iati_identifier=mapped.identifier,
                default_currency=planned.default_currency,
                imported_at=self.imported_at,
                entries=planned.entries,
            )
            money_events.append((str(result.id), _money_event(self.actor, activity)))
            sent = _sent(planned.entries).model_dump(mode="json")
            money_rows.append({"import_id": self.import_id, "project_id": result.id, "sent": sent})
            self.known[planned.key] = Known.of(result)  # the same identifier twice in one file updates
            outcome = "imported" if planned.new is not None else "updated"
            self.items.fill(planned.slot, outcome, _outcome(mapped, result, outcome, sent))
            self.outcomes[planned.key] = planned.slot
            self.wanted.add(planned.key, planned.links)
        await enqueue_many(self.session, PROJECTS_TOPIC, money_events)
        if money_rows:
            query = pg_insert(IatiImportMoney)
            query = query.on_conflict_do_update(
                index_elements=[IatiImportMoney.import_id, IatiImportMoney.project_id],
                set_={"sent": query.excluded.sent},
            )
            await self.session.execute(query, money_rows)

    async def link(self) -> None:
        """The links the file's order left open (a child before its parent, a parent naming earlier or
        registry children), once every activity of the file is in."""
        for child_key, (parent_key, declarer) in self.wanted.parents.items():
            slot = self.outcomes[declarer]
            child, parent = self.known.get(child_key), self.known.get(parent_key)
            if child is None or parent is None:
                absent = self.wanted.ref(child_key if child is None else parent_key)
                note = (
                    f"related-activity {absent!r} is no activity of the owner's in the registry or the file: "
                    "kept as a related activity"
                )
                self.items.amend(slot, note=note)
                continue
            reason = await _unlinkable(self.session, child, parent) if child.parent_id != parent.id else None
            if reason is None and child.parent_id != parent.id:
                try:
                    async with self.session.begin_nested():
                        patch = {"parent_id": str(parent.id)}
                        linked = await service.patch_project(self.session, self.actor, child.id, child.version, patch)
                    self.known[child_key] = Known.of(linked)
                except ProblemError as exc:
                    reason = exc.detail or exc.title
            if reason is not None:
                other = self.wanted.ref(parent_key if declarer == child_key else child_key)
                note = (
                    f"related-activity {other!r} not linked as programme and project ({reason}): "
                    "kept as a related activity"
                )
                self.items.amend(slot, note=note)
                continue
            if child_key in self.outcomes:
                self.items.amend(self.outcomes[child_key], parent_id=parent.id)

    async def finish(self) -> SpooledReport:
        """The last items saved, the amended ones rewritten, and the report."""
        await self.save_items()
        rows = self.items.amended_rows()
        if rows:
            table = typing.cast(Table, IatiImportItem.__table__)
            query = (
                update(table)
                .where(table.c.import_id == bindparam("b_import"), table.c.slot == bindparam("b_slot"))
                .values(item=cast(bindparam("item_json", type_=Text), JSONB))
            )
            await self.session.execute(query, rows)
        return self.items.report()


def _outcome(mapped: iati.Mapped, project: Project, outcome: str, money: dict[str, Any]) -> dict[str, Any]:
    """An imported or updated activity's ActivityOutcome, as its JSON dump has it (built directly:
    one per activity; tests/projects/imports/test_iati_outcomes.py holds it to the model)."""
    return {
        "iati_identifier": mapped.identifier,
        "registered_as": project.iati_identifier,
        "outcome": outcome,
        "project_id": str(project.id),
        "parent_id": None if project.parent_id is None else str(project.parent_id),
        "notes": mapped.notes,
        "money": money,
    }


async def import_iati_file(
    session: AsyncSession, actor: Actor, source: IO[bytes], owner: str, visibility: str
) -> SpooledReport:
    """The activities of an IATI file (read from `source` as it is parsed): created, or updated when
    the owner has the identifier already; a result per activity, in the file's order."""
    ensure_may_write_for(actor.principal, owner)
    with collector.paced():
        return await _import(session, actor, source, owner, visibility)


async def _import(session: AsyncSession, actor: Actor, source: IO[bytes], owner: str, visibility: str) -> SpooledReport:
    run = Run(session, actor, owner, visibility)
    # The import's row first: each batch's money rows refer to it; its report is written at the end.
    session.add(IatiImport(id=run.import_id, owner=owner, client_id=actor.principal.client_id, report={}))
    await session.flush()
    # The file is read and mapped a batch ahead, in a thread or (a large file) a process: the next
    # batch's mapping runs while this one's statements wait on the database.
    try:
        async with worker.Reader(source, owner, visibility, run.prefix) as reader:
            done = 0
            while (parsed := await reader.next()) is not None:
                await run.batch(parsed)
                done += 1
                collector.after_batch(done)
    except iati.UnsafeXml as exc:  # before anything is written, or the request's transaction rolls back
        raise InvalidIatiFile(str(exc)) from exc
    await run.write()
    await run.link()
    report = await run.finish()
    # The row keeps the counts; the items are its rows of iati_import_items.
    await session.execute(update(IatiImport).where(IatiImport.id == run.import_id).values(report=report.head))
    return report


async def import_iati(session: AsyncSession, actor: Actor, content: bytes, owner: str, visibility: str) -> ImportReport:
    """`import_iati_file` of a file in memory, its report as objects (the CLI, the benchmark)."""
    with tempfile.NamedTemporaryFile(prefix="xarxa-iati-", suffix=".xml") as spool:  # as the route spools a body
        spool.write(content)
        spool.flush()
        report = await import_iati_file(session, actor, spool, owner, visibility)
    try:
        return ImportReport.model_validate_json(report.json())
    finally:
        report.close()


async def import_report(session: AsyncSession, principal: Principal, import_id: uuid.UUID) -> ImportReport:
    """The import's report with funding's answer per activity, for the owner (others: not found)."""
    found = await session.get(IatiImport, import_id)
    if found is None or not may_write_for(principal, found.owner):
        raise ImportNotFound(f"No IATI import {import_id}")
    stored = dict(found.report)
    if "items" not in stored:  # imports before iati_import_items kept them in the report
        query = select(IatiImportItem.item).where(IatiImportItem.import_id == import_id).order_by(IatiImportItem.slot)
        stored["items"] = list((await session.execute(query)).scalars())
    report = ImportReport.model_validate(stored)
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
                    "booked": applied.booked,
                    "unchanged": applied.unchanged,
                    "withdrawn": applied.withdrawn,
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


async def import_csv(session: AsyncSession, actor: Actor, content: bytes, owner: str) -> CsvReport:
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
