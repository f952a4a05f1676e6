"""Real API clients and tokens for tests: created in the gateway database, tokens from /oauth/token."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from services.gateway.clients.service import create_client
from services.gateway.tokens.service import KeyRing
from shared.auth import ALGORITHM, AUDIENCE
from shared.db import create_engine, create_sessionmaker, transaction
from tests.support.stack import Stack

INSTITUTION_SCOPES = ["projects:read", "projects:write", "funding:write", "updates:review", "reports:read"]

# name -> (tenant, tenant kind, scopes). "ajuntament" and "amb" are the two institutions; "maputo"
# is a partner organisation of some Ajuntament projects; "noscope" is the Ajuntament without scopes
# that any route asks for; "entity" is an NGO applying to grant calls; "finance" is the finance
# administration, which alone (with admin) sets exchange rates.
PRINCIPALS: dict[str, tuple[str, str, list[str]]] = {
    "admin": ("xarxa", "institution", ["admin"]),
    "ajuntament": ("ajuntament-barcelona", "institution", INSTITUTION_SCOPES),
    "amb": ("amb", "institution", INSTITUTION_SCOPES),
    "maputo": ("MZ-CMM", "partner", ["projects:read", "updates:push"]),
    "noscope": ("ajuntament-barcelona", "institution", []),
    "entity": ("ENT-MATRIX", "partner", ["grants:apply"]),
    "finance": ("xarxa-finance", "institution", ["rates:write"]),
}


@dataclass
class Credentials:
    client_id: str
    client_secret: str
    tenant: str
    tenant_kind: str
    scopes: list[str]


@dataclass
class Tokens:
    stack: Stack
    credentials: dict[str, Credentials] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def expired(self, name: str) -> str:
        """A correctly signed token of `name` that expired a minute ago."""
        creds = self.credentials[name]
        keys: KeyRing = self.stack.servers["gateway"].app.state.keys
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "xarxa-gateway",
            "aud": AUDIENCE,
            "sub": creds.client_id,
            "iat": now - 600,
            "nbf": now - 600,
            "exp": now - 60,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(creds.scopes),
            "tenant": creds.tenant,
            "tenant_kind": creds.tenant_kind,
        }
        return jwt.encode(claims, keys.signing_key, algorithm=ALGORITHM, headers={"kid": keys.signing_kid})


async def register_client(stack: Stack, tenant: str, kind: str, scopes: list[str], rate: float = 10_000) -> Credentials:
    engine = create_engine(stack.infra.database_url("gateway"), pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            created = await create_client(
                session, name=f"test {tenant}", tenant=tenant, tenant_kind=kind, scopes=scopes, rate_per_second=rate
            )
        return Credentials(created.client.client_id, created.secret, tenant, kind, scopes)
    finally:
        await engine.dispose()


async def fetch_token(gateway: str, creds: Credentials, scope: str | None = None) -> str:
    data = {"grant_type": "client_credentials", "client_id": creds.client_id, "client_secret": creds.client_secret}
    if scope:
        data["scope"] = scope
    async with httpx.AsyncClient(base_url=gateway) as client:
        response = await client.post("/oauth/token", data=data)
    response.raise_for_status()
    return str(response.json()["access_token"])


async def issue_tokens(stack: Stack) -> Tokens:
    tokens = Tokens(stack)
    for name, (tenant, kind, scopes) in PRINCIPALS.items():
        creds = await register_client(stack, tenant, kind, scopes)
        tokens.credentials[name] = creds
        tokens.tokens[name] = await fetch_token(stack.gateway, creds)
    return tokens
