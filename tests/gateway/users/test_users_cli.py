"""`xarxa users invite|list|disable`, run as an operator would: the way the first platform
administrator comes in."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx
import jwt

from tests.support.auth import Tokens
from tests.support.people import PASSWORD, Person, set_password, sign_in, unique_email
from tests.support.stack import Stack


async def xarxa(stack: Stack, *args: str, ok: bool = True) -> str:
    env = {
        **os.environ,
        "XARXA_GATEWAY_DATABASE_URL": stack.infra.database_url("gateway"),
        "XARXA_GATEWAY_PUBLIC_URL": stack.gateway,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "xarxa.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert (process.returncode == 0) == ok, output.decode()
    return output.decode()


async def test_the_operator_invites_a_platform_administrator_who_signs_in_and_is_disabled(
    stack: Stack, tokens: Tokens
) -> None:
    email = unique_email("platform")
    printed = await xarxa(
        stack,
        "users",
        "invite",
        "--email",
        email,
        "--name",
        "First Admin",
        "--tenant",
        "xarxa",
        "--kind",
        "institution",
        "--roles",
        "platform-admin,tenant-admin",
    )
    lines = dict(line.split(": ", 1) for line in printed.splitlines() if ": " in line)
    link, user_id = lines["link"], lines["user"]
    assert link.startswith(f"{stack.gateway}/oauth/password?token=")
    done, secret = await set_password(stack, link, PASSWORD)
    assert done.status_code == 200 and secret is not None
    admin = Person(user_id, email, PASSWORD, "xarxa", "institution", ["platform-admin", "tenant-admin"], secret)
    signed = await sign_in(stack, admin)
    await signed.browser.aclose()
    access = signed.tokens["access_token"]
    assert jwt.decode(access, options={"verify_signature": False})["scope"] == "admin"
    async with httpx.AsyncClient(base_url=stack.gateway, headers={"Authorization": f"Bearer {access}"}) as client:
        assert (await client.get("/api/gateway/audit")).status_code == 200
    listed = await xarxa(stack, "users", "list", "--tenant", "xarxa")
    assert user_id in listed and "active" in listed
    refused = await xarxa(
        stack,
        "users",
        "invite",
        "--email",
        email,
        "--name",
        "Again",
        "--tenant",
        "xarxa",
        "--kind",
        "institution",
        "--roles",
        "officer",
        ok=False,
    )
    assert "refused" in refused
    assert "disabled" in await xarxa(stack, "users", "disable", user_id)
    async with httpx.AsyncClient(base_url=stack.gateway, headers={"Authorization": f"Bearer {access}"}) as client:
        assert (await client.get("/api/gateway/audit")).status_code == 401
    async with httpx.AsyncClient(base_url=stack.gateway, headers=tokens.headers("admin")) as client:
        items = (await client.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
    events = {(i["event"], i["client_id"]) for i in items if i["subject"] == user_id}
    assert ("user.invited", "cli") in events and ("user.disabled", "cli") in events
