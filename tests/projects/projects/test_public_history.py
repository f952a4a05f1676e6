"""The history of a project: its owner and admins see every version and who made it; anyone else
the published versions only, in the public fields of the project's public read, and nobody's ids."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.projects.projects.history import PUBLIC_FIELDS, diff, public_versions, replay
from tests.support.auth import Tokens
from tests.support.projects import rich_project_payload
from tests.support.stack import Stack

BASE = "/api/projects/projects"
MERGE = "application/merge-patch+json"
WHO = {"client_id", "tenant", "request_id", "migrated"}


# --- Replaying the stored diffs (no servers) ------------------------------------------------------

STATES: list[dict[str, Any]] = [
    {"title": {"ca": "A"}, "tags": ["x"], "visibility": "draft", "results": []},
    {
        "title": {"ca": "B", "en": "B"},
        "tags": ["x", "y"],
        "visibility": "draft",
        "results": [{"id": "r", "indicators": [{"periods": [{"target": "1"}]}]}],
        "dates": {"planned_start": "2024-01-01"},
    },
    {
        "title": {"en": "B"},
        "tags": ["z", "y"],
        "visibility": "published",
        "results": [{"id": "r", "indicators": [{"periods": [{"target": "2"}, {"target": None}]}]}],
        "dates": {},
        "status_reason": "why",
    },
    {"title": {"en": "C"}, "tags": [], "visibility": "published", "results": [], "dates": None},
]


def test_replaying_each_versions_diff_rebuilds_each_state() -> None:
    state: dict[str, Any] = {}
    previous: dict[str, Any] = {}
    for expected in STATES:
        state = replay(state, diff(previous, expected))
        assert diff(state, expected) == [], (state, expected)
        previous = expected


@dataclass
class Row:
    version: int
    event_type: str
    changes: list[dict[str, Any]]


def test_public_versions_start_at_publication_and_keep_only_public_fields() -> None:
    states = [
        {"title": {"ca": "Secret"}, "visibility": "draft", "internal": "x"},
        {"title": {"ca": "Shown"}, "visibility": "published", "internal": "y"},
        {"title": {"ca": "Hidden again"}, "visibility": "draft", "internal": "z"},
        {"title": {"ca": "Shown again"}, "visibility": "published", "internal": "w"},
    ]
    rows: list[Row] = []
    previous: dict[str, Any] = {}
    for version, state in enumerate(states, start=1):
        rows.append(Row(version, "e", diff(previous, state)))
        previous = state
    public = public_versions(rows)
    assert [row.version for row, _ in public] == [2, 4]
    assert public[0][1] == [
        {"path": "title", "before": None, "after": {"ca": "Shown"}},
        {"path": "visibility", "before": None, "after": "published"},
    ]
    # Against the previous published state: the unpublished text in between never shows.
    assert public[1][1] == [{"path": "title.ca", "before": "Shown", "after": "Shown again"}]
    assert "internal" not in PUBLIC_FIELDS and "title" in PUBLIC_FIELDS


# --- Through the gateway ----------------------------------------------------------------------------


def client(stack: Stack, tokens: Tokens | None, name: str | None) -> httpx.AsyncClient:
    headers = tokens.headers(name) if tokens and name else {}
    return httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=headers)


@pytest.fixture
async def published_after_drafts(stack: Stack, tokens: Tokens) -> dict[str, Any]:
    """Drafted twice with text never published, published, then edited once in public."""
    payload = rich_project_payload(code=f"HIST-{uuid.uuid4().hex[:8]}", visibility="draft")
    payload["title"] = {"ca": "Títol d'esborrany secret"}
    payload["description"] = {"ca": "Nota interna que no es publica"}
    async with client(stack, tokens, "ajuntament") as owner:
        created = await owner.post(BASE, json=payload)
        assert created.status_code == 201, created.text
        url = f"{BASE}/{created.json()['id']}"
        drafted = await owner.patch(
            url,
            # The internal note gives way to a public description (a published project has one).
            content=json.dumps(
                {"title": {"ca": "Aigua a Maputo"}, "description": {"ca": "Aigua potable als barris de Maputo."}}
            ).encode(),
            headers={"If-Match": '"1"', "Content-Type": MERGE},
        )
        assert drafted.status_code == 200, drafted.text
        published = await owner.post(f"{url}/publish", headers={"If-Match": '"2"'})
        assert published.status_code == 200, published.text
        edited = await owner.patch(
            url, content=b'{"tags": ["aigua", "fase-2"]}', headers={"If-Match": '"3"', "Content-Type": MERGE}
        )
        assert edited.status_code == 200, edited.text
    return {"url": url, "at_publication": published.json()}


@pytest.mark.parametrize("who", [None, "amb", "maputo", "noscope"])
async def test_others_see_the_published_versions_in_the_public_fields_only(
    stack: Stack, tokens: Tokens, published_after_drafts: dict[str, Any], who: str | None
) -> None:
    async with client(stack, tokens, who) as caller:
        response = await caller.get(f"{published_after_drafts['url']}/history")
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["version"], i["event_type"]) for i in items] == [(3, "project.published"), (4, "project.updated")]
    text = response.text
    assert "secret" not in text and "Nota interna" not in text, "draft text leaked"
    for item in items:
        assert set(item) == {"version", "event_type", "at", "changes"}, item
        assert {c["path"].split(".")[0] for c in item["changes"]} <= PUBLIC_FIELDS
    assert tokens.credentials["ajuntament"].client_id not in text
    # The publication shows exactly the public read at that version (what anyone could read then).
    read = dict(published_after_drafts["at_publication"])
    for internal in ("localized", "other_identifiers", "version", "updated_at"):
        read.pop(internal)
    first = {c["path"]: c["after"] for c in items[0]["changes"]}
    assert all(c["before"] is None for c in items[0]["changes"])
    assert first == {k: v for k, v in read.items() if v is not None}
    assert items[1]["changes"] == [{"path": "tags", "before": ["aigua"], "after": ["aigua", "fase-2"]}]


@pytest.mark.parametrize("who", ["ajuntament", "admin"])
async def test_the_owner_and_admins_keep_the_full_history(
    stack: Stack, tokens: Tokens, published_after_drafts: dict[str, Any], who: str
) -> None:
    async with client(stack, tokens, who) as caller:
        items = (await caller.get(f"{published_after_drafts['url']}/history")).json()["items"]
    assert [i["version"] for i in items] == [1, 2, 3, 4]
    assert all(set(i) >= WHO for i in items)
    assert items[0]["client_id"] == tokens.credentials["ajuntament"].client_id
    assert items[0]["tenant"] == "ajuntament-barcelona" and items[0]["migrated"] is False
    assert {"path": "title", "before": None, "after": {"ca": "Títol d'esborrany secret"}} in items[0]["changes"]


async def test_a_draft_has_no_public_history_for_its_partners(stack: Stack, tokens: Tokens) -> None:
    payload = rich_project_payload(code=f"HIST-{uuid.uuid4().hex[:8]}", visibility="draft")
    async with client(stack, tokens, "ajuntament") as owner:
        created = (await owner.post(BASE, json=payload)).json()
    async with client(stack, tokens, "maputo") as partner:  # a partner of this draft: it reads it
        assert (await partner.get(f"{BASE}/{created['id']}")).status_code == 200
        history = await partner.get(f"{BASE}/{created['id']}/history")
    assert history.status_code == 200 and history.json() == {"items": []}
