"""Applying event-carried state: a row changes only when the event's version is newer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def upsert_if_newer(session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]) -> bool:
    """Insert, or overwrite when `values["version"]` is greater. Returns whether anything changed.

    Out-of-order and repeated events are therefore harmless: versions decide, not arrival order.
    """
    table = model.__table__
    assert isinstance(table, Table)
    stmt = insert(table).values(**values)
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={name: stmt.excluded[name] for name in values if name != "id"},
        where=table.c.version < stmt.excluded.version,
    ).returning(table.c.id)
    return (await session.execute(upsert)).first() is not None


async def upsert_many_if_newer(
    session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]], keys: tuple[str, ...] = ("id",)
) -> None:
    """upsert_if_newer for many rows in one executemany (SQLAlchemy batches it into multi-row
    statements compiled once): per key only the newest version is sent, since one statement may not
    update a row twice, and it lands only if newer than what is stored."""
    table = model.__table__
    assert isinstance(table, Table)
    newest: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in newest or newest[key]["version"] < row["version"]:
            newest[key] = row
    if not newest:
        return
    stmt = insert(table)
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={name: stmt.excluded[name] for name in rows[0] if name not in keys},
        where=table.c.version < stmt.excluded.version,
    )
    await session.execute(upsert, list(newest.values()))


async def insert_many_once(session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]]) -> None:
    """Append rows keyed by their primary key (versions, ledger entries): repeats add nothing."""
    table = model.__table__
    assert isinstance(table, Table)
    if rows:
        await session.execute(insert(table).on_conflict_do_nothing(), rows)
