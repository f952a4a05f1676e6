"""Partner updates: idempotent push, partners only, locked periods, review with return and resubmit,
approved actuals reaching the results report, and a batch with one bad item."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.support.auth import Tokens
from tests.support.projects import rich_project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually


def client(stack: Stack, tokens: Tokens, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers(name))


async def framework(owner: httpx.AsyncClient, with_partner: bool = True) -> tuple[dict[str, Any], str]:
    """A published project of the Ajuntament with an open 2025 period and a locked 2024 one."""
    payload = rich_project_payload(code=f"UPD-{uuid.uuid4().hex[:8]}")
    if not with_partner:
        payload["participating_orgs"] = payload["participating_orgs"][:1]
    indicator = payload["results"][0]["indicators"][0]
    indicator["disaggregations"] = []
    indicator["periods"] = [
        {"start": "2024-01-01", "end": "2024-12-31", "target": "2000", "actual": "1850", "locked": True},
        {"start": "2025-01-01", "end": "2025-12-31", "target": "2500"},
    ]
    created = await owner.post("/api/projects/projects", json=payload)
    assert created.status_code == 201, created.text
    project = created.json()
    return project, project["results"][0]["indicators"][0]["id"]


def content(indicator_id: str, value: str = "2100", year: int = 2025) -> dict[str, Any]:
    return {
        "narrative": {"pt": "Ligações concluídas no bairro de Chamanculo", "ca": "Connexions acabades"},
        "actuals": [
            {
                "indicator_id": indicator_id,
                "period_start": f"{year}-01-01",
                "period_end": f"{year}-12-31",
                "value": value,
            }
        ],
        "spending": [
            {"amount": "150000.00", "currency": "MZN", "period_start": "2025-01-01", "period_end": "2025-06-30"}
        ],
        "links": [{"url": "https://example.org/fotos/chamanculo.jpg", "title": "Chamanculo", "kind": "photo"}],
    }


async def test_push_review_resubmit_and_approve(stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient) -> None:
    async with client(stack, tokens, "ajuntament") as owner, client(stack, tokens, "maputo") as partner:
        project, indicator = await framework(owner)
        url = f"/api/projects/projects/{project['id']}/updates"
        body = content(indicator)
        assert (await partner.post(url, json=body)).status_code == 428  # no Idempotency-Key
        key = {"Idempotency-Key": f"upd-{uuid.uuid4().hex}"}
        first = await partner.post(url, json=body, headers=key)
        assert first.status_code == 201, first.text
        receipt = first.json()
        assert receipt["status"] == "submitted" and receipt["partner"] == "MZ-CMM" and receipt["validation"]
        again = await partner.post(url, json=body, headers=key)
        assert again.json()["id"] == receipt["id"]  # the retry returns the first receipt

        locked = await partner.post(
            url, json=content(indicator, year=2024), headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert locked.status_code == 422 and locked.json()["errors"][0]["field"] == "actuals.0"

        stranger, _ = await framework(owner, with_partner=False)
        refused = await partner.post(
            f"/api/projects/projects/{stranger['id']}/updates", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert refused.status_code == 404  # as for a random id: pushes do not reveal which projects exist
        mine = (await partner.get("/api/projects/updates", params={"project_id": stranger["id"]})).json()["items"]
        assert mine == []  # nothing was stored

        path = f"/api/projects/updates/{receipt['id']}"
        async with client(stack, tokens, "amb") as other:
            assert (await other.post(f"{path}/review", json={"decision": "approve"})).status_code == 404
        assert (await owner.post(f"{path}/review", json={"decision": "return"})).status_code == 422  # no comments
        returned = await owner.post(f"{path}/review", json={"decision": "return", "comments": "Add the photos' dates"})
        assert returned.json()["status"] == "returned"
        assert (await partner.get(path)).json()["status"] == "returned"  # the partner polls its receipt
        resubmitted = await partner.put(path, json=content(indicator, value="2150"))
        assert resubmitted.json()["status"] == "submitted" and resubmitted.json()["version"] == 3
        approved = (await owner.post(f"{path}/review", json={"decision": "approve"})).json()
        assert approved["status"] == "approved"
        assert [step["action"] for step in approved["log"]] == ["submitted", "returned", "resubmitted", "approved"]

        stored = (await owner.get(f"/api/projects/projects/{project['id']}")).json()
        periods = stored["results"][0]["indicators"][0]["periods"]
        assert [p["actual"] for p in periods] == ["1850", "2150"]  # the locked one kept its actual

    async def reported() -> dict[str, Any] | None:
        report = (await gateway.get("/api/reporting/results", params={"institution": "ajuntament-barcelona"})).json()
        row = next((p for p in report["projects"] if p["project_id"] == project["id"]), None)
        if row is None:
            return None
        period = row["indicators"][0]["periods"][1]
        return period if period["actual"] == "2150" else None

    period = await eventually(reported, what="the approved actual in the results report")
    assert period["achievement_percent"] == "86.00"


async def test_a_batch_with_one_bad_item(stack: Stack, tokens: Tokens) -> None:
    async with client(stack, tokens, "ajuntament") as owner, client(stack, tokens, "maputo") as partner:
        a, ind_a = await framework(owner)
        b, ind_b = await framework(owner)
        batch = {
            "items": [
                {"project_id": a["id"], "update": content(ind_a)},
                {"project_id": b["id"], "update": content(ind_b, year=2024)},  # locked period
                {"project_id": b["id"], "update": content(ind_b)},
            ]
        }
        key = {"Idempotency-Key": uuid.uuid4().hex}
        report = (await partner.post("/api/projects/updates/batch", json=batch, headers=key)).json()
        assert (report["accepted"], report["refused"]) == (2, 1)
        assert [i["status"] for i in report["items"]] == [201, 422, 201]
        assert report["items"][1]["problem"]["errors"][0]["field"] == "actuals.0"
        again = (await partner.post("/api/projects/updates/batch", json=batch, headers=key)).json()
        assert again == report
        listed = (await partner.get("/api/projects/updates", params={"project_id": b["id"]})).json()["items"]
        assert len(listed) == 1
