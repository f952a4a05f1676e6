"""The portal's browser tests: a small portfolio of their own made through the API (never the demo),
and Debian's Chromium driven by Playwright's async API (the servers run in the test's event loop, so
nothing may block it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from tests.support.auth import Tokens
from tests.support.portfolio import Portfolio, load_portfolio
from tests.support.stack import Stack

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parents[2] / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
async def portfolio(stack: Stack, tokens: Tokens) -> Portfolio:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("admin")) as admin:
        return await load_portfolio(stack, admin)


@pytest.fixture(scope="session")
async def portal(stack: Stack, portfolio: Portfolio) -> str:
    """The gateway's URL, once the portal's portfolio is in the reports."""
    return stack.gateway


@pytest.fixture
async def sample(portal: str, portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio's rich project as the public API gives it (partner city on the map, networks,
    results), and its places."""
    async with httpx.AsyncClient(base_url=portal, timeout=30) as client:
        response = await client.get(f"/api/projects/projects/{portfolio.rich['id']}")
    assert response.status_code == 200, response.text
    rich: dict[str, Any] = response.json()
    city = next(c for c in rich["partner_cities"] if c.get("latitude") is not None)
    return {"project": rich, "city": city, "network": rich["networks"][0], "goal": rich["sdg_goals"][0]["goal"]}


@pytest.fixture(scope="session")
async def browser(portal: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()
