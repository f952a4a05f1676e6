"""Telling "the database is unavailable for now" from "this statement or message is bad".

The driver's error is wrapped (asyncpg's exception inside SQLAlchemy's DBAPI adaptation inside
SQLAlchemy's own wrapper), so class names say little: the SQLSTATE of the innermost error does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc as sa_exc

# SQLSTATE classes (PostgreSQL appendix A) that mean "try again later", whatever the statement:
# 08 connection exception, 53 insufficient resources (too many connections, out of memory, disk
# full), 57 operator intervention (admin or crash shutdown, 57P03 "the database system is
# starting up", query cancelled by a restart).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})
# Single states that succeed on a retry of the whole transaction.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (`orig`), and its causes, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE the server (or the driver, for client-side failures) gave, if any."""
    for current in _chain(error):
        for attribute in ("sqlstate", "pgcode"):
            code = getattr(current, attribute, None)
            if isinstance(code, str) and len(code) == 5:
                return code
    return None


def is_transient(error: BaseException) -> bool:
    """True when the database or the network is unavailable, not when the work itself is wrong."""
    state = sqlstate(error)
    if state is not None:
        return state[:2] in TRANSIENT_SQLSTATE_CLASSES or state in TRANSIENT_SQLSTATES
    for current in _chain(error):
        if isinstance(current, (OSError, ConnectionError, asyncio.TimeoutError)):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        # No SQLSTATE: the driver lost or never had a connection (pool timeouts, closed sockets).
        if isinstance(
            current,
            (sa_exc.TimeoutError, sa_exc.InterfaceError, sa_exc.DisconnectionError, asyncpg.InterfaceError),
        ):
            return True
    return False
