"""The console's pages per role, through the gateway with the person's own token: the services'
access rules decide (a partner never reaches another city's project), errors come back beside
their fields in the person's language, and what is saved is what the API then holds."""

from __future__ import annotations

import httpx
from lxml import html

from tests.support.auth import Tokens
from tests.support.stack import Stack
from tests.web.console.conftest import World, console_client, csrf_of, officer_of, sign_in


def _form(page: str) -> dict[str, str]:
    tree = html.fromstring(page)
    form = next(f for f in tree.forms if f.method.lower() == "post" and "/console/" in (f.action or ""))
    fields = {i.name: i.value or "" for i in form.inputs if i.name and i.tag == "input"}
    fields.update({t.name: t.text or "" for t in form.xpath(".//textarea")})
    return fields


def _summary(page: str) -> list[tuple[str, str]]:
    """(link target, text) of each entry of the error summary."""
    tree = html.fromstring(page)
    return [(a.get("href"), a.text_content().strip()) for a in tree.xpath("//div[@class='error-summary']//a")]


async def test_an_officer_edits_with_errors_beside_the_fields_in_spanish_then_saves(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    async with httpx.AsyncClient(base_url=world.gateway) as public:  # as it is now: other tests edit it too
        project = (await public.get(f"/api/projects/projects/{world.shared['id']}")).json()
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens), "/es/console")
        listed = await client.get("/es/console/projects", params={"q": project["code"]})
        assert listed.status_code == 200 and f"/es/console/projects/{project['id']}" in listed.text
        page = await client.get(f"/es/console/projects/{project['id']}")
        fields = _form(page.text)
        assert fields["planned_start"] == "2024-01-01" and fields["title_ca"] == project["title"]["ca"]
        wrong = {**fields, "planned_end": "2023-06-30", "title_en": "Drinking water in Maputo, edited"}
        refused = await client.post(f"/es/console/projects/{project['id']}", data=wrong)
        assert refused.status_code == 422
        summary = _summary(refused.text)
        assert [href for href, _ in summary] == ["#planned_end"], summary
        tree = html.fromstring(refused.text)
        beside = tree.xpath("//input[@id='planned_end']/preceding-sibling::p[contains(@class,'field-error')]")
        # In plain words, the form's labels rather than the API's field names.
        assert beside and "planned_start" not in beside[0].text_content()
        assert "inicio previsto" in beside[0].text_content(), beside[0].text_content()
        assert summary[0][1] in beside[0].text_content()
        assert tree.xpath("//input[@id='planned_end']/@aria-invalid") == ["true"]
        # What the person typed is kept, and nothing was saved.
        assert (
            _form(refused.text)["planned_end"] == "2023-06-30"
            and _form(refused.text)["title_en"] == "Drinking water in Maputo, edited"
        )
        async with httpx.AsyncClient(base_url=world.gateway) as public:
            unchanged = (await public.get(f"/api/projects/projects/{project['id']}")).json()
        assert (
            unchanged["dates"].get("planned_end") == project["dates"].get("planned_end")
            and unchanged["title"]["en"] == project["title"]["en"]
        )

        fixed = {**_form(refused.text), "planned_end": "2027-06-30"}
        saved = await client.post(f"/es/console/projects/{project['id']}", data=fixed)
        assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=true")
        shown = await client.get(saved.headers["location"])
        assert "Se han guardado los cambios." in shown.text
        async with httpx.AsyncClient(base_url=world.gateway) as public:
            changed = (await public.get(f"/api/projects/projects/{project['id']}")).json()
        assert (
            changed["dates"]["planned_end"] == "2027-06-30"
            and changed["title"]["en"] == "Drinking water in Maputo, edited"
        )
        # A save from the page read before that change is refused, not lost over it.
        stale = await client.post(f"/es/console/projects/{project['id']}", data={**fields, "title_en": "Old"})
        assert stale.status_code == 409 and "Alguien ha cambiado este proyecto" in stale.text


async def test_a_partner_sees_only_its_projects_and_cannot_reach_another_citys(world: World) -> None:
    async with console_client(world.gateway) as client:
        home = await sign_in(client, world.reporter, "/pt/console")
        assert "Atualizações dos seus projetos" in home.text and "/pt/console/projects" not in home.text
        listed = await client.get("/pt/console/updates")
        assert f"/pt/console/updates/{world.shared['id']}" in listed.text
        assert world.other_published["id"] not in listed.text and world.other_draft["id"] not in listed.text
        # Another city's draft: the projects service does not show it to this partner at all.
        assert (await client.get(f"/pt/console/updates/{world.other_draft['id']}")).status_code == 404
        # Another city's published project: readable by anyone, but the service refuses the update.
        form_page = await client.get(f"/pt/console/updates/{world.other_published['id']}")
        assert form_page.status_code == 200
        sent = await client.post(
            f"/pt/console/updates/{world.other_published['id']}",
            data={**_form(form_page.text), "narrative": "Não é nosso"},
        )
        assert sent.status_code == 404 and "error-summary" in sent.text
        mine = await client.get("/pt/console/updates")
        assert "Não é nosso" not in mine.text
        # An officer's pages are not there for a partner.
        assert (await client.get(f"/pt/console/projects/{world.shared['id']}")).status_code == 404


async def test_a_partner_update_refused_by_the_service_shows_each_error_in_french(world: World, tokens: Tokens) -> None:
    project = world.shared
    async with console_client(world.gateway) as client:
        await sign_in(client, world.reporter, "/fr/console")
        page = await client.get(f"/fr/console/updates/{project['id']}")
        fields = _form(page.text)
        assert "actual_0" in fields and "2025" in page.text and "Envoyer la mise à jour" in page.text
        wrong = {**fields, "spending_amount": "mille", "spending_start": "2025-01-01", "spending_end": "2025-06-30"}
        refused = await client.post(f"/fr/console/updates/{project['id']}", data=wrong)
        assert refused.status_code == 422
        assert [href for href, _ in _summary(refused.text)] == ["#spending_amount"]
        assert "Il y a un problème" in refused.text
        key = _form(refused.text)["key"]
        assert key == fields["key"]  # the same form: a retry is the same update
        good = {**_form(refused.text), "spending_amount": "1 500,50", "actual_0": "2100", "narrative": "Ligações"}
        sent = await client.post(f"/fr/console/updates/{project['id']}", data=good)
        assert sent.status_code == 303, sent.text[:2000]
        again = await client.post(f"/fr/console/updates/{project['id']}", data=good)
        assert again.headers["location"] == sent.headers["location"]  # one update, not two
        receipt_id = sent.headers["location"].split("sent=")[1]
        listed = await client.get(sent.headers["location"])
        assert "En attente de révision" in listed.text
    async with httpx.AsyncClient(base_url=world.gateway, headers=tokens.headers("maputo")) as partner:
        receipt = (await partner.get(f"/api/projects/updates/{receipt_id}")).json()
    # As the service keeps it: the amount read the French way, the actual of the open 2025 period.
    assert receipt["content"]["spending"][0]["amount"] == "1500.50"
    assert receipt["content"]["actuals"][0]["period_start"] == "2025-01-01"
    assert receipt["content"]["narrative"] == {"fr": "Ligações"}


async def test_a_grant_manager_sees_the_calls_and_applications_read_only(world: World) -> None:
    async with console_client(world.gateway) as client:
        await sign_in(client, world.grant_manager, "/en/console")
        page = await client.get("/en/console/grants")
        assert page.status_code == 200 and "Grant calls and applications" in page.text
        assert "<form" not in page.text.split("<main", 1)[1]
        # Not an officer: the projects pages are not offered.
        assert (await client.get("/en/console/projects")).status_code == 404
        assert csrf_of(page.text)  # the sign-out form
