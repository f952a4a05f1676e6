"""`xarxa clients create|list|revoke`, run as an operator would, against the test gateway database."""

from __future__ import annotations

import asyncio
import os
import sys

import httpx

from tests.support.auth import Credentials, fetch_token
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def xarxa(stack: Stack, *args: str) -> str:
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
    assert process.returncode == 0, output.decode()
    return output.decode()


async def test_a_client_is_created_with_a_secret_shown_once_listed_and_revoked(stack: Stack) -> None:
    created = await xarxa(
        stack,
        "clients",
        "create",
        "--name",
        "Maputo municipality",
        "--tenant",
        "MZ-CMM",
        "--kind",
        "partner",
        "--scopes",
        "projects:read,updates:push",
    )
    fields = dict(line.split(":", 1) for line in created.splitlines() if line.startswith("client_"))
    client_id, secret = fields["client_id"].strip(), fields["client_secret"].strip()
    assert "shown only now" in created
    token = await fetch_token(stack.gateway, Credentials(client_id, secret, "MZ-CMM", "partner", []))

    listed = await xarxa(stack, "clients", "list")
    line = next(row for row in listed.splitlines() if row.startswith(client_id))
    assert "partner:MZ-CMM" in line and "active" in line and secret not in listed

    revoked = await xarxa(stack, "clients", "revoke", client_id)
    assert revoked.startswith(f"revoked {client_id}")
    async with httpx.AsyncClient(base_url=stack.gateway, headers={"Authorization": f"Bearer {token}"}) as client:

        async def refused() -> bool:
            return (await client.get("/api/projects/projects")).status_code == 401

        await eventually(refused, timeout=5, interval=0.05, what="the revoked client refused")
    assert "revoked" in next(r for r in (await xarxa(stack, "clients", "list")).splitlines() if r.startswith(client_id))
