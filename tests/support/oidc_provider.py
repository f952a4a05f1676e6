"""A small but real OpenID Connect provider for federation tests: a tenant's own identity provider,
served by uvicorn on 127.0.0.1. Discovery, JWKS, an authorization endpoint with a sign-in form,
and a token endpoint with client authentication (client_secret_basic), single-use codes bound to
the redirect URI and PKCE S256 (Authlib's primitive), and RS256 ID tokens (PyJWT).

`misbehave` makes the next ID tokens wrong in one way, as a broken or hostile provider's would be:
the relying party under test must refuse each."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import rsa
from jinja2 import Environment, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from shared.infra.ports import free_port
from tests.support.stack import RunningServer, serve

MISBEHAVIOURS = ("wrong-nonce", "wrong-issuer", "wrong-audience", "expired", "bad-signature", "unsigned", "hs256")

_FORM = Environment(autoescape=select_autoescape(default=True)).from_string(
    """<!doctype html><html lang="en"><body><h1>Tenant identity provider</h1>
<form method="post" action="/authorize"><input type="hidden" name="request_id" value="{{ request_id }}">
<input name="email" type="email" value="{{ login_hint }}"><button type="submit">Sign in</button></form></body></html>"""
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _compact(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{_b64(sign(signing_input.encode()))}"


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Client:
    secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class Provider:
    issuer: str
    clients: dict[str, Client]
    key: rsa.RSAPrivateKey = field(default_factory=_rsa)
    kid: str = field(default_factory=lambda: secrets.token_hex(8))
    misbehave: str | None = None
    amr: list[str] = field(default_factory=lambda: ["pwd", "mfa"])
    email_verified: bool = True
    _pending: dict[str, dict[str, str]] = field(default_factory=dict)
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens_issued: int = 0

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant["email"].split("@")[0],
            "aud": grant["client_id"],
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": grant["nonce"],
            "email": grant["email"],
            "email_verified": self.email_verified,
            "amr": self.amr,
        }
        key: Any = self.key
        algorithm, headers = "RS256", {"kid": self.kid}
        match self.misbehave:
            case "wrong-nonce":
                claims["nonce"] = secrets.token_urlsafe(16)
            case "wrong-issuer":
                claims["iss"] = self.issuer + "/other"
            case "wrong-audience":
                claims["aud"] = "another-client"
            case "expired":
                claims.update(iat=now - 3600, exp=now - 600)
            case "bad-signature":
                key = _rsa()  # the same kid, another key: the signature does not verify
            case "unsigned":
                return _compact({"alg": "none", "typ": "JWT"}, claims, lambda _: b"")
            case "hs256":
                # An HMAC keyed with the published public key (the algorithm confusion attack); by
                # hand, as PyJWT rightly refuses to make one.
                public = json.dumps(self.jwk()).encode()
                return _compact(
                    {"alg": "HS256", "kid": self.kid}, claims, lambda m: hmac.digest(public, m, hashlib.sha256)
                )
        return jwt.encode(claims, key, algorithm=algorithm, headers=headers)

    # --- Endpoints -----------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.jwk()]})

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params)
        client = self.clients.get(q.get("client_id", ""))
        if client is None or q.get("redirect_uri") not in client.redirect_uris:
            return HTMLResponse("unknown client or redirect_uri", status_code=400)
        if (
            q.get("response_type") != "code"
            or "openid" not in q.get("scope", "").split()
            or q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
            or not q.get("state")
            or not q.get("nonce")
        ):
            return HTMLResponse("invalid request", status_code=400)
        request_id = secrets.token_urlsafe(16)
        self._pending[request_id] = q
        return HTMLResponse(_FORM.render(request_id=request_id, login_hint=q.get("login_hint", "")))

    async def authenticate(self, request: Request) -> Response:
        form = await request.form()
        q = self._pending.pop(str(form.get("request_id", "")), None)
        if q is None:
            return HTMLResponse("unknown request", status_code=400)
        code = secrets.token_urlsafe(24)
        self._codes[code] = {
            "client_id": q["client_id"],
            "redirect_uri": q["redirect_uri"],
            "challenge": q["code_challenge"],
            "nonce": q["nonce"],
            "email": str(form.get("email", "")),
            "expires": time.time() + 60,
        }
        query = urlencode({"code": code, "state": q["state"], "iss": self.issuer})
        return RedirectResponse(f"{q['redirect_uri']}?{query}", status_code=303)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            client_id, secret = "", ""
        client = self.clients.get(client_id)
        if scheme.lower() != "basic" or client is None or not hmac.compare_digest(client.secret, secret):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self._codes.pop(str(form.get("code", "")), None)  # single use
        if (
            form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["client_id"] != client_id
            or grant["expires"] < time.time()
            or form.get("redirect_uri") != grant["redirect_uri"]
            or create_s256_code_challenge(str(form.get("code_verifier", ""))) != grant["challenge"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        access_token = secrets.token_urlsafe(32)
        self.tokens_issued += 1
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant),
            },
            headers={"Cache-Control": "no-store"},
        )

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize, methods=["GET"]),
                Route("/authorize", self.authenticate, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
            ]
        )


async def serve_provider(clients: dict[str, Client]) -> tuple[Provider, RunningServer]:
    port = free_port()
    provider = Provider(f"http://127.0.0.1:{port}", clients)
    return provider, await serve("tenant-idp", provider.app(), port)  # type: ignore[arg-type]
