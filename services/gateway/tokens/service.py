"""Signing keys and access tokens (RFC 6749 client credentials, RFC 7519 JWT, RFC 7517 JWKS)."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.clients.models import Client
from services.gateway.tokens.models import SigningKey
from shared.auth import ALGORITHM, AUDIENCE


def _new_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = f"{time.strftime('%Y%m%d')}-{secrets.token_hex(4)}"
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningKey(kid=kid, private_pem=pem, public_jwk=jwk)


@dataclass
class KeyRing:
    """The active signing key and every published verification key, held in memory."""

    signing_kid: str = ""
    signing_key: Any = None
    public_keys: dict[str, Any] = field(default_factory=dict)
    jwks: dict[str, Any] = field(default_factory=lambda: {"keys": []})

    async def load(self, session: AsyncSession) -> None:
        """Read the keys; create the first one if there is none (first start)."""
        rows = list(
            (
                await session.execute(
                    select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc())
                )
            ).scalars()
        )
        if not rows:
            key = _new_key()
            session.add(key)
            await session.flush()
            rows = [key]
        newest = rows[0]
        self.signing_kid = newest.kid
        self.signing_key = serialization.load_pem_private_key(newest.private_pem.encode(), password=None)
        self.jwks = {"keys": [row.public_jwk for row in rows]}
        self.public_keys = {row.kid: jwt.PyJWK(row.public_jwk).key for row in rows}

    async def verification_keys(self) -> dict[str, Any]:
        return self.public_keys


KEYS_CHANNEL = "xarxa_signing_key_rotated"


async def rotate_key(session: AsyncSession) -> SigningKey:
    """A new signing key; older ones stay published until retired, so live tokens keep verifying.
    Gateways listening switch to it as soon as this commits."""
    key = _new_key()
    session.add(key)
    await session.flush()
    await session.execute(text("SELECT pg_notify(:channel, :kid)"), {"channel": KEYS_CHANNEL, "kid": key.kid})
    return key


def granted_scopes(client: Client, requested: str | None) -> list[str] | None:
    """The requested subset of the client's scopes (all of them if none requested); None if invalid."""
    allowed = set(client.scopes)
    if not requested:
        return sorted(allowed)
    asked = set(requested.split())
    return sorted(asked) if asked <= allowed else None


def issue_token(keys: KeyRing, client: Client, scopes: list[str], issuer: str, ttl_seconds: int) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": client.client_id,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "scope": " ".join(scopes),
        "tenant": client.tenant,
        "tenant_kind": client.tenant_kind,
        "rate": client.rate_per_second,
    }
    token = jwt.encode(claims, keys.signing_key, algorithm=ALGORITHM, headers={"kid": keys.signing_kid})
    return {"access_token": token, "token_type": "Bearer", "expires_in": ttl_seconds, "scope": " ".join(scopes)}
