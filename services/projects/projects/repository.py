"""Every query of the project registry."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import asyncpg
import orjson
from sqlalchemy import ColumnElement, Select, Table, and_, false, func, or_, select, true, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.projects.projects.models import Network, Project, ProjectChange
from shared.auth import Principal
from shared.place_names import filter_keys
from shared.problem_texts import field_error
from shared.problems import Unprocessable
from shared.text import fold

PROJECTS = cast(Table, Project.__table__)
SORTS: dict[str, Any] = {
    "created_at": Project.created_at,
    "updated_at": Project.updated_at,
    "code": Project.code,
    "title": Project.title_sort,
}


@dataclass(frozen=True)
class ProjectFilters:
    owner: str | None = None
    status: str | None = None
    city: str | None = None
    country: str | None = None
    sdg_goal: str | None = None
    sdg_target: str | None = None
    sector: str | None = None
    network: str | None = None
    modality: str | None = None
    year: int | None = None
    q: str | None = None
    parent_id: uuid.UUID | None = None
    visibility: str | None = None
    include_archived: bool = False


async def get(session: AsyncSession, project_id: uuid.UUID, *, for_update: bool = False) -> Project | None:
    query = select(Project).where(Project.id == project_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def parent_chain(session: AsyncSession, project_id: uuid.UUID, limit: int = 20) -> list[uuid.UUID]:
    """The ids from `project_id` up through its parents (bounded, for cycle checks)."""
    chain: list[uuid.UUID] = []
    current: uuid.UUID | None = project_id
    while current is not None and len(chain) < limit:
        chain.append(current)
        current = (await session.execute(select(Project.parent_id).where(Project.id == current))).scalar()
    return chain


def private_filter(principal: Principal | None) -> ColumnElement[bool]:
    """The projects this principal sees beyond the public ones (same rule as shared.auth.may_read)."""
    if principal is None or not principal.has_any(["projects:read"]):
        return false()
    if principal.is_admin:
        return true()
    if principal.tenant_kind == "institution":
        return Project.owner == principal.tenant
    return Project.partners.contains([principal.tenant])


def visibility_filter(principal: Principal | None) -> ColumnElement[bool]:
    """Published projects, plus the drafts this principal may see (same rule as service.visible_to)."""
    return or_(Project.visibility == "published", private_filter(principal))


def _filtered(query: Select[Any], filters: ProjectFilters, principal: Principal | None) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = []
    # Archived projects leave every public list: `include_archived` brings back only those the
    # caller sees as owner, partner or admin.
    if filters.include_archived:
        conditions.append(or_(Project.archived.is_(False), private_filter(principal)))
    else:
        conditions.append(Project.archived.is_(False))
    equal: list[tuple[Any, Any]] = [
        (Project.owner, filters.owner),
        (Project.status, filters.status),
        (Project.visibility, filters.visibility),
        (Project.parent_id, filters.parent_id),
    ]
    for column, value in equal:
        if value is not None:
            conditions.append(column == value)
    for array, element in (
        (Project.countries, filters.country),
        (Project.sdg_goals, filters.sdg_goal),
        (Project.sdg_targets, filters.sdg_target),
        (Project.sectors, filters.sector),
        (Project.networks, filters.network),
    ):
        if element is not None:
            conditions.append(array.contains([element]))
    if filters.city:  # a name, an alias or a GeoNames id (shared/place_names.py)
        conditions.append(Project.cities.overlap(filter_keys(filters.city)))
    if filters.modality is not None:
        conditions.append(Project.doc["modality"].astext == filters.modality)
    if filters.year is not None:
        # Active during the year: started by its end and not ended before its start.
        conditions.append(
            and_(
                Project.start_date.is_not(None),
                Project.start_date <= date(filters.year, 12, 31),
                or_(Project.end_date.is_(None), Project.end_date >= date(filters.year, 1, 1)),
            )
        )
    if filters.q:
        for word in fold(filters.q).split():
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(Project.search_text.like(f"%{escaped}%", escape="\\"))
    return query.where(and_(true(), *conditions))


def _encode_cursor(value: Any, ident: uuid.UUID) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([raw, str(ident)]).encode()).decode()


def _decode_cursor(cursor: str, sort: str) -> tuple[Any, uuid.UUID]:
    try:
        raw, ident = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        value = datetime.fromisoformat(raw) if sort in ("created_at", "updated_at") else str(raw)
        return value, uuid.UUID(ident)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise Unprocessable(
            "The cursor is not one this API issued for this sort",
            errors=[field_error("cursor", "invalid_cursor", location="query", value=cursor)],
        ) from exc


async def page(
    session: AsyncSession,
    *,
    principal: Principal | None,
    filters: ProjectFilters,
    sort: str,
    limit: int,
    cursor: str | None,
) -> tuple[list[Project], str | None, int]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    column = SORTS[key]
    base = _filtered(select(Project).where(visibility_filter(principal)), filters, principal)
    total = int((await session.execute(select(func.count()).select_from(base.subquery()))).scalar() or 0)
    query = base.order_by(column.desc() if descending else column, Project.id.desc() if descending else Project.id)
    if cursor:
        value, ident = _decode_cursor(cursor, key)
        position = tuple_(column, Project.id)
        query = query.where(position < (value, ident) if descending else position > (value, ident))
    rows = list((await session.execute(query.limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(getattr(rows[-1], column.key), rows[-1].id) if more and rows else None
    return rows, next_cursor, total


async def history(session: AsyncSession, project_id: uuid.UUID) -> list[ProjectChange]:
    rows = await session.execute(
        select(ProjectChange).where(ProjectChange.project_id == project_id).order_by(ProjectChange.version)
    )
    return list(rows.scalars())


async def networks(session: AsyncSession) -> list[Network]:
    return list((await session.execute(select(Network).order_by(Network.code))).scalars())


async def unknown_networks(session: AsyncSession, codes: list[str]) -> list[str]:
    if not codes:
        return []
    known = set((await session.execute(select(Network.code).where(Network.code.in_(codes)))).scalars())
    return [code for code in codes if code not in known]


async def by_iati_identifiers(session: AsyncSession, owner: str, identifiers: list[str]) -> dict[str, Project]:
    """The owner's projects with these IATI identifiers (case ignored, keys lower-cased), in one query."""
    if not identifiers:
        return {}
    found = await session.execute(
        select(Project).where(
            Project.owner == owner, func.lower(Project.iati_identifier).in_([i.lower() for i in identifiers])
        )
    )
    return {p.iati_identifier.lower(): p for p in found.scalars()}


async def code_taken(session: AsyncSession, owner: str, code: str) -> bool:
    """Whether the owner has this code, case ignored (the unique index's rule)."""
    query = select(Project.id).where(Project.owner == owner, func.lower(Project.code) == code.lower()).limit(1)
    return (await session.execute(query)).first() is not None


async def iati_identifier_taken(session: AsyncSession, identifier: str) -> bool:
    """Whether any project has this identifier, case ignored (the unique index's rule)."""
    query = select(Project.id).where(func.lower(Project.iati_identifier) == identifier.lower()).limit(1)
    return (await session.execute(query)).first() is not None


async def codes_taken(session: AsyncSession, owner: str, codes: list[str]) -> set[str]:
    """Which of these codes the owner has (lower-cased), in one query: `code_taken` for many."""
    if not codes:
        return set()
    query = select(func.lower(Project.code)).where(
        Project.owner == owner, func.lower(Project.code).in_(sorted({c.lower() for c in codes}))
    )
    return set((await session.execute(query)).scalars())


async def iati_identifiers_taken(session: AsyncSession, identifiers: list[str]) -> set[str]:
    """Which of these identifiers any project has (lower-cased), in one query."""
    if not identifiers:
        return set()
    lowered = sorted({i.lower() for i in identifiers})
    query = select(func.lower(Project.iati_identifier)).where(func.lower(Project.iati_identifier).in_(lowered))
    return set((await session.execute(query)).scalars())


async def get_many(
    session: AsyncSession, ids: list[uuid.UUID], *, for_update: bool = False
) -> dict[uuid.UUID, Project]:
    """`get` for many, in one query (locked in id order, as concurrent writers lock them)."""
    if not ids:
        return {}
    # Fresh from the row, not an older copy the session holds (the version checks read it).
    query = select(Project).where(Project.id.in_(ids)).order_by(Project.id).execution_options(populate_existing=True)
    if for_update:
        query = query.with_for_update()
    return {p.id: p for p in (await session.execute(query)).scalars()}


async def insert_new(session: AsyncSession, projects: list[Project]) -> set[uuid.UUID]:
    """New projects in one multi-row INSERT; the ids of those inserted. A row that meets a unique
    index (a concurrent transaction took its code or identifier) is left out, not an error."""
    if not projects:
        return set()
    columns = [c.key for c in PROJECTS.columns]
    rows = [{c: getattr(p, c) for c in columns} for p in projects]
    # Executed as many: one compiled statement, sent as multi-row VALUES pages by SQLAlchemy.
    query = pg_insert(PROJECTS).on_conflict_do_nothing().returning(PROJECTS.c.id)
    return set((await session.execute(query, rows)).scalars())


HISTORY_COLUMNS = ("project_id", "version", "event_type", "client_id", "tenant", "request_id", "migrated", "changes")


async def add_changes(session: AsyncSession, changes: list[dict[str, Any]]) -> None:
    """History rows (ProjectChange columns; `at` and `id` from the table's defaults), copied in:
    a bulk path's hundreds of rows cost the database and the client a fraction of as many INSERTs."""
    if changes:
        records = [(*(c[k] for k in HISTORY_COLUMNS[:-1]), orjson.dumps(c["changes"]).decode()) for c in changes]
        await copy_rows(session, "project_changes", HISTORY_COLUMNS, records)


async def copy_rows(
    session: AsyncSession, table: str, columns: Sequence[str], records: Iterable[Sequence[Any]]
) -> None:
    """COPY the records into the table, in the session's transaction (its own connection)."""
    connection = await (await session.connection()).get_raw_connection()
    driver: asyncpg.Connection = connection.driver_connection
    await driver.copy_records_to_table(table, records=records, columns=list(columns))
