"""Schemathesis against the merged OpenAPI document, with a valid admin token: no 500s, no
responses that break their documented schema. Bounded in examples and time."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.support.auth import fetch_token, register_client
from tests.support.stack import Stack

MAX_EXAMPLES = 15
MAX_SECONDS = 75


async def test_schemathesis_finds_no_server_errors_and_no_schema_violations(stack: Stack) -> None:
    creds = await register_client(stack, "xarxa", "institution", ["admin"], rate=100_000)
    token = await fetch_token(stack.gateway, creds)
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{stack.gateway}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(MAX_SECONDS),
        "--seed",
        "20261123",
        "--request-timeout",
        "20",
        "--no-color",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    assert "12/12" in text or "Tested:" in text
