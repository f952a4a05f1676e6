"""A partner update from the partner's phone to the project, in real Chromium through the gateway:
a Maputo reporter whose browser speaks Portuguese sends an update with an actual typed the Portuguese
way ("1 234,5") and sees its receipt waiting; an officer signs in (password and TOTP), finds it in
the review queue, reads the actual beside the period's target and the baseline, and approves it; the
actual is then the project's, and the partner reads "approved" in Portuguese. axe-core finds
nothing serious or critical on the queue, the review page and the receipts."""

from __future__ import annotations

from decimal import Decimal

import httpx
from playwright.async_api import Browser

from tests.web.console.conftest import World, axe_serious, browser_sign_in, new_page


async def test_a_portuguese_update_is_approved_and_counts_on_the_project(chromium: Browser, world: World) -> None:
    project = world.shared
    partner, partner_errors = await new_page(chromium, "pt-PT", bypass_csp=True)
    await browser_sign_in(partner, world.gateway, world.reporter, "/pt/console/updates")
    await partner.click(f"a[href='/pt/console/updates/{project['id']}']")
    await partner.fill("#narrative", "Ligações concluídas no bairro de Chamanculo")
    await partner.fill("#actual_0", "1 234,5")
    await partner.click("form[action^='/pt/console/updates/'] button[type=submit]")
    await partner.locator(".notice").wait_for()
    sent = partner.url.split("sent=")[1]
    assert "A aguardar revisão" in await partner.locator("table.data tr.current").inner_text()

    officer, officer_errors = await new_page(chromium, "ca-ES", bypass_csp=True)
    await browser_sign_in(officer, world.gateway, world.officer, "/ca/console/reviews")
    assert await officer.locator("h1").inner_text() == "Actualitzacions de socis per revisar"
    link = officer.locator(f"ul.reviews a[href='/ca/console/reviews/{sent}']")
    assert await link.count() == 1
    assert not await axe_serious(officer)
    await link.click()
    await officer.locator("dl.actual").wait_for()
    facts = " ".join((await officer.locator("dl.actual").inner_text()).split())
    assert "Informat pel soci 1.234,5" in facts, facts
    assert "Meta del període 2.500" in facts and "Línia de base 1.200 (2023)" in facts, facts
    assert "Encara no s'ha registrat res" in facts, facts
    assert (
        await officer.locator("blockquote[lang='pt']").inner_text()
    ).strip() == "Ligações concluídas no bairro de Chamanculo"
    assert not await axe_serious(officer)
    await officer.click("button[name=decision][value=approve]")
    await officer.locator(".notice").wait_for()
    assert "Actualització aprovada" in await officer.locator(".notice").inner_text()
    facts = " ".join((await officer.locator("dl.actual").inner_text()).split())
    assert "Ara al projecte 1.234,5" in facts, facts  # the approved actual is the project's now
    assert await officer.locator("button[name=decision]").count() == 0
    assert not await axe_serious(officer)
    async with httpx.AsyncClient(base_url=world.gateway) as public:
        saved = (await public.get(f"/api/projects/projects/{project['id']}")).json()
    period = next(p for p in saved["results"][0]["indicators"][0]["periods"] if p["start"] == "2025-01-01")
    assert Decimal(period["actual"]) == Decimal("1234.5")

    await partner.goto(f"{world.gateway}/pt/console/updates?sent={sent}")
    assert "Aprovada" in await partner.locator("table.data tr.current").inner_text()
    assert not await axe_serious(partner)
    for errors in (partner_errors, officer_errors):
        assert not [e for e in errors if not e.endswith("/favicon.ico")], errors
    await partner.context.close()
    await officer.context.close()
