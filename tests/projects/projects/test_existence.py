"""A project the caller may not see and a project that does not exist get the very same answer on
every route that takes a project id: status, problem type, title and detail (with the id replaced),
field errors too. Pushes of partner updates (single and batch) and parent links included."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.stack import Stack

BASE = "/api/projects/projects"
MERGE = "application/merge-patch+json"


@dataclass
class Hidden:
    draft: str  # an Ajuntament draft without partners: only the Ajuntament and admins see it
    stranger: str  # a published Ajuntament project Maputo does not take part in
    published: str  # a published Ajuntament project (visible to all, another owner for AMB)


def client(stack: Stack, tokens: Tokens | None, name: str | None) -> httpx.AsyncClient:
    headers = tokens.headers(name) if tokens and name else {}
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers)


@pytest.fixture
async def hidden(stack: Stack, tokens: Tokens) -> Hidden:
    async with client(stack, tokens, "ajuntament") as owner:
        ids = []
        for visibility in ("draft", "published", "published"):
            created = await owner.post(
                BASE, json=project_payload(code=f"HID-{uuid.uuid4().hex[:8]}", visibility=visibility)
            )
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
    return Hidden(*ids)


def shape(response: httpx.Response, project_id: str) -> tuple[int, str, dict[str, Any]]:
    """What the caller learns: status, media type and the problem, with the id made generic."""
    body = {k: v for k, v in response.json().items() if k != "request_id"}
    return (
        response.status_code,
        response.headers["content-type"],
        json.loads(json.dumps(body, ensure_ascii=False).replace(project_id, "{id}")),
    )


# (route, method, path, request) for every route of the registry that takes a project id.
ROUTES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("read", "GET", "{id}", {}),
    ("history", "GET", "{id}/history", {}),
    ("replace", "PUT", "{id}", {"json": {"title": {"ca": "Nou"}}, "headers": {"If-Match": '"1"'}}),
    ("replace, stale If-Match", "PUT", "{id}", {"json": {"title": {"ca": "Nou"}}, "headers": {"If-Match": '"9"'}}),
    (
        "merge patch",
        "PATCH",
        "{id}",
        {"content": b'{"tags": ["x"]}', "headers": {"If-Match": '"1"', "Content-Type": MERGE}},
    ),
    ("status", "POST", "{id}/status", {"json": {"status": "2"}, "headers": {"If-Match": '"1"'}}),
    ("publish", "POST", "{id}/publish", {"headers": {"If-Match": '"1"'}}),
    ("archive", "POST", "{id}/archive", {"headers": {"If-Match": '"1"'}}),
    ("results", "PUT", "{id}/results", {"json": {"results": []}, "headers": {"If-Match": '"1"'}}),
]


async def same_answer(caller: httpx.AsyncClient, real: str, method: str, path: str, spec: dict[str, Any]) -> None:
    fake = str(uuid.uuid4())
    answers = []
    for project_id in (real, fake):
        response = await caller.request(method, f"{BASE}/{path.format(id=project_id)}", **spec)
        answers.append(shape(response, project_id))
    assert answers[0] == answers[1], (method, path, answers)
    assert answers[0][0] == 404, answers[0]
    assert answers[0][2]["type"].endswith("/project-not-found"), answers[0]


@pytest.mark.parametrize(("route", "method", "path", "spec"), ROUTES, ids=[r[0] for r in ROUTES])
async def test_another_institution_cannot_tell_a_draft_from_nothing(
    stack: Stack, tokens: Tokens, hidden: Hidden, route: str, method: str, path: str, spec: dict[str, Any]
) -> None:
    async with client(stack, tokens, "amb") as other:
        await same_answer(other, hidden.draft, method, path, spec)
    async with client(stack, tokens, "maputo") as partner:  # a partner organisation, of other projects
        if method == "GET":
            await same_answer(partner, hidden.draft, method, path, spec)


@pytest.mark.parametrize("path", ["{id}", "{id}/history"])
async def test_anonymous_callers_cannot_tell_a_draft_from_nothing(stack: Stack, hidden: Hidden, path: str) -> None:
    async with client(stack, None, None) as anonymous:
        await same_answer(anonymous, hidden.draft, "GET", path, {})


def push_spec() -> dict[str, Any]:
    return {"json": {"narrative": {"pt": "Progresso"}}, "headers": {"Idempotency-Key": uuid.uuid4().hex}}


@pytest.mark.parametrize("which", ["draft", "stranger"])
async def test_a_push_to_a_project_one_is_not_a_partner_of_is_answered_as_for_a_random_id(
    stack: Stack, tokens: Tokens, hidden: Hidden, which: str
) -> None:
    real = getattr(hidden, which)
    fake = str(uuid.uuid4())
    async with client(stack, tokens, "maputo") as partner:
        answers = []
        for project_id in (real, fake):
            response = await partner.post(f"{BASE}/{project_id}/updates", **push_spec())
            answers.append(shape(response, project_id))
        assert answers[0] == answers[1]
        assert answers[0][0] == 404 and answers[0][2]["type"].endswith("/project-not-found")
        # The same in a batch: the item's result says nothing more than for a random id.
        items = [{"project_id": p, "update": {"narrative": {"pt": "Lote"}}} for p in (real, fake)]
        batch = await partner.post(
            "/api/projects/updates/batch", json={"items": items}, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert batch.status_code == 201, batch.text
        results = batch.json()["items"]
        generic = [
            json.loads(json.dumps({k: v for k, v in r.items() if k != "index"}).replace(p, "{id}"))
            for r, p in zip(results, (real, fake), strict=True)
        ]
        assert generic[0] == generic[1] and results[0]["status"] == 404, results
        # Nothing was stored, and the listing of updates by project says nothing either.
        for project_id in (real, fake):
            listed = await partner.get("/api/projects/updates", params={"project_id": project_id})
            assert listed.status_code == 200 and listed.json()["items"] == []


async def test_a_parent_link_has_one_answer_for_missing_hidden_and_another_owners_projects(
    stack: Stack, tokens: Tokens, hidden: Hidden, gateway: httpx.AsyncClient
) -> None:
    fake = str(uuid.uuid4())

    def problem(response: httpx.Response, parent: str) -> tuple[int, str, dict[str, Any]]:
        status, media, body = shape(response, parent)
        body.pop("instance")
        for error in body.get("errors", []):
            error.pop("value", None)  # the id itself, echoed back
        return status, media, body

    async with client(stack, tokens, "amb") as amb:
        mine = (await amb.post(BASE, json=project_payload(owner="amb", code=f"PAR-{uuid.uuid4().hex[:8]}"))).json()
        created, patched = [], []
        # A hidden draft, a published project of another owner and nothing: the same 422.
        for parent in (hidden.draft, hidden.published, fake):
            response = await amb.post(
                BASE, json=project_payload(owner="amb", code=f"PAR-{uuid.uuid4().hex[:8]}", parent_id=parent)
            )
            created.append(problem(response, parent))
            response = await amb.patch(
                f"{BASE}/{mine['id']}",
                content=json.dumps({"parent_id": parent}).encode(),
                headers={"If-Match": '"1"', "Content-Type": MERGE},
            )
            patched.append(problem(response, parent))
        for answers in (created, patched):
            assert answers[0] == answers[1] == answers[2], answers
            status, _, body = answers[0]
            assert status == 422 and [e["field"] for e in body["errors"]] == ["parent_id"], body
            assert "another tenant" not in json.dumps(body)
    # An admin sees everything, and still cannot put a project under another owner's programme.
    other_owner = await gateway.post(
        BASE, json=project_payload(owner="amb", code=f"PAR-{uuid.uuid4().hex[:8]}", parent_id=hidden.draft)
    )
    assert problem(other_owner, hidden.draft) == created[0]
    # The owner links its own projects.
    async with client(stack, tokens, "ajuntament") as owner:
        child = await owner.post(BASE, json=project_payload(code=f"PAR-{uuid.uuid4().hex[:8]}", parent_id=hidden.draft))
        assert child.status_code == 201 and child.json()["parent_id"] == hidden.draft


async def test_a_write_to_a_project_one_sees_but_does_not_own_is_a_403(
    stack: Stack, tokens: Tokens, hidden: Hidden
) -> None:
    async with client(stack, tokens, "amb") as other:
        response = await other.put(
            f"{BASE}/{hidden.published}", json={"title": {"ca": "Nou"}}, headers={"If-Match": '"1"'}
        )
    assert response.status_code == 403 and response.json()["type"].endswith("/other-tenant")
