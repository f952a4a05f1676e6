"""Applications across calls (GET /api/funding/grants/applications): an entity lists its own and
never another's, an institution's officers those of its calls, paged by a cursor and filtered by
call and state; an anonymous caller is refused."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.auth import Tokens
from tests.support.grants import application_body, entity_client, open_call, registered_entity
from tests.support.stack import Stack

LIST = "/api/funding/grants/applications"


async def submitted(client: httpx.AsyncClient, call_id: str) -> dict[str, Any]:
    created = await client.post(f"/api/funding/grants/calls/{call_id}/applications", json=application_body())
    assert created.status_code == 201, created.text
    return dict(created.json())


async def every_page(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = await client.get(LIST, params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


async def test_an_entity_lists_its_own_applications_across_calls_and_never_anothers(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    ours, amb_call = await open_call(gateway), await open_call(gateway, "amb")
    client_a, entity_a = await registered_entity(stack)
    client_b, entity_b = await registered_entity(stack)
    try:
        a1 = await submitted(client_a, ours)
        a2 = await submitted(client_a, amb_call)
        b1 = await submitted(client_b, ours)

        # Its own across both institutions' calls, newest first, one per page with limit=1.
        first = (await client_a.get(LIST, params={"limit": 1})).json()
        assert [i["id"] for i in first["items"]] == [a2["id"]] and first["next_cursor"]
        second = (await client_a.get(LIST, params={"limit": 1, "cursor": first["next_cursor"]})).json()
        assert [i["id"] for i in second["items"]] == [a1["id"]] and second["next_cursor"] is None
        own = await every_page(client_a, limit=1)
        assert [i["id"] for i in own] == [a2["id"], a1["id"]]
        assert {i["entity_id"] for i in own} == {entity_a["id"]}
        mine = own[1]
        assert (mine["call_id"], mine["institution"], mine["state"], mine["reference"]) == (
            ours,
            "ajuntament-barcelona",
            "submitted",
            a1["reference"],
        )
        assert mine["call_title"] == {"ca": "Convocatòria"} and mine["total_score"] is None
        assert [(i["id"], i["entity_id"]) for i in await every_page(client_b)] == [(b1["id"], entity_b["id"])]

        # Filters: by call, by state; another's call gives nothing of the other's.
        by_call = await every_page(client_a, call_id=amb_call)
        assert [i["id"] for i in by_call] == [a2["id"]]
        assert await every_page(client_b, call_id=amb_call) == []
        admitted = await gateway.post(f"/api/funding/grants/applications/{a1['id']}/admission", json={"admitted": True})
        assert admitted.status_code == 200, admitted.text
        assert [i["id"] for i in await every_page(client_a, state="admitted")] == [a1["id"]]
        assert [i["id"] for i in await every_page(client_a, state="submitted")] == [a2["id"]]

        # A partner tenant with no registered entity has no applications (not somebody else's).
        async with await entity_client(stack) as unregistered:
            assert await every_page(unregistered) == []
    finally:
        await client_a.aclose()
        await client_b.aclose()

    # The officers of each institution see their calls' applications, never the other's.
    async with (
        httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as ajuntament,
        httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as amb,
    ):
        in_ours = await every_page(ajuntament, call_id=ours, limit=200)
        assert {i["id"] for i in in_ours} == {a1["id"], b1["id"]}
        assert await every_page(ajuntament, call_id=amb_call) == []
        assert [i["id"] for i in await every_page(amb, call_id=amb_call)] == [a2["id"]]
        assert await every_page(amb, call_id=ours) == []
        page = (await amb.get(LIST, params={"limit": 200})).json()["items"]
        assert page and {i["institution"] for i in page} == {"amb"}
    admin_view = await every_page(gateway, call_id=ours, state="admitted")
    assert [i["id"] for i in admin_view] == [a1["id"]]

    # No token, a bad cursor, an unknown state: refused, naming what is wrong.
    assert (await anonymous.get(LIST)).status_code == 401
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("noscope")) as noscope:
        assert (await noscope.get(LIST)).status_code == 403
    for cursor in ("not-a-cursor", "WyJ4IiwgInkiXQ==", "WzEsIDJd"):
        bad = await gateway.get(LIST, params={"cursor": cursor})
        assert bad.status_code == 422, (cursor, bad.text)
        assert bad.json()["errors"][0]["field"] == "cursor" and bad.json()["errors"][0]["code"] == "invalid_cursor"
    unknown_state = await gateway.get(LIST, params={"state": "paid"})
    assert unknown_state.status_code == 422 and "state" in unknown_state.json()["errors"][0]["field"]
