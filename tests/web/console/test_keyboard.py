"""The console with the keyboard alone, in real Chromium: from the gateway's sign-in page to a sent
partner update, every control is reached with Tab (no pointer), shows where the focus is, and acts
on Enter; the skip link comes first. Partners often report from a phone or a borrowed computer."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page

from tests.web.console.conftest import World, new_page

# Enough for the longest page the walk crosses (the navigation of a person with every role).
MAX_TABS = 80


async def tab_to(page: Page, selector: str) -> None:
    """Tab until `selector` has the focus, checking on the way that each focused control shows it."""
    for _ in range(MAX_TABS):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            """(selector) => {
                const el = document.activeElement;
                const style = getComputedStyle(el);
                const shown = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
                    || style.boxShadow !== 'none';
                return {matches: el.matches(selector), shown, tag: el.tagName + '#' + el.id};
            }""",
            selector,
        )
        assert focused["shown"], f"{focused['tag']} has the focus but does not show it"
        if focused["matches"]:
            return
    raise AssertionError(f"{selector} not reached with {MAX_TABS} presses of Tab on {page.url}")


async def type_into(page: Page, selector: str, text: str) -> None:
    await tab_to(page, selector)
    await page.keyboard.type(text)


async def test_a_partner_signs_in_and_sends_an_update_with_the_keyboard_alone(chromium: Browser, world: World) -> None:
    page, errors = await new_page(chromium, "pt-PT")
    await page.goto(f"{world.gateway}/pt/console/updates")
    assert re.search(r"/oauth/authorize\?", page.url), page.url
    await type_into(page, "#email", world.reporter.email)
    await type_into(page, "#password", world.reporter.password)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    assert page.url.endswith("/pt/console/updates"), page.url

    # The first stop of a console page is its skip link, which moves the focus to the content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.classList.contains('skip')")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"

    project_id = world.shared["id"]
    await tab_to(page, f"a[href='/pt/console/updates/{project_id}']")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await type_into(page, "#narrative", "Relatório enviado só com o teclado")
    await type_into(page, "#actual_0", "17")
    await tab_to(page, "form[action^='/pt/console/updates/'] button[type=submit]")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await page.locator(".notice").wait_for()
    assert "sent=" in page.url
    assert "A aguardar revisão" in await page.locator("table.data tr.current").inner_text()
    assert not errors, errors
