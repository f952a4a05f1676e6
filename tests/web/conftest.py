"""The portal's browser tests: the demo portfolio loaded through the API, and Debian's Chromium driven
by Playwright's async API (the servers run in the test's event loop, so nothing may block it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from tests.support.auth import Tokens
from tests.support.stack import Stack
from tests.support.waiting import eventually
from xarxa.demo import demo_projects, load_demo_data

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parents[2] / "services" / "web" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
async def portal(stack: Stack, tokens: Tokens) -> str:
    """The gateway's URL, once the demo portfolio is in the reports (loaded unless a test did before)."""
    first = demo_projects()[0]
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("admin")) as client:
        found = await client.get("/api/projects/projects", params={"owner": first["owner"], "limit": 500})
        present = any(p["code"] == first["code"] for p in found.json()["items"])
        if not present:
            admin = tokens.credentials["admin"]
            credentials = {"client_id": admin.client_id, "client_secret": admin.client_secret}
            await asyncio.to_thread(load_demo_data, stack.gateway, credentials, only_if_empty=False)
        published = (await client.get("/api/projects/projects", params={"visibility": "published", "limit": 1})).json()

        async def reported() -> bool:
            overview = (await client.get("/api/reporting/portfolio")).json()
            return bool(overview["projects"] >= published["total"] and overview["money"]["committed_eur"] != "0.00")

        await eventually(reported, timeout=60, what="the demo portfolio in the reports")
    return stack.gateway


@pytest.fixture(scope="session")
async def browser(portal: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()
