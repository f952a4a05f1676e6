"""`make screenshots`: the test stack with the demo portfolio, and Chromium photographing the home page,
a partner city and a project for the README (python -m tests.web.screenshots OUT_DIR)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.async_api import async_playwright

from tests.support.auth import issue_tokens
from tests.support.infra import RunningInfra, start_infra, stop_infra
from tests.support.stack import start_stack
from tests.support.waiting import eventually
from tests.web.conftest import CHROMIUM
from xarxa.demo import load_demo_data


async def photograph(infra: RunningInfra, out: Path) -> None:
    stack = await start_stack(infra)
    try:
        tokens = await issue_tokens(stack)
        admin = tokens.credentials["admin"]
        credentials = {"client_id": admin.client_id, "client_secret": admin.client_secret}
        await asyncio.to_thread(load_demo_data, stack.gateway, credentials, only_if_empty=False)
        async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:

            async def settled() -> dict[str, object] | None:
                overview = dict((await client.get("/api/reporting/portfolio")).json())
                return overview if overview["money"]["committed_eur"] != "0.00" else None

            await eventually(settled, timeout=60, what="the demo portfolio in the reports")
            await asyncio.sleep(3)  # the last funding events
            projects = (await client.get("/api/projects/projects", params={"limit": 500})).json()["items"]
        project = next(
            p
            for p in projects
            if p["results"] and p["networks"] and any(c.get("latitude") is not None for c in p["partner_cities"])
        )
        city = next(c for c in project["partner_cities"] if c.get("latitude") is not None)
        pages = {
            "home": "/ca/",
            "city": f"/ca/cities/{city['country']}/{quote(city['name'])}",
            "project": f"/ca/projects/{project['id']}",
        }
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            for name, path in pages.items():
                await page.goto(stack.gateway + path)
                await page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                print(f"{out / name}.png  <- {path}")
            await browser.close()
    finally:
        await stack.stop()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    infra = start_infra(Path(tempfile.mkdtemp(prefix="xarxa-screenshots-")))
    try:
        asyncio.run(photograph(infra, out))
    finally:
        stop_infra(infra)


if __name__ == "__main__":
    main()
