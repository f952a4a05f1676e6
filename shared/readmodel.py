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


async def keep_version(session: AsyncSession, history: type[DeclarativeBase], values: dict[str, Any]) -> None:
    """Append one version to a history table keyed by version: a repeated event adds nothing."""
    table = history.__table__
    assert isinstance(table, Table)
    await session.execute(insert(table).values(**values).on_conflict_do_nothing())
