"""The new-project wizard through the gateway, as a browser without script: each step's errors come
back from the API beside their fields and in the summary in the person's language, a double submit
of the first step is one draft, a form without the session's CSRF token or from a stale version is
refused with nothing changed, and publishing names what the registry says an IATI activity lacks."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
from lxml import html

from services.web.console import new_project_forms as forms
from tests.support.auth import Tokens
from tests.support.stack import Stack
from tests.web.console.conftest import INSTITUTION, PARTNER, World, console_client, officer_of, sign_in


def _form(page: str, action_part: str = "/console/") -> dict[str, str]:
    """What the browser would send: inputs, checked boxes, selected options and textareas."""
    tree = html.fromstring(page)
    form = next(f for f in tree.forms if f.method.lower() == "post" and action_part in (f.action or ""))
    fields: dict[str, str] = {}
    for element in form.inputs:
        if not element.name or element.tag == "button":
            continue
        if element.tag == "input" and element.get("type") in ("checkbox", "radio"):
            if element.checked:
                fields[element.name] = element.get("value") or "on"
        elif element.tag == "select":
            fields[element.name] = element.value or ""
        else:
            fields[element.name] = element.value or ""
    return fields


def _summary(page: str) -> list[tuple[str, str]]:
    tree = html.fromstring(page)
    return [(a.get("href"), a.text_content().strip()) for a in tree.xpath("//div[@class='error-summary']//a")]


def _beside(page: str, field: str) -> str:
    """The error shown beside an input (the field's own error paragraphs), or ""."""
    tree = html.fromstring(page)
    found = tree.xpath(f"//*[@id='{field}']/preceding-sibling::p[contains(@class,'field-error')]")
    return " ".join(p.text_content().strip() for p in found)


async def _api_project(gateway: str, tokens: Tokens, project_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=gateway, headers=tokens.headers("ajuntament")) as owner:
        answer = await owner.get(f"/api/projects/projects/{project_id}")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body


async def _by_code(gateway: str, tokens: Tokens, code: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=gateway, headers=tokens.headers("ajuntament")) as owner:
        found = []
        for visibility in ("draft", "published"):
            listed = await owner.get(
                "/api/projects/projects", params={"owner": INSTITUTION, "q": code, "visibility": visibility}
            )
            found += [p for p in listed.json()["items"] if p["code"] == code]
        return found


def _what(code: str) -> dict[str, str]:
    return {
        "code": code,
        "title_ca": "Aigua potable a Maputo",
        "title_es": "Agua potable en Maputo",
        "title_en": "Drinking water in Maputo",
        "description_ca": "",
        "description_es": "",
        "description_en": "",
        "intervention_line": "Aigua i sanejament",
        "sector": "14030",
        "modality": "",
        "planned_start": "2026-01-01",
        "planned_end": "2027-12-31",
        "status": "1",
    }


def _project_id(location: str, step: str) -> str:
    assert location.endswith(f"/steps/{step}"), location
    return location.split("/projects/")[1].split("/")[0]


async def test_step_one_in_catalan_errors_beside_fields_csrf_and_a_double_submit_is_one_draft(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens), "/ca/console/projects/new")
        shown = await client.get("/ca/console/projects/new")
        assert shown.status_code == 200
        tree = html.fromstring(shown.text)
        assert tree.xpath("//input[@id='title_es']/@lang") == ["es"]
        assert tree.xpath("//select[@id='sector']/option[@value='14030']"), "the sector picker is the DAC codelist"
        blank = _form(shown.text)
        key = blank["idempotency_key"]
        assert uuid.UUID(key)

        code = f"WIZ-{uuid.uuid4().hex[:8]}"
        wrong = {**blank, **_what(""), "title_ca": "", "title_es": "", "title_en": "", "planned_end": "2025-06-30"}
        refused = await client.post("/ca/console/projects/new", data=wrong)
        assert refused.status_code == 422, refused.text[:2000]
        assert "Hi ha un problema" in refused.text
        hrefs = [href for href, _ in _summary(refused.text)]
        assert {"#code", "#title_ca", "#planned_end"} <= set(hrefs), hrefs
        for href, message in _summary(refused.text):
            assert message and message in _beside(refused.text, href[1:]), (href, message)
        # In the form's own words and language: the label, not the API's field name.
        beside = _beside(refused.text, "planned_end")
        assert "inici previst" in beside and "planned_start" not in beside, beside
        assert _form(refused.text)["planned_end"] == "2025-06-30" and _form(refused.text)["idempotency_key"] == key

        # Without the session's CSRF token: refused, nothing created.
        forged = await client.post("/ca/console/projects/new", data={**blank, **_what(code), "csrf_token": "forged"})
        assert forged.status_code == 403
        assert await _by_code(world.gateway, tokens, code) == []

        # The same form sent twice (a double click, a retry): one draft.
        first = await client.post("/ca/console/projects/new", data={**blank, **_what(code)})
        second = await client.post("/ca/console/projects/new", data={**blank, **_what(code)})
        assert first.status_code == second.status_code == 303, second.text[:2000]
        assert first.headers["location"] == second.headers["location"]
        project_id = _project_id(first.headers["location"], "where")
        assert [p["id"] for p in await _by_code(world.gateway, tokens, code)] == [project_id]
        created = await _api_project(world.gateway, tokens, project_id)
        assert created["visibility"] == "draft" and created["owner"] == INSTITUTION
        assert created["title"] == {
            "ca": "Aigua potable a Maputo",
            "es": "Agua potable en Maputo",
            "en": "Drinking water in Maputo",
        }
        assert [s["code"] for s in created["sectors"]] == ["14030"]

        # The draft opens in the wizard from the projects list.
        listed = await client.get("/ca/console/projects", params={"q": code})
        assert f"/ca/console/projects/{project_id}/steps/what" in listed.text


async def test_later_steps_in_portuguese_the_100_rule_rows_stale_versions_publish_and_archive(
    world: World, stack: Stack, tokens: Tokens
) -> None:
    async with console_client(world.gateway) as client:
        await sign_in(client, await officer_of(stack, tokens), "/pt/console/projects/new")
        blank = _form((await client.get("/pt/console/projects/new")).text)
        code = f"WIZ-PT-{uuid.uuid4().hex[:6]}"
        created = await client.post("/pt/console/projects/new", data={**blank, **_what(code)})
        assert created.status_code == 303, created.text[:2000]
        project_id = _project_id(created.headers["location"], "where")
        base = f"/pt/console/projects/{project_id}"

        # (b) Where and with whom: the partner from those the institution already names.
        where = await client.get(f"{base}/steps/where")
        assert where.status_code == 200
        assert html.fromstring(where.text).xpath(f"//select[@id='partner']/option[@value='{PARTNER}']")
        read_before = _form(where.text)
        saved = await client.post(
            f"{base}/steps/where",
            data={**read_before, "country": "MZ", "city": "Maputo", "partner": PARTNER, "network_uclg": "yes"},
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("/steps/sdgs"), saved.text[:2000]
        project = await _api_project(world.gateway, tokens, project_id)
        assert [c["code"] for c in project["recipient_countries"]] == ["MZ"]
        assert project["partner_cities"][0]["name"] == "Maputo"
        assert {o["ref"] for o in project["participating_orgs"]} == {INSTITUTION, PARTNER}
        assert project["networks"] == ["uclg"]

        # A form read before that change is refused, not saved over it.
        stale = await client.post(f"{base}/steps/where", data={**read_before, "city": "Matola"})
        assert stale.status_code == 409 and "Alguém alterou este projeto" in stale.text
        assert (await _api_project(world.gateway, tokens, project_id))["partner_cities"][0]["name"] == "Maputo"

        # (c) SDGs: shares must reach 100 %; the API's own problem, in Portuguese, beside the total.
        sdgs = _form((await client.get(f"{base}/steps/sdgs")).text)
        short = {**sdgs, "goal_0": "6", "share_0": "60", "goal_1": "11", "share_1": "30,5", "action": "save"}
        refused = await client.post(f"{base}/steps/sdgs", data=short)
        assert refused.status_code == 422
        assert ("#sdg_total", _summary(refused.text)[0][1]) == _summary(refused.text)[0]
        assert "a soma deve ser 100" in _beside(refused.text, "sdg_total"), _beside(refused.text, "sdg_total")
        assert "90,5" in html.fromstring(refused.text).xpath("string(//*[@id='sdg_total'])")
        assert (await _api_project(world.gateway, tokens, project_id))["sdg_goals"] == []
        # No goal at all: a form error in Portuguese.
        empty = {k: ("" if k.startswith(("goal_", "share_", "targets_")) else v) for k, v in sdgs.items()}
        none = await client.post(f"{base}/steps/sdgs", data={**empty, "action": "save"})
        assert none.status_code == 422 and "Escolha pelo menos um objetivo" in none.text
        # Another row without JavaScript, the typed values kept.
        more = await client.post(f"{base}/steps/sdgs", data={**short, "action": "add"})
        assert more.status_code == 200 and _form(more.text)["rows"] == "4" and _form(more.text)["share_1"] == "30,5"
        # A target under another goal: the API names it, beside that row's targets.
        wrong_target = {**_form(more.text), "share_1": "40", "targets_1": "6.1", "action": "save"}
        refused = await client.post(f"{base}/steps/sdgs", data=wrong_target)
        assert refused.status_code == 422 and _beside(refused.text, "targets_1"), refused.text[:3000]
        fixed = {**_form(more.text), "share_1": "40", "targets_1": "11.1, 11.3", "action": "save"}
        saved = await client.post(f"{base}/steps/sdgs", data=fixed)
        assert saved.status_code == 303 and saved.headers["location"].endswith("/steps/results"), saved.text[:3000]
        goals = (await _api_project(world.gateway, tokens, project_id))["sdg_goals"]
        assert [(g["goal"], g["share"], g["targets"]) for g in goals] in (
            [("6", "60", []), ("11", "40", ["11.1", "11.3"])],
            [("6", "60.00", []), ("11", "40.00", ["11.1", "11.3"])],
        )

        # (d) Results: rows added and removed by buttons; the API's errors beside the period's inputs.
        results = _form((await client.get(f"{base}/steps/results")).text)
        typed = {
            **results,
            "r0_title": "Llars connectades",
            "r0_type": "1",
            "r0_i0_title": "Llars amb aigua",
            "r0_i0_measure": "1",
            "r0_i0_baseline_year": "2025",
            "r0_i0_baseline_value": "1200",
            "r0_i0_p0_start": "2026-01-01",
            "r0_i0_p0_end": "2026-12-31",
            "r0_i0_p0_target": "1500,5",
        }
        added = await client.post(f"{base}/steps/results", data={**typed, "action": "add-period-0-0"})
        assert added.status_code == 200 and "r0_i0_p1_start" in _form(added.text)
        assert _form(added.text)["r0_i0_p0_target"] == "1500,5"
        backwards = {**_form(added.text), "r0_i0_p1_start": "2027-12-31", "r0_i0_p1_end": "2027-01-01"}
        refused = await client.post(f"{base}/steps/results", data={**backwards, "action": "save"})
        assert refused.status_code == 422
        assert [href for href, _ in _summary(refused.text)] == ["#r0_i0_p1_end"], _summary(refused.text)
        assert _beside(refused.text, "r0_i0_p1_end")
        removed = await client.post(f"{base}/steps/results", data={**backwards, "action": "remove-period-0-0-1"})
        assert "r0_i0_p1_start" not in _form(removed.text)
        saved = await client.post(f"{base}/steps/results", data={**_form(removed.text), "action": "save"})
        assert saved.status_code == 303 and saved.headers["location"].endswith(f"{base}/publish")
        framework = (await _api_project(world.gateway, tokens, project_id))["results"]
        indicator = framework[0]["indicators"][0]
        assert framework[0]["title"] == {"pt": "Llars connectades"}
        assert indicator["baseline"]["value"] in ("1200", "1200.00") and len(indicator["periods"]) == 1
        assert indicator["periods"][0]["target"] in ("1500.5", "1500.50")

        # Publishing: the preview shows what becomes public; the registry says what IATI still needs.
        preview = await client.get(f"{base}/publish")
        assert preview.status_code == 200 and "Maputo" in preview.text and "Drinking water in Maputo" in preview.text
        # Named before the button is pressed, in Portuguese, with a link to the step that asks for it.
        needed = html.fromstring(preview.text).xpath("//div[@id='still-needed']//a")
        assert [(a.get("href"), a.text_content()) for a in needed] == [
            (f"{base}/steps/what", "Necessário para publicar: uma descrição em pelo menos uma língua")
        ]
        incomplete = await client.post(f"{base}/publish", data=_form(preview.text))
        assert incomplete.status_code == 422
        gaps = html.fromstring(incomplete.text).xpath("//div[@class='error-summary']//a/@href")
        assert gaps == [f"{base}/steps/what"], gaps  # only the description is missing
        assert (await _api_project(world.gateway, tokens, project_id))["visibility"] == "draft"
        what = _form((await client.get(f"{base}/steps/what")).text)
        described = await client.post(
            f"{base}/steps/what", data={**what, "description_en": "Water for 1,500 households."}
        )
        assert described.status_code == 303, described.text[:2000]
        ready = await client.get(f"{base}/publish")
        assert 'id="ready-to-publish"' in ready.text and 'id="still-needed"' not in ready.text
        published = await client.post(f"{base}/publish", data=_form((await client.get(f"{base}/publish")).text))
        assert published.status_code == 303 and published.headers["location"].endswith("?published=true")
        assert "O projeto foi publicado." in (await client.get(published.headers["location"])).text
        assert (await _api_project(world.gateway, tokens, project_id))["visibility"] == "published"

        # Archiving asks for a confirmation first.
        confirm = await client.get(f"{base}/archive")
        unconfirmed = await client.post(f"{base}/archive", data=_form(confirm.text))
        assert unconfirmed.status_code == 422 and "#confirm" in [h for h, _ in _summary(unconfirmed.text)]
        assert not (await _api_project(world.gateway, tokens, project_id))["archived"]
        archived = await client.post(f"{base}/archive", data={**_form(confirm.text), "confirm": "yes"})
        assert archived.status_code == 303
        assert "O projeto foi arquivado." in (await client.get(archived.headers["location"])).text
        assert (await _api_project(world.gateway, tokens, project_id))["archived"]


# --- The forms' own logic, without servers ---------------------------------------------------


def test_rows_added_and_removed_by_buttons_and_api_errors_find_their_row_after_blank_rows() -> None:
    form = {
        "results": "2",
        "r0_indicators": "1",
        "r0_i0_periods": "1",
        "r1_title": "Barris",
        "r1_type": "1",
        "r1_indicators": "2",
        "r1_i0_periods": "1",
        "r1_i1_title": "Tones",
        "r1_i1_measure": "1",
        "r1_i1_periods": "2",
        "r1_i1_p1_start": "2026-01-01",
        "r1_i1_p1_end": "2026-12-31",
        "r1_i1_p1_target": "1.500,5",
    }
    rows = forms.results_typed(form)
    assert forms.results_edit(rows, "add-period-1-1") and len(rows[1].indicators[1].periods) == 3
    assert forms.results_edit(rows, "remove-period-1-1-2") and len(rows[1].indicators[1].periods) == 2
    assert forms.results_edit(rows, "remove-result-9") and len(rows) == 2  # a row no longer there
    assert not forms.results_edit(rows, "save") and not forms.results_edit(rows, "add-period-x")
    sent = forms.results_request(rows, "ca")
    # The blank first result, first indicator and first period are not sent.
    assert len(sent.results) == 1 and len(sent.results[0]["indicators"]) == 1
    assert sent.results[0]["indicators"][0]["periods"] == [
        {"start": "2026-01-01", "end": "2026-12-31", "target": "1500.5"}
    ]
    field_of = forms.results_field(sent)
    error = {"field": "results.0.indicators.0.periods.0", "params": {"end": "end", "start": "start"}}
    assert field_of(error) == "r1_i1_p1_end"
    assert field_of({"field": "results.0.indicators.0.periods.0.target"}) == "r1_i1_p1_target"
    assert field_of({"field": "results.0.title"}) == "r1_title"


def test_sdg_errors_find_their_row_and_the_total_counts_what_was_typed() -> None:
    rows = forms.sdg_typed({"rows": "3", "goal_1": "11", "share_1": "60,5", "goal_2": "5", "share_2": "x"}, add=True)
    assert rows.count == 4
    request = forms.sdg_request(rows, "ca")
    assert [g["goal"] for g in request.goals] == ["11", "5"] and request.rows == [1, 2]
    assert forms.sdg_total(request) == Decimal("60.5")
    field_of = forms.sdg_field(request)
    assert field_of({"field": "sdg_goals.1.share"}) == "share_2"
    assert field_of({"field": "sdg_goals.0", "params": {"target": "6.1", "goal": "11"}}) == "targets_1"
    assert field_of({"field": "sdg_goals"}) == "sdg_total"
