"""An officer's whole journey in a real Chromium on a phone-sized screen: signed in with the TOTP
second factor, a project registered through the wizard's short steps, funded, published, and then on the
public portal's project page; each step passes axe-core with no serious or critical violation."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
from playwright.async_api import Browser, Page

from tests.support.auth import Tokens
from tests.support.stack import Stack
from tests.web.console.conftest import PARTNER, World, axe_serious, browser_sign_in, new_page, officer_of


async def _submit(page: Page, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)
    await page.wait_for_load_state()


async def _accessible(page: Page, what: str) -> None:
    assert await axe_serious(page) == [], what
    # On a phone: nothing wider than the screen (long codelist names in the pickers included).
    wide = await page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0, f"{what}: {wide}px wider than the screen"


async def test_an_officer_registers_publishes_and_the_public_sees_the_project(
    world: World, stack: Stack, tokens: Tokens, chromium: Browser
) -> None:
    officer = await officer_of(stack, tokens)
    page, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
    await browser_sign_in(page, world.gateway, officer, "/ca/console/projects/new")
    assert page.url.endswith("/ca/console/projects/new"), page.url
    await _accessible(page, "step (a)")

    # (a) What it is.
    code = f"JOURNEY-{uuid.uuid4().hex[:6]}"
    title = f"Residus a Tunis {code}"
    await page.fill("#code", code)
    await page.fill("#title_ca", title)
    await page.fill("#title_en", f"Waste in Tunis {code}")
    await page.fill("#description_ca", "Recollida selectiva amb el municipi de Tunis.")
    await page.fill("#intervention_line", "Residus")
    await page.select_option("#sector", "14050")
    await page.fill("#planned_start", "2026-02-01")
    await page.fill("#planned_end", "2027-01-31")
    await _submit(page, "form[action$='/projects/new'] button[type=submit]")
    assert re.search(r"/ca/console/projects/[0-9a-f-]{36}/steps/where$", page.url), page.url
    project_id = page.url.split("/projects/")[1].split("/")[0]
    await _accessible(page, "step (b)")

    # (b) Where and with whom.
    await page.select_option("#country", "TN")
    await page.fill("#city", "Tunis")
    await page.select_option("#partner", PARTNER)
    await _submit(page, "form[action$='/steps/where'] button[type=submit]")
    assert page.url.endswith("/steps/sdgs"), page.url
    await _accessible(page, "step (c)")

    # (c) SDGs: a share short of 100 % is refused first, with the total shown.
    await page.select_option("#goal_0", "11")
    await page.fill("#share_0", "70")
    await page.select_option("#goal_1", "12")
    await page.fill("#share_1", "20")
    await _submit(page, "button[name=action][value=save]")
    assert await page.locator(".error-summary a[href='#sdg_total']").count() == 1
    assert "90" in await page.locator("#sdg_total").inner_text()
    await _accessible(page, "step (c) with its error")
    await page.fill("#share_1", "30")
    await _submit(page, "button[name=action][value=save]")
    assert page.url.endswith("/steps/results"), page.url
    await _accessible(page, "step (d)")

    # (d) Results: a second target period added with a button, no script.
    await page.fill("#r0_title", "Barris amb recollida selectiva")
    await page.fill("#r0_i0_title", "Tones recollides")
    await page.fill("#r0_i0_baseline_year", "2025")
    await page.fill("#r0_i0_baseline_value", "0")
    await page.fill("#r0_i0_p0_start", "2026-02-01")
    await page.fill("#r0_i0_p0_end", "2026-12-31")
    await page.fill("#r0_i0_p0_target", "1200")
    await _submit(page, "button[name=action][value='add-period-0-0']")
    assert await page.input_value("#r0_i0_p0_target") == "1200"
    await page.fill("#r0_i0_p1_start", "2027-01-01")
    await page.fill("#r0_i0_p1_end", "2027-01-31")
    await page.fill("#r0_i0_p1_target", "150")
    await _accessible(page, "step (d) with two periods")
    await _submit(page, "button[name=action][value=save]")
    assert page.url.endswith(f"/projects/{project_id}/publish"), page.url

    # Funding: a commitment in the Catalan way of writing numbers, its EUR value shown before saving.
    money = f"{world.gateway}/ca/console/projects/{project_id}/money"
    for _ in range(40):  # the registry's event reaches funding within moments
        await page.goto(money)
        if await page.locator("#total-commitment").count():
            break
        await asyncio.sleep(0.5)
    await _accessible(page, "money")
    await page.goto(f"{money}/commitment")
    await page.fill("#amount", "12.500,50")
    await page.fill("#value_date", "2026-02-15")
    await _submit(page, "form[action$='/money/commitment'] button[type=submit]")
    assert "12.500,50" in await page.locator("#confirm-eur").inner_text()  # EUR: no conversion
    await _accessible(page, "commitment to confirm")
    await _submit(page, "#save")
    assert "?saved=" in page.url, page.url
    assert "12.500,50" in await page.locator("#total-commitment").inner_text()
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:
        ledger = (await owner.get(f"/api/funding/projects/{project_id}/transactions")).json()["items"]
    assert [(t["transaction_type"], t["amount_eur"]) for t in ledger] == [("2", "12500.50")]
    await page.goto(f"{world.gateway}/ca/console/projects/{project_id}/publish")

    # Publish, after the preview of what becomes public.
    await _accessible(page, "publish preview")
    assert title in await page.locator("main").inner_text()
    await _submit(page, "form[action$='/publish'] button[type=submit]")
    assert page.url.endswith("/publish?published=true"), page.url
    await _accessible(page, "published")

    # The public portal shows it, to anyone.
    async with httpx.AsyncClient(base_url=world.gateway) as public:
        read = await public.get(f"/api/projects/projects/{project_id}")
        assert read.status_code == 200 and read.json()["visibility"] == "published"
    await _submit(page, "main .notice a")
    assert page.url.endswith(f"/ca/projects/{project_id}"), page.url
    assert await page.locator("h1").inner_text() == title
    assert "Tunis" in await page.locator("main").inner_text()
    # The one error the browser logs is the refused SDG step's own 422 (the status of a form with errors).
    refused = [e for e in errors if "status of 422" in e and "/steps/sdgs" in e]
    assert len(refused) == 1 and [e for e in errors if e not in refused] == [], errors
    await page.context.close()
