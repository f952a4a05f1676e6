"""The lifecycle: a project starts in pipeline or implementation, later statuses come through
/status or an admin's recorded migration; an archived project is read-only everywhere (edits,
status, results, publishing, partner pushes, approving pending updates) and leaves public lists."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.support.auth import Tokens
from tests.support.projects import project_payload, rich_project_payload
from tests.support.stack import Stack

BASE = "/api/projects/projects"


def client(stack: Stack, tokens: Tokens | None, name: str | None) -> httpx.AsyncClient:
    headers = tokens.headers(name) if tokens and name else {}
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers)


def code() -> str:
    return f"LIFE-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("status", ["3", "4", "5", "6"])
async def test_a_create_in_a_later_status_is_refused_naming_the_field(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, status: str
) -> None:
    payload = project_payload(code=code(), status=status, dates={"actual_start": "2024-01-01"})
    for caller in ("ajuntament", "admin"):  # an admin too, unless it says it migrates
        async with client(stack, tokens, caller) as writer:
            refused = await writer.post(BASE, json=payload)
        assert refused.status_code == 422, refused.text
        problem = refused.json()
        assert problem["type"].endswith("/status-not-initial")
        assert problem["errors"][0]["field"] == "status" and problem["errors"][0]["value"] == status
    assert (await gateway.get(BASE, params={"q": payload["code"]})).json()["total"] == 0


@pytest.mark.parametrize("status", ["1", "2"])
async def test_a_create_in_an_initial_status_is_accepted(stack: Stack, tokens: Tokens, status: str) -> None:
    async with client(stack, tokens, "ajuntament") as owner:
        created = await owner.post(BASE, json=project_payload(code=code(), status=status))
    assert created.status_code == 201 and created.json()["status"] == status


async def test_only_an_admin_migrates_and_the_history_says_so(stack: Stack, tokens: Tokens) -> None:
    payload = project_payload(code=code(), status="4", dates={"actual_start": "2019-01-01", "actual_end": "2020-12-31"})
    async with client(stack, tokens, "ajuntament") as owner:
        refused = await owner.post(BASE, json=payload, params={"migration": "true"})
    assert refused.status_code == 403 and refused.json()["type"].endswith("/migration-needs-admin")
    async with client(stack, tokens, "admin") as admin:
        migrated = await admin.post(BASE, json=payload, params={"migration": "true"})
        assert migrated.status_code == 201, migrated.text
        assert migrated.json()["status"] == "4"
        url = f"{BASE}/{migrated.json()['id']}"
        edited = await admin.patch(
            url,
            content=b'{"tags": ["migrat"]}',
            headers={"If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
        )
        assert edited.status_code == 200
        history = (await admin.get(f"{url}/history")).json()["items"]
    assert [(h["version"], h["migrated"]) for h in history] == [(1, True), (2, False)]
    assert history[0]["client_id"] == tokens.credentials["admin"].client_id and history[0]["tenant"] == "xarxa"
    async with client(stack, tokens, None) as anonymous:  # who migrated is not public
        public = (await anonymous.get(f"{url}/history")).json()["items"]
    assert public and all("migrated" not in h and "client_id" not in h for h in public)


async def archived_with_a_pending_update(stack: Stack, tokens: Tokens) -> dict[str, Any]:
    """A published Ajuntament project with an open period, Maputo's pending update, then archived."""
    payload = rich_project_payload(code=code())
    indicator = payload["results"][0]["indicators"][0]
    indicator["disaggregations"] = []
    indicator["periods"] = [{"start": "2025-01-01", "end": "2025-12-31", "target": "2500"}]
    async with client(stack, tokens, "ajuntament") as owner, client(stack, tokens, "maputo") as partner:
        created = (await owner.post(BASE, json=payload)).json()
        url = f"{BASE}/{created['id']}"
        actual = {
            "indicator_id": created["results"][0]["indicators"][0]["id"],
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "value": "2100",
        }
        update = {"narrative": {"pt": "Progresso"}, "actuals": [actual]}
        pushed = await partner.post(f"{url}/updates", json=update, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert pushed.status_code == 201, pushed.text
        archived = await owner.post(f"{url}/archive", headers={"If-Match": '"1"'})
        assert archived.status_code == 200, archived.text
    return {"project": created, "url": url, "update": pushed.json(), "content": update}


async def test_an_archived_project_is_read_only_everywhere(stack: Stack, tokens: Tokens) -> None:
    world = await archived_with_a_pending_update(stack, tokens)
    url, results = world["url"], world["project"]["results"]
    merge = {"If-Match": '"2"', "Content-Type": "application/merge-patch+json"}
    async with client(stack, tokens, "ajuntament") as owner:
        attempts = {
            "replace": await owner.put(url, json={"title": {"ca": "x"}}, headers={"If-Match": '"2"'}),
            "patch": await owner.patch(url, content=b'{"tags": ["x"]}', headers=merge),
            "status": await owner.post(f"{url}/status", json={"status": "3"}, headers={"If-Match": '"2"'}),
            "results": await owner.put(f"{url}/results", json={"results": results}, headers={"If-Match": '"2"'}),
            "publish": await owner.post(f"{url}/publish", headers={"If-Match": '"2"'}),
            "archive": await owner.post(f"{url}/archive", headers={"If-Match": '"2"'}),
            "approve": await owner.post(
                f"/api/projects/updates/{world['update']['id']}/review", json={"decision": "approve"}
            ),
        }
        for name, response in attempts.items():
            assert response.status_code == 409, (name, response.text)
            assert response.json()["type"].endswith("/project-archived"), (name, response.text)
            assert "archived" in response.json()["detail"], name
        update = (await owner.get(f"/api/projects/updates/{world['update']['id']}")).json()
        assert update["status"] == "submitted"
        stored = (await owner.get(url)).json()
    assert stored["version"] == 2 and stored["results"][0]["indicators"][0]["periods"][0]["actual"] is None

    async with client(stack, tokens, "maputo") as partner:
        push = await partner.post(
            f"{url}/updates", json=world["content"], headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert push.status_code == 409 and push.json()["type"].endswith("/project-archived")
        batch = await partner.post(
            "/api/projects/updates/batch",
            json={"items": [{"project_id": world["project"]["id"], "update": world["content"]}]},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        item = batch.json()["items"][0]
        assert item["status"] == 409 and item["problem"]["type"] == "project-archived"


async def test_an_archived_project_leaves_every_public_list(stack: Stack, tokens: Tokens) -> None:
    tag = f"arch{uuid.uuid4().hex[:8]}"
    async with client(stack, tokens, "ajuntament") as owner:
        created = (await owner.post(BASE, json=project_payload(code=code(), tags=[tag]))).json()
        archived = await owner.post(f"{BASE}/{created['id']}/archive", headers={"If-Match": '"1"'})
        assert archived.status_code == 200

    async def listed(name: str | None, **params: str) -> bool:
        async with client(stack, tokens, name) as caller:
            response = await caller.get(BASE, params={"q": tag, **params})
        assert response.status_code == 200, response.text
        return created["id"] in {p["id"] for p in response.json()["items"]}

    for name in (None, "amb", "noscope", "maputo"):  # the public, other tenants, no read scope
        assert not await listed(name)
        assert not await listed(name, include_archived="true"), name
    assert not await listed("ajuntament")
    assert await listed("ajuntament", include_archived="true")  # its owner still finds it on request
    assert await listed("admin", include_archived="true")
