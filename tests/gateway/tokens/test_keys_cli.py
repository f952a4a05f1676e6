"""`xarxa keys rotate`, run as an operator would, against the test gateway database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx
import jwt

from tests.support.auth import fetch_token, register_client
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def xarxa(stack: Stack, *args: str) -> tuple[int, str]:
    env = {**os.environ, "XARXA_GATEWAY_DATABASE_URL": stack.infra.database_url("gateway")}
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
    return int(process.returncode or 0), output.decode()


async def test_keys_rotate_signs_new_tokens_with_a_new_key_and_old_tokens_keep_working(stack: Stack) -> None:
    creds = await register_client(stack, "amb", "institution", ["projects:read"])
    old = await fetch_token(stack.gateway, creds)
    old_kid = jwt.get_unverified_header(old)["kid"]

    code, output = await xarxa(stack, "keys", "rotate")
    assert code == 0, output
    kid = output.split("signing with ", 1)[1].split(";", 1)[0]
    assert kid and kid != old_kid

    async def signed_with_the_new_key() -> str | None:
        token = await fetch_token(stack.gateway, creds)
        return token if jwt.get_unverified_header(token)["kid"] == kid else None

    new = await eventually(signed_with_the_new_key, timeout=5, interval=0.05, what="tokens signed with the new key")
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        published = {key["kid"] for key in (await client.get("/.well-known/jwks.json")).json()["keys"]}
        assert {kid, old_kid} <= published
        for token in (old, new):
            response = await client.get("/api/projects/projects", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200


def test_keys_needs_an_action() -> None:
    done = subprocess.run([sys.executable, "-m", "xarxa.cli", "keys"], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "rotate" in done.stderr
