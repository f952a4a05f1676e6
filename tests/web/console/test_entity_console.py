"""An applicant entity's console through the gateway with the person's own token: the open calls and
its applications, the application form (entity details the first time, errors beside the fields in
Spanish, one application for a double submit), and the steps after the resolution, each offered only
while the API allows it and refused by it otherwise. CSRF is checked; other roles find no page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from lxml import html

from services.web.i18n import Formats
from tests.support.auth import Tokens
from tests.support.grants import REPRESENTATIVE, call_body, entity_body, tax_id
from tests.support.people import Person, person
from tests.support.stack import Stack
from tests.support.waiting import eventually
from tests.web.console.conftest import console_client, csrf_of, officer_of, sign_in

GRANTS = "/api/funding/grants"
YEAR = str(datetime.now(UTC).year)
CATEGORIES = [
    {"code": "staff", "title": {"ca": "Personal", "es": "Personal"}},
    {"code": "travel", "title": {"ca": "Viatges"}},
]


async def entity_person(stack: Stack, tokens: Tokens) -> Person:
    tenant = f"ENT-C{uuid.uuid4().hex[:8]}"
    return await person(stack, tokens.headers("admin"), tenant=tenant, kind="entity", roles=["entity-applicant"])


async def open_call(officer: httpx.AsyncClient) -> dict[str, Any]:
    body = {**call_body(f"ENT-{uuid.uuid4().hex[:8]}"), "budget_categories": CATEGORIES}
    body["title"] = {"ca": "Convocatòria d'entitats", "es": "Convocatoria de entidades"}
    created = await officer.post(f"{GRANTS}/calls", json=body)
    assert created.status_code == 201, created.text
    opened = await officer.post(f"{GRANTS}/calls/{created.json()['id']}/status", json={"status": "open"})
    assert opened.status_code == 200, opened.text
    return dict(opened.json())


def officer_api(stack: Stack, tokens: Tokens) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("ajuntament"))


async def resolved(officer: httpx.AsyncClient, call_id: str, kind: str) -> dict[str, Any]:
    """The resolution once the proposal has reached the registry (the resolution waits for it)."""

    async def attempt() -> dict[str, Any] | None:
        answer = await officer.post(f"{GRANTS}/calls/{call_id}/resolutions/{kind}")
        return dict(answer.json()) if answer.status_code == 200 else None

    return await eventually(attempt, timeout=60, interval=1, what=f"the {kind} resolution")


def summary_of(page: str) -> list[tuple[str, str]]:
    tree = html.fromstring(page)
    return [(a.get("href"), a.text_content().strip()) for a in tree.xpath("//div[@class='error-summary']//a")]


def beside(page: str, name: str) -> str:
    tree = html.fromstring(page)
    found = tree.xpath(f"//*[@id='{name}']/preceding-sibling::p[contains(@class,'field-error')]")
    return " ".join(p.text_content() for p in found)


def value_of(page: str, name: str) -> str:
    tree = html.fromstring(page)
    inputs = tree.xpath(f"//input[@name='{name}']/@value")
    if inputs:
        return str(inputs[0])
    texts = tree.xpath(f"//textarea[@name='{name}']")
    return str(texts[0].text or "") if texts else ""


def project_fields(page: str, **typed: str) -> dict[str, str]:
    fields = {
        "csrf_token": csrf_of(page),
        "key": value_of(page, "key"),
        "ask_entity": value_of(page, "ask_entity"),
        "modality": "m",
        "title": "Aigua per a Chamanculo",
        "summary": "Connexions d'aigua amb el municipi de Maputo.",
        "duration_months": "6",
        f"requested_{YEAR}": "500,00",
    }
    return {**fields, **typed}


def entity_fields(tenant_tag: str) -> dict[str, str]:
    return {
        "entity_name": f"Associació {tenant_tag}",
        "entity_tax_id": tax_id(),
        "entity_org_type": "22",
        "entity_email": "entitat@example.org",
        "rep_name": REPRESENTATIVE["name"],
        "rep_tax_id": REPRESENTATIVE["tax_id"],
        "rep_post": REPRESENTATIVE["post"],
    }


async def test_an_entity_registers_and_applies_with_an_error_in_spanish_and_a_double_submit_is_one(
    stack: Stack, tokens: Tokens
) -> None:
    who = await entity_person(stack, tokens)
    async with officer_api(stack, tokens) as officer, console_client(stack.gateway) as client:
        call = await open_call(officer)
        await sign_in(client, who, "/es/console/calls")
        listed = await client.get("/es/console/calls")
        assert listed.status_code == 200 and "Convocatoria de entidades" in listed.text
        assert f"/es/console/calls/{call['id']}/apply" in listed.text
        assert "Aún no ha solicitado en ninguna convocatoria." in listed.text
        assert Formats("es").day(call["closes_at"]) in listed.text  # the deadline in the person's locale
        assert Formats("es").money("9000.00") in listed.text

        form = await client.get(f"/es/console/calls/{call['id']}/apply")
        assert form.status_code == 200 and 'name="entity_name"' in form.text  # first time: the entity's details
        wrong = {**project_fields(form.text, duration_months="0"), **entity_fields(who.tenant)}
        refused = await client.post(f"/es/console/calls/{call['id']}/apply", data=wrong)
        assert refused.status_code == 422, refused.text
        assert [href for href, _ in summary_of(refused.text)] == ["#duration_months"], summary_of(refused.text)
        assert "Debe ser mayor o igual que 1" in beside(refused.text, "duration_months")
        assert html.fromstring(refused.text).xpath("//input[@id='duration_months']/@aria-invalid") == ["true"]
        # What was typed is kept; the entity was registered, so its part is not asked again.
        assert value_of(refused.text, "title") == "Aigua per a Chamanculo"
        assert value_of(refused.text, "duration_months") == "0"
        assert 'name="entity_name"' not in refused.text
        assert (await officer.get(f"{GRANTS}/applications", params={"call_id": call["id"]})).json()["items"] == []

        fixed = project_fields(refused.text)
        assert fixed["key"] == wrong["key"]  # the same form: the same key
        sent = await client.post(f"/es/console/calls/{call['id']}/apply", data=fixed)
        assert sent.status_code == 303, sent.text
        location = sent.headers["location"]
        assert location.startswith("/es/console/calls/applications/") and location.endswith("?done=applied")
        again = await client.post(f"/es/console/calls/{call['id']}/apply", data=fixed)  # a double click
        assert again.status_code == 303 and again.headers["location"] == location

        listed_api = (await officer.get(f"{GRANTS}/applications", params={"call_id": call["id"]})).json()["items"]
        assert len(listed_api) == 1 and listed_api[0]["requested"] == {YEAR: "500.00"}
        application = (await officer.get(f"{GRANTS}/applications/{listed_api[0]['id']}")).json()
        entity = (await officer.get(f"{GRANTS}/entities/{application['entity_id']}")).json()
        assert entity["tenant"] == who.tenant and entity["name"] == f"Associació {who.tenant}"
        shown = await client.get(location)
        assert "Se ha enviado su solicitud." in shown.text and "Presentada" in shown.text
        mine = await client.get("/es/console/calls")
        assert listed_api[0]["reference"] in mine.text and "En evaluación" in mine.text


async def _scored(officer: httpx.AsyncClient, call_id: str, application_id: str) -> None:
    assert (await officer.post(f"{GRANTS}/calls/{call_id}/status", json={"status": "closed"})).status_code == 200
    admitted = await officer.post(f"{GRANTS}/applications/{application_id}/admission", json={"admitted": True})
    assert admitted.status_code == 200, admitted.text
    sheet = {"points": {"c": "80"}, "no_conflict_of_interest": True}
    assert (await officer.post(f"{GRANTS}/applications/{application_id}/scores", json=sheet)).status_code == 200


async def test_objection_acceptance_and_justification_each_at_its_state(stack: Stack, tokens: Tokens) -> None:
    who = await entity_person(stack, tokens)
    es = Formats("es")
    async with officer_api(stack, tokens) as officer, console_client(stack.gateway) as client:
        async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
            registered = await admin.post(f"{GRANTS}/entities", json=entity_body(who.tenant))
            assert registered.status_code == 201, registered.text
        call = await open_call(officer)
        await sign_in(client, who, "/es/console/calls")
        form = await client.get(f"/es/console/calls/{call['id']}/apply")
        # Registered already: its part left empty, the application goes through.
        sent = await client.post(f"/es/console/calls/{call['id']}/apply", data=project_fields(form.text))
        assert sent.status_code == 303, sent.text
        page_path = sent.headers["location"].split("?")[0]
        application_id = page_path.rsplit("/", 1)[1]
        api_path = f"{GRANTS}/applications/{application_id}"
        await _scored(officer, call["id"], application_id)

        scored = await client.get(page_path)
        assert scored.status_code == 200 and "/objection" not in scored.text  # no hearing yet
        csrf = csrf_of(scored.text)
        early = await client.post(f"{page_path}/objection", data={"csrf_token": csrf, "objection_text": "Too early"})
        assert early.status_code == 409, early.text  # the API refuses, its words in the summary
        assert (await officer.get(api_path)).json()["state"] == "scored"

        provisional = await resolved(officer, call["id"], "provisional")
        until = es.day(provisional["objections_until"])
        hearing = await client.get(page_path)
        assert f"Puede presentar alegaciones hasta el {until}." in hearing.text
        mine = await client.get("/es/console/calls")
        assert f"Puede presentar alegaciones hasta el {until}." in mine.text
        empty = await client.post(f"{page_path}/objection", data={"csrf_token": csrf, "objection_text": ""})
        assert empty.status_code == 422 and [h for h, _ in summary_of(empty.text)] == ["#objection_text"]
        assert (await officer.get(api_path)).json()["objection"] is None
        objected = await client.post(
            f"{page_path}/objection", data={"csrf_token": csrf, "objection_text": "La puntuació del partenariat"}
        )
        assert objected.status_code == 303, objected.text
        after = (await officer.get(api_path)).json()
        assert after["state"] == "objected" and after["objection"]["text"] == "La puntuació del partenariat"
        assert "Se ha presentado su alegación." in (await client.get(objected.headers["location"])).text
        decided = await officer.post(f"{api_path}/objection/decision", json={"upheld": False, "answer": "Es manté"})
        assert decided.status_code == 200, decided.text

        # Before the definitive resolution there is nothing to accept; after it, until its deadline.
        refused = await client.post(f"{page_path}/acceptance", data={"csrf_token": csrf})
        assert refused.status_code == 409
        definitive = await resolved(officer, call["id"], "definitive")
        granted = await client.get(page_path)
        accept_by = es.day(definitive["acceptance_until"])
        assert f"Acepte la subvención a más tardar el {accept_by}." in granted.text
        assert f"Acepte la subvención a más tardar el {accept_by}." in (await client.get("/es/console/calls")).text
        accepted = await client.post(f"{page_path}/acceptance", data={"csrf_token": csrf})
        assert accepted.status_code == 303, accepted.text
        assert (await officer.get(api_path)).json()["state"] == "accepted"
        assert "/acceptance" not in (await client.get(page_path)).text

        # The justification: a supporting file uploaded here, lines per budget category in Spanish numbers.
        not_a_file = await client.post(
            f"{page_path}/documents", data={"csrf_token": csrf, "doc_purpose": "justification", "doc_title": "Res"}
        )
        assert not_a_file.status_code == 422 and "Elija un archivo para añadir." in beside(not_a_file.text, "doc_file")
        text = await client.post(
            f"{page_path}/documents",
            data={"csrf_token": csrf, "doc_purpose": "justification", "doc_title": "Nota"},
            files={"doc_file": ("nota.pdf", b"just text, whatever its name says", "application/pdf")},
        )
        assert text.status_code == 422 and [h for h, _ in summary_of(text.text)] == ["#doc_file"], text.text
        assert value_of(text.text, "doc_title") == "Nota"
        assert (await officer.get(f"{api_path}/documents")).json()["items"] == []
        pdf = b"%PDF-1.4\n% invoices\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
        uploaded = await client.post(
            f"{page_path}/documents",
            data={"csrf_token": csrf, "doc_purpose": "justification", "doc_title": "Factures"},
            files={"doc_file": ("factures.pdf", pdf, "application/pdf")},
        )
        assert uploaded.status_code == 303, uploaded.text
        files = (await officer.get(f"{api_path}/documents")).json()["items"]
        assert [(f["title"], f["purpose"]) for f in files] == [("Factures", "justification")]
        page = await client.get(page_path)
        downloaded = await client.get(f"{page_path}/documents/{files[0]['id']}")
        assert downloaded.status_code == 200 and downloaded.content == pdf
        assert f'value="{files[0]["id"]}"' in page.text
        lines = {
            "csrf_token": csrf,
            "line_staff_amount": "300,50",
            "line_staff_description": "Tècnica de camp",
            "line_travel_amount": "abc",
            "line_travel_description": "Vol a Maputo",
            "summary": "Fet",
            "documents": files[0]["id"],
        }
        wrong = await client.post(f"{page_path}/justification", data=lines)
        assert wrong.status_code == 422 and [h for h, _ in summary_of(wrong.text)] == ["#line_travel_amount"]
        assert value_of(wrong.text, "line_staff_amount") == "300,50"  # kept as typed
        assert (await officer.get(api_path)).json()["justification"] is None
        justified = await client.post(f"{page_path}/justification", data={**lines, "line_travel_amount": "99,50"})
        assert justified.status_code == 303, justified.text
        body = (await officer.get(api_path)).json()
        assert body["state"] == "justified"
        assert [(line["category"], line["amount_eur"]) for line in body["justification"]["lines"]] == [
            ("staff", "300.50"),
            ("travel", "99.50"),
        ]
        assert [d["id"] for d in body["justification"]["documents"]] == [files[0]["id"]]


async def test_forms_without_the_sessions_csrf_token_are_refused(stack: Stack, tokens: Tokens) -> None:
    who = await entity_person(stack, tokens)
    async with officer_api(stack, tokens) as officer, console_client(stack.gateway) as client:
        call = await open_call(officer)
        await sign_in(client, who, "/ca/console/calls")
        form = await client.get(f"/ca/console/calls/{call['id']}/apply")
        fields = {**project_fields(form.text), **entity_fields(who.tenant)}
        for csrf in ("", "forged"):
            refused = await client.post(f"/ca/console/calls/{call['id']}/apply", data={**fields, "csrf_token": csrf})
            assert refused.status_code == 403
        assert (await officer.get(f"{GRANTS}/applications", params={"call_id": call["id"]})).json()["items"] == []
        sent = await client.post(f"/ca/console/calls/{call['id']}/apply", data=fields)
        assert sent.status_code == 303, sent.text
        page_path = sent.headers["location"].split("?")[0]
        for action in ("renunciation", "documents", "justification"):
            refused = await client.post(f"{page_path}/{action}", data={"renounce_reason": "x"})
            assert refused.status_code == 403
        assert (await officer.get(f"{GRANTS}/applications/{page_path.rsplit('/', 1)[1]}")).json()["state"] == (
            "submitted"
        )


async def test_an_officer_finds_no_entity_pages(stack: Stack, tokens: Tokens) -> None:
    async with officer_api(stack, tokens) as officer, console_client(stack.gateway) as client:
        call = await open_call(officer)
        await sign_in(client, await officer_of(stack, tokens), "/es/console")
        for path in (
            "/es/console/calls",
            f"/es/console/calls/{call['id']}/apply",
            f"/es/console/calls/applications/{uuid.uuid4()}",
        ):
            assert (await client.get(path)).status_code == 404, path
