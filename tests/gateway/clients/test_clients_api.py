"""/api/gateway/clients as administrators call it: a tenant administrator creates API clients of its
own tenant with the scopes its kind's roles carry (never `admin`), sees the secret once, and revokes
them (their tokens refused at once, through the revocation list every service follows); another
tenant's client is not there; an officer may do none of it; both actions are in the audit trail."""

from __future__ import annotations

from typing import Any

import httpx

from services.gateway.clients.service import grantable_scopes
from services.gateway.users.roles import ROLE_SCOPES, ROLES_OF_KIND
from shared.auth import SCOPES
from tests.support.auth import Credentials, Tokens, fetch_token
from tests.support.people import Person, person, sign_in
from tests.support.stack import Stack
from tests.support.waiting import eventually


def test_a_tenant_administrator_may_grant_its_kinds_role_scopes_never_admin() -> None:
    assert grantable_scopes("partner", platform=False) == ["projects:read", "updates:push"]
    assert grantable_scopes("entity", platform=False) == ["grants:apply"]
    institution = grantable_scopes("institution", platform=False)
    assert "admin" not in institution and "grants:apply" not in institution
    assert set(institution) == set().union(*(ROLE_SCOPES[r] for r in ROLES_OF_KIND["institution"])) - {"admin"}
    assert grantable_scopes("partner", platform=True) == sorted(SCOPES)


async def bearer(stack: Stack, who: Person) -> dict[str, str]:
    signed = await sign_in(stack, who)
    await signed.browser.aclose()
    return {"Authorization": f"Bearer {signed.tokens['access_token']}"}


def scope_errors(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 422, answer.text
    return [e for e in answer.json()["errors"] if e["field"] == "scopes"]


async def test_a_tenant_administrator_creates_uses_and_revokes_its_clients(stack: Stack, tokens: Tokens) -> None:
    admin_headers = tokens.headers("admin")
    chief = await person(stack, admin_headers, tenant="amb", kind="institution", roles=["tenant-admin"])
    async with httpx.AsyncClient(base_url=stack.gateway, headers=await bearer(stack, chief)) as api:
        listed = await api.get("/api/gateway/clients")
        assert listed.status_code == 200, listed.text
        assert "admin" not in listed.json()["grantable_scopes"]
        assert "projects:read" in listed.json()["grantable_scopes"]

        # Beyond what an institution's roles carry, or unknown: refused, naming `scopes`, nothing made.
        for wrong in (["projects:read", "admin"], ["grants:apply"], ["updates:push", "nonsense"]):
            answer = await api.post("/api/gateway/clients", json={"name": "Too much", "scopes": wrong})
            errors = scope_errors(answer)
            assert errors and errors[0]["code"] in ("scope_not_grantable", "unknown_scope"), answer.text
        # Nor into another tenant by naming it.
        elsewhere = await api.post(
            "/api/gateway/clients", json={"name": "X", "scopes": ["projects:read"], "tenant": "MZ-CMM"}
        )
        assert elsewhere.status_code == 403, elsewhere.text
        assert (await api.get("/api/gateway/clients", params={"tenant": "MZ-CMM"})).status_code == 403
        assert [c["name"] for c in (await api.get("/api/gateway/clients")).json()["items"]] == [
            c["name"] for c in listed.json()["items"]
        ]

        created = await api.post(
            "/api/gateway/clients", json={"name": "AMB open data", "scopes": ["projects:read", "reports:read"]}
        )
        assert created.status_code == 201, created.text
        body = created.json()
        client, secret = body["client"], body["client_secret"]
        assert client["tenant"] == "amb" and client["tenant_kind"] == "institution" and client["state"] == "active"
        assert client["scopes"] == ["projects:read", "reports:read"] and len(secret) >= 32
        after = (await api.get("/api/gateway/clients")).json()["items"]
        assert client["client_id"] in [c["client_id"] for c in after] and secret not in str(after)

        token = await fetch_token(stack.gateway, Credentials(client["client_id"], secret, "amb", "institution", []))
        client_headers = {"Authorization": f"Bearer {token}"}
        assert (await api.get("/api/projects/projects", headers=client_headers)).status_code == 200

        # Another tenant's client: as absent as an unknown one, and left as it was.
        async with httpx.AsyncClient(base_url=stack.gateway, headers=admin_headers) as platform:
            theirs = await platform.post(
                "/api/gateway/clients",
                json={"name": "Maputo", "scopes": ["updates:push"], "tenant": "MZ-CMM", "tenant_kind": "partner"},
            )
            assert theirs.status_code == 201, theirs.text
            their_id = theirs.json()["client"]["client_id"]
            assert (await api.post(f"/api/gateway/clients/{their_id}/revoke")).status_code == 404
            assert (await api.post("/api/gateway/clients/xc_nobody/revoke")).status_code == 404
            maputo = (await platform.get("/api/gateway/clients", params={"tenant": "MZ-CMM"})).json()["items"]
            assert next(c for c in maputo if c["client_id"] == their_id)["state"] == "active"

        revoked = await api.post(f"/api/gateway/clients/{client['client_id']}/revoke")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["state"] == "revoked" and revoked.json()["revoked_at"]

        async def refused() -> bool:
            return (await api.get("/api/projects/projects", headers=client_headers)).status_code == 401

        await eventually(refused, timeout=5, interval=0.1, what="the projects service refusing the revoked token")
        no_token = await api.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": secret},
        )
        assert no_token.status_code == 401

    async with httpx.AsyncClient(base_url=stack.gateway, headers=admin_headers) as platform:
        trail = (await platform.get("/api/gateway/audit", params={"limit": 1000})).json()["items"]
    events = [e["event"] for e in trail if e["subject"] == client["client_id"] and e["event"]]
    assert sorted(events) == ["client.created", "client.revoked"]


async def test_an_officer_may_not_list_create_or_revoke_clients(stack: Stack, tokens: Tokens) -> None:
    officer = await person(stack, tokens.headers("admin"), tenant="amb", kind="institution", roles=["officer"])
    async with httpx.AsyncClient(base_url=stack.gateway, headers=await bearer(stack, officer)) as api:
        assert (await api.get("/api/gateway/clients")).status_code == 403
        made = await api.post("/api/gateway/clients", json={"name": "Mine", "scopes": ["projects:read"]})
        assert made.status_code == 403
        assert (await api.post("/api/gateway/clients/xc_any/revoke")).status_code == 403


async def test_an_administrator_does_not_revoke_the_client_it_calls_with(stack: Stack, tokens: Tokens) -> None:
    """A platform administrator's own client (the fuzzer's, a script's) is not locked out by itself."""
    own = tokens.credentials["admin"].client_id
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=30, headers=tokens.headers("admin")) as admin:
        refused = await admin.post(f"/api/gateway/clients/{own}/revoke", headers={"Accept-Language": "es"})
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].endswith("/own-client")
        assert refused.json()["title"] == "El cliente que hace esta petición no puede revocarse a sí mismo"
        assert (await admin.get("/api/gateway/clients")).status_code == 200  # still in
