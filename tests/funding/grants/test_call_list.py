"""The list of calls: a draft is listed to its own institution's officers (and admins) only, never
to another tenant or anonymously; creating a call again with the same Idempotency-Key is one call."""

from __future__ import annotations

import uuid

import httpx

from tests.support.auth import Tokens
from tests.support.grants import call_body, open_call
from tests.support.stack import Stack

CALLS = "/api/funding/grants/calls"


def ids(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {str(c["id"]) for c in response.json()["items"]}


async def test_a_draft_is_listed_to_its_institution_only(
    stack: Stack, tokens: Tokens, gateway: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    draft = await open_call(gateway, draft=True)
    published = await open_call(gateway)
    amb_draft = await open_call(gateway, institution="amb", draft=True)
    async with (
        httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as owner,
        httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("amb")) as other,
        httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("noscope")) as unscoped,
        httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("maputo")) as partner,
    ):
        mine = ids(await owner.get(CALLS))
        assert {draft, published} <= mine and amb_draft not in mine
        assert {draft, published} <= ids(await owner.get(CALLS, params={"institution": "ajuntament-barcelona"}))
        # The owner's draft is listed with its status, so the console can say it is being prepared.
        listed = {c["id"]: c["status"] for c in (await owner.get(CALLS)).json()["items"]}
        assert (listed[draft], listed[published]) == ("draft", "open")
        # Another institution, a token of the owner's tenant without funding:write, a partner,
        # and nobody signed in: the published call only.
        for client in (other, unscoped, partner, anonymous):
            seen = ids(await client.get(CALLS, params={"institution": "ajuntament-barcelona"}))
            assert published in seen and draft not in seen
        assert amb_draft in ids(await other.get(CALLS)) and draft not in ids(await other.get(CALLS))
        assert draft not in ids(await anonymous.get(CALLS))
    # An admin sees every institution's drafts.
    assert {draft, published, amb_draft} <= ids(await gateway.get(CALLS))


async def test_creating_a_call_twice_with_one_key_is_one_call(stack: Stack, tokens: Tokens) -> None:
    body = call_body(f"IDEM-{uuid.uuid4().hex[:8]}")
    key = str(uuid.uuid4())
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("ajuntament")) as owner:
        first = await owner.post(CALLS, json=body, headers={"Idempotency-Key": key})
        assert first.status_code == 201, first.text
        again = await owner.post(CALLS, json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 201 and again.json() == first.json()
        same_code = [c for c in (await owner.get(CALLS)).json()["items"] if c["code"] == body["code"]]
        assert [c["id"] for c in same_code] == [first.json()["id"]]
        # The key with another body is refused, and nothing is made.
        other = {**body, "code": f"IDEM-{uuid.uuid4().hex[:8]}"}
        reused = await owner.post(CALLS, json=other, headers={"Idempotency-Key": key})
        assert reused.status_code == 422 and reused.json()["type"].endswith("/idempotency-key-reused"), reused.text
        assert other["code"] not in {c["code"] for c in (await owner.get(CALLS)).json()["items"]}
        # Without a key: another create, refused as the code is taken.
        taken = await owner.post(CALLS, json=body)
        assert taken.status_code == 409 and taken.json()["type"].endswith("/call-code-taken")
