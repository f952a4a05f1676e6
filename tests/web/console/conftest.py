"""The console's tests: people invited through the gateway's API who accepted on its real pages, a
project of the Ajuntament with the Maputo partner and an open indicator period, and a browser that
signs in through the gateway's sign-in page (password, and a TOTP code for institution staff)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from lxml import html
from playwright.async_api import Browser, Page, async_playwright

from tests.support.auth import Tokens
from tests.support.people import Person, form_fields, person
from tests.support.projects import project_payload, rich_project_payload
from tests.support.stack import Stack
from tests.web.conftest import AXE, CHROMIUM

INSTITUTION = "ajuntament-barcelona"
PARTNER = "MZ-CMM"


@dataclass
class World:
    gateway: str
    officer: Person
    reporter: Person
    grant_manager: Person
    # Published, the Maputo partner named, a 2025 period open for actuals.
    shared: dict[str, Any]
    # Another city's: a draft and a published project that do not name the Maputo partner.
    other_draft: dict[str, Any]
    other_published: dict[str, Any]


async def officer_of(stack: Stack, tokens: Tokens) -> Person:
    """A new officer: each TOTP step signs in once, so a test that signs in again takes its own."""
    return await person(stack, tokens.headers("admin"), tenant=INSTITUTION, kind="institution", roles=["officer"])


async def _project(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    created = await client.post("/api/projects/projects", json=payload)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


@pytest.fixture(scope="session")
async def world(stack: Stack, tokens: Tokens) -> World:
    admin = tokens.headers("admin")
    officer = await person(stack, admin, tenant=INSTITUTION, kind="institution", roles=["officer"])
    reporter = await person(stack, admin, tenant=PARTNER, kind="partner", roles=["partner-reporter"])
    grant_manager = await person(stack, admin, tenant=INSTITUTION, kind="institution", roles=["grant-manager"])
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("ajuntament")) as owner:
        payload = rich_project_payload(code=f"CONSOLE-{uuid.uuid4().hex[:8]}")
        payload["dates"] = {"planned_start": "2024-01-01", "planned_end": "2026-12-31"}
        indicator = payload["results"][0]["indicators"][0]
        indicator["disaggregations"] = []
        indicator["periods"] = [
            {"start": "2024-01-01", "end": "2024-12-31", "target": "2000", "actual": "1850", "locked": True},
            {"start": "2025-01-01", "end": "2025-12-31", "target": "2500"},
        ]
        shared = await _project(owner, payload)
        assert any(o["ref"] == PARTNER for o in shared["participating_orgs"])
        other_draft = await _project(
            owner, project_payload(code=f"CONSOLE-D-{uuid.uuid4().hex[:6]}", visibility="draft")
        )
        other_published = await _project(owner, project_payload(code=f"CONSOLE-P-{uuid.uuid4().hex[:6]}"))
    return World(stack.gateway, officer, reporter, grant_manager, shared, other_draft, other_published)


# --- Signing in as a browser without script (httpx) -------------------------------------------


def console_client(gateway: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=gateway, timeout=30, follow_redirects=False)


async def follow(client: httpx.AsyncClient, response: httpx.Response, limit: int = 10) -> httpx.Response:
    """Follows redirects by hand (cookies of every hop kept by the client)."""
    for _ in range(limit):
        if response.status_code not in (301, 302, 303, 307):
            return response
        response = await client.get(response.headers["location"])
    raise AssertionError("too many redirects")


async def sign_in(client: httpx.AsyncClient, who: Person, start: str = "/ca/console") -> httpx.Response:
    """From a console page to the gateway's form, the form sent, and back through /auth/callback."""
    page = await follow(client, await client.get(start))
    assert page.status_code == 200 and 'action="/oauth/authorize"' in page.text, page.text[:500]
    fields = form_fields(page.text, "/oauth/authorize")
    fields.update({"email": who.email, "password": who.password, "code": who.code()})
    answer = await client.post("/oauth/authorize", data=fields)
    assert answer.status_code == 303, answer.text
    assert "/auth/callback?" in answer.headers["location"]
    return await follow(client, answer)


def csrf_of(page: str) -> str:
    token = html.fromstring(page).xpath("//input[@name='csrf_token']/@value")
    assert token, "no CSRF token in the page"
    return str(token[0])


# --- A real browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def chromium(stack: Stack) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


async def new_page(browser: Browser, locale: str, *, bypass_csp: bool = False) -> tuple[Page, list[str]]:
    """A phone-sized page (partners often report from one); `bypass_csp` lets axe-core be injected."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale=locale, bypass_csp=bypass_csp)
    page = await context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.text} at {message.location.get('url')}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


async def browser_sign_in(page: Page, gateway: str, who: Person, start: str) -> None:
    """Opens a console page, is sent to the gateway's sign-in page, types and submits."""
    await page.goto(f"{gateway}{start}")
    assert re.search(r"/oauth/authorize\?", page.url), page.url
    await page.fill("#email", who.email)
    await page.fill("#password", who.password)
    if who.totp_secret:
        await page.fill("#code", who.code())
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    await page.wait_for_load_state()
    assert re.search(r"/(ca|es|en|pt|fr)/console", page.url), f"{page.url}: {(await page.content())[:3000]}"


async def axe_serious(page: Page) -> list[str]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]
