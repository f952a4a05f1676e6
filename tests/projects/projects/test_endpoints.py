"""The project registry through the gateway, on the real databases and broker."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.support.auth import Tokens
from tests.support.projects import project_payload, rich_project_payload

BASE = "/api/projects/projects"
MERGE = {"Content-Type": "application/merge-patch+json"}


async def create(client: httpx.AsyncClient, migration: bool = False, **overrides: Any) -> httpx.Response:
    params = {"migration": "true"} if migration else None  # an admin registering a later status
    response = await client.post(BASE, json=project_payload(**overrides), params=params)
    assert response.status_code == 201, response.text
    return response


async def test_rich_project_round_trips(gateway: httpx.AsyncClient) -> None:
    payload = rich_project_payload()
    created = await gateway.post(BASE, json=payload)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["iati_identifier"] == f"ES-DIR3-L01080193-{payload['code']}"
    read = (await gateway.get(f"{BASE}/{body['id']}")).json()
    assert read == body
    for field in ("title", "objectives", "networks", "tags", "intervention_line", "modality"):
        assert read[field] == payload[field]
    assert read["sdg_goals"][0] == {"goal": "6", "share": "80", "targets": ["6.1", "6.b"]}
    # Given coordinates near the city are accepted; the stored ones are the gazetteer's (GeoNames).
    assert read["partner_cities"][0]["geonames_id"] == 1040652
    assert (read["partner_cities"][0]["latitude"], read["partner_cities"][0]["longitude"]) == (-25.96553, 32.58322)
    assert read["exchanges"][0]["value_eur"] == "4800.00"
    period = read["results"][0]["indicators"][0]["periods"][0]
    assert (period["target"], period["actual"]) == ("2000", "1850")
    assert period["disaggregated"][0]["dimensions"] == {"sex": "female"}


async def test_a_wrong_code_is_a_422_naming_field_and_value_and_writes_nothing(gateway: httpx.AsyncClient) -> None:
    code = f"BAD-{uuid.uuid4().hex[:6]}"
    response = await gateway.post(
        BASE, json=project_payload(code=code, sectors=[{"code": "99999", "percentage": "100"}])
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["value"]) == ("sectors.0.code", "99999")
    unknown_network = await gateway.post(BASE, json=project_payload(code=code, networks=["uclg", "nowhere"]))
    assert unknown_network.status_code == 422
    assert unknown_network.json()["errors"] == [
        {"field": "networks.1", "code": "unknown_network", "message": "Unknown network", "value": "nowhere"}
    ]
    listed = (await gateway.get(BASE, params={"q": code})).json()
    assert listed["total"] == 0


ALLOWED = {("1", "2"), ("1", "5"), ("2", "3"), ("2", "5"), ("2", "6"), ("3", "4"), ("6", "2"), ("6", "5")}


@pytest.mark.parametrize("start", ["1", "2", "3", "4", "5", "6"])
async def test_status_transitions(gateway: httpx.AsyncClient, start: str) -> None:
    for target in ["1", "2", "3", "4", "5", "6"]:
        created = await create(
            gateway, migration=True, status=start, dates={"actual_start": "2024-01-01"} if start != "1" else {}
        )
        url = f"{BASE}/{created.json()['id']}/status"
        body = {"status": target, "reason": "The partner asked for it", "date": "2025-03-01"}
        response = await gateway.post(url, json=body, headers={"If-Match": created.headers["etag"]})
        expected = 200 if (start, target) in ALLOWED else 409
        assert response.status_code == expected, (start, target, response.text)
        if expected == 200:
            assert response.json()["status"] == target
            assert response.headers["etag"] == '"2"'


async def test_cancelling_needs_a_reason_and_dates_follow_the_status(gateway: httpx.AsyncClient) -> None:
    created = await create(gateway, status="1")
    url = f"{BASE}/{created.json()['id']}/status"
    refused = await gateway.post(url, json={"status": "5"}, headers={"If-Match": '"1"'})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "reason"
    started = await gateway.post(url, json={"status": "2", "date": "2024-03-01"}, headers={"If-Match": '"1"'})
    assert started.json()["dates"]["actual_start"] == "2024-03-01"
    done = await gateway.post(url, json={"status": "3", "date": "2025-06-30"}, headers={"If-Match": '"2"'})
    assert done.json()["dates"]["actual_end"] == "2025-06-30"
    closed = await gateway.post(url, json={"status": "4"}, headers={"If-Match": '"3"'})
    assert closed.status_code == 200
    back = await gateway.post(url, json={"status": "1"}, headers={"If-Match": '"4"'})
    assert back.status_code == 409 and back.json()["type"].endswith("/status-transition-not-allowed")


async def test_merge_patch_merges_removes_and_validates(gateway: httpx.AsyncClient) -> None:
    created = await create(gateway, description={"ca": "Descripció", "es": "Descripción"})
    url = f"{BASE}/{created.json()['id']}"
    merged = await gateway.patch(
        url, content=b'{"description": {"en": "Description", "es": null}}', headers={**MERGE, "If-Match": '"1"'}
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["description"] == {"ca": "Descripció", "en": "Description"}
    assert merged.json()["title"] == created.json()["title"]
    invalid = await gateway.patch(
        url, content=b'{"sdg_goals": [{"goal": "5", "share": "90"}]}', headers={**MERGE, "If-Match": '"2"'}
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "sdg_goals"
    read_only = await gateway.patch(url, content=b'{"owner": "amb"}', headers={**MERGE, "If-Match": '"2"'})
    assert read_only.status_code == 422 and read_only.json()["errors"][0]["field"] == "owner"
    assert (await gateway.get(url)).headers["etag"] == '"2"', "refused patches changed nothing"


async def test_if_match_protects_against_lost_updates(gateway: httpx.AsyncClient) -> None:
    created = await create(gateway, visibility="draft")  # a bare PUT would leave a published one incomplete
    url = f"{BASE}/{created.json()['id']}"
    body = {"title": {"ca": "Versió A"}}
    missing = await gateway.put(url, json=body)
    assert missing.status_code == 428
    first = await gateway.put(url, json=body, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = await gateway.put(url, json={"title": {"ca": "Versió B"}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    current = (await gateway.get(url)).json()
    assert current["title"] == {"ca": "Versió A"} and current["version"] == 2
    assert current["description"] == {}, "PUT replaces: fields left out are emptied"


async def test_idempotency_key_makes_a_retried_create_book_once(gateway: httpx.AsyncClient, tokens: Tokens) -> None:
    payload = project_payload()
    key = {"Idempotency-Key": f"create-{uuid.uuid4()}"}
    first = await gateway.post(BASE, json=payload, headers=key)
    again = await gateway.post(BASE, json=payload, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert (await gateway.get(BASE, params={"q": payload["code"]})).json()["total"] == 1
    other_body = await gateway.post(BASE, json={**payload, "code": payload["code"] + "X"}, headers=key)
    assert other_body.status_code == 422 and other_body.json()["type"].endswith("/idempotency-key-reused")
    async with httpx.AsyncClient(base_url=str(gateway.base_url), headers=tokens.headers("ajuntament")) as other:
        separate = await other.post(BASE, json=payload, headers=key)
    assert separate.status_code == 409, "keys are per client; this one is a new request (code taken)"


async def test_every_list_filter_includes_and_excludes(gateway: httpx.AsyncClient) -> None:
    tag = f"f{uuid.uuid4().hex[:10]}"
    a = (
        await create(
            gateway,
            tags=[tag],
            title={"ca": "Aigua potable", "pt": "Água potável"},
            status="2",
            partner_cities=[{"name": "Maputo", "country": "MZ"}],
            networks=["uclg"],
            sdg_goals=[{"goal": "6", "share": "100", "targets": ["6.1"]}],
            sectors=[{"code": "14030", "percentage": "100"}],
            dates={"planned_start": "2024-01-01", "planned_end": "2024-12-31"},
        )
    ).json()
    programme = (await create(gateway, owner="amb")).json()
    b = (
        await create(
            gateway,
            migration=True,
            tags=[tag],
            owner="amb",
            title={"es": "Construcción de paz"},
            status="3",
            partner_cities=[{"name": "Medellín", "country": "CO"}],
            networks=["cideu"],
            sdg_goals=[{"goal": "16", "share": "100", "targets": ["16.1"]}],
            sectors=[{"code": "15220", "percentage": "100"}],
            parent_id=programme["id"],
            dates={"planned_start": "2021-01-01", "planned_end": "2022-12-31"},
        )
    ).json()
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"owner": "ajuntament-barcelona"}, {"owner": "amb"}),
        ({"status": "2"}, {"status": "3"}),
        ({"city": "maputo"}, {"city": "MEDELLIN"}),
        ({"country": "MZ"}, {"country": "CO"}),
        ({"sdg_goal": "6"}, {"sdg_goal": "16"}),
        ({"sdg_target": "6.1"}, {"sdg_target": "16.1"}),
        ({"sector": "14030"}, {"sector": "15220"}),
        ({"network": "uclg"}, {"network": "cideu"}),
        ({"year": 2024}, {"year": 2022}),
        ({"q": "agua potavel"}, {"q": "construccion"}),
        ({"parent_id": a["parent_id"] or str(uuid.uuid4())}, {"parent_id": programme["id"]}),
    ]
    for only_a, only_b in cases:
        for params, present, absent in ((only_a, a, b), (only_b, b, a)):
            if params.get("parent_id") and present is a:
                continue  # a has no parent
            found = {p["id"] for p in (await gateway.get(BASE, params={"q": tag, **params})).json()["items"]}
            if "q" in params:
                found = {p["id"] for p in (await gateway.get(BASE, params=params)).json()["items"]}
            assert present["id"] in found, params
            assert absent["id"] not in found, params
    both = (await gateway.get(BASE, params={"q": tag, "sort": "-code"})).json()
    assert [p["code"] for p in both["items"]] == sorted([a["code"], b["code"]], reverse=True)


async def test_history_keeps_every_version_and_the_original_target(gateway: httpx.AsyncClient) -> None:
    created = (await gateway.post(BASE, json=rich_project_payload())).json()
    url = f"{BASE}/{created['id']}"
    await gateway.patch(
        url, content=b'{"title": {"ca": "Aigua a Maputo (fase 2)"}}', headers={**MERGE, "If-Match": '"1"'}
    )
    results = created["results"]
    results[0]["indicators"][0]["periods"][0]["target"] = "2500"
    revised = await gateway.put(f"{url}/results", json={"results": results}, headers={"If-Match": '"2"'})
    assert revised.status_code == 200, revised.text
    history = (await gateway.get(f"{url}/history")).json()["items"]
    assert [(h["version"], h["event_type"]) for h in history] == [
        (1, "project.registered"),
        (2, "project.updated"),
        (3, "project.results-changed"),
    ]
    assert history[1]["changes"] == [
        {"path": "title.ca", "before": "Aigua a Maputo", "after": "Aigua a Maputo (fase 2)"}
    ]
    target = next(c for c in history[2]["changes"] if c["path"].endswith("periods.0.target"))
    assert (target["before"], target["after"]) == ("2000", "2500")
    assert history[2]["client_id"] and history[2]["tenant"] == "xarxa"


async def test_accept_language_chooses_with_fallback_and_keeps_all_texts(gateway: httpx.AsyncClient) -> None:
    created = (await gateway.post(BASE, json=rich_project_payload())).json()
    url = f"{BASE}/{created['id']}"
    spanish = await gateway.get(url, headers={"Accept-Language": "es-ES, en;q=0.5"})
    assert spanish.json()["localized"] == {
        "language": "es",
        "title": "Agua en Maputo",
        "description": None,
        "objectives": None,
    }
    assert spanish.headers["content-language"] == "es"
    assert set(spanish.json()["title"]) == {"ca", "es", "en", "pt"}
    portuguese = await gateway.get(url, headers={"Accept-Language": "pt"})
    assert portuguese.json()["localized"]["title"] == "Água em Maputo"
    fallback = await gateway.get(url, headers={"Accept-Language": "de, fr;q=0.8"})
    assert fallback.json()["localized"]["language"] == "ca"
    english_only = (await gateway.post(BASE, json=project_payload(title={"en": "Only English"}))).json()
    assert english_only["localized"]["language"] == "en"


async def test_archived_projects_leave_lists_and_cannot_change(gateway: httpx.AsyncClient) -> None:
    tag = f"a{uuid.uuid4().hex[:10]}"
    created = await create(gateway, tags=[tag])
    url = f"{BASE}/{created.json()['id']}"
    archived = await gateway.post(f"{url}/archive", headers={"If-Match": '"1"'})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert (await gateway.get(BASE, params={"q": tag})).json()["total"] == 0
    assert (await gateway.get(BASE, params={"q": tag, "include_archived": "true"})).json()["total"] == 1
    edit = await gateway.put(url, json={"title": {"ca": "x"}}, headers={"If-Match": '"2"'})
    assert edit.status_code == 409 and edit.json()["type"].endswith("/project-archived")


async def test_programmes_hold_projects_without_cycles(gateway: httpx.AsyncClient) -> None:
    programme = (await create(gateway, owner="amb", title={"ca": "Línia metropolitana d'aigua"})).json()
    child = (await create(gateway, owner="amb", parent_id=programme["id"])).json()
    assert child["parent_id"] == programme["id"]
    listed = (await gateway.get(BASE, params={"parent_id": programme["id"]})).json()
    assert [p["id"] for p in listed["items"]] == [child["id"]]
    cycle = await gateway.patch(
        f"{BASE}/{programme['id']}",
        content=f'{{"parent_id": "{child["id"]}"}}'.encode(),
        headers={**MERGE, "If-Match": '"1"'},
    )
    assert cycle.status_code == 422 and cycle.json()["errors"][0]["field"] == "parent_id"
    nowhere = await gateway.post(BASE, json=project_payload(parent_id=str(uuid.uuid4())))
    assert nowhere.status_code == 422


async def test_a_locked_period_keeps_its_actual(gateway: httpx.AsyncClient) -> None:
    payload = rich_project_payload()
    payload["results"][0]["indicators"][0]["periods"][0]["locked"] = True
    created = (await gateway.post(BASE, json=payload)).json()
    results = created["results"]
    results[0]["indicators"][0]["periods"][0]["actual"] = "1900"
    refused = await gateway.put(
        f"{BASE}/{created['id']}/results", json={"results": results}, headers={"If-Match": '"1"'}
    )
    assert refused.status_code == 409
    results[0]["indicators"][0]["periods"][0]["actual"] = "1850"
    results[0]["indicators"][0]["periods"][0]["target"] = "2100"
    allowed = await gateway.put(
        f"{BASE}/{created['id']}/results", json={"results": results}, headers={"If-Match": '"1"'}
    )
    assert allowed.status_code == 200


async def test_codelists_and_networks_are_served_with_labels(anonymous: httpx.AsyncClient) -> None:
    goals = (await anonymous.get("/api/projects/codelists/sdg-goals", params={"lang": "ca"})).json()
    gender = next(i for i in goals["items"] if i["code"] == "5")
    assert gender["name"] == "Igualtat de Gènere" and gender["names"]["es"] == "Igualdad de Género"
    sectors = (await anonymous.get("/api/projects/codelists/Sector")).json()
    assert len(sectors["items"]) > 250 and "IATI" in sectors["source"]
    index = (await anonymous.get("/api/projects/codelists")).json()
    assert {"Country", "sdg-targets", "modalities", "institutions"} <= {i["name"] for i in index["items"]}
    assert (await anonymous.get("/api/projects/codelists/Nope")).status_code == 404
    networks = (await anonymous.get("/api/projects/networks")).json()["items"]
    assert {"uclg", "medcities", "cideu", "educating-cities", "metropolis", "ema"} <= {n["code"] for n in networks}


async def test_concurrent_creates_of_one_code_give_one_project_and_conflicts(gateway: httpx.AsyncClient) -> None:
    """Found by the benchmark: the code check and the insert race; the loser gets 409, never a 500."""
    code = f"RACE-{uuid.uuid4().hex[:8]}"
    responses = await asyncio.gather(
        *(gateway.post("/api/projects/projects", json=project_payload(code=code)) for _ in range(6))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in responses if r.status_code != 201]
