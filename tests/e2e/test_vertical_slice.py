"""Create a project through the gateway; it travels outbox -> Kafka -> consumers -> reports."""

from __future__ import annotations

import uuid

import httpx

from tests.support.projects import project_payload
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def test_project_created_through_gateway_reaches_reporting_and_funding(
    gateway: httpx.AsyncClient, stack: Stack
) -> None:
    created = await gateway.post("/api/projects/projects", json=project_payload(code="SLICE-1"))
    assert created.status_code == 201, created.text
    project = created.json()
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/api/projects/projects/{project['id']}"
    assert created.headers["x-request-id"]

    read = await gateway.get(f"/api/projects/projects/{project['id']}")
    assert read.status_code == 200
    assert read.json() == project

    async def in_reporting() -> dict[str, object] | None:
        response = await gateway.get(f"/api/reporting/projects/{project['id']}")
        return response.json() if response.status_code == 200 else None

    reported = await eventually(in_reporting, what="project in the reporting read model")
    assert reported["code"] == "SLICE-1"
    assert reported["version"] == 1
    assert reported["sdg_goals"] == [
        {"goal": "6", "share": "60", "targets": []},
        {"goal": "11", "share": "40", "targets": []},
    ]

    async def in_funding() -> dict[str, object] | None:
        response = await gateway.get(f"/api/funding/project-refs/{project['id']}")
        return response.json() if response.status_code == 200 else None

    reference = await eventually(in_funding, what="project in the funding service's reference")
    assert reference["owner"] == "ajuntament-barcelona"
    assert reference["status"] == "2"

    overview = (await gateway.get("/api/reporting/portfolio")).json()
    assert overview["projects"] >= 1
    assert overview["by_sdg_goal"]["6"] >= 1
    assert overview["freshness"]["last_event_time"] is not None


async def test_draft_is_not_in_the_published_reports(gateway: httpx.AsyncClient, stack: Stack) -> None:
    draft = (await gateway.post("/api/projects/projects", json=project_payload(visibility="draft"))).json()
    published = (await gateway.post("/api/projects/projects", json=project_payload())).json()

    async def published_seen() -> bool:
        return (await gateway.get(f"/api/reporting/projects/{published['id']}")).status_code == 200

    await eventually(published_seen, what="published project in reporting")
    # Events are ordered per key only; the draft's event was written first and is applied by now
    # or shortly after. Either way it must never be served as published.
    missing = await gateway.get(f"/api/reporting/projects/{draft['id']}")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")

    async def listed(project_id: str) -> list[str]:  # the list, narrowed: the suite's list is pages long
        page = (await gateway.get("/api/reporting/projects", params={"id": project_id})).json()
        return [p["id"] for p in page["items"]]

    assert await listed(published["id"]) == [published["id"]]
    assert await listed(draft["id"]) == []


async def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(gateway: httpx.AsyncClient) -> None:
    word = f"refused{uuid.uuid4().hex[:10]}"  # the refused project's own word, to look it up by
    title = {"ca": f"Projecte {word}"}
    response = await gateway.post(
        "/api/projects/projects",
        json=project_payload(title=title, sdg_goals=[{"goal": "5", "share": "70"}], unknown_field=1),
    )
    assert response.status_code == 422
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["type"].endswith("/validation-error")
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"sdg_goals", "unknown_field"}

    async def found() -> list[str]:
        page = (await gateway.get("/api/projects/projects", params={"q": word})).json()
        return [p["id"] for p in page["items"]]

    assert await found() == []
    # The same search finds the project once it is valid: the empty answer above means nothing written.
    accepted = await gateway.post("/api/projects/projects", json=project_payload(title=title))
    assert accepted.status_code == 201, accepted.text
    assert await found() == [accepted.json()["id"]]


async def test_duplicate_code_for_same_owner_is_a_conflict(gateway: httpx.AsyncClient) -> None:
    body = project_payload(code="DUP-1")
    assert (await gateway.post("/api/projects/projects", json=body)).status_code == 201
    again = await gateway.post("/api/projects/projects", json=body)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/project-code-taken")
    other_owner = await gateway.post("/api/projects/projects", json={**body, "owner": "amb"})
    assert other_owner.status_code == 201


async def test_list_pages_with_a_cursor(gateway: httpx.AsyncClient) -> None:
    for _ in range(3):
        await gateway.post("/api/projects/projects", json=project_payload(tags=["pager-test"]))
    first = (await gateway.get("/api/projects/projects", params={"q": "pager-test", "limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert first["total"] == 3
    second = (
        await gateway.get(
            "/api/projects/projects", params={"q": "pager-test", "limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {p["id"] for p in first["items"]}.isdisjoint({p["id"] for p in second["items"]})
    bad = await gateway.get("/api/projects/projects", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422
