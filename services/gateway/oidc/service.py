"""The OpenID Connect provider: authorization requests, codes with PKCE, tokens, refresh
rotation, sign-out.

Authlib supplies the protocol's primitives (PKCE S256, at_hash, the discovery metadata and its
checks); its server classes are synchronous and framework-bound, so the grant logic is written
here over the gateway's async database, following RFC 6749, RFC 7636, RFC 7009 and OIDC Core.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from authlib.common.encoding import to_unicode  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from authlib.oidc.core.util import create_half_hash  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.clients.failures import FailureLimits
from services.gateway.config import Settings
from services.gateway.oidc import repository
from services.gateway.oidc.models import AuthorizationCode, RefreshToken, SignInSession
from services.gateway.oidc.texts import LANGUAGES
from services.gateway.tokens.service import KeyRing
from services.gateway.users.events import Context, record_event
from services.gateway.users.models import User
from services.gateway.users.roles import scopes_of, second_factor_required, token_tenant_kind
from services.gateway.users.service import active, digest
from shared.auth import ALGORITHM, AUDIENCE

CODE_SECONDS = 60
SUPPORTED_SCOPES = ("openid", "profile", "email", "offline_access")
_PKCE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]

    def authenticates(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret.encode(), secret.encode())


def registered_clients(settings: Settings) -> dict[str, RegisteredClient]:
    if not settings.web_client_secret:
        return {}
    web = RegisteredClient(
        settings.web_client_id,
        settings.web_client_secret,
        tuple(settings.web_redirect_uris),
        tuple(settings.web_post_logout_redirect_uris),
    )
    return {web.client_id: web}


# --- Authorization requests ------------------------------------------------------------------


class NoRedirect(Exception):
    """The client or its redirect URI is not known: answered on a page, never by redirecting
    (RFC 6749 section 4.1.2.1), so the endpoint cannot be an open redirector."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RedirectError(Exception):
    """An error the client learns on its own, verified redirect URI."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


@dataclass(frozen=True)
class AuthorizationRequest:
    client: RegisteredClient
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str
    prompt: str | None

    def hidden_fields(self) -> dict[str, str]:
        """The request carried through the sign-in form, validated again when it comes back."""
        fields = {
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": self.scope,
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        fields.update({k: v for k, v in (("state", self.state), ("nonce", self.nonce)) if v is not None})
        return fields


def parse_authorization_request(clients: dict[str, RegisteredClient], params: dict[str, str]) -> AuthorizationRequest:
    client = clients.get(params.get("client_id", ""))
    if client is None:
        raise NoRedirect("unknown-client")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:  # exact string comparison, nothing else
        raise NoRedirect("unknown-redirect-uri")
    for name in ("state", "nonce"):
        if len(params.get(name, "")) > 500:
            raise RedirectError("invalid_request", f"{name} is too long")
    if params.get("response_type") != "code":
        raise RedirectError("unsupported_response_type", "Only the authorization code flow (response_type=code)")
    scopes = params.get("scope", "").split()
    if "openid" not in scopes:
        raise RedirectError("invalid_scope", "The openid scope is required")
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not _PKCE.match(challenge):
        raise RedirectError("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256")
    prompt = params.get("prompt") or None
    if prompt not in (None, "login", "none"):
        raise RedirectError("invalid_request", "prompt must be login or none")
    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        scope=" ".join(s for s in SUPPORTED_SCOPES if s in scopes),
        state=params.get("state") or None,
        nonce=params.get("nonce") or None,
        code_challenge=challenge,
        prompt=prompt,
    )


def redirect_to(uri: str, params: dict[str, str | None]) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{uri}{'&' if urlsplit(uri).query else '?'}{query}"


# --- The browser session ---------------------------------------------------------------------


@dataclass(frozen=True)
class BrowserSession:
    cookie: str  # the value the browser holds; only its digest is stored
    row: SignInSession


async def current_session(session: AsyncSession, cookie: str | None) -> SignInSession | None:
    if not cookie or len(cookie) > 100:
        return None
    row = await repository.sign_in_session(session, digest(cookie))
    if row is None or row.ended_at is not None or row.expires_at <= _now():
        return None
    return row


async def new_session(
    session: AsyncSession, seconds: int, user_id: str | None = None, identity_provider: str | None = None
) -> BrowserSession:
    cookie = secrets.token_urlsafe(32)
    row = SignInSession(
        id_hash=digest(cookie),
        csrf_token=secrets.token_urlsafe(32),
        user_id=user_id,
        identity_provider=identity_provider,
        created_at=_now(),
        expires_at=_now() + timedelta(seconds=seconds),
    )
    session.add(row)
    await session.flush()
    return BrowserSession(cookie, row)


async def signed_in_user(session: AsyncSession, row: SignInSession | None) -> User | None:
    if row is None or row.user_id is None:
        return None
    user = await repository.user(session, row.user_id)
    return user if active(user) else None


async def replace_session(
    session: AsyncSession, old: SignInSession | None, user: User, seconds: int, identity_provider: str | None = None
) -> BrowserSession:
    """A fresh session id at sign-in: an id planted before (session fixation) is worth nothing."""
    if old is not None:
        old.ended_at = _now()
    return await new_session(session, seconds, user.id, identity_provider)


def csrf_matches(row: SignInSession | None, token: str) -> bool:
    return row is not None and bool(token) and hmac.compare_digest(row.csrf_token.encode(), token.encode())


async def issue_code(session: AsyncSession, request: AuthorizationRequest, user: User, browser: SignInSession) -> str:
    code = secrets.token_urlsafe(32)
    session.add(
        AuthorizationCode(
            code_hash=digest(code),
            client_id=request.client.client_id,
            user_id=user.id,
            session_hash=browser.id_hash,
            redirect_uri=request.redirect_uri,
            scope=request.scope,
            nonce=request.nonce,
            code_challenge=request.code_challenge,
            auth_time=browser.created_at,
            identity_provider=browser.identity_provider,
            expires_at=_now() + timedelta(seconds=CODE_SECONDS),
        )
    )
    await session.flush()
    return code


# --- Tokens ----------------------------------------------------------------------------------


class GrantError(Exception):
    """RFC 6749 section 5.2 error of the token endpoint."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass
class Issuer:
    """What signs: the gateway's key ring; the issuer names of access tokens and ID tokens."""

    keys: KeyRing
    settings: Settings
    clients: dict[str, RegisteredClient] = field(default_factory=dict)

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.keys.signing_key, algorithm=ALGORITHM, headers={"kid": self.keys.signing_kid})

    def access_token(self, user: User) -> tuple[str, list[str]]:
        """Verified by every service like a client's token; the scopes are the roles' of now."""
        now = int(time.time())
        scopes = scopes_of(user.roles)
        claims = {
            "iss": self.settings.jwt_issuer,
            "aud": AUDIENCE,
            "sub": user.id,
            "iat": now,
            "nbf": now,
            "exp": now + self.settings.token_ttl_seconds,
            "jti": uuid.uuid4().hex,
            "scope": " ".join(scopes),
            "tenant": user.tenant,
            "tenant_kind": token_tenant_kind(user.tenant_kind),
        }
        return self._sign(claims), scopes

    def id_token(
        self,
        user: User,
        client_id: str,
        scope: str,
        auth_time: datetime,
        nonce: str | None,
        access_token: str,
        identity_provider: str | None = None,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.settings.public_url,
            "aud": client_id,
            "azp": client_id,
            "sub": user.id,
            "iat": now,
            "exp": now + self.settings.token_ttl_seconds,
            "auth_time": int(auth_time.timestamp()),
            "at_hash": to_unicode(create_half_hash(access_token, ALGORITHM)),
            "tenant": user.tenant,
            "tenant_kind": user.tenant_kind,
            "roles": list(user.roles),
            "locale": user.locale,
        }
        if identity_provider is not None:
            # The tenant's own provider authenticated the user (oidc/federation.py); how, is its own.
            claims.update({"amr": ["fed"], "idp": identity_provider})
        else:
            # Institution users always typed a code (users/service.py sign_in); others a password only.
            claims["amr"] = ["pwd", "otp"] if second_factor_required(user.tenant_kind) else ["pwd"]
        if nonce:
            claims["nonce"] = nonce
        if "profile" in scope.split():
            claims["name"] = user.name
        if "email" in scope.split():
            claims.update({"email": user.email, "email_verified": True})  # the invitation went there
        return self._sign(claims)

    def verify_id_token_hint(self, hint: str) -> dict[str, Any] | None:
        """Claims of an ID token this provider issued (an expired one still names its session)."""
        try:
            kid = str(jwt.get_unverified_header(hint).get("kid", ""))
            key = self.keys.public_keys.get(kid)
            if key is None:
                return None
            claims: dict[str, Any] = jwt.decode(
                hint,
                key,
                algorithms=[ALGORITHM],
                issuer=self.settings.public_url,
                audience=list(self.clients),
                options={"verify_exp": False},
            )
        except jwt.PyJWTError:
            return None
        return claims


def logout_target(clients: dict[str, RegisteredClient], uri: str | None, client_id: str | None) -> str | None:
    """A post-logout redirect only to a URI registered for the client named (exactly)."""
    if not uri:
        return None
    candidates = [clients[client_id]] if client_id in clients else ([] if client_id else list(clients.values()))
    return uri if any(uri in c.post_logout_redirect_uris for c in candidates) else None


def authenticate_client(clients: dict[str, RegisteredClient], client_id: str, secret: str) -> RegisteredClient:
    client = clients.get(client_id)
    if client is None or not client.authenticates(secret):
        raise GrantError("invalid_client", "Unknown client or wrong secret", 401)
    return client


def limited_client(
    limits: FailureLimits, clients: dict[str, RegisteredClient], address: str, client_id: str, secret: str
) -> RegisteredClient:
    """The registered client, its failed authentications limited as API clients' are."""
    limits.reserve(address, client_id)  # 429 once used up, before any comparison
    client = authenticate_client(clients, client_id, secret)
    limits.succeeded(address, client_id)
    return client


async def _issue(
    session: AsyncSession,
    issuer: Issuer,
    client: RegisteredClient,
    user: User,
    *,
    scope: str,
    auth_time: datetime,
    nonce: str | None,
    session_hash: str,
    family: str,
    expires_at: datetime,
    identity_provider: str | None,
) -> dict[str, Any]:
    access, scopes = issuer.access_token(user)
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=digest(refresh),
            family=family,
            client_id=client.client_id,
            user_id=user.id,
            session_hash=session_hash,
            scope=scope,
            auth_time=auth_time,
            identity_provider=identity_provider,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": issuer.settings.token_ttl_seconds,
        "scope": " ".join([*scope.split(), *scopes]),
        "id_token": issuer.id_token(user, client.client_id, scope, auth_time, nonce, access, identity_provider),
        "refresh_token": refresh,
    }


async def _live_session(session: AsyncSession, session_hash: str) -> SignInSession | None:
    row = await repository.sign_in_session(session, session_hash)
    if row is None or row.ended_at is not None or row.expires_at <= _now():
        return None
    return row


async def exchange_code(
    session: AsyncSession,
    context: Context,
    issuer: Issuer,
    client: RegisteredClient,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> dict[str, Any]:
    row = await repository.locked_code(session, digest(code))
    if row is None or row.client_id != client.client_id:
        raise GrantError("invalid_grant", "Unknown authorization code")
    if row.used_at is not None:
        # A code used twice was intercepted: what the first use gave stops working (RFC 6749 4.1.2).
        await repository.revoke_family(session, row.code_hash, _now())
        record_event(
            session,
            context,
            "token.code-replayed",
            actor=client.client_id,
            tenant=None,
            subject=row.user_id,
            status=400,
        )
        raise GrantError("invalid_grant", "The authorization code was already used")
    row.used_at = _now()
    if row.expires_at <= _now():
        raise GrantError("invalid_grant", "The authorization code has expired")
    if row.redirect_uri != redirect_uri:
        raise GrantError("invalid_grant", "redirect_uri differs from the authorization request's")
    if not _PKCE.match(code_verifier) or not hmac.compare_digest(
        create_s256_code_challenge(code_verifier), row.code_challenge
    ):
        raise GrantError("invalid_grant", "The code_verifier does not match the code_challenge (PKCE)")
    user = await repository.user(session, row.user_id)
    browser = await _live_session(session, row.session_hash)
    if user is None or not active(user) or browser is None:
        raise GrantError("invalid_grant", "The user or the sign-in session is no longer active")
    result = await _issue(
        session,
        issuer,
        client,
        user,
        scope=row.scope,
        auth_time=row.auth_time,
        nonce=row.nonce,
        session_hash=row.session_hash,
        family=row.code_hash,
        expires_at=min(browser.expires_at, _now() + timedelta(seconds=issuer.settings.refresh_token_seconds)),
        identity_provider=row.identity_provider,
    )
    record_event(session, context, "token.code-exchanged", actor=user.id, tenant=user.tenant, subject=user.id)
    return result


async def refresh(
    session: AsyncSession, context: Context, issuer: Issuer, client: RegisteredClient, token: str
) -> dict[str, Any]:
    row = await repository.locked_refresh_token(session, digest(token))
    if row is None or row.client_id != client.client_id:
        raise GrantError("invalid_grant", "Unknown refresh token")
    if row.revoked_at is not None:
        raise GrantError("invalid_grant", "The refresh token has been revoked")
    if row.used_at is not None:
        await repository.revoke_family(session, row.family, _now())
        record_event(
            session,
            context,
            "token.refresh-replayed",
            actor=client.client_id,
            tenant=None,
            subject=row.user_id,
            status=400,
        )
        raise GrantError("invalid_grant", "The refresh token was already used: every token of its sign-in is revoked")
    if row.expires_at <= _now():
        raise GrantError("invalid_grant", "The refresh token has expired")
    user = await repository.user(session, row.user_id)
    browser = await _live_session(session, row.session_hash)
    if user is None or not active(user) or browser is None:
        raise GrantError("invalid_grant", "The user or the sign-in session is no longer active")
    row.used_at = _now()
    return await _issue(
        session,
        issuer,
        client,
        user,
        scope=row.scope,
        auth_time=row.auth_time,
        nonce=None,
        session_hash=row.session_hash,
        family=row.family,
        expires_at=row.expires_at,  # rotation never extends the sign-in
        identity_provider=row.identity_provider,
    )


async def user_grant(
    session: AsyncSession,
    context: Context,
    issuer: Issuer,
    client: RegisteredClient,
    grant_type: str,
    *,
    code: str | None,
    redirect_uri: str | None,
    code_verifier: str | None,
    refresh_token: str | None,
) -> dict[str, Any]:
    """authorization_code and refresh_token at POST /oauth/token, for an authenticated client."""
    if grant_type == "authorization_code":
        if not code or not redirect_uri or not code_verifier:
            raise GrantError("invalid_request", "code, redirect_uri and code_verifier (PKCE) are required")
        return await exchange_code(session, context, issuer, client, code, redirect_uri, code_verifier)
    if not refresh_token:
        raise GrantError("invalid_request", "refresh_token is required")
    return await refresh(session, context, issuer, client, refresh_token)


async def revoke_token(session: AsyncSession, client: RegisteredClient, token: str) -> None:
    """RFC 7009: the refresh token's whole family; unknown tokens are not an error."""
    row = await repository.refresh_token(session, digest(token))
    if row is not None and row.client_id == client.client_id:
        await repository.revoke_family(session, row.family, _now())


async def sign_out(session: AsyncSession, context: Context, row: SignInSession | None) -> None:
    """End the browser session and every refresh token it gave."""
    if row is None:
        return
    now = _now()
    row.ended_at = now
    await repository.revoke_session_tokens(session, row.id_hash, now)
    if row.user_id is not None:
        user = await repository.user(session, row.user_id)
        record_event(
            session, context, "signout", actor=row.user_id, tenant=user.tenant if user else None, subject=row.user_id
        )


def discovery(settings: Settings) -> dict[str, Any]:
    base = settings.public_url
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "end_session_endpoint": f"{base}/oauth/end-session",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "scopes_supported": list(SUPPORTED_SCOPES),
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "at_hash",
            "amr",
            "azp",
            "name",
            "email",
            "email_verified",
            "locale",
            "tenant",
            "tenant_kind",
            "roles",
            "idp",
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["login", "none"],
        "ui_locales_supported": list(LANGUAGES),
        "authorization_response_iss_parameter_supported": True,
    }
