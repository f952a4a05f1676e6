"""A grant's money in the console against the real stack: a call driven through the API to an
accepted grant (80 % on acceptance, 20 % after the justification), the grant manager records the
payment due, reviews the justification line by line (one line refused, its reason required), and
the return order and the ledger are checked through the API; the review form in a real Chromium
with axe-core. Also the manager's own draft call in the list, and a double submit of the new-call
form that makes one call."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from lxml import html
from playwright.async_api import Browser

from services.web.i18n import Formats
from tests.support.auth import Tokens, fetch_token, register_client
from tests.support.grants import application_body, call_body, registered_entity
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.web.console.conftest import (
    INSTITUTION,
    World,
    axe_serious,
    browser_sign_in,
    console_client,
    csrf_of,
    follow,
    new_page,
    sign_in,
)

CA = Formats("ca")
GRANTS = "/api/funding/grants"


def field_errors(page: str, name: str) -> list[str]:
    """The error texts shown beside the input `name` (inside its field's box)."""
    tree = html.fromstring(page)
    boxes = tree.xpath(f"//*[contains(@class, 'field')][.//*[@id='{name}']]")
    assert boxes, f"no field {name}"
    return [" ".join(p.text_content().split()) for p in boxes[-1].xpath(".//p[@class='field-error']")]


def summary_links(page: str) -> list[str]:
    return [str(h) for h in html.fromstring(page).xpath("//div[@class='error-summary']//a/@href")]


def checked(page: str, name: str) -> str | None:
    found = html.fromstring(page).xpath(f"//input[@name='{name}'][@checked]/@value")
    return str(found[0]) if found else None


async def post_step(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    page = await client.get(path.rsplit("/", 1)[0])
    return await client.post(path, data={"csrf_token": csrf_of(page.text), **data})


async def accepted_grant(stack: Stack, admin: httpx.AsyncClient) -> tuple[dict[str, Any], httpx.AsyncClient]:
    """A call of the institution through the API to one accepted grant of 500 EUR; the entity's client."""
    body = {
        **call_body(f"PAY-{uuid.uuid4().hex[:8]}", INSTITUTION),
        "payment_plan": [
            {"stage": "acceptance", "share_percent": "80"},
            {"stage": "justification", "share_percent": "20"},
        ],
        "budget_categories": [
            {"code": "staff", "title": {"ca": "Personal"}},
            {"code": "travel", "title": {"ca": "Viatges"}},
        ],
    }
    created = await admin.post(f"{GRANTS}/calls", json=body)
    assert created.status_code == 201, created.text
    call = f"{GRANTS}/calls/{created.json()['id']}"
    assert (await admin.post(f"{call}/status", json={"status": "open"})).status_code == 200
    entity, _ = await registered_entity(stack)
    sent = await entity.post(
        f"{call}/applications", json=application_body(), headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert sent.status_code == 201, sent.text
    application = sent.json()
    path = f"{GRANTS}/applications/{application['id']}"
    assert (await admin.post(f"{call}/status", json={"status": "closed"})).status_code == 200
    assert (await admin.post(f"{path}/admission", json={"admitted": True})).status_code == 200
    creds = await register_client(stack, INSTITUTION, "institution", ["funding:write"])
    judge = {"Authorization": f"Bearer {await fetch_token(stack.gateway, creds)}"}
    sheet = {"points": {"c": "80"}, "no_conflict_of_interest": True}
    assert (await admin.post(f"{path}/scores", json=sheet, headers=judge)).status_code == 200
    assert (await admin.post(f"{call}/resolutions/provisional")).status_code == 200
    assert (await entity.post(f"{path}/hearing-waiver")).status_code == 200

    async def registered() -> bool:
        for where in (f"/api/projects/projects/{application['project_id']}", "/api/funding/project-refs/"):
            target = where if where.startswith("/api/projects") else f"{where}{application['project_id']}"
            if (await admin.get(target)).status_code != 200:
                return False
        return True

    await eventually(registered, what="the proposal in the registry and in funding")
    definitive = await admin.post(f"{call}/resolutions/definitive")
    assert definitive.status_code == 200, definitive.text
    accepted = await entity.post(f"{path}/acceptance")
    assert accepted.status_code == 200, accepted.text
    return accepted.json(), entity


async def test_a_grant_paid_and_its_justification_reviewed_with_a_line_refused(
    world: World, stack: Stack, tokens: Tokens, chromium: Browser
) -> None:
    year = datetime.now(UTC).year
    async with httpx.AsyncClient(base_url=world.gateway, timeout=30, headers=tokens.headers("admin")) as admin:
        grant, entity = await accepted_grant(stack, admin)
        api_path = f"{GRANTS}/applications/{grant['id']}"
        assert [(o["stage"], o["amount"], o["status"]) for o in grant["payment_orders"]] == [
            ("acceptance", "400.00", "due"),
            ("justification", "100.00", "planned"),
        ]
        page_path = f"/ca/console/grants/applications/{grant['id']}"
        async with console_client(world.gateway) as manager:
            await sign_in(manager, world.grant_manager, page_path)
            shown = await manager.get(page_path)
            assert shown.status_code == 200
            plan = shown.text.split(CA.gettext("Payment plan"), 1)[1].split("</table>", 1)[0]
            for words in (
                CA.gettext("On acceptance"),
                CA.gettext("On justification"),
                CA.gettext("Payment due"),
                CA.gettext("Payment planned"),
                CA.money("400.00"),
                CA.money("100.00"),
            ):
                assert words in plan, words
            # One button: the order due; the one after the justification waits.
            assert html.fromstring(shown.text).xpath("//button[@id]/@id").count(f"pay_{year}") == 1
            forged = await manager.post(f"{page_path}/payment", data={"csrf_token": "x", "budget_year": str(year)})
            assert forged.status_code == 403
            paid = await post_step(manager, f"{page_path}/payment", {"budget_year": str(year)})
            assert paid.status_code == 303, paid.text[:2000]
            page = await follow(manager, paid)
            assert CA.gettext("The payment has been recorded.") in page.text
            assert CA.gettext("Payment made") in page.text and f'id="pay_{year}"' not in page.text
            # Sent again (a second tab): refused, in Catalan, in the summary; nothing paid twice.
            again = await post_step(manager, f"{page_path}/payment", {"budget_year": str(year)})
            assert again.status_code == 409, again.text[:2000]
            summary = html.fromstring(again.text).xpath("//div[@class='error-summary']//li")
            assert len(summary) == 1 and summary[0].text_content().strip()
            assert summary[0].text_content().strip() != "The application is not in a state that allows this"
            after = (await admin.get(api_path)).json()
            assert [o["status"] for o in after["payment_orders"]] == ["paid", "planned"]
            assert after["state"] == "in-execution"

            lines = [
                {"category": "staff", "amount_eur": "300.00", "description": "Coordinació"},
                {"category": "travel", "amount_eur": "50.00", "description": "Viatge a Maputo"},
                {"category": "staff", "amount_eur": "150.00", "description": "Sopar de celebració"},
            ]
            justified = await entity.post(f"{api_path}/justification", json={"lines": lines, "summary": {"ca": "Fet"}})
            await entity.aclose()
            assert justified.status_code == 200, justified.text

            page = await manager.get(page_path)
            legends = [" ".join(x.text_content().split()) for x in html.fromstring(page.text).xpath("//legend")]
            first_line = CA.gettext("Line %(n)s: %(category)s, %(amount)s") % {
                "n": 1,
                "category": "Personal",
                "amount": CA.money("300.00"),
            }
            assert " ".join(first_line.split()) in legends
            review = f"{page_path}/review"
            # A line left unchosen: said beside it, in Catalan; what was typed is kept.
            unchosen = await post_step(
                manager, review, {"line_0": "accept", "line_2": "refuse", "reason_2": "No elegible"}
            )
            assert unchosen.status_code == 422, unchosen.text[:2000]
            assert field_errors(unchosen.text, "line_1-accept") == [
                f"{CA.gettext('Error:')} {CA.gettext('Accept or refuse this line.')}"
            ]
            assert summary_links(unchosen.text) == ["#line_1-accept"]
            assert checked(unchosen.text, "line_0") == "accept" and checked(unchosen.text, "line_2") == "refuse"
            assert "No elegible" in unchosen.text
            # A refusal without its reason: beside the reason, nothing recorded.
            no_reason = await post_step(
                manager, review, {"line_0": "accept", "line_1": "accept", "line_2": "refuse", "reason_2": " "}
            )
            assert no_reason.status_code == 422, no_reason.text[:2000]
            # The API's own coded rule, in Catalan (shared/locale problems.po).
            assert field_errors(no_reason.text, "reason_2") == [
                f"{CA.gettext('Error:')} una línia rebutjada necessita el seu motiu"
            ]
            assert summary_links(no_reason.text) == ["#reason_2"]
            assert (await admin.get(api_path)).json()["justification"].get("reviewed_at") is None

            # The review form in a real browser, on a phone: no serious axe violation.
            browser, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
            await browser_sign_in(browser, world.gateway, world.grant_manager, page_path)
            assert await browser.locator("#line_2-refuse").count() == 1
            assert await axe_serious(browser) == []
            assert errors == []
            await browser.context.close()

            reviewed = await post_step(
                manager,
                review,
                {
                    "line_0": "accept",
                    "line_1": "accept",
                    "line_2": "refuse",
                    "reason_2": "No és una despesa del projecte",
                },
            )
            assert reviewed.status_code == 303, reviewed.text[:2000]
            page = await follow(manager, reviewed)
            assert CA.gettext("The review of the justification has been recorded.") in page.text
            assert f"{CA.gettext('Refused')}: No és una despesa del projecte" in page.text
            assert CA.gettext("Money returned") in page.text and CA.gettext("Return") in page.text
            assert (
                CA.gettext(
                    "Return order %(number)s: %(amount)s returned by %(count)s reversing entry(ies) in the ledger."
                )
                % {"number": 3, "amount": CA.money("50.00"), "count": 1}
                in page.text
            )
            assert CA.gettext("File closed") in page.text and 'action="' + review not in page.text

        # Through the API: 350 accepted, 50 of the 400 paid returned by reversing the payment.
        closed = (await admin.get(api_path)).json()
        assert closed["state"] == "closed"
        assert closed["justification"]["lines"][2]["reason"] == "No és una despesa del projecte"
        assert (closed["justification"]["accepted_eur"], closed["justification"]["returned_eur"]) == ("350.00", "50.00")
        assert [(o["stage"], o["amount"], o["status"]) for o in closed["payment_orders"]] == [
            ("acceptance", "400.00", "paid"),
            ("justification", "100.00", "cancelled"),
            ("return", "-50.00", "returned"),
        ]
        project = f"/api/funding/projects/{grant['project_id']}"
        totals = (await admin.get(f"{project}/summary")).json()["totals"]
        assert (totals["committed_eur"], totals["disbursed_eur"], totals["spent_eur"]) == ("350.00",) * 3
        entries = (await admin.get(f"{project}/transactions")).json()["items"]
        reversed_ = [t for t in entries if t["transaction_type"] == "3" and t["amount"].startswith("-")]
        assert [t["amount"] for t in reversed_] == ["-400.00"]
        assert [str(reversed_[0]["id"])] == closed["payment_orders"][2]["transaction_ids"]


def new_call_fields(page: str, code: str) -> dict[str, str]:
    form = next(f for f in html.fromstring(page).forms if f.action == "/ca/console/grants/calls/new")
    fields = {i.name: i.value or "" for i in form.inputs if i.name and i.tag in ("input", "textarea")}
    on = {i.name for i in form.inputs if i.tag == "input" and i.get("type") == "checkbox" and i.checked}
    fields = {k: v for k, v in fields.items() if k in on or not k.startswith("entity_type_")}
    fields.update(
        {
            "code": code,
            "title_ca": "Convocatòria en preparació",
            "budget": "10.000",
            "max_grant": "2.000",
            "criterion_0_title": "Pertinença",
            "criterion_0_points": "100",
            "min_score": "50",
        }
    )
    return fields


async def test_a_draft_call_is_listed_to_its_managers_and_a_double_submit_makes_one(
    world: World, tokens: Tokens
) -> None:
    code = f"DRAFT-{uuid.uuid4().hex[:8]}"
    async with console_client(world.gateway) as manager:
        await sign_in(manager, world.grant_manager, "/ca/console/grants")
        form = await manager.get("/ca/console/grants/calls/new")
        fields = new_call_fields(form.text, code)
        first = await manager.post("/ca/console/grants/calls/new", data=fields)
        second = await manager.post("/ca/console/grants/calls/new", data=fields)
        assert first.status_code == second.status_code == 303, second.text[:2000]
        assert first.headers["location"] == second.headers["location"]
        listed = await manager.get("/ca/console/grants")
        item = next(li for li in html.fromstring(listed.text).xpath("//li") if code in li.text_content())
        assert CA.gettext("Being prepared") in item.text_content()
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:
        made = [c for c in (await owner.get(f"{GRANTS}/calls")).json()["items"] if c["code"] == code]
        assert [c["status"] for c in made] == ["draft"]
    async with httpx.AsyncClient(base_url=world.gateway) as anonymous:
        seen = (await anonymous.get(f"{GRANTS}/calls", params={"institution": INSTITUTION})).json()["items"]
        assert code not in {c["code"] for c in seen}
