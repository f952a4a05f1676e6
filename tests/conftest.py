"""Session fixtures. The servers start only when a test asks for them (the fast tier needs none)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.auth import Tokens, issue_tokens
from tests.support.infra import RunningInfra, start_infra, stop_infra
from tests.support.stack import Stack, start_stack


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningInfra]:
    root: Path = tmp_path_factory.mktemp("infra")
    running = start_infra(root)
    try:
        yield running
    finally:
        stop_infra(running)


@pytest.fixture(scope="session")
async def stack(infra: RunningInfra) -> AsyncIterator[Stack]:
    running = await start_stack(infra)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(scope="session")
async def tokens(stack: Stack) -> Tokens:
    return await issue_tokens(stack)


@pytest.fixture
async def gateway(stack: Stack, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the gateway acting as an admin (any owner); security tests use their own tokens."""
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("admin")) as client:
        yield client


@pytest.fixture
async def anonymous(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        yield client


def pytest_addoption(parser: pytest.Parser) -> None:
    # With -p randomly (any order) and alone, the proof that no test leans on one that ran before it.
    parser.addoption("--reversed", action="store_true", help="run the collected tests in reverse order")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use the real servers are the integration tier (make test-fast skips them)."""
    for item in items:
        if {"infra", "stack", "gateway", "tokens", "anonymous"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
    if config.getoption("--reversed"):
        items.reverse()
