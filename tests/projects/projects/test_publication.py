"""Figures people can trust, registry side: every status and visibility a project is born with is
announced, a published project has what an IATI activity needs, codes are one whatever their case,
a filter on a code that does not exist is named, 428s name their header, updates report something."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson
import pytest

from shared.kafka import PROJECTS_TOPIC
from tests.support.auth import Tokens
from tests.support.kafka import read_all
from tests.support.projects import project_payload, rich_project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually

BASE = "/api/projects/projects"
ALL_GAPS = {"description", "dates.planned_start", "recipient_countries", "sectors", "participating_orgs"}
BARE: dict[str, Any] = {
    "description": {},
    "dates": {},
    "recipient_countries": [],
    "sectors": [],
    "participating_orgs": [],
}


def client(stack: Stack, tokens: Tokens, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers(name))


def code(prefix: str = "PUB") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def without(**holes: Any) -> dict[str, Any]:
    """A complete published payload with holes punched after project_payload filled it."""
    return {**project_payload(code=code()), **holes}


def fields(response: httpx.Response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


async def test_a_project_born_published_or_migrated_announces_it(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    published = (await gateway.post(BASE, json=project_payload(code=code()))).json()
    draft = (await gateway.post(BASE, json=project_payload(code=code(), visibility="draft"))).json()
    async with client(stack, tokens, "admin") as admin:
        payload = project_payload(
            code=code(), status="4", dates={"actual_start": "2019-01-01", "actual_end": "2020-12-31"}
        )
        migrated = await admin.post(BASE, json=payload, params={"migration": "true"})
    assert migrated.status_code == 201, migrated.text
    expected = {
        published["id"]: ["project.registered", "project.published"],
        draft["id"]: ["project.registered"],
        migrated.json()["id"]: ["project.registered", "project.status-changed", "project.published"],
    }

    async def announced() -> dict[str, list[dict[str, Any]]] | None:
        records = await read_all(stack.infra.bootstrap, PROJECTS_TOPIC, expect=1, timeout=15)
        found: dict[str, list[dict[str, Any]]] = {key: [] for key in expected}
        for record in records:
            if record.key and record.key.decode() in found:
                found[record.key.decode()].append(orjson.loads(record.value))
        return found if all(len(found[k]) == len(v) for k, v in expected.items()) else None

    events = await eventually(announced, what="the projects' events")
    for project_id, types in expected.items():
        assert [e["type"] for e in events[project_id]] == types
        # One version, one state: consumers that apply newer versions only see nothing new.
        assert {e["data"]["version"] for e in events[project_id]} == {1}
        assert len({orjson.dumps(e["data"]) for e in events[project_id]}) == 1
    assert events[migrated.json()["id"]][1]["data"]["status"] == "4"
    # The history keeps one version per change: the announcements are not versions of their own.
    history = (await gateway.get(f"{BASE}/{published['id']}/history")).json()["items"]
    assert [h["event_type"] for h in history] == ["project.registered"]


async def test_publishing_needs_what_an_iati_activity_needs(gateway: httpx.AsyncClient) -> None:
    refused = await gateway.post(BASE, json=without(**BARE))
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/incomplete-for-publication")
    assert fields(refused) == ALL_GAPS
    for gap, hole in (
        ("description", {"description": {}}),
        ("dates.planned_start", {"dates": {"planned_end": "2026-12-31"}}),
        ("recipient_countries", {"recipient_countries": []}),
        ("sectors", {"sectors": []}),
        ("participating_orgs", {"participating_orgs": []}),
    ):
        one = await gateway.post(BASE, json=without(**hole))
        assert one.status_code == 422 and fields(one) == {gap}, (gap, one.text)
    # A recipient region stands for a country; a draft may lack everything.
    regional = project_payload(
        code=code(), recipient_countries=[], recipient_regions=[{"code": "998", "percentage": "100"}]
    )
    assert (await gateway.post(BASE, json=regional)).status_code == 201
    draft = await gateway.post(BASE, json=without(visibility="draft", **BARE))
    assert draft.status_code == 201, draft.text
    url = f"{BASE}/{draft.json()['id']}"
    # The check names the same gaps before anyone presses publish, in the reader's language.
    check = await gateway.get(f"{url}/publication-check", headers={"Accept-Language": "pt"})
    assert check.status_code == 200, check.text
    assert (check.json()["publishable"], check.json()["visibility"]) == (False, "draft")
    assert {g["field"] for g in check.json()["missing"]} == ALL_GAPS
    assert "Necessário para publicar: pelo menos um setor (código de finalidade CAD da OCDE)" in {
        g["message"] for g in check.json()["missing"]
    }
    refused = await gateway.post(f"{url}/publish", headers={"If-Match": draft.headers["etag"]})
    assert refused.status_code == 422 and fields(refused) == ALL_GAPS, refused.text
    assert all(e["code"].startswith("publish_needs_") for e in refused.json()["errors"])
    complete = {k: v for k, v in project_payload().items() if k in BARE}
    filled = await gateway.patch(
        url,
        content=orjson.dumps(complete),
        headers={"If-Match": draft.headers["etag"], "Content-Type": "application/merge-patch+json"},
    )
    assert filled.status_code == 200, filled.text
    ready = (await gateway.get(f"{url}/publication-check")).json()
    assert (ready["publishable"], ready["missing"]) == (True, [])
    assert (await gateway.get(f"{url}/publication-check")).headers.get("etag") is None  # a preview, not the project
    published = await gateway.post(f"{url}/publish", headers={"If-Match": filled.headers["etag"]})
    assert published.status_code == 200 and published.json()["visibility"] == "published"
    # Published, it stays complete: an edit that empties a required part is refused.
    emptied = await gateway.patch(
        url,
        content=orjson.dumps({"sectors": [], "description": None}),  # null removes a member
        headers={"If-Match": published.headers["etag"], "Content-Type": "application/merge-patch+json"},
    )
    assert emptied.status_code == 422 and fields(emptied) == {"sectors", "description"}, emptied.text


async def test_codes_are_unique_per_owner_whatever_their_case(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient
) -> None:
    first = code("Case")
    assert (await gateway.post(BASE, json=project_payload(code=first))).status_code == 201
    for variant in (first.lower(), first.upper(), first.swapcase()):
        taken = await gateway.post(BASE, json=project_payload(code=variant))
        assert taken.status_code == 409, taken.text
        assert taken.json()["type"].endswith("/project-code-taken")
        assert taken.json()["errors"] == [
            {
                "field": "code",
                "code": "project-code-taken",
                "message": "already used by this owner (case ignored)",
                "value": variant,
            }
        ]
    async with client(stack, tokens, "amb") as amb:  # another owner may use it
        assert (await amb.post(BASE, json=project_payload(owner="amb", code=first.lower()))).status_code == 201


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("owner", "nobody"),
        ("owner", "AJUNTAMENT-BARCELONA"),
        ("status", "9"),
        ("country", "XX"),
        ("sdg_goal", "99"),
        ("sdg_goal", "0"),
        ("sdg_target", "6.99"),
        ("sector", "99999"),
        ("network", "no-such-network"),
    ],
)
async def test_a_filter_on_a_code_that_does_not_exist_is_named(
    anonymous: httpx.AsyncClient, name: str, value: str
) -> None:
    response = await anonymous.get(BASE, params={name: value})
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("/unknown-filter-value")
    [error] = response.json()["errors"]
    assert error["code"] in {"not_in_codelist", "unknown_network"}
    assert (error["field"], error["in"], error["value"]) == (name, "query", value)


async def test_known_filter_values_still_answer(anonymous: httpx.AsyncClient) -> None:
    params = {"owner": "ajuntament-barcelona", "status": "2", "country": "MZ", "sdg_goal": "6", "sector": "14030"}
    assert (await anonymous.get(BASE, params=params)).status_code == 200
    assert (await anonymous.get(BASE, params={"network": "uclg"})).status_code == 200


async def test_428s_name_the_header_they_want(stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient) -> None:
    project = (await gateway.post(BASE, json=rich_project_payload(code=code()))).json()
    unconditional = await gateway.patch(
        f"{BASE}/{project['id']}", content=b'{"tags": []}', headers={"Content-Type": "application/merge-patch+json"}
    )
    assert unconditional.status_code == 428 and unconditional.json()["title"] == "If-Match header required"
    async with client(stack, tokens, "maputo") as partner:
        keyless = await partner.post(f"{BASE}/{project['id']}/updates", json={"narrative": {"ca": "Fet"}})
    assert keyless.status_code == 428 and keyless.json()["title"] == "Idempotency-Key header required", keyless.text


@pytest.mark.parametrize(
    "empty",
    [
        {},
        {"narrative": {}, "actuals": [], "spending": []},
        {"narrative": {"ca": "   "}},
        {"links": [{"url": "https://example.org/photo.jpg", "title": "Foto", "kind": "photo"}]},
    ],
)
async def test_an_update_that_reports_nothing_is_refused(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, empty: dict[str, Any]
) -> None:
    project = (await gateway.post(BASE, json=rich_project_payload(code=code()))).json()
    async with client(stack, tokens, "maputo") as partner:
        url = f"{BASE}/{project['id']}/updates"
        refused = await partner.post(url, json=empty, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert refused.status_code == 422, refused.text
        assert fields(refused) == {"narrative", "actuals", "spending"}
        told = await partner.post(url, json={"narrative": {"ca": "Fet"}}, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert told.status_code == 201, told.text
