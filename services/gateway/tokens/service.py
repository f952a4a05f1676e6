"""Signing keys and access tokens (RFC 6749 client credentials, RFC 7519 JWT, RFC 7517 JWKS)."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.clients.failures import FailureLimits
from services.gateway.clients.models import Client
from services.gateway.clients.service import authenticate
from services.gateway.config import Settings
from services.gateway.tokens import repository
from services.gateway.tokens.models import SigningKey
from services.gateway.tokens.repository import KEYS_CHANNEL as KEYS_CHANNEL  # clients/revocations.py listens
from services.gateway.users.events import Context, record_event
from shared.auth import ALGORITHM, AUDIENCE, Principal
from shared.problems import ProblemError


class OAuthError(ProblemError):
    """RFC 6749 section 5.2 errors, as problem+json carrying the RFC's `error` member too."""

    status, kind, title = 400, "oauth-error", "The token request was refused"

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        headers = {"WWW-Authenticate": 'Basic realm="xarxa"'} if status == 401 else {}
        headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
        super().__init__(description, headers=headers, error=error, error_description=description)
        self.status = status
        self.kind = f"oauth-{error.replace('_', '-')}"


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
        rows = await repository.active_keys(session)
        if not rows:
            rows = [await repository.add_key(session, _new_key())]
        newest = rows[0]
        self.signing_kid = newest.kid
        self.signing_key = serialization.load_pem_private_key(newest.private_pem.encode(), password=None)
        self.jwks = {"keys": [row.public_jwk for row in rows]}
        self.public_keys = {row.kid: jwt.PyJWK(row.public_jwk).key for row in rows}

    async def verification_keys(self) -> dict[str, Any]:
        return self.public_keys


async def rotate_key(session: AsyncSession) -> SigningKey:
    """A new signing key; older ones stay published until retired, so live tokens keep verifying.
    Gateways listening switch to it as soon as this commits."""
    key = await repository.add_key(session, _new_key())
    await repository.notify_rotated(session, key.kid)
    return key


@dataclass(frozen=True)
class KeyState:
    kid: str
    created_at: datetime
    state: str  # signing (the newest unretired key), published (verifies, signs no more) or retired


async def signing_keys(session: AsyncSession) -> list[KeyState]:
    """Every key and what it does now: the newest unretired one signs, the other unretired ones
    are still published for tokens already out."""
    rows = await repository.all_keys(session)
    signing = next((row.kid for row in rows if row.retired_at is None), None)
    return [
        KeyState(
            row.kid,
            row.created_at,
            "retired" if row.retired_at is not None else "signing" if row.kid == signing else "published",
        )
        for row in rows
    ]


async def rotate_key_audited(session: AsyncSession, context: Context, by: Principal) -> SigningKey:
    """Rotation asked through the API by a platform administrator: `rotate_key`, in the audit trail."""
    key = await rotate_key(session)
    record_event(session, context, "key.rotated", actor=by.client_id, tenant=by.tenant, subject=key.kid)
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


async def client_credentials(
    session: AsyncSession,
    limits: FailureLimits,
    keys: KeyRing,
    settings: Settings,
    address: str,
    credentials: tuple[str, str],
    scope: str | None,
) -> dict[str, Any]:
    """The client credentials grant: an access token for an authenticated, unrevoked client, with
    the scopes asked for (all of its own if none) when it holds them."""
    client = await authenticate(session, limits, address, *credentials)
    if client is None:
        raise OAuthError("invalid_client", "Unknown client, wrong secret or revoked client", 401)
    scopes = granted_scopes(client, scope)
    if scopes is None:
        raise OAuthError("invalid_scope", "The requested scope exceeds what the client may have")
    return issue_token(keys, client, scopes, settings.jwt_issuer, settings.token_ttl_seconds)
