"""The annual grant call run in the console against the real stack: a grant manager prepares and
opens a call, entities apply through the API, the manager admits (or not, with the reason), two
evaluators send their score sheets (one revised), the ranking follows and the provisional
resolution is adopted, its acts linked; a field's error in Catalan, CSRF refused, a partner kept out,
and the call's page and a score sheet checked in a real Chromium with axe-core."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from lxml import html
from playwright.async_api import Browser

from services.web.i18n import Formats
from shared.problem_texts import render
from tests.support.auth import Tokens
from tests.support.grants import application_body, registered_entity
from tests.support.people import Person, person
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

CA = Formats("ca").gettext
MADRID = ZoneInfo("Europe/Madrid")


def field_errors(page: str, name: str) -> list[str]:
    """The error texts shown beside the input `name` (inside its field's box)."""
    tree = html.fromstring(page)
    boxes = tree.xpath(f"//*[contains(@class, 'field')][.//*[@id='{name}']]")
    assert boxes, f"no field {name}"
    return [" ".join(p.text_content().split()) for p in boxes[-1].xpath(".//p[@class='field-error']")]


def summary_links(page: str) -> list[str]:
    return [str(h) for h in html.fromstring(page).xpath("//div[@class='error-summary']//a/@href")]


def form_of_page(page: str, action: str) -> dict[str, str]:
    form = next(f for f in html.fromstring(page).forms if f.action == action)
    fields = {i.name: i.value or "" for i in form.inputs if i.name and i.tag in ("input", "textarea")}
    checked = {i.name for i in form.inputs if i.tag == "input" and i.get("type") == "checkbox" and i.checked}
    return {k: v for k, v in fields.items() if k in checked or not k.startswith("entity_type_")}


def local(moment: datetime) -> str:
    return moment.astimezone(MADRID).replace(tzinfo=None).isoformat(timespec="minutes")


async def evaluator(stack: Stack, tokens: Tokens) -> Person:
    return await person(stack, tokens.headers("admin"), tenant=INSTITUTION, kind="institution", roles=["evaluator"])


async def post_step(client: httpx.AsyncClient, path: str, data: dict[str, str]) -> httpx.Response:
    page = await client.get("/ca/console/grants")  # any console page carries the session's token
    return await client.post(path, data={"csrf_token": csrf_of(page.text), **data})


async def test_a_call_from_its_preparation_to_the_provisional_resolution(
    world: World, stack: Stack, tokens: Tokens, chromium: Browser
) -> None:
    code = f"CON-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    async with console_client(world.gateway) as manager:
        await sign_in(manager, world.grant_manager, "/ca/console/grants")
        form_page = await manager.get("/ca/console/grants/calls/new")
        assert form_page.status_code == 200
        fields = form_of_page(form_page.text, "/ca/console/grants/calls/new")
        assert fields["key"] and fields["entity_type_22"] == "on"  # NGOs by default
        fields.update(
            {
                "code": code,
                "title_ca": "Convocatòria de la consola",
                "title_es": "Convocatoria de la consola",
                "opens_at": local(now - timedelta(hours=1)),
                "closes_at": local(now + timedelta(days=1)),
                "budget": "molt",
                "max_grant": "5.000",
                "max_months": "24",
                "criterion_0_title": "Pertinença",
                "criterion_0_points": "60",
                "criterion_1_title": "Viabilitat",
                "criterion_1_points": "40",
                "min_score": "50",
                "category_0_title": "Personal",
            }
        )
        # A budget that is not a number: the API's error, in Catalan, beside the budget, typed kept.
        refused = await manager.post("/ca/console/grants/calls/new", data=fields)
        assert refused.status_code == 422, refused.text[:2000]
        in_catalan = render("decimal_parsing", {}, "ca")
        assert in_catalan and in_catalan != render("decimal_parsing", {}, "en")
        assert field_errors(refused.text, "budget") == [f"{CA('Error:')} {in_catalan}"]
        assert summary_links(refused.text) == ["#budget"]
        assert 'value="molt"' in refused.text and 'value="Pertinença"' in refused.text
        # Without this session's CSRF token: refused, nothing made (the code stays free below).
        forged = await manager.post("/ca/console/grants/calls/new", data={**fields, "csrf_token": "x", "budget": "9"})
        assert forged.status_code == 403
        fields["budget"] = "9.000,50"  # as a Catalan writes it
        created = await manager.post("/ca/console/grants/calls/new", data=fields)
        assert created.status_code == 303, created.text[:3000]
        call_path = created.headers["location"].split("?")[0]
        call_id = call_path.rsplit("/", 1)[1]
        draft = await follow(manager, created)
        assert CA("Being prepared") in draft.text and CA("Open the call") in draft.text

        async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:
            call = (await owner.get(f"/api/funding/grants/calls/{call_id}")).json()
        assert call["status"] == "draft" and call["code"] == code
        assert call["title"] == {"ca": "Convocatòria de la consola", "es": "Convocatoria de la consola"}
        assert call["budget_by_year"] == {str(call["year"]): "9000.50"}
        assert [(c["title"], Decimal(c["max_points"])) for c in call["criteria"]] == [
            ({"ca": "Pertinença"}, Decimal(60)),
            ({"ca": "Viabilitat"}, Decimal(40)),
        ]
        assert call["eligibility"]["entity_types"] == ["22"] and Decimal(call["eligibility"]["max_grant_eur"]) == 5000
        assert call["budget_categories"] == [{"code": "cat-1", "title": {"ca": "Personal"}}]

        opened = await post_step(manager, call_path, {"action": "open"})
        assert opened.status_code == 303, opened.text[:2000]
        page = await follow(manager, opened)
        assert CA("Open for applications") in page.text and CA("Close the call") in page.text

        # Three entities apply through the API.
        applications: list[dict[str, Any]] = []
        entities: list[str] = []  # each entity's Authorization, for its hearing later
        for _ in range(3):
            entity, _registered = await registered_entity(stack)
            entities.append(str(entity.headers["Authorization"]))
            try:
                body = {**application_body(), "modality": "general"}
                sent = await entity.post(
                    f"/api/funding/grants/calls/{call_id}/applications",
                    json=body,
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
            finally:
                await entity.aclose()
            assert sent.status_code == 201, sent.text
            applications.append(sent.json())
        first, second, third = applications
        page = await manager.get(call_path)
        assert page.text.count(CA("Submitted")) >= 3 and first["reference"] in page.text

        assert (await post_step(manager, call_path, {"action": "close"})).status_code == 303
        # Not admitted needs its reason: said beside the reason, in Catalan, nothing recorded.
        app_path = f"/ca/console/grants/applications/{third['id']}"
        no_reason = await post_step(manager, f"{app_path}/admission", {"admitted": "no", "reason": ""})
        assert no_reason.status_code == 422, no_reason.text[:2000]
        # The API's own rule, coded and in the person's language (shared/locale problems.po).
        assert field_errors(no_reason.text, "reason") == [f"{CA('Error:')} cal un motiu per no admetre una sol·licitud"]
        for item, data in (
            (first, {"admitted": "yes"}),
            (second, {"admitted": "yes"}),
            (third, {"admitted": "no", "reason": "Fora de termini"}),
        ):
            path = f"/ca/console/grants/applications/{item['id']}/admission"
            assert (await post_step(manager, path, data)).status_code == 303
        # A grant manager who is no evaluator sends no score sheets here.
        scored_by_manager = await post_step(manager, f"/ca/console/grants/applications/{first['id']}/score", {})
        assert scored_by_manager.status_code == 404
        filtered = await manager.get(f"{call_path}?state=not-admitted")
        table = filtered.text.split('id="applications"', 1)[1]
        assert third["reference"] in table and first["reference"] not in table.split(CA("Ranking"))[0]

    # Two evaluators score; the first revises one sheet.
    sheets = {
        "first": [(first, ("50", "30"), ""), (second, ("30", "25"), ""), (first, ("55", "30"), "Revisada")],
        "second": [(first, ("45", "35"), ""), (second, ("30", "20"), "")],
    }
    for who in ("first", "second"):
        judge = await evaluator(stack, tokens)
        async with console_client(world.gateway) as client:
            await sign_in(client, judge, "/ca/console/grants")
            listed = await client.get(call_path)
            assert listed.status_code == 200 and first["reference"] in listed.text
            for item, (a, b), note in sheets[who]:
                path = f"/ca/console/grants/applications/{item['id']}/score"
                data = {"points_c1": a, "points_c2": b, "no_conflict": "on", "note": note}
                assert (await post_step(client, path, data)).status_code == 303
            # Points above a criterion's weight: beside that criterion, nothing recorded.
            too_many = await post_step(
                client, f"/ca/console/grants/applications/{first['id']}/score", {"points_c1": "61", "points_c2": "1"}
            )
            assert too_many.status_code == 422
            assert field_errors(too_many.text, "points_c1") and field_errors(too_many.text, "no_conflict")
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:
        a = (await owner.get(f"/api/funding/grants/applications/{first['id']}")).json()
        b = (await owner.get(f"/api/funding/grants/applications/{second['id']}")).json()
    assert [s["version"] for s in a["score_sheets"]].count(2) == 1 and len(a["score_sheets"]) == 3
    assert Decimal(a["total_score"]) == Decimal("82.50")  # (55+45)/2 + (30+35)/2
    assert Decimal(b["total_score"]) == Decimal("52.50")
    assert a["state"] == b["state"] == "scored"

    # The call's page and a score sheet, in a real browser, on a phone: no serious axe violation.
    judge = await evaluator(stack, tokens)
    page_, errors = await new_page(chromium, "ca-ES", bypass_csp=True)
    await browser_sign_in(page_, world.gateway, judge, call_path)
    assert await axe_serious(page_) == []
    await page_.goto(f"{world.gateway}/ca/console/grants/applications/{second['id']}")
    assert await page_.locator("#points_c1").count() == 1
    # The evaluator reads the project proposed beside the sheet: what is scored.
    proposed = " ".join((await page_.locator("h2#proposal + dl").inner_text()).split())
    assert second["proposal"]["title"]["ca"] in proposed, proposed
    assert await axe_serious(page_) == []
    assert errors == []
    await page_.context.close()

    async with console_client(world.gateway) as manager:
        await sign_in(manager, world.grant_manager, call_path)
        page = await manager.get(call_path)
        ranked = page.text.split(CA("Ranking"), 1)[1]
        assert ranked.index(first["reference"]) < ranked.index(second["reference"])
        resolved = await post_step(manager, call_path, {"action": "provisional"})
        assert resolved.status_code == 303, resolved.text[:2000]
        page = await follow(manager, resolved)
        assert CA("Provisionally resolved") in page.text and CA("Provisional resolution") in page.text
        acts = html.fromstring(page.text).xpath("//a[contains(@href, '/resolution/act')]/@href")
        assert len(acts) == 4
        for act in acts:
            got = await manager.get(str(act))
            assert got.status_code == 200 and got.content
        async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:
            states = {
                x["reference"]: x["state"]
                for x in (await owner.get(f"/api/funding/grants/calls/{call_id}/applications")).json()["items"]
            }
        assert states == {
            first["reference"]: "provisionally-granted",
            second["reference"]: "provisionally-granted",
            third["reference"]: "not-admitted",
        }

    # The first entity objects, the second waives its hearing (through the API); the manager
    # rejects the objection and adopts the definitive resolution in the console.
    base = "/api/funding/grants/applications"
    steps: list[tuple[str, dict[str, Any], str, dict[str, str] | None]] = [
        (entities[0], first, "objection", {"text": "La puntuació de viabilitat és baixa"}),
        (entities[1], second, "hearing-waiver", None),
    ]
    for authorization, item, step, step_body in steps:
        async with httpx.AsyncClient(base_url=world.gateway, headers={"Authorization": authorization}) as entity:
            answered = await entity.post(f"{base}/{item['id']}/{step}", json=step_body)
            assert answered.status_code == 200, answered.text
    async with console_client(world.gateway) as manager:
        await sign_in(manager, world.grant_manager, call_path)
        page = await manager.get(call_path)
        assert CA("Objections to decide: %(count)s") % {"count": 1} in page.text
        decide = f"/ca/console/grants/applications/{first['id']}/decision"
        shown = await manager.get(decide.rsplit("/", 1)[0])
        assert "La puntuació de viabilitat és baixa" in shown.text and 'id="upheld-no"' in shown.text
        unanswered = await post_step(manager, decide, {"upheld": "no", "answer": ""})
        assert unanswered.status_code == 422
        assert field_errors(unanswered.text, "answer") == [f"{CA('Error:')} {render('missing', {}, 'ca')}"]
        assert (
            await post_step(manager, decide, {"upheld": "no", "answer": "Es manté la puntuació"})
        ).status_code == 303

        async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("ajuntament")) as owner:

            async def proposals_registered() -> bool:
                found = [await owner.get(f"/api/projects/projects/{x['project_id']}") for x in (first, second)]
                return all(r.status_code == 200 for r in found)

            await eventually(proposals_registered, what="the proposals in the registry")
            resolved = await post_step(manager, call_path, {"action": "definitive"})
            assert resolved.status_code == 303, resolved.text[:2000]
            page = await follow(manager, resolved)
            assert f"<strong>{CA('Resolved')}</strong>" in page.text and CA("Definitive resolution") in page.text
            act = await manager.get(f"/api/funding/grants/calls/{call_id}/resolution/act?format=html&lang=es")
            assert act.status_code == 200 and "Resolución definitiva de la convocatoria" in act.text
            listed = (await owner.get(f"/api/funding/grants/calls/{call_id}/applications")).json()["items"]
            states = {x["reference"]: x["state"] for x in listed}
        assert states[first["reference"]] == states[second["reference"]] == "granted"

    # A partner's reporter: the grant pages are not there for them.
    async with console_client(world.gateway) as partner:
        await sign_in(partner, world.reporter, "/ca/console")
        assert (await partner.get("/ca/console/grants")).status_code == 404
        assert (await partner.get(call_path)).status_code == 404
        assert (await partner.get(f"/ca/console/grants/applications/{first['id']}")).status_code == 404
