"""Sign-in through a tenant's own OpenID Connect provider, configured (`xarxa federation`), not coded.

The gateway is that provider's relying party: authorization code with PKCE, `state` and `nonce`
by Authlib's client; the ID token is verified here (issuer, audience, nonce, expiry, signature
against the keys the provider's discovery document names). The person is then one of the tenant's
existing users, matched by email, and the platform's own authorization request goes on exactly as
after a password: the platform issues its own tokens. The tenant's provider vouches for the
person, so the gateway's password and second factor are skipped; its MFA is the tenant's
responsibility unless the configuration requires an `amr` or `acr` value.

Nobody is created from a claim: a user must have been invited to the tenant first.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from argon2 import PasswordHasher
from authlib.integrations.httpx_client import AsyncOAuth2Client  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749 import OAuth2Error  # type: ignore[import-untyped]
from authlib.oidc.core.util import create_half_hash  # type: ignore[import-untyped]
from sqlalchemy.ext.asyncio import AsyncSession

from services.gateway.oidc import repository
from services.gateway.oidc.models import FederatedLogin, IdentityProvider, SignInSession
from services.gateway.users.events import Context, record_event
from services.gateway.users.models import User
from services.gateway.users.service import digest

CALLBACK_PATH = "/oauth/federated/callback"
TRIP_SECONDS = 600  # from the gateway's page to the provider and back
LEEWAY_SECONDS = 60  # clock skew allowed on exp and iat
CACHE_SECONDS = 300.0  # discovery documents and key sets
HTTP_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# Asymmetric only: an HMAC "signature" keyed with a public key, or none, is never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
UNKNOWN_USERS = ("refuse", "invitation")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_SECRET_REF = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]{0,127}|file:/\S{1,1000})$")
_hasher = PasswordHasher()


def _now() -> datetime:
    return datetime.now(UTC)


# --- Configuration ---------------------------------------------------------------------------


class InvalidConfiguration(ValueError):
    """A provider's configuration refused, naming the field (the CLI prints it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_issuer(issuer: str) -> str:
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or not parts.hostname or parts.username or parts.password:
        raise InvalidConfiguration("issuer", "an absolute URL with no query, fragment or credentials")
    if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
        raise InvalidConfiguration("issuer", "must use https (plain http only on loopback, for development)")
    return issuer


def resolve_secret(reference: str) -> str:
    """The client secret, read where the reference says, at each use (a rotation needs no restart)."""
    kind, _, where = reference.partition(":")
    if kind == "env":
        value = os.environ.get(where, "")
    else:
        try:
            value = Path(where).read_text().strip()
        except OSError:
            value = ""
    if not value:
        # The reference is named, never the value.
        raise InvalidConfiguration("client_secret_ref", f"{reference} holds no secret")
    return value


@dataclass(frozen=True)
class ProviderSettings:
    id: str
    name: str
    tenant: str
    issuer: str
    client_id: str
    client_secret_ref: str
    email_domains: list[str]
    scopes: list[str] = field(default_factory=lambda: ["openid", "email"])
    match_claim: str = "email"
    unknown_users: str = "refuse"
    required_amr: str | None = None
    required_acr: str | None = None


def _checked(settings: ProviderSettings) -> ProviderSettings:
    if not _SLUG.match(settings.id):
        raise InvalidConfiguration("id", "lower-case letters, digits and hyphens, at most 63")
    if not settings.name.strip() or len(settings.name) > 100:
        raise InvalidConfiguration("name", "1 to 100 characters")
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", settings.tenant):
        raise InvalidConfiguration("tenant", "a tenant reference such as amb or MZ-CMM")
    _check_issuer(settings.issuer)
    if not settings.client_id or len(settings.client_id) > 300:
        raise InvalidConfiguration("client_id", "1 to 300 characters")
    if not _SECRET_REF.match(settings.client_secret_ref):
        raise InvalidConfiguration("client_secret_ref", "env:VARIABLE or file:/absolute/path, never the secret itself")
    resolve_secret(settings.client_secret_ref)  # refused now rather than at someone's sign-in
    domains = sorted({d.strip().lower() for d in settings.email_domains if d.strip()})
    if not domains or not all(_DOMAIN.match(d) for d in domains):
        raise InvalidConfiguration("email_domains", "one or more domains such as amb.cat")
    scopes = list(dict.fromkeys(s for s in settings.scopes if s))
    if "openid" not in scopes or not all(re.match(r"^[\x21\x23-\x5b\x5d-\x7e]{1,100}$", s) for s in scopes):
        raise InvalidConfiguration("scopes", "space-free scope names, openid among them")
    if not re.match(r"^[A-Za-z0-9_:.-]{1,100}$", settings.match_claim):
        raise InvalidConfiguration("match_claim", "a claim name such as email")
    if settings.unknown_users not in UNKNOWN_USERS:
        raise InvalidConfiguration("unknown_users", " or ".join(UNKNOWN_USERS))
    for name in ("required_amr", "required_acr"):
        value = getattr(settings, name)
        if value is not None and not re.match(r"^[A-Za-z0-9_:./-]{1,200}$", value):
            raise InvalidConfiguration(name, "a single amr or acr value")
    return ProviderSettings(
        **{**settings.__dict__, "email_domains": domains, "scopes": scopes, "name": settings.name.strip()}
    )


async def add_provider(session: AsyncSession, context: Context, settings: ProviderSettings) -> IdentityProvider:
    checked = _checked(settings)
    if await repository.identity_provider(session, checked.id) is not None:
        raise InvalidConfiguration("id", f"{checked.id} exists")
    taken = await repository.providers_with_domains(session, checked.email_domains)
    if taken:
        clash = sorted(set(checked.email_domains) & {d for p in taken for d in p.email_domains})
        raise InvalidConfiguration("email_domains", f"{', '.join(clash)} already route to {taken[0].id}")
    provider = IdentityProvider(**checked.__dict__, enabled=True)
    session.add(provider)
    await session.flush()
    record_event(
        session, context, f"federation.provider-added:{provider.id}", actor="cli", tenant=provider.tenant, subject=None
    )
    return provider


async def set_enabled(session: AsyncSession, context: Context, provider_id: str, enabled: bool) -> IdentityProvider:
    provider = await repository.identity_provider(session, provider_id)
    if provider is None:
        raise InvalidConfiguration("id", f"no provider {provider_id}")
    provider.enabled = enabled
    event = "federation.provider-enabled" if enabled else "federation.provider-disabled"
    record_event(session, context, f"{event}:{provider.id}", actor="cli", tenant=provider.tenant, subject=None)
    return provider


async def providers(session: AsyncSession, *, enabled_only: bool = True) -> list[IdentityProvider]:
    return await repository.identity_providers(session, enabled_only=enabled_only)


# --- The providers' documents ----------------------------------------------------------------


class Unavailable(Exception):
    """The provider cannot be reached or publishes no usable discovery document or keys."""

    def __init__(self, reason: str, lang: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.lang = reason, lang


@dataclass
class Directory:
    """Each issuer's discovery document and key set, fetched over HTTP and kept a few minutes; an
    unknown key id fetches the set again once (the provider rotated its keys)."""

    seconds: float = CACHE_SECONDS
    _documents: dict[str, tuple[float, dict[str, Any]]] = field(default_factory=dict)
    _keys: dict[str, tuple[float, jwt.PyJWKSet]] = field(default_factory=dict)

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Unavailable(f"{url}: {type(exc).__name__}") from exc
        if not isinstance(body, dict):
            raise Unavailable(f"{url}: not a JSON object")
        return body

    async def metadata(self, issuer: str) -> dict[str, Any]:
        cached = self._documents.get(issuer)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        document = await self._get(f"{issuer}/.well-known/openid-configuration")
        # OIDC Discovery section 4.3: the document must name the very issuer asked for.
        if document.get("issuer") != issuer:
            raise Unavailable(f"{issuer}: the discovery document names another issuer")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str):
                raise Unavailable(f"{issuer}: no {name}")
        self._documents[issuer] = (time.monotonic() + self.seconds, document)
        return document

    async def key(self, issuer: str, jwks_uri: str, kid: str | None) -> jwt.PyJWK:
        for attempt in range(2):
            cached = self._keys.get(issuer)
            if attempt or cached is None or cached[0] <= time.monotonic():
                try:
                    keys = jwt.PyJWKSet.from_dict(await self._get(jwks_uri))
                except jwt.PyJWKSetError as exc:
                    raise Unavailable(f"{issuer}: no usable keys") from exc
                cached = (time.monotonic() + self.seconds, keys)
                self._keys[issuer] = cached
            keys = cached[1]
            if kid is None and len(keys.keys) == 1:
                return keys.keys[0]
            match = next((k for k in keys.keys if k.key_id == kid), None)
            if match is not None:
                return match
        raise KeyError(kid)


# --- The trip to the provider and back -------------------------------------------------------


async def chosen(session: AsyncSession, provider_id: str | None, email: str | None) -> IdentityProvider | None:
    """The provider a button names, else the one the email's domain routes to, else none (the
    password, as before)."""
    if provider_id:
        provider = await repository.identity_provider(session, provider_id[:100])
        if provider is None or not provider.enabled:
            raise Unavailable(f"no enabled provider {provider_id[:100]!r}")
        return provider
    domain = (email or "").strip().lower().rpartition("@")[2]
    if not domain or "@" not in (email or ""):
        return None
    return await repository.provider_of_domain(session, domain[:253])


def _client(provider: IdentityProvider, redirect_uri: str, secret: str | None = None) -> Any:
    return AsyncOAuth2Client(
        provider.client_id,
        secret,
        scope=" ".join(provider.scopes),
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
        timeout=HTTP_TIMEOUT,
        follow_redirects=False,
    )


async def start(
    session: AsyncSession,
    directory: Directory,
    provider: IdentityProvider,
    browser: SignInSession,
    request: dict[str, str],
    lang: str,
    redirect_uri: str,
    login_hint: str | None,
) -> str:
    """Where to send the browser: the provider's authorization endpoint, with a fresh state, nonce
    and PKCE challenge; the state is stored (its digest) with the platform's own request."""
    document = await directory.metadata(provider.issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    session.add(
        FederatedLogin(
            state_hash=digest(state),
            provider_id=provider.id,
            session_hash=browser.id_hash,
            nonce=nonce,
            code_verifier=verifier,
            request=request,
            lang=lang,
            expires_at=_now() + timedelta(seconds=TRIP_SECONDS),
        )
    )
    await session.flush()
    extra = {"ui_locales": lang}
    if login_hint and "@" in login_hint and len(login_hint) <= 300:
        extra["login_hint"] = login_hint.strip()
    async with _client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier, **extra
        )
    return str(url)


class Refused(Exception):
    """The provider's answer does not sign anyone in; the audit row names why."""

    def __init__(self, reason: str, lang: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.lang = reason, lang


@dataclass(frozen=True)
class Federated:
    user: User
    provider: IdentityProvider
    request: dict[str, str]  # the platform's authorization request, to continue
    lang: str


def _refuse(
    session: AsyncSession,
    context: Context,
    reason: str,
    provider: IdentityProvider | None,
    lang: str | None,
    subject: str | None = None,
) -> Refused:
    record_event(
        session,
        context,
        f"signin.federated-refused:{reason}",
        actor=None,
        tenant=provider.tenant if provider else None,
        subject=subject,
        status=401,
    )
    return Refused(reason, lang)


async def verify_id_token(
    directory: Directory,
    provider: IdentityProvider,
    document: dict[str, Any],
    id_token: str,
    nonce: str,
    access_token: str | None,
) -> dict[str, Any]:
    """The ID token's claims (OIDC Core 3.1.3.7), or jwt.PyJWTError / KeyError / ValueError."""
    header = jwt.get_unverified_header(id_token)
    algorithm = header.get("alg")
    offered = document.get("id_token_signing_alg_values_supported") or ["RS256"]
    if algorithm not in SIGNING_ALGORITHMS or algorithm not in offered:
        raise ValueError(f"alg {algorithm!r} is not accepted")
    key = await directory.key(provider.issuer, document["jwks_uri"], header.get("kid"))
    claims: dict[str, Any] = jwt.decode(
        id_token,
        key.key,
        algorithms=[algorithm],
        audience=provider.client_id,
        issuer=provider.issuer,
        leeway=LEEWAY_SECONDS,
        options={"require": ["iss", "sub", "aud", "exp", "iat"]},
    )
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise ValueError("azp is not this client")
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise ValueError("nonce differs from the one sent")
    if "at_hash" in claims and access_token:
        expected = create_half_hash(access_token, algorithm)
        if expected is None or not hmac.compare_digest(str(claims["at_hash"]).encode(), expected):
            raise ValueError("at_hash does not match the access token")
    return claims


def _strong_enough(provider: IdentityProvider, claims: dict[str, Any]) -> bool:
    amr = claims.get("amr")
    if provider.required_amr and not (isinstance(amr, list) and provider.required_amr in amr):
        return False
    return not (provider.required_acr and claims.get("acr") != provider.required_acr)


async def _accept_invitation(session: AsyncSession, context: Context, user: User) -> bool:
    """A pending invitation accepted by the federated sign-in itself: the user gets a password
    nobody knows (a real Argon2 hash, so the password form stays closed to them) and the link is
    spent, as the password page would."""
    link = await repository.pending_invitation(session, user.id, _now())
    if link is None:
        return False
    link.used_at = _now()
    user.password_hash = await asyncio.to_thread(_hasher.hash, secrets.token_urlsafe(32))
    record_event(session, context, "user.invitation-accepted", actor=user.id, tenant=user.tenant, subject=user.id)
    return True


async def finish(
    session: AsyncSession,
    context: Context,
    directory: Directory,
    browser: SignInSession | None,
    query: dict[str, str],
    redirect_uri: str,
) -> Federated:
    """The provider's answer at the callback: Refused, Unavailable, or the user it vouches for."""
    state = query.get("state", "")
    row = await repository.locked_federated_login(session, digest(state)) if 0 < len(state) <= 500 else None
    if row is None or row.used_at is not None:
        raise _refuse(session, context, "state", None, None)
    row.used_at = _now()  # spent whatever follows: a state is good once
    provider = await repository.identity_provider(session, row.provider_id)
    lang = row.lang
    if row.expires_at <= _now() or browser is None or row.session_hash != browser.id_hash:
        # Another browser's trip (login CSRF), or a stale one.
        raise _refuse(session, context, "state", provider, lang)
    if provider is None or not provider.enabled:
        raise _refuse(session, context, "provider-disabled", provider, lang)
    if "error" in query or not query.get("code"):
        raise _refuse(session, context, "provider-error", provider, lang)
    if "iss" in query and query["iss"] != provider.issuer:  # RFC 9207: an answer of another provider
        raise _refuse(session, context, "issuer", provider, lang)
    try:
        document = await directory.metadata(provider.issuer)
        secret = resolve_secret(provider.client_secret_ref)
    except (Unavailable, InvalidConfiguration) as exc:
        raise Unavailable(str(exc), lang) from exc
    try:
        async with _client(provider, redirect_uri, secret) as client:
            token = await client.fetch_token(
                document["token_endpoint"], code=query["code"][:2000], code_verifier=row.code_verifier
            )
    except (OAuth2Error, httpx.HTTPError, ValueError) as exc:
        raise _refuse(session, context, "token", provider, lang) from exc
    try:
        claims = await verify_id_token(
            directory, provider, document, str(token.get("id_token") or ""), row.nonce, token.get("access_token")
        )
    except Unavailable as exc:
        raise Unavailable(exc.reason, lang) from exc
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise _refuse(session, context, "id-token", provider, lang) from exc
    if not _strong_enough(provider, claims):
        raise _refuse(session, context, "authentication-too-weak", provider, lang)
    email = claims.get(provider.match_claim)
    if not isinstance(email, str) or claims.get("email_verified") is False:
        raise _refuse(session, context, "claim", provider, lang)
    email = email.strip().lower()
    # A provider vouches only for its tenant's domains: never for another tenant's people.
    if email.rpartition("@")[2] not in provider.email_domains:
        raise _refuse(session, context, "domain", provider, lang)
    user = await repository.user_by_email(session, email)
    if user is None or user.tenant != provider.tenant:
        raise _refuse(session, context, "unknown-user", provider, lang)
    if user.disabled_at is not None:
        raise _refuse(session, context, "disabled", provider, lang, user.id)
    if user.password_hash is None and not (
        provider.unknown_users == "invitation" and await _accept_invitation(session, context, user)
    ):
        raise _refuse(session, context, "not-accepted", provider, lang, user.id)
    record_event(
        session, context, f"signin.federated:{provider.id}", actor=user.id, tenant=user.tenant, subject=user.id
    )
    return Federated(user, provider, dict(row.request), lang)
