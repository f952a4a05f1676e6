"""A project's money in the console, against the real stack: the officer sees the rate the funding
service holds and the euros it makes before saving, saves once whatever the double clicks, and the
ledger API holds what the page showed; errors come back beside their fields in the person's
language; a reversal negates an entry; a partner has no money page; a form without the session's
CSRF token books nothing; and the list and the confirmation step pass axe on a phone."""

from __future__ import annotations

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from lxml import html
from playwright.async_api import Browser

from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.web.console.conftest import (
    World,
    axe_serious,
    browser_sign_in,
    console_client,
    new_page,
    officer_of,
    sign_in,
)

# A rate the test sets itself (finance administration), on a day no other test of this file uses.
RATE_DAY, USD_PER_EUR = "2025-03-14", Decimal("1.0850")


@pytest.fixture(scope="module")
async def usd_rate(stack: Stack, tokens: Tokens) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as api:
        rate = await api.put(
            f"/api/funding/rates/USD/{RATE_DAY}",
            json={"units_per_eur": str(USD_PER_EUR), "source": "ECB", "confirm_outlier": True},
            headers=tokens.headers("finance"),
        )
    assert rate.status_code == 200, rate.text


@pytest.fixture
async def funded(stack: Stack, tokens: Tokens, usd_rate: None) -> dict[str, Any]:
    """A published project of the Ajuntament that the funding service knows, one per test: what a
    test books is in no other test's ledger, whatever their order."""
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30) as api:
        payload = project_payload(code=f"MONEY-{uuid.uuid4().hex[:8]}")
        created = await api.post("/api/projects/projects", json=payload, headers=tokens.headers("ajuntament"))
        assert created.status_code == 201, created.text
        project: dict[str, Any] = created.json()

        async def known() -> bool:
            ref = await api.get(f"/api/funding/project-refs/{project['id']}", headers=tokens.headers("ajuntament"))
            return ref.status_code == 200

        await eventually(known, what="the funding service knows the project")
    return project


def _form(page: str, action_part: str = "/money") -> dict[str, str]:
    """The values a browser would send from the page's money form (buttons apart)."""
    tree = html.fromstring(page)
    form = next(f for f in tree.forms if f.method.lower() == "post" and action_part in (f.action or ""))
    return {name: value or "" for name, value in form.form_values()}


def _summary(page: str) -> list[tuple[str, str]]:
    tree = html.fromstring(page)
    return [(a.get("href"), a.text_content().strip()) for a in tree.xpath("//div[@class='error-summary']//a")]


def _beside(page: str, field: str) -> str:
    tree = html.fromstring(page)
    found = tree.xpath(f"//*[@id='{field}']/preceding-sibling::p[contains(@class,'field-error')]")
    return " ".join(p.text_content() for p in found)


def _text(page: str, element_id: str) -> str:
    found = html.fromstring(page).xpath(f"//*[@id='{element_id}']")
    assert found, f"no #{element_id}"
    return " ".join(str(found[0].text_content()).split())


async def _ledger(gateway: str, tokens: Tokens, project_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=gateway, headers=tokens.headers("ajuntament")) as api:
        listed = await api.get(f"/api/funding/projects/{project_id}/transactions")
    assert listed.status_code == 200, listed.text
    return list(listed.json()["items"])


async def test_an_officer_sees_the_rate_and_euros_before_saving_a_usd_commitment_once_then_reverses_it(
    world: World, stack: Stack, tokens: Tokens, funded: dict[str, Any]
) -> None:
    project_id = funded["id"]
    base = f"/en/console/projects/{project_id}/money"
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens), "/en/console")
        project_page = await client.get(f"/en/console/projects/{project_id}")
        assert f'href="{base}"' in project_page.text
        money = await client.get(base)
        assert money.status_code == 200 and _text(money.text, "total-commitment") == "€0.00"

        shown = await client.get(f"{base}/commitment")
        assert shown.status_code == 200
        fields = _form(shown.text)
        assert {"csrf_token", "key", "amount", "currency", "value_date", "instrument", "source_id"} <= set(fields)
        typed = {**fields, "amount": "1,234.56", "currency": "USD", "value_date": RATE_DAY, "receiver_org": "Maputo"}
        confirm = await client.post(f"{base}/commitment", data=typed)
        assert confirm.status_code == 200, confirm.text[:2000]
        expected = (Decimal("1234.56") / USD_PER_EUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert _text(confirm.text, "confirm-eur") == f"€{expected:,}"
        rate_shown = _text(confirm.text, "confirm-rate")
        assert "1.085 USD per euro" in rate_shown and "ECB reference rate" in rate_shown, rate_shown
        assert "March 14, 2025" in rate_shown
        assert _text(confirm.text, "confirm-amount") == "1,234.56 USD"
        assert await _ledger(world.gateway, tokens, project_id) == []  # nothing booked before "Save"

        save = {**_form(confirm.text), "step": "save"}
        assert save["key"] == fields["key"] and save["amount"] == "1,234.56"
        saved = await client.post(f"{base}/commitment", data=save)
        assert saved.status_code == 303, saved.text[:2000]
        again = await client.post(f"{base}/commitment", data=save)  # a double submit
        assert again.status_code == 303 and again.headers["location"] == saved.headers["location"]
        booked = await _ledger(world.gateway, tokens, project_id)
        assert len(booked) == 1
        entry = booked[0]
        assert saved.headers["location"] == f"{base}?saved={entry['id']}"
        assert (entry["transaction_type"], entry["currency"]) == ("2", "USD")
        assert Decimal(entry["amount"]) == Decimal("1234.56")
        assert Decimal(entry["amount_eur"]) == expected and Decimal(entry["rate"]) == USD_PER_EUR
        assert (entry["rate_date"], entry["rate_source"]) == (RATE_DAY, "ECB")

        listed = await client.get(saved.headers["location"])
        assert f"Saved: 1,234.56 USD, €{expected:,} in euros." in listed.text
        row = _text(listed.text, f"entry-{entry['id']}")
        assert "1,234.56 USD" in row and f"€{expected:,}" in row and "1.085 USD per euro" in row and "Maputo" in row
        assert _text(listed.text, "total-commitment") == f"€{expected:,}"

        # A rate the funding service does not hold: said plainly, and no "Save" to press.
        missing = await client.post(
            f"{base}/commitment", data={**typed, "currency": "CHF", "value_date": "2001-01-15", "key": fields["key"]}
        )
        assert missing.status_code == 200
        assert "No exchange rate for this currency and date" in missing.text and 'id="save"' not in missing.text
        assert "confirm-eur" not in missing.text

        # A reversal: the reason is the API's to require; then the pair adds up to zero.
        reverse = f"{base}/entries/{entry['id']}/reverse"
        assert f'href="{reverse}"' in listed.text
        form = _form((await client.get(reverse)).text, "/reverse")
        refused = await client.post(reverse, data={**form, "reason": ""})
        assert refused.status_code == 422
        assert [href for href, _ in _summary(refused.text)] == ["#reason"] and _beside(refused.text, "reason")
        reversed_ = await client.post(reverse, data={**form, "reason": "Booked on the wrong project"})
        assert reversed_.status_code == 303
        after = await client.get(reversed_.headers["location"])
        assert _text(after.text, "total-commitment") == "€0.00"
        assert "Reversal" in after.text and "Reversed" in after.text and f'href="{reverse}"' not in after.text
        assert "Booked on the wrong project" in after.text
    ledger = await _ledger(world.gateway, tokens, project_id)
    assert len(ledger) == 2 and ledger[1]["reverses_id"] == entry["id"]
    assert Decimal(ledger[1]["amount_eur"]) == -expected


async def test_a_bad_amount_in_catalan_is_refused_beside_its_field_and_the_apis_errors_too(
    world: World, stack: Stack, tokens: Tokens, funded: dict[str, Any]
) -> None:
    project_id = funded["id"]
    base = f"/ca/console/projects/{project_id}/money"
    before = await _ledger(world.gateway, tokens, project_id)
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens), "/ca/console")
        fields = _form((await client.get(f"{base}/expenditure")).text)
        typed = {**fields, "amount": "12,5x", "currency": "EUR", "value_date": "2025-02-03", "description": "Taxis"}
        refused = await client.post(f"{base}/expenditure", data=typed)
        assert refused.status_code == 422
        summary = _summary(refused.text)
        assert [href for href, _ in summary] == ["#amount"], summary
        assert "Hi ha un problema" in refused.text and "l'import" in summary[0][1]
        assert summary[0][1] in _beside(refused.text, "amount")
        kept = _form(refused.text)
        assert kept["amount"] == "12,5x" and kept["description"] == "Taxis" and kept["key"] == fields["key"]

        # Read the Catalan way (12,555 is twelve and a bit), then refused by the ledger itself.
        confirm = await client.post(f"{base}/expenditure", data={**kept, "amount": "12,555"})
        assert confirm.status_code == 200 and _text(confirm.text, "confirm-eur") == "12,56 €"
        refused_by_api = await client.post(f"{base}/expenditure", data={**_form(confirm.text), "step": "save"})
        assert refused_by_api.status_code == 422
        assert [href for href, _ in _summary(refused_by_api.text)] == ["#amount"]
        beside = _beside(refused_by_api.text, "amount")
        assert beside and "decimal places" not in beside  # the API's words, in Catalan
        assert _form(refused_by_api.text)["amount"] == "12,555"
    assert await _ledger(world.gateway, tokens, project_id) == before


async def test_a_partner_has_no_money_page_and_a_form_without_the_csrf_token_books_nothing(
    world: World, stack: Stack, tokens: Tokens, funded: dict[str, Any]
) -> None:
    project_id = funded["id"]
    async with console_client(world.gateway) as client:
        await sign_in(client, world.reporter, "/pt/console")
        for path in ("", "/commitment"):
            assert (await client.get(f"/pt/console/projects/{project_id}/money{path}")).status_code == 404
        assert (await client.get(f"/pt/console/projects/{world.shared['id']}/money")).status_code == 404
    before = await _ledger(world.gateway, tokens, project_id)
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens), "/es/console")
        base = f"/es/console/projects/{project_id}/money"
        fields = _form((await client.get(f"{base}/budget")).text)
        typed = {
            **fields,
            "amount": "1.500,00",
            "currency": "EUR",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "step": "save",
        }
        for token in ("", "not-the-token"):
            answer = await client.post(f"{base}/budget", data={**typed, "csrf_token": token})
            assert answer.status_code == 403
        saved = await client.post(f"{base}/budget", data=typed)  # the same form with its token books
        assert saved.status_code == 303
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as api:
        lines = (await api.get(f"/api/funding/projects/{project_id}/budget-lines")).json()["items"]
    assert await _ledger(world.gateway, tokens, project_id) == before
    assert [Decimal(line["amount_eur"]) for line in lines] == [Decimal("1500.00")]


async def test_the_money_list_and_the_confirmation_pass_axe_on_a_phone(
    chromium: Browser, world: World, stack: Stack, tokens: Tokens, funded: dict[str, Any]
) -> None:
    officer = await officer_of(stack, tokens)
    page, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
    start = f"/ca/console/projects/{funded['id']}/money"
    await browser_sign_in(page, world.gateway, officer, start)
    assert await page.locator("h1").inner_text() == "Diners"
    assert not await axe_serious(page)
    await page.click("text=Registra un desemborsament")
    await page.fill("#amount", "250,75")
    await page.fill("#currency", "USD")
    await page.fill("#value_date", RATE_DAY)
    await page.fill("#over_commitment_reason", "Avançament acordat")
    async with page.expect_navigation():
        await page.click("button[type=submit]:has-text('Continua')")
    expected = (Decimal("250.75") / USD_PER_EUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert (await page.locator("#confirm-eur").inner_text()).replace("\xa0", " ") == f"{expected}".replace(
        ".", ","
    ) + " €"
    assert "1,085 USD per euro" in await page.locator("#confirm-rate").inner_text()
    assert not await axe_serious(page)
    async with page.expect_navigation():
        await page.click("#save")
    assert "?saved=" in page.url
    assert "Desat:" in await page.locator(".notice").inner_text()
    assert not await axe_serious(page)
    assert errors == []
