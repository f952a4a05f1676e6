"""Every write is in the audit trail with client, tenant, time and request id; only admins read it."""

from __future__ import annotations

import httpx

from tests.support.auth import Tokens
from tests.support.projects import project_payload
from tests.support.stack import Stack


async def test_writes_are_audited_and_readable_by_admins_only(stack: Stack, tokens: Tokens) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        created = await client.post(
            "/api/projects/projects",
            json=project_payload(),
            headers={**tokens.headers("ajuntament"), "X-Request-ID": "audit-me-1"},
        )
        refused = await client.post(
            "/api/projects/projects",
            json=project_payload(owner="amb"),
            headers={**tokens.headers("ajuntament"), "X-Request-ID": "audit-me-2"},
        )
        assert created.status_code == 201 and refused.status_code == 403

        trail = await client.get(
            "/api/gateway/audit",
            headers=tokens.headers("admin"),
            params={"client_id": tokens.credentials["ajuntament"].client_id},
        )
        assert trail.status_code == 200
        # The trail is keyed by the gateway's own request id; the caller's is kept beside it.
        entries = {e["client_request_id"]: e for e in trail.json()["items"] if e["client_request_id"]}
        assert entries["audit-me-1"]["request_id"] == created.headers["x-request-id"] != "audit-me-1"
        assert entries["audit-me-1"]["status"] == 201
        assert entries["audit-me-1"]["tenant"] == "ajuntament-barcelona"
        assert entries["audit-me-1"]["method"] == "POST"
        assert entries["audit-me-1"]["path"] == "/api/projects/projects"
        assert entries["audit-me-1"]["at"]
        assert entries["audit-me-2"]["status"] == 403, "refused writes are in the trail too"

        assert (await client.get("/api/gateway/audit", headers=tokens.headers("ajuntament"))).status_code == 403
        assert (await client.get("/api/gateway/audit")).status_code == 401
