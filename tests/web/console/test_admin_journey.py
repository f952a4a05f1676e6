"""An administrator's day in real Chromium, phone-sized, through the gateway: a tenant administrator
of the Ajuntament (an institution: password and TOTP) signs in, invites a new officer (a form sent
without a role first: the error summary), passes on the link; the new person opens it on the
gateway's page, sets a password and a code app, signs in to the console and lands on an officer's
start page. axe-core finds nothing serious or critical on the users page and the invite form."""

from __future__ import annotations

import pyotp
from playwright.async_api import Browser

from tests.support.auth import Tokens
from tests.support.people import PASSWORD, Person, person, unique_email
from tests.support.stack import Stack
from tests.web.console.conftest import INSTITUTION, axe_serious, browser_sign_in, new_page


async def test_an_administrator_invites_an_officer_who_signs_up_and_reaches_the_console(
    chromium: Browser, stack: Stack, tokens: Tokens
) -> None:
    chief = await person(stack, tokens.headers("admin"), tenant=INSTITUTION, kind="institution", roles=["tenant-admin"])
    page, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
    await browser_sign_in(page, stack.gateway, chief, "/ca/console/admin/users")
    assert page.url.endswith("/ca/console/admin/users")
    assert await page.locator("h1").inner_text() == "Usuaris i accés"
    assert not await axe_serious(page)

    await page.click("main a[href='/ca/console/admin/users/new']")
    assert await page.locator("h1").inner_text() == "Convida una persona"
    assert await page.locator("input[name=roles][value=platform-admin]").count() == 0
    assert not await axe_serious(page)
    email = unique_email("journey")
    await page.fill("#email", email)
    await page.fill("#name", "Marta Soler")
    await page.click("form[action='/ca/console/admin/users/new'] button[type=submit]")
    summary = page.locator(".error-summary")
    await summary.wait_for()
    assert await summary.locator("a").get_attribute("href") == "#roles"
    assert await page.input_value("#email") == email  # kept as typed
    assert not await axe_serious(page)
    await page.check("#role-officer")
    await page.click("form[action='/ca/console/admin/users/new'] button[type=submit]")
    await page.locator(".notice").wait_for()
    assert page.url.endswith("/ca/console/admin/users")
    link = (await page.input_value("#invitation-link")).strip()
    assert link.startswith(f"{stack.gateway}/oauth/password?token="), link
    assert "Marta Soler" in await page.locator("main ul.console-list").inner_text()
    assert not await axe_serious(page)
    # On a phone the long link wraps in its box: nothing wider than the screen.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    unexpected = [e for e in errors if "status of 422" not in e and not e.endswith("/favicon.ico")]
    assert not unexpected, errors
    await page.context.close()

    # The new person, on another device: the gateway's page, a password and a code app.
    theirs, their_errors = await new_page(chromium, "ca-ES")
    await theirs.goto(link)
    secret = (await theirs.locator("main code, code").first.inner_text()).strip()
    await theirs.fill("#password", PASSWORD)
    await theirs.fill("#code", pyotp.TOTP(secret).now())
    async with theirs.expect_navigation():
        await theirs.click("form[action='/oauth/password'] button[type=submit]")
    assert await theirs.locator("form[action='/oauth/password']").count() == 0, await theirs.content()
    newcomer = Person("", email, PASSWORD, INSTITUTION, "institution", ["officer"], secret)
    await browser_sign_in(theirs, stack.gateway, newcomer, "/ca/console")
    assert await theirs.locator("h1").inner_text() == "Què pots fer"
    assert await theirs.locator("main a[href='/ca/console/projects']").count() == 1
    assert await theirs.locator("a[href='/ca/console/admin/users']").count() == 0
    assert not [e for e in their_errors if not e.endswith("/favicon.ico")], their_errors
    await theirs.context.close()
