"""`make screenshots`: the test stack with the demo portfolio, and Chromium photographing the home page,
a partner city and a project for the README, and the console of each kind of person for the users'
guides (python -m tests.web.screenshots OUT_DIR)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from playwright.async_api import Browser, ViewportSize, async_playwright

from tests.support.auth import Tokens, issue_tokens
from tests.support.infra import RunningInfra, start_infra, stop_infra
from tests.support.people import person
from tests.support.stack import Stack, start_stack
from tests.support.waiting import eventually
from tests.web.conftest import CHROMIUM
from tests.web.console.conftest import browser_sign_in
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
            await photograph_console(stack, tokens, browser, projects, out)
            await browser.close()
    finally:
        await stack.stop()


async def photograph_console(
    stack: Stack, tokens: Tokens, browser: Browser, projects: list[dict[str, Any]], out: Path
) -> None:
    """Each kind of person signed in on the gateway's real pages, on the screens their guide shows."""
    admin = tokens.headers("admin")
    owned = next(p for p in projects if p["owner"] == "ajuntament-barcelona")
    partnered = next(
        (p, o["ref"])
        for p in projects
        for o in p["participating_orgs"]
        if o.get("ref") and o.get("side") == "partner" and p["status"] == "2"
    )
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as client:
        calls = (await client.get("/api/funding/grants/calls", params={"institution": "ajuntament-barcelona"})).json()
    call = calls["items"][0]
    people: list[tuple[str, str, str, list[str], str, dict[str, str]]] = [
        # (tenant, kind, locale, roles, viewport, {screenshot: path})
        (
            "ajuntament-barcelona",
            "institution",
            "ca-ES",
            ["officer"],
            "desktop",
            {
                "console-officer-start": "/ca/console",
                "console-new-project": "/ca/console/projects/new",
                "console-money": f"/ca/console/projects/{owned['id']}/money",
                "console-reviews": "/ca/console/reviews",
            },
        ),
        (
            partnered[1],
            "partner",
            "pt-PT",
            ["partner-reporter"],
            "phone",
            {
                "console-partner-updates": "/pt/console/updates",
                "console-partner-update-form": f"/pt/console/updates/{partnered[0]['id']}",
            },
        ),
        (
            "ajuntament-barcelona",
            "institution",
            "ca-ES",
            ["grant-manager"],
            "desktop",
            {
                "console-grant-call": f"/ca/console/grants/calls/{call['id']}",
            },
        ),
        (
            "ENT-AIGUA",
            "entity",
            "es-ES",
            ["entity-applicant"],
            "desktop",
            {
                "console-entity-calls": "/es/console/calls",
            },
        ),
        (
            "ajuntament-barcelona",
            "institution",
            "ca-ES",
            ["tenant-admin"],
            "desktop",
            {
                "console-admin-users": "/ca/console/admin/users",
            },
        ),
    ]
    for tenant, kind, locale, roles, viewport, shots in people:
        who = await person(stack, admin, tenant=tenant, kind=kind, roles=roles)
        size: ViewportSize = {"width": 390, "height": 844} if viewport == "phone" else {"width": 1280, "height": 900}
        context = await browser.new_context(viewport=size, locale=locale)
        page = await context.new_page()
        await browser_sign_in(page, stack.gateway, who, next(iter(shots.values())))
        for name, path in shots.items():
            await page.goto(stack.gateway + path)
            await page.screenshot(path=str(out / f"{name}.png"), full_page=True)
            print(f"{out / name}.png  <- {path} ({', '.join(roles)})")
        await context.close()


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
