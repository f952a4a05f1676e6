"""Importing IATI activity files into the registry, streamed: the file is read one activity at a
time and written in batches with set-based queries (the registry's bulk functions), so a large file
imports in flat memory. An activity that cannot be taken is reported, with why, and the rest still
land; an activity already imported for this owner (same IATI identifier) is updated in place."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from pydantic import ValidationError
from sqlalchemy import Text, bindparam, cast, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.imports import hierarchy, iati, money, reading, tables
from services.projects.imports.models import IatiImport, IatiImportMoney
from services.projects.imports.schemas import (
    ActivityOutcome,
    CsvReport,
    EncodedReport,
    FlaggedMoney,
    ImportReport,
    MoneyOutcome,
    RowOutcome,
)
from services.projects.projects import repository, service
from services.projects.projects.completeness import REQUIRED, missing
from services.projects.projects.models import Project
from services.projects.projects.schemas import OtherIdentifier, ProjectCreate, ProjectEditable
from services.projects.projects.service import EDITABLE_FIELDS, INITIAL_STATUSES
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


# What `missing` reads of a project (completeness.py: its fields, and regions beside countries):
# only these are dumped to check an activity.
PUBLISHING_FIELDS = {field.split(".")[0] for field, _ in REQUIRED} | {"recipient_regions"}
# Activities mapped and written per round of set-based queries: memory stays flat whatever the
# file's size, and each query carries hundreds of rows.
BATCH = 500
# An activity as read: its mapping, the project the registry would accept (None: not even the
# essentials), and its money (the default currency and the entries).
Parsed = tuple[iati.Mapped, ProjectCreate | None, tuple[str | None, list[contract.MoneyEntryV1]]]


def _batches(source: IO[bytes], owner: str, visibility: str, prefix: str) -> Iterator[list[Parsed]]:
    batch: list[Parsed] = []
    try:
        for element in reading.activities_in(source):
            mapped = iati.activity(element, owner, visibility, prefix)
            batch.append((mapped, iati.validated(mapped), money.entries(element)))
            if len(batch) == BATCH:
                yield batch
                batch = []
    except iati.UnsafeXml as exc:  # before anything is written, or the request's transaction rolls back
        raise InvalidIatiFile(str(exc)) from exc
    if batch:
        yield batch


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
    """One import: the report's items (compact JSON, one per activity, in the file's order), what
    it knows of the owner's projects, and the activities planned but not written yet."""

    def __init__(self, session: AsyncSession, actor: Actor, owner: str, visibility: str) -> None:
        self.session, self.actor, self.owner, self.visibility = session, actor, owner, visibility
        self.prefix = service.org_prefix(owner)
        self.import_id, self.imported_at = uuid.uuid4(), datetime.now(UTC)
        self.items: list[bytes] = []
        self.counts = {"imported": 0, "updated": 0, "skipped": 0}
        self.known: dict[str, Known] = {}
        self.looked_up: set[str] = set()  # keys asked of the registry already (found or not)
        self.wanted = hierarchy.Wanted()
        self.outcomes: dict[str, int] = {}  # registry key -> slot of the activity's last saved outcome
        self.pending: list[Planned] = []
        self.pending_keys: set[str] = set()  # keys planned, and keys their links name as children

    def add(self, item: ActivityOutcome, slot: int | None = None) -> None:
        self.counts[item.outcome] += 1
        encoded = orjson.dumps(item.model_dump(mode="json"))
        if slot is None:
            self.items.append(encoded)
        else:
            self.items[slot] = encoded

    def skip(self, mapped: iati.Mapped, slot: int | None = None) -> None:
        self.add(ActivityOutcome(iati_identifier=mapped.identifier, outcome="skipped", notes=mapped.notes), slot)

    def amend(self, slot: int, note: str | None = None, parent_id: uuid.UUID | None = None) -> None:
        """A note or the programme, added to an item written already (the links resolved last)."""
        item = orjson.loads(self.items[slot])
        if note is not None:
            item["notes"].append(note)
        if parent_id is not None:
            item["parent_id"] = str(parent_id)
        self.items[slot] = orjson.dumps(item)

    async def batch(self, parsed: list[Parsed]) -> None:
        declared = [hierarchy.declared(m, self.prefix) for m, _, _ in parsed]
        keys = {m.own_identifier.lower() for m, _, _ in parsed}
        keys.update(k for d in declared for k in (d.parent, *d.children) if k)
        wanted = sorted(k for k in keys if k not in self.known and k not in self.looked_up)
        self.looked_up.update(wanted)
        found = await repository.by_iati_identifiers(self.session, self.owner, wanted)
        self.known.update((k, Known.of(p)) for k, p in found.items())
        for (mapped, data, (default_currency, entries)), links in zip(parsed, declared, strict=True):
            await self.plan(mapped, data, links, default_currency, entries)
        await self.write()

    async def plan(
        self,
        mapped: iati.Mapped,
        data: ProjectCreate | None,
        links: hierarchy.Declared,
        default_currency: str | None,
        entries: list[contract.MoneyEntryV1],
    ) -> None:
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
        gaps = (
            missing(data.model_dump(mode="json", include=PUBLISHING_FIELDS)) if data.visibility == "published" else []
        )
        if gaps and existing is None:  # imported all the same, for the institution to complete and publish
            mapped.notes.append(f"kept as a draft: to publish it needs {', '.join(g['field'] for g in gaps)}")
            data = data.model_copy(update={"visibility": "draft"})
        # The programme when it is known by now; the file's silence keeps what the registry has.
        parent_key = links.parent or self.wanted.parent_of(key)
        parent = self.known.get(parent_key) if parent_key else None
        parent_id = existing.parent_id if existing is not None else None
        if parent is not None and not await _unlinkable(self.session, existing, parent):
            parent_id = parent.id  # else `_link` tries again and says why not
        data = data.model_copy(update={"parent_id": parent_id})
        planned = Planned(len(self.items), key, mapped, links, default_currency, entries)
        if existing is None:
            others = (OtherIdentifier(ref=mapped.identifier, type="B1"),) if mapped.foreign else ()
            planned.new = service.NewProject(data, migrated, others, uuid.uuid4())
        else:
            editable = ProjectEditable.model_validate(data.model_dump(include=EDITABLE_FIELDS))
            planned.replacement = service.Replacement(existing.id, existing.version, editable)
        self.items.append(b"")  # its slot, filled once written
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
            outcome_money = _sent(planned.entries)
            money_rows.append(
                {"import_id": self.import_id, "project_id": result.id, "sent": outcome_money.model_dump(mode="json")}
            )
            self.known[planned.key] = Known.of(result)  # the same identifier twice in one file updates
            self.add(
                ActivityOutcome(
                    iati_identifier=mapped.identifier,
                    registered_as=result.iati_identifier,
                    outcome="imported" if planned.new is not None else "updated",
                    project_id=result.id,
                    parent_id=result.parent_id,
                    notes=mapped.notes,
                    money=outcome_money,
                ),
                planned.slot,
            )
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
                self.amend(slot, note=note)
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
                self.amend(slot, note=note)
                continue
            if child_key in self.outcomes:
                self.amend(self.outcomes[child_key], parent_id=parent.id)

    def report(self) -> EncodedReport:
        return EncodedReport(
            import_id=self.import_id,
            activities=len(self.items),
            imported=self.counts["imported"],
            updated=self.counts["updated"],
            skipped=self.counts["skipped"],
            items=self.items,
        )


async def import_iati_file(
    session: AsyncSession, actor: Actor, source: IO[bytes], owner: str, visibility: str
) -> EncodedReport:
    """The activities of an IATI file (read from `source` as it is parsed): created, or updated when
    the owner has the identifier already; a result per activity, in the file's order."""
    ensure_may_write_for(actor.principal, owner)
    run = Run(session, actor, owner, visibility)
    # The import's row first: each batch's money rows refer to it; its report is written at the end.
    session.add(IatiImport(id=run.import_id, owner=owner, client_id=actor.principal.client_id, report={}))
    await session.flush()
    # The file is read and mapped in a thread of its own, a batch ahead: the next batch's parsing
    # runs while this one's statements wait on the database (one thread: lxml's parser stays in it).
    batches = _batches(source, owner, visibility, run.prefix)
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="iati-read") as reader:
        ahead = loop.run_in_executor(reader, next, batches, None)
        while (parsed := await ahead) is not None:
            ahead = loop.run_in_executor(reader, next, batches, None)
            await run.batch(parsed)
    await run.write()
    await run.link()
    report = run.report()
    # The report's JSON as encoded, not rebuilt as objects (a large file's report is large).
    stored = cast(bindparam("report", report.json().decode(), type_=Text), JSONB)
    await session.execute(update(IatiImport).where(IatiImport.id == run.import_id).values(report=stored))
    return report


async def import_iati(session: AsyncSession, actor: Actor, content: bytes, owner: str, visibility: str) -> ImportReport:
    """`import_iati_file` of a file in memory, its report as objects (the CLI, the benchmark)."""
    report = await import_iati_file(session, actor, io.BytesIO(content), owner, visibility)
    return ImportReport.model_validate_json(report.json())


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
