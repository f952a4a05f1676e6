"""Transient or not, decided by SQLSTATE through SQLAlchemy's wrapping, against real servers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from shared.db import create_engine
from shared.db_errors import is_transient, sqlstate
from shared.infra.ports import free_port
from shared.infra.postgres import EmbeddedPostgres
from tests.support.infra import RunningInfra


def _standby_refusing_connections(base: Path) -> EmbeddedPostgres:
    """A server in standby mode with hot_standby off: every connection gets SQLSTATE 57P03
    ("the database system is not accepting connections"), as right after a restart."""
    server = EmbeddedPostgres(base, free_port())
    server.init()
    (server.data_dir / "standby.signal").write_text("")
    with (server.data_dir / "postgresql.conf").open("a") as conf:
        conf.write("\nhot_standby = off\n")
    server._cmd(
        "pg_ctl", "start", "-D", str(server.data_dir), "-l", str(server.log_file), "-o", f"-p {server.port} -k /tmp"
    )
    return server


async def _connect_error(url: str) -> BaseException:
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            except Exception as exc:
                if sqlstate(exc) is not None or time.monotonic() > deadline:
                    return exc
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def test_57p03_from_a_real_server_is_transient(infra: RunningInfra, tmp_path: Path) -> None:
    server = await asyncio.to_thread(_standby_refusing_connections, tmp_path / "standby")
    try:
        error = await _connect_error(server.url())
    finally:
        await asyncio.to_thread(server.destroy)
    assert sqlstate(error) == "57P03", repr(error)
    assert is_transient(error)


@pytest.mark.parametrize(
    ("statement", "state"),
    [
        ("SELECT 1/0", "22012"),  # division by zero: the statement is wrong, retrying cannot help
        ("SELECT make_date(10000, 1, 1) + interval '1 day' * 1e9", "22008"),  # datetime field overflow
        ("SELECT * FROM no_such_table", "42P01"),
        # The server ends the session mid-statement: asyncpg reports the lost connection.
        ("SELECT pg_terminate_backend(pg_backend_pid())", "08003"),
    ],
)
async def test_real_statement_errors_are_classified_by_sqlstate(
    infra: RunningInfra, statement: str, state: str
) -> None:
    engine = create_engine(infra.database_url("projects"))
    try:
        with pytest.raises(Exception) as raised:  # noqa: PT011 - any wrapper; the SQLSTATE decides
            async with engine.connect() as conn:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()
    assert sqlstate(raised.value) == state, repr(raised.value)
    assert is_transient(raised.value) is (state[:2] in ("08", "57"))


def test_errors_without_a_sqlstate() -> None:
    assert is_transient(ConnectionRefusedError())
    assert is_transient(TimeoutError())
    assert not is_transient(ValueError("bad payload"))
    wrapped = RuntimeError("handler failed")
    wrapped.__cause__ = OSError("network is unreachable")
    assert is_transient(wrapped)
