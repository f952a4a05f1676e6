"""The gateway as the console's OpenID Connect provider, called server to server: the code
exchanged with PKCE, ID tokens verified, tokens refreshed and revoked (client_secret_basic/post)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from services.web.config import Settings
from shared.auth import ALGORITHM, Unauthorized, jwks_keys

SCOPE = "openid profile email"
CALLBACK_PATH = "/auth/callback"


class SignInFailed(Exception):
    """The provider refused the code or the ID token is not right: the person signs in again."""


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Provider:
    def __init__(self, settings: Settings, http: httpx.AsyncClient) -> None:
        if settings.client_secret is None:
            raise ValueError("no client secret: the console is off")
        self.public_url = settings.public_url
        self.client_id = settings.client_id
        self._secret = settings.client_secret
        self.http = http
        self.redirect_uri = f"{settings.public_url}{CALLBACK_PATH}"
        self._fetch_keys = jwks_keys(f"{settings.gateway_url.rstrip('/')}/.well-known/jwks.json")
        self._keys: dict[str, Any] = {}
        self._fetched_at = -1e9

    def authorize_url(self, state: str, nonce: str, challenge: str, language: str) -> str:
        query = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": SCOPE,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "ui_locales": language,
        }
        return f"{self.public_url}/oauth/authorize?{urlencode(query)}"

    def end_session_url(self, id_token: str, language: str) -> str:
        query = {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": f"{self.public_url}/",
            "client_id": self.client_id,
            "ui_locales": language,
        }
        return f"{self.public_url}/oauth/end-session?{urlencode(query)}"

    async def _token(self, data: dict[str, str]) -> dict[str, Any] | None:
        """The token endpoint's answer, or None when it refuses the grant (4xx)."""
        response = await self.http.post("/oauth/token", data=data, auth=(self.client_id, self._secret))
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        if 400 <= response.status_code < 500 and response.status_code != 429:
            return None
        response.raise_for_status()
        raise httpx.HTTPStatusError("unexpected answer", request=response.request, response=response)

    async def exchange(self, code: str, verifier: str) -> dict[str, Any]:
        tokens = await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier,
            }
        )
        if tokens is None or not all(tokens.get(k) for k in ("access_token", "refresh_token", "id_token")):
            raise SignInFailed("the provider refused the authorization code")
        return tokens

    async def refresh(self, refresh_token: str) -> dict[str, Any] | None:
        """New tokens (the refresh token rotates), or None: the sign-in has ended at the gateway."""
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def revoke(self, refresh_token: str) -> None:
        data = {"token": refresh_token, "client_id": self.client_id, "client_secret": self._secret}
        await self.http.post("/oauth/revoke", data=data)

    async def _key(self, kid: str) -> Any:
        if kid not in self._keys and time.monotonic() - self._fetched_at > 1.0:
            self._fetched_at = time.monotonic()
            try:
                self._keys = await self._fetch_keys()
            except Unauthorized as exc:
                raise SignInFailed(str(exc)) from exc
        if kid not in self._keys:
            raise SignInFailed("the ID token was signed with an unknown key")
        return self._keys[kid]

    async def verify_id_token(self, token: str, nonce: str, access_token: str) -> dict[str, Any]:
        """OIDC Core 3.1.3.7: signature, issuer, audience, expiry, nonce; at_hash binds the access token."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise SignInFailed("unexpected ID token algorithm")
            claims: dict[str, Any] = jwt.decode(
                token,
                await self._key(str(header.get("kid", ""))),
                algorithms=[ALGORITHM],
                audience=self.client_id,
                issuer=self.public_url,
                leeway=5,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise SignInFailed(f"the ID token is not valid: {exc}") from exc
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise SignInFailed("the ID token's nonce is not the one sent")
        digest = hashlib.sha256(access_token.encode()).digest()
        at_hash = base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()
        if claims.get("at_hash") is not None and not hmac.compare_digest(str(claims["at_hash"]), at_hash):
            raise SignInFailed("the ID token's at_hash does not match the access token")
        return claims
