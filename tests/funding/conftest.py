"""Projects that the funding service knows, created through the projects API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.funding import FundedProject, funded


@pytest.fixture
def funded_project(gateway: httpx.AsyncClient) -> FundedProject:
    """Create a project and wait until its event has reached the funding service."""

    async def make(**overrides: Any) -> dict[str, Any]:
        return await funded(gateway, **overrides)

    return make
