"""A stack on infrastructure of its own (PostgreSQL, Kafka, the services), for the tests that must not
share the session's: fault tests stop the broker and the database, demo tests load the demo.

A test package takes it by importing the fixtures below into its conftest.py: they then replace the
session's `infra`, `stack` and `tokens` for that package alone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.auth import Tokens, issue_tokens
from tests.support.infra import RunningInfra, start_infra, stop_infra
from tests.support.stack import Stack, start_stack


@dataclass
class Isolated:
    infra: RunningInfra
    stack: Stack
    tokens: Tokens


@asynccontextmanager
async def isolated_stack(root: Path) -> AsyncIterator[Isolated]:
    # Off the event loop: starting the broker runs a loop of its own (as the sync session fixture does).
    running = await asyncio.to_thread(start_infra, root)
    try:
        stack = await start_stack(running)
        try:
            yield Isolated(running, stack, await issue_tokens(stack))
        finally:
            await stack.stop()
    finally:
        await asyncio.to_thread(stop_infra, running)


@pytest.fixture(scope="package")
async def isolated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Isolated]:
    async with isolated_stack(tmp_path_factory.mktemp(request.node.name or "isolated")) as running:
        yield running


@pytest.fixture(scope="package")
def infra(isolated: Isolated) -> RunningInfra:
    return isolated.infra


@pytest.fixture(scope="package")
def stack(isolated: Isolated) -> Stack:
    return isolated.stack


@pytest.fixture(scope="package")
def tokens(isolated: Isolated) -> Tokens:
    return isolated.tokens
