"""Schemathesis against the merged OpenAPI document, with a valid admin token whose rate limit is
far above what the run sends: no 500s, no responses that break their documented schema, and real
coverage (answers other than 429). Every phase, the stateful one included where links allow it.
Bounded in examples and time."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from tests.support.auth import fetch_token, register_client
from tests.support.stack import Stack

MAX_EXAMPLES = 15
MAX_SECONDS = 120


def _statuses(har: Path) -> Counter[int]:
    entries = json.loads(har.read_text())["log"]["entries"]
    return Counter(int(e["response"]["status"]) for e in entries)


async def test_schemathesis_finds_no_server_errors_and_no_schema_violations(stack: Stack, tmp_path: Path) -> None:
    creds = await register_client(stack, "xarxa", "institution", ["admin"], rate=100_000)
    token = await fetch_token(stack.gateway, creds)
    har = tmp_path / "run.har"
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{stack.gateway}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(MAX_SECONDS),
        "--seed",
        "20261123",
        "--request-timeout",
        "20",
        "--report",
        "har",
        "--report-har-path",
        str(har),
        "--no-color",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace")
    assert process.returncode == 0, text[-6000:]
    statuses = _statuses(har)
    total = sum(statuses.values())
    assert total > 500, f"too few requests to mean anything: {statuses}"
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[429] <= total * 0.01, f"the run must test the API, not the rate limit: {statuses}"
    # Most generated requests are invalid on purpose (negative mode); enough must still succeed.
    assert sum(n for s, n in statuses.items() if 200 <= s < 300) > total * 0.1, statuses
    assert "Stateful" in text or "stateful" in text, text[-3000:]
