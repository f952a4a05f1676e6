"""Projects that the funding service knows, created through the projects API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.support.projects import project_payload
from tests.support.waiting import eventually

FundedProject = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def funded_project(gateway: httpx.AsyncClient) -> FundedProject:
    """Create a project and wait until its event has reached the funding service."""

    async def make(**overrides: Any) -> dict[str, Any]:
        project: dict[str, Any] = (
            await gateway.post("/api/projects/projects", json=project_payload(**overrides))
        ).json()

        async def known() -> bool:
            return (await gateway.get(f"/api/funding/project-refs/{project['id']}")).status_code == 200

        await eventually(known, what="the project in the funding service")
        return project

    return make
