"""Async SQLAlchemy plumbing: engines, sessions, the naming convention, transactions at the edge."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from sqlalchemy import MetaData, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """Stable constraint names, so that migrations can refer to them."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _loopback(url: str) -> bool:
    return make_url(url).host in LOOPBACK


def create_engine(url: str, pool_size: int = 20) -> AsyncEngine:
    # orjson for JSONB: documents and read-model states are the bulk of what is read and written.
    # On loopback no TLS is tried first: asyncpg's default would build an SSL context for every
    # new connection (a profile of project creation showed it).
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"ssl": False} if _loopback(url) else {},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block ends normally, roll back on any exception.

    Services only flush(); this edge (a request, a consumed message) owns the commit.
    """
    async with sessions() as session, session.begin():
        yield session


def asyncpg_dsn(url: str) -> str:
    """The plain libpq URL that asyncpg wants, from a SQLAlchemy URL."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    if _loopback(url) and "sslmode=" not in dsn:
        dsn += ("&" if "?" in dsn else "?") + "sslmode=disable"
    return dsn
