"""The console in real Chromium through the gateway: an officer signs in with a password and a TOTP
code, edits a project with one wrong field, sees the error summary in Catalan, fixes it and sees it
saved; a partner reporter signs in in Portuguese and sends an update; signing out ends the session
(the old cookie no longer works). axe-core finds nothing serious or critical on the pages."""

from __future__ import annotations

import re

import httpx
from playwright._impl._api_structures import SetCookieParam
from playwright.async_api import Browser

from tests.support.auth import Tokens
from tests.web.console.conftest import World, axe_serious, browser_sign_in, new_page


async def test_an_officer_fixes_a_wrong_field_from_the_catalan_error_summary(chromium: Browser, world: World) -> None:
    project = world.shared
    page, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
    await browser_sign_in(page, world.gateway, world.officer, f"/ca/console/projects/{project['id']}")
    assert page.url.endswith(f"/ca/console/projects/{project['id']}")
    assert not await axe_serious(page)

    await page.fill("#planned_end", "2023-06-30")
    await page.click("form[action$='/console/projects/" + project["id"] + "'] button[type=submit]")
    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert await summary.locator("h2").inner_text() == "Hi ha un problema"
    link = summary.locator("a")
    assert await link.count() == 1 and await link.get_attribute("href") == "#planned_end"
    beside = page.locator(".field-with-error .field-error")
    message = (await link.inner_text()).strip()
    assert message in await beside.inner_text() and "inici previst" in message, message
    assert (await page.title()).startswith("Error:")
    assert await page.input_value("#planned_end") == "2023-06-30"  # kept as typed
    assert not await axe_serious(page)
    await link.click()
    assert page.url.endswith("#planned_end")

    await page.fill("#planned_end", "2027-03-31")
    await page.click("form[action$='/console/projects/" + project["id"] + "'] button[type=submit]")
    await page.locator(".notice").wait_for()
    assert "S'han desat els canvis." in await page.locator(".notice").inner_text()
    assert await page.locator(".error-summary").count() == 0
    async with httpx.AsyncClient(base_url=world.gateway) as public:
        saved = (await public.get(f"/api/projects/projects/{project['id']}")).json()
    assert saved["dates"]["planned_end"] == "2027-03-31"
    # The only failed loads: the form's own 422 answer, and the icon the gateway's sign-in page lacks.
    unexpected = [e for e in errors if "status of 422" not in e and not e.endswith("/favicon.ico")]
    assert not unexpected, errors
    await page.context.close()


async def test_a_partner_reports_in_portuguese_and_signing_out_ends_the_session(
    chromium: Browser, world: World, tokens: Tokens
) -> None:
    project = world.shared
    page, errors = await new_page(chromium, "pt-PT", bypass_csp=True)
    await browser_sign_in(page, world.gateway, world.reporter, "/pt/console")
    assert await page.get_attribute("html", "lang") == "pt"
    assert await page.locator("h1").inner_text() == "O que pode fazer"
    assert not await axe_serious(page)
    await page.click("main a[href='/pt/console/updates']")
    await page.click(f"a[href='/pt/console/updates/{project['id']}']")
    assert await page.locator("h1").inner_text() == "Enviar uma atualização"
    assert not await axe_serious(page)
    await page.fill("#narrative", "Ligações concluídas no bairro de Chamanculo")
    await page.fill("#actual_0", "2300")
    await page.click("form[action^='/pt/console/updates/'] button[type=submit]")
    await page.locator(".notice").wait_for()
    assert "A atualização foi enviada." in await page.locator(".notice").inner_text()
    assert "A aguardar revisão" in await page.locator("table.data").inner_text()
    assert not await axe_serious(page)
    sent = page.url.split("sent=")[1]
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("maputo")) as partner:
        receipt = (await partner.get(f"/api/projects/updates/{sent}")).json()
    assert receipt["partner"] == "MZ-CMM" and receipt["status"] == "submitted"
    assert receipt["content"]["narrative"] == {"pt": "Ligações concluídas no bairro de Chamanculo"}
    assert receipt["content"]["actuals"][0]["value"] == "2300"

    # The cookie can be read by nothing on the page, and it is all the browser holds of the session.
    assert await page.evaluate("document.cookie") == ""
    old = await page.context.cookies()
    assert {c["name"] for c in old} >= {"xarxa_console"}
    assert all(c["httpOnly"] for c in old if c["name"] == "xarxa_console")

    await page.click("form.sign-out button")
    await page.wait_for_url(re.compile(r"^" + re.escape(world.gateway) + r"/(ca|es|en)/$"))
    assert not errors, errors
    await page.context.close()

    # The old cookies (the console's and the gateway's) replayed in another browser: not signed in.
    replay, _ = await new_page(chromium, "pt-PT")
    await replay.context.add_cookies(
        [SetCookieParam(name=c["name"], value=c["value"], domain=c["domain"], path=c["path"]) for c in old]
    )
    await replay.goto(f"{world.gateway}/pt/console")
    assert "/oauth/authorize" in replay.url
    assert await replay.locator("#password").count() == 1
    await replay.context.close()


async def test_console_pages_keep_their_content_security_policy_without_console_errors(
    chromium: Browser, world: World
) -> None:
    page, errors = await new_page(chromium, "fr-FR")
    await browser_sign_in(page, world.gateway, world.reporter, "/fr/console")
    for path in ("/fr/console", "/fr/console/updates", f"/fr/console/updates/{world.shared['id']}"):
        response = await page.goto(f"{world.gateway}{path}")
        assert response is not None and response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert not errors, errors
    await page.context.close()
