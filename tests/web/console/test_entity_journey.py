"""An NGO's person in real Chromium on a phone: signs in with a password alone (no second factor for
entities), finds the open call from the console's navigation, gives the entity's details and the
project once, and the grant manager's API then lists the application. axe-core finds nothing
serious or critical on the list and the form."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
from playwright.async_api import Browser

from tests.support.auth import Tokens
from tests.support.grants import REPRESENTATIVE, call_body, tax_id
from tests.support.people import person
from tests.support.stack import Stack
from tests.web.console.conftest import axe_serious, browser_sign_in, new_page

GRANTS = "/api/funding/grants"


async def test_an_entity_finds_the_open_call_and_applies_from_a_phone(
    chromium: Browser, stack: Stack, tokens: Tokens
) -> None:
    year = str(datetime.now(UTC).year)
    tenant = f"ENT-J{uuid.uuid4().hex[:8]}"
    who = await person(stack, tokens.headers("admin"), tenant=tenant, kind="entity", roles=["entity-applicant"])
    assert who.totp_secret is None
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("ajuntament")) as officer:
        body = call_body(f"JRN-{uuid.uuid4().hex[:8]}")
        body["title"] = {"ca": "Convocatòria de justícia global", "es": "Convocatoria de justicia global"}
        created = await officer.post(f"{GRANTS}/calls", json=body)
        assert created.status_code == 201, created.text
        call_id = created.json()["id"]
        assert (await officer.post(f"{GRANTS}/calls/{call_id}/status", json={"status": "open"})).status_code == 200

        page, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
        await browser_sign_in(page, stack.gateway, who, "/ca/console")
        await page.click("nav.main-nav a[href='/ca/console/calls']")
        assert await page.locator("h1").inner_text() == "Convocatòries i les vostres sol·licituds"
        assert "Convocatòria de justícia global" in await page.locator("main").inner_text()
        assert not await axe_serious(page)

        await page.click(f"a[href='/ca/console/calls/{call_id}/apply']")
        assert await page.locator("h1").inner_text() == "Sol·licitar a la convocatòria"
        assert not await axe_serious(page)
        await page.fill("#entity_name", "Associació Aigua Viva")
        await page.fill("#entity_tax_id", tax_id())
        await page.select_option("#entity_org_type", "22")
        await page.fill("#entity_email", "aiguaviva@example.org")
        await page.fill("#rep_name", REPRESENTATIVE["name"])
        await page.fill("#rep_tax_id", REPRESENTATIVE["tax_id"])
        await page.fill("#rep_post", REPRESENTATIVE["post"])
        await page.fill("#title", "Aigua potable a Chamanculo")
        await page.fill("#summary", "Connexions domiciliàries amb el Conselho Municipal de Maputo.")
        await page.fill("#duration_months", "12")
        await page.fill(f"#requested_{year}", "750,50")
        await page.click(f"form[action='/ca/console/calls/{call_id}/apply'] button[type=submit]")
        await page.locator(".notice").wait_for()
        assert "S'ha enviat la vostra sol·licitud." in await page.locator(".notice").inner_text()
        assert not await axe_serious(page)

        listed = (await officer.get(f"{GRANTS}/applications", params={"call_id": call_id})).json()["items"]
        assert len(listed) == 1 and listed[0]["requested"] == {year: "750.50"} and listed[0]["state"] == "submitted"
        assert page.url.endswith(f"/ca/console/calls/applications/{listed[0]['id']}?done=applied")
        application = (await officer.get(f"{GRANTS}/applications/{listed[0]['id']}")).json()
        entity = (await officer.get(f"{GRANTS}/entities/{application['entity_id']}")).json()
        assert (entity["tenant"], entity["name"]) == (tenant, "Associació Aigua Viva")
        unexpected = [e for e in errors if not e.endswith("/favicon.ico")]
        assert not unexpected, errors
        await page.context.close()
