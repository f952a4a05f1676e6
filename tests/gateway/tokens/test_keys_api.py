"""GET and POST /api/gateway/keys: the signing keys for platform administrators, and rotation from
the API by the very function `xarxa keys rotate` runs, in the audit trail; nobody else may."""

from __future__ import annotations

import httpx
import jwt

from tests.support.auth import Tokens, fetch_token
from tests.support.people import person, sign_in
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def states(client: httpx.AsyncClient) -> dict[str, str]:
    listed = await client.get("/api/gateway/keys")
    assert listed.status_code == 200, listed.text
    return {k["kid"]: k["state"] for k in listed.json()["items"]}


async def published(client: httpx.AsyncClient) -> list[str]:
    return [k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]]


async def test_a_platform_administrator_lists_and_rotates_the_signing_keys(stack: Stack, tokens: Tokens) -> None:
    creds = tokens.credentials["admin"]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        before = await states(admin)
        signing = [kid for kid, state in before.items() if state == "signing"]
        assert len(signing) == 1 and signing[0] == (await published(admin))[0]
        assert set(before.values()) <= {"signing", "published", "retired"}
        old_token = await fetch_token(stack.gateway, creds)

        rotated = await admin.post("/api/gateway/keys")
        assert rotated.status_code == 201, rotated.text
        key = rotated.json()
        assert key["state"] == "signing" and key["kid"] not in before and key["created_at"]
        after = await states(admin)
        assert after[key["kid"]] == "signing" and after[signing[0]] == "published"
        assert [kid for kid, state in after.items() if state == "signing"] == [key["kid"]]

        async def signed_with_it() -> str | None:
            token = await fetch_token(stack.gateway, creds)
            return token if jwt.get_unverified_header(token)["kid"] == key["kid"] else None

        new_token = await eventually(signed_with_it, timeout=5, interval=0.05, what="tokens signed with the new key")
        assert {key["kid"], signing[0]} <= set(await published(admin))
        # Live tokens keep working, and the services take the new key (they fetch it, at most once a second).
        for token in (old_token, new_token):

            async def accepted(token: str = token) -> bool:
                answer = await admin.get("/api/projects/projects", headers={"Authorization": f"Bearer {token}"})
                return answer.status_code == 200

            await eventually(accepted, timeout=5, interval=0.2, what="the projects service accepting the token")
        trail = (await admin.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
        rows = [e for e in trail if e["subject"] == key["kid"]]
        assert [e["event"] for e in rows] == ["key.rotated"] and rows[0]["client_id"] == creds.client_id


async def test_nobody_else_sees_or_rotates_the_keys(stack: Stack, tokens: Tokens) -> None:
    chief = await person(stack, tokens.headers("admin"), tenant="amb", kind="institution", roles=["tenant-admin"])
    signed = await sign_in(stack, chief)
    await signed.browser.aclose()
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        before = await states(admin)
    callers = {
        "a tenant administrator": {"Authorization": f"Bearer {signed.tokens['access_token']}"},
        "an institution's client": tokens.headers("ajuntament"),
        "nobody": {},
    }
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        for who, headers in callers.items():
            expected = 401 if not headers else 403
            assert (await client.get("/api/gateway/keys", headers=headers)).status_code == expected, who
            assert (await client.post("/api/gateway/keys", headers=headers)).status_code == expected, who
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as admin:
        assert await states(admin) == before
