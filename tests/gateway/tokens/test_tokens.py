"""The OAuth2 client-credentials grant and revocation."""

from __future__ import annotations

import base64

import httpx
import jwt

from services.gateway.clients.service import revoke_client
from services.gateway.tokens.service import rotate_key
from shared.db import create_engine, create_sessionmaker, transaction
from tests.support.auth import fetch_token, register_client
from tests.support.stack import Stack
from tests.support.waiting import eventually


async def test_token_by_form_or_basic_with_claims_verifiable_by_the_published_key(stack: Stack) -> None:
    creds = await register_client(stack, "amb", "institution", ["projects:read", "projects:write"])
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        form = await client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
            },
        )
        basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
        by_basic = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "scope": "projects:read"},
            headers={"Authorization": f"Basic {basic}"},
        )
        jwks = (await client.get("/.well-known/jwks.json")).json()
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    body = form.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600
    assert body["scope"] == "projects:read projects:write"
    assert by_basic.status_code == 200
    assert by_basic.json()["scope"] == "projects:read"

    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256" and header["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    assert "d" not in key, "the private part is never published"
    claims = jwt.decode(body["access_token"], jwt.PyJWK(key).key, algorithms=["RS256"], audience="xarxa")
    assert claims["sub"] == creds.client_id
    assert claims["tenant"] == "amb" and claims["tenant_kind"] == "institution"
    assert claims["exp"] - claims["iat"] == body["expires_in"]


async def test_token_errors_follow_rfc_6749(stack: Stack) -> None:
    creds = await register_client(stack, "amb", "institution", ["projects:read"])
    good = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        cases = {
            "invalid_client": await client.post("/oauth/token", data={**good, "client_secret": "wrong"}),
            "unknown_client": await client.post("/oauth/token", data={**good, "client_id": "xc_nobody"}),
            "unsupported_grant_type": await client.post("/oauth/token", data={**good, "grant_type": "password"}),
            "invalid_request": await client.post("/oauth/token", data={"client_id": creds.client_id}),
            "invalid_scope": await client.post("/oauth/token", data={**good, "scope": "projects:read admin"}),
            "bad_basic": await client.post(
                "/oauth/token", data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic !!!"}
            ),
        }
    assert cases["invalid_client"].status_code == 401
    assert cases["invalid_client"].json()["error"] == "invalid_client"
    assert cases["invalid_client"].headers["www-authenticate"].startswith("Basic")
    assert cases["unknown_client"].status_code == 401
    assert cases["unsupported_grant_type"].json()["error"] == "unsupported_grant_type"
    assert cases["invalid_request"].status_code == 400
    assert cases["invalid_scope"].status_code == 400
    assert cases["invalid_scope"].json()["error"] == "invalid_scope"
    assert cases["bad_basic"].status_code == 401
    for response in cases.values():
        assert response.json()["type"].startswith("https://xarxa.barcelona/problems/oauth-")


async def test_revocation_is_effective_immediately(stack: Stack) -> None:
    creds = await register_client(stack, "ajuntament-barcelona", "institution", ["projects:read"])
    token = await fetch_token(stack.gateway, creds)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as client:
        assert (await client.get("/api/projects/projects")).status_code == 200
        engine = create_engine(stack.infra.database_url("gateway"), pool_size=1)
        async with transaction(create_sessionmaker(engine)) as session:
            await revoke_client(session, creds.client_id)
        await engine.dispose()

        async def refused() -> bool:
            return (await client.get("/api/projects/projects")).status_code == 401

        # NOTIFY arrives within milliseconds; the bound only keeps a broken listener from hanging the suite.
        await eventually(refused, timeout=5, interval=0.02, what="the revoked client's token refused")
        again = await client.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
            },
        )
        assert again.status_code == 401


async def test_garbage_and_forged_tokens_are_401(stack: Stack) -> None:
    forged = jwt.encode(
        {
            "sub": "x",
            "tenant": "amb",
            "tenant_kind": "institution",
            "scope": "admin",
            "iss": "xarxa-gateway",
            "aud": "xarxa",
            "exp": 9999999999,
            "iat": 0,
        },
        "s" * 32,
        algorithm="HS256",
    )
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        for value in ("Bearer not-a-jwt", f"Bearer {forged}", "Token abc"):
            response = await client.get("/api/projects/projects", headers={"Authorization": value})
            assert response.status_code in (400, 401), value
            assert response.headers["content-type"].startswith("application/problem+json")
            assert "www-authenticate" in response.headers


async def test_services_refuse_a_revoked_clients_token_as_promptly_as_the_gateway(stack: Stack) -> None:
    creds = await register_client(stack, "ajuntament-barcelona", "institution", ["projects:read"])
    token = await fetch_token(stack.gateway, creds)
    headers = {"Authorization": f"Bearer {token}"}
    services = ("projects", "funding", "reporting")
    # Routes that read the token (an unknown call answers 404, a missing scope 403: both mean "verified").
    paths = {
        "projects": "/api/projects/projects",
        "funding": "/api/funding/grants/calls/00000000-0000-0000-0000-000000000000",
        "reporting": "/api/integrations/webhooks",
    }
    clients = {name: httpx.AsyncClient(base_url=stack.url(name), headers=headers) for name in services}
    try:
        for name in services:  # straight to each service, past the gateway
            assert (await clients[name].get(paths[name])).status_code in (200, 403, 404), name
        engine = create_engine(stack.infra.database_url("gateway"), pool_size=1)
        async with transaction(create_sessionmaker(engine)) as session:
            await revoke_client(session, creds.client_id)
        await engine.dispose()
        for name in services:

            async def refused(name: str = name) -> bool:
                response = await clients[name].get(paths[name])
                return response.status_code == 401 and "revoked" in response.json()["detail"]

            # The gateway answers the services' long poll at the revocation: milliseconds, not a token's lifetime.
            await eventually(refused, timeout=3, interval=0.02, what=f"{name} refusing the revoked client's token")
    finally:
        for client in clients.values():
            await client.aclose()


async def test_a_rotated_key_signs_new_tokens_at_once_and_old_tokens_keep_verifying(stack: Stack) -> None:
    creds = await register_client(stack, "amb", "institution", ["projects:read"])
    old = await fetch_token(stack.gateway, creds)
    engine = create_engine(stack.infra.database_url("gateway"), pool_size=1)
    async with transaction(create_sessionmaker(engine)) as session:
        key = await rotate_key(session)
    await engine.dispose()

    async def signed_with_the_new_key() -> str | None:
        token = await fetch_token(stack.gateway, creds)
        return token if jwt.get_unverified_header(token)["kid"] == key.kid else None

    new = await eventually(signed_with_the_new_key, timeout=5, interval=0.05, what="tokens signed with the new key")
    async with httpx.AsyncClient(base_url=stack.gateway) as client:
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert {key.kid, jwt.get_unverified_header(old)["kid"]} <= {k["kid"] for k in jwks["keys"]}
        for token in (old, new):  # at the gateway and straight at a service (which fetches the new key)
            headers = {"Authorization": f"Bearer {token}"}
            assert (await client.get("/api/projects/projects", headers=headers)).status_code == 200

            async def accepted(headers: dict[str, str] = headers) -> bool:
                direct = await client.get(f"{stack.url('projects')}/api/projects/projects", headers=headers)
                return direct.status_code == 200

            await eventually(accepted, timeout=3, interval=0.2, what="the service accepting the token")
