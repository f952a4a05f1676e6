"""The outage tests stop the broker and the database: on infrastructure of their own, so that no other
test meets a broker that is down or a consumer still catching up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.auth import Tokens
from tests.support.infra import RunningInfra
from tests.support.isolated import Isolated, isolated_stack
from tests.support.stack import Stack


@pytest.fixture(scope="package")
async def isolated(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Isolated]:
    async with isolated_stack(tmp_path_factory.mktemp("faults")) as running:
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
